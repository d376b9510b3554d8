import type * as vscode from 'vscode';
import { Emitter, isActiveStatus, isTerminalStatus, JobHistoryLoader, type JobStore } from '../core';
import { Disposable, toDisposable } from '../core/lifecycle';
import type { BackendInfo, JobSummary } from '../protocol';
import {
  type JobsChange,
  type JobsSource,
  jobSummaries,
  jobSummary,
  mergeChanges,
  rowsTouched,
  runningJobs,
} from './jobsViewFeed';
import type { ArkorSession } from './session';

/** Fastest rate at which the jobs view is re-sent the list while metrics stream in. */
const MAX_UPDATES_PER_SECOND = 4;
/** Finished jobs (newest first) whose history is read for their rows; older rows show no sparkline. */
const HISTORY_JOBS = 50;

/**
 * The jobs view's data: the session's job store, summarised. Queued and running jobs are watched
 * (their event streams opened) so rows show live progress and sparklines; a watch is released when
 * the job ends. Finished jobs nobody streamed in this session (all of them after a window reload)
 * have their history read once, so their rows keep progress, sparkline and checkpoints. Updates are
 * throttled: a row does not need 200 repaints a second.
 */
export class SessionJobsSource extends Disposable implements JobsSource {
  private readonly _onDidChangeJobs = this._register(new Emitter<JobsChange>('a jobs listener'));
  readonly onDidChangeJobs = this._onDidChangeJobs.event;
  private readonly _onDidChangeBackend = this._register(new Emitter<void>('a backend listener'));
  readonly onDidChangeBackend = this._onDidChangeBackend.event;
  private readonly watches = new Map<string, vscode.Disposable>();
  private history: JobHistoryLoader | undefined;
  private watchedStore: JobStore | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastFire = 0;
  /** What changed since the last update was fired (the update waits for the throttle). */
  private pending: JobsChange | undefined;

  constructor(private readonly session: ArkorSession) {
    super();
    this._register(
      session.onDidChange(() => {
        // A reconnect brings a new store: the watches and history reads belong to the old one.
        if (this.session.connection?.store !== this.watchedStore) this.releaseAll();
        this.updateWatches();
        this._onDidChangeBackend.fire();
        this.schedule({});
      }),
    );
    this._register(
      session.onDidChangeStore((change) => {
        if (change.kind === 'jobs' || change.kind === 'status') this.updateWatches();
        const touched = rowsTouched(change);
        if (touched) this.schedule(touched);
        if (change.kind === 'pollError') this._onDidChangeBackend.fire();
      }),
    );
    this._register(
      toDisposable(() => {
        if (this.timer) clearTimeout(this.timer);
        this.releaseAll();
      }),
    );
  }

  jobs(): JobSummary[] {
    return jobSummaries(this.session.connection?.store, this.session.connection?.kind);
  }

  job(jobId: string): JobSummary | undefined {
    return jobSummary(this.session.connection?.store, jobId, this.session.connection?.kind);
  }

  backend(): BackendInfo {
    return this.session.info();
  }

  /** Number of jobs currently running, for the view badge. */
  runningCount(): number {
    return runningJobs(this.session.connection?.store);
  }

  private updateWatches(): void {
    const store = this.session.connection?.store;
    if (!store) return;
    if (store !== this.watchedStore) this.releaseAll();
    this.watchedStore = store;
    const active = new Set(
      store
        .jobs()
        .filter((j) => isActiveStatus(j.status))
        .map((j) => j.id),
    );
    for (const id of active) if (!this.watches.has(id)) this.watches.set(id, store.watch(id));
    for (const [id, watch] of this.watches) {
      if (!active.has(id)) {
        watch.dispose();
        this.watches.delete(id);
      }
    }
    this.history ??= new JobHistoryLoader(store);
    this.history.request(
      store
        .jobs()
        .filter((j) => isTerminalStatus(j.status))
        .slice(0, HISTORY_JOBS)
        .map((j) => j.id),
    );
  }

  private releaseAll(): void {
    for (const w of this.watches.values()) w.dispose();
    this.watches.clear();
    this.history?.dispose();
    this.history = undefined;
    this.watchedStore = undefined;
  }

  private schedule(change: JobsChange): void {
    this.pending = mergeChanges(this.pending, change);
    if (this.timer) return;
    const wait = Math.max(0, this.lastFire + 1000 / MAX_UPDATES_PER_SECOND - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastFire = Date.now();
      const pending = this.pending ?? {};
      this.pending = undefined;
      this._onDidChangeJobs.fire(pending);
    }, wait);
  }
}
