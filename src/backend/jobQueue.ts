// The job queue: one training at a time, in a worker thread so the HTTP server keeps answering while
// a step runs. The worker is started on the first job and reused (loading tfjs takes a moment);
// it is replaced only if it crashes or has to be terminated. Worker messages become stored events
// and job status changes. Worker threads live inside the server process, so they can never
// outlive it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JobEventFields } from '../wire';
import type { PresetName } from './engine/presets';
import type { RunSettings } from './jobConfig';
import type { Store } from './store';
import type { ResumePoint } from './trainJob';
import type { WorkerMessage, WorkerRequest } from './trainWorker';

/** How long a cancelled run may take to notice its flag before the worker is terminated. */
const CANCEL_GRACE_MS = 700;

type StopReason = { status: 'cancelled' } | { status: 'failed'; error: string };

interface Running {
  jobId: string;
  cancelFlag: Int32Array;
  /** Set when we asked the run to stop; decides how a stop without a result is recorded. */
  stopReason?: StopReason;
  /** Resolves once the job has a terminal status. */
  done: Promise<void>;
  finish: () => void;
}

export interface JobQueueOptions {
  preset: PresetName;
  baseModelDir?: string;
}

export class JobQueue {
  private queue: string[] = [];
  private current: Running | undefined;
  private worker: Worker | undefined;
  private settings = new Map<string, { settings: RunSettings; resume?: ResumePoint }>();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly opts: JobQueueOptions,
  ) {}

  enqueue(jobId: string, settings: RunSettings, resume?: ResumePoint): void {
    this.settings.set(jobId, { settings, resume });
    this.queue.push(jobId);
    this.pump();
  }

  /** A job is queued or running (the backend is not idle). */
  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /** Cancels a queued or running job; resolves once it is recorded as cancelled. */
  async cancel(jobId: string): Promise<void> {
    const queued = this.queue.indexOf(jobId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.store.setStatus(jobId, 'cancelled');
      return;
    }
    if (this.current?.jobId === jobId) await this.stopCurrent({ status: 'cancelled' });
  }

  /** Stops everything (server shutdown): a running job is recorded as failed, queued ones stay queued. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    await this.stopCurrent({
      status: 'failed',
      error:
        'The local backend was shut down while this job was running. Resume it from its last checkpoint, or run it again.',
    });
    await this.worker?.terminate();
  }

  private async stopCurrent(reason: StopReason) {
    const run = this.current;
    if (!run) return;
    run.stopReason = reason;
    Atomics.store(run.cancelFlag, 0, 1);
    // A step in progress finishes first; if the worker does not come back in time, terminate it
    // (the exit handler then records the stop reason).
    const timer = setTimeout(() => void this.worker?.terminate(), CANCEL_GRACE_MS);
    await run.done;
    clearTimeout(timer);
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const jobId = this.queue.shift();
    if (!jobId) return;
    const job = this.store.getJob(jobId);
    const entry = this.settings.get(jobId);
    this.settings.delete(jobId);
    if (job?.status !== 'queued' || !entry) {
      this.pump();
      return;
    }
    this.start(jobId, entry.settings, entry.resume);
  }

  private start(jobId: string, settings: RunSettings, resume: ResumePoint | undefined) {
    // Settings the engine runs without, as log lines at the top of the job's log. A `log` event
    // (`{line}`), not a `training.log`: clients that do not know the type skip it (the SDK does).
    for (const warning of settings.warnings) {
      this.store.appendEvent(jobId, 'log', { level: 'warning', line: `Warning: ${warning}` });
    }
    const cancelFlag = new SharedArrayBuffer(4);
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.current = { jobId, cancelFlag: new Int32Array(cancelFlag), done, finish };
    const req: WorkerRequest = {
      type: 'run',
      cancelFlag,
      input: {
        jobId,
        settings,
        preset: this.opts.preset,
        adapterRoot: this.store.jobAdapterRoot(jobId),
        baseModelDir: this.opts.baseModelDir,
        resume,
      },
    };
    this.ensureWorker().postMessage(req);
  }

  /** Records the end of the current run and moves on to the next queued job. */
  private end(...outcome: [status: 'completed' | 'cancelled'] | [status: 'failed', error: string]) {
    const [status, error] = outcome;
    const run = this.current;
    if (!run) return;
    if (status === 'failed') this.store.appendEvent(run.jobId, 'training.failed', { error });
    this.store.setStatus(run.jobId, status, error !== undefined ? { error } : {});
    this.current = undefined;
    run.finish();
    setImmediate(() => this.pump());
  }

  private onMessage(m: WorkerMessage) {
    const run = this.current;
    if (!run || m.jobId !== run.jobId) return;
    const { jobId } = run;
    switch (m.type) {
      case 'started':
        this.store.setStatus(jobId, 'running');
        this.store.appendEvent(jobId, 'training.started', { metadata: m.metadata });
        copyHistory(this.store, jobId);
        break;
      case 'log':
        this.store.appendEvent(jobId, 'training.log', m.metrics);
        break;
      case 'checkpoint':
        this.store.appendEvent(jobId, 'checkpoint.saved', { step: m.step, artifacts: m.artifacts });
        break;
      case 'completed':
        this.store.appendEvent(jobId, 'training.completed', { metrics: m.metrics, artifacts: m.artifacts });
        this.end('completed');
        break;
      case 'cancelled':
        // The loop stopped because we raised the flag: record why we raised it.
        if (run.stopReason?.status === 'failed') this.end('failed', run.stopReason.error);
        else this.end('cancelled');
        break;
      case 'failed':
        this.end('failed', m.error);
        break;
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnTrainWorker();
    worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    worker.on('error', (e) => {
      if (this.current) this.end('failed', `training worker crashed: ${e.message}`);
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      const reason = this.current?.stopReason;
      if (!this.current) return;
      if (reason?.status === 'cancelled') this.end('cancelled');
      else
        this.end(
          'failed',
          reason?.status === 'failed' ? reason.error : 'training worker exited unexpectedly',
        );
    });
    this.worker = worker;
    return worker;
  }
}

/**
 * A resumed job's chart goes on from where the interrupted one stopped: the interrupted job's
 * training.log events up to the checkpoint are copied in first (checkpoints stay with their job, as
 * their adapters do), then a log line says where the run resumed.
 */
function copyHistory(store: Store, jobId: string): void {
  const from = store.getJob(jobId)?.resumedFrom;
  if (!from) return;
  for (const e of store.eventsAfter(from.jobId, 0)) {
    const data = e.data as { type?: string; step?: number };
    if (data.type !== 'training.log' || (data.step ?? 0) > from.step) continue;
    const { type: _type, jobId: _job, timestamp: _time, ...fields } = e.data as Record<string, unknown>;
    store.appendEvent(jobId, 'training.log', fields as JobEventFields<'training.log'>);
  }
  store.appendEvent(jobId, 'log', {
    level: 'info',
    line: `Resumed from the checkpoint at step ${from.step} of job ${from.jobId}.`,
  });
}

/**
 * The worker entry is dist/backend/trainWorker.js when bundled; from source (tsx, tests) it is the
 * .ts file, loaded through tsx's CommonJS hook inside the worker.
 */
function spawnTrainWorker(): Worker {
  const bundled = path.join(__dirname, 'trainWorker.js');
  if (existsSync(bundled)) return new Worker(bundled);
  const source = path.join(__dirname, 'trainWorker.ts');
  // Built at run time so esbuild does not try to bundle tsx into the product.
  const tsx = require.resolve(['tsx', 'cjs'].join('/'));
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { eval: true });
}
