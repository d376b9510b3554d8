/**
 * Loads the recorded events of finished jobs, so a list row shows their progress, sparkline and
 * checkpoints although nobody watched them in this session (after a window reload, every job that
 * ended before it). The store only holds events of jobs it streamed; a finished job's stream replays
 * its whole history and ends, so reading it once is enough.
 */
import type { JobStore } from './jobStore';
import type { Disposable } from './types';

/** Failed connections in a row after which a job's history is not read. */
const GIVE_UP_AFTER_ATTEMPTS = 3;

export class JobHistoryLoader implements Disposable {
  private readonly queue: string[] = [];
  /** Every job ever queued here: each is read once (a failed read is not retried in a loop). */
  private readonly seen = new Set<string>();
  private readonly running = new Map<string, Disposable>();
  private readonly subscription: Disposable;
  private disposed = false;

  constructor(
    private readonly store: JobStore,
    /** Streams replaying at once. */
    private readonly concurrency = 2,
  ) {
    this.subscription = store.onDidChange((change) => {
      if (change.kind !== 'stream' || !this.running.has(change.jobId)) return;
      // A history that cannot be read after a few tries is given up: it must not hold its slot
      // (and the rows after it) forever. The row then shows what the job list says.
      const givenUp = change.state === 'reconnecting' && change.attempt >= GIVE_UP_AFTER_ATTEMPTS;
      if (change.state === 'ended' || change.state === 'error' || givenUp) this.finish(change.jobId);
    });
  }

  /** Reads the history of these finished jobs (first given, first read) unless the store has it. */
  request(jobIds: readonly string[]): void {
    for (const id of jobIds) {
      if (this.seen.has(id) || this.store.hasHistory(id)) continue;
      this.seen.add(id);
      this.queue.push(id);
    }
    this.pump();
  }

  /** Jobs being read now (tests and diagnostics). */
  get reading(): number {
    return this.running.size;
  }

  private pump(): void {
    while (!this.disposed && this.running.size < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      if (this.store.hasHistory(id)) continue;
      this.running.set(id, this.store.watch(id));
    }
  }

  private finish(jobId: string): void {
    this.running.get(jobId)?.dispose();
    this.running.delete(jobId);
    this.pump();
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
    for (const watch of this.running.values()) watch.dispose();
    this.running.clear();
    this.queue.length = 0;
  }
}
