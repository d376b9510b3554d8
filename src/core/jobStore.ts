/**
 * The job store: the single source of truth every view reads.
 *
 * - The job list is polled, fast while something is queued or running, slowly otherwise, with
 *   exponential backoff on errors.
 * - Each job a view (or a running training) needs gets ONE event stream, shared by reference count
 *   (`watch(jobId)` returns a disposable).
 * - Events are folded into compact per-job state (typed-array metric series, checkpoints, a 500-line
 *   log ring) and changes are announced as small deltas, coalesced per microtask, so a webview can
 *   forward just what is new. `snapshot()` serves a panel that opens late.
 * - Full metrics are kept only for watched jobs (an open panel, a running job, the status bar's job)
 *   and a few recently released ones; older ones are evicted to a summary (status, point count,
 *   the last points a sparkline shows, checkpoints) so a window that saw a thousand long runs does
 *   not hold them all. Watching an evicted job again replays its stream from the start.
 */
import type { ArkorApiClient } from './apiClient';
import { ArkorApiError } from './errors';
import {
  type JobEventStreamOptions,
  type JobEventStreamResult,
  type JobStreamStatus,
  SeenEventIds,
} from './jobEvents';
import { onUnexpectedError } from './lifecycle';
import { type OverviewOptions, overviewRows } from './metricOverview';
import {
  GrowableSeries,
  lossAtStep,
  type MetricPoint,
  MetricSeries,
  type MetricsArrays,
  RingBuffer,
  type ShownMetrics,
} from './metrics';
import { redact } from './redact';
import { formatRunLabel, runLabels } from './runLabels';
import {
  type Disposable,
  isActiveStatus,
  isTerminalStatus,
  type JobEvent,
  type JobStatus,
  type Scope,
  type TrainingJob,
} from './types';

/** Where the store gets its data: the cloud client bound to a scope, or the local backend. */
export interface JobSource {
  listJobs(opts: { signal?: AbortSignal }): Promise<TrainingJob[]>;
  streamJobEvents(jobId: string, opts: JobEventStreamOptions): Promise<JobEventStreamResult>;
}

export function clientJobSource(client: ArkorApiClient, scope: Scope): JobSource {
  return {
    listJobs: (opts) => client.listJobs(scope, opts),
    streamJobEvents: (jobId, opts) => client.streamJobEvents(scope, jobId, opts),
  };
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface JobStoreOptions {
  source: JobSource;
  /** Poll interval while nothing is queued or running. Default 5000 ms. */
  pollIntervalMs?: number;
  /** Poll interval while a job is queued or running. Default 1000 ms. */
  activePollIntervalMs?: number;
  /** Upper bound of the error backoff. Default 60 000 ms. */
  maxPollBackoffMs?: number;
  /** Log lines kept per job. Default 500 (as Studio). */
  logCapacity?: number;
  /** Passed to each event stream (backoff, idle timeout, attempt limit). */
  streamOptions?: Pick<JobEventStreamOptions, 'backoff' | 'maxReconnectAttempts' | 'idleTimeoutMs'>;
  timers?: Timers;
  /** Wall clock for log line times. Default Date.now. */
  now?: () => number;
  /** Secrets to scrub from error text surfaced in change events. */
  secrets?: () => ReadonlyArray<string | undefined>;
  /**
   * Jobs no longer watched whose full metrics and log are still kept, least recently released
   * evicted first. Default 4.
   */
  retainUnwatched?: number;
}

/** Points of the newest metrics a job-list row reads (sparkline, latest step and loss). */
const ROW_RECENT_POINTS = 40;

/** What an evicted job keeps of its metrics: enough for its row in the jobs list. */
interface MetricsSummary {
  /** Metric points the job had when evicted. */
  pointCount: number;
  /** Its newest `ROW_RECENT_POINTS` points. */
  recent: MetricsArrays;
  /** Training loss at each checkpoint's step. */
  checkpointLoss: Map<number, number | undefined>;
}

export interface Checkpoint {
  step: number;
  timestamp: string;
  artifacts: unknown[];
}

/** One line of a job's log (from its events), as the job panel's log tail and the full log show it. */
export interface JobLogLine {
  /** When the event happened (its timestamp; the receive time if it had none), epoch ms. */
  time: number;
  /** The event type; for an event type this client does not model, the server's own name. */
  type: string;
  /** Studio's format: `step=12 loss=0.1234 evalLoss=0.2345`, `step=50`, `2 artifact(s)`, … */
  text: string;
}

/** What the log ring stores; formatted into a `JobLogLine` on read. */
interface LogEntry {
  time: number;
  event: JobEvent;
}

/** Studio's event-log message for one event (docs/wire-protocol.md, "Studio conventions"). */
export function formatLogText(event: JobEvent): string {
  switch (event.type) {
    case 'training.log': {
      let text = `step=${event.step}`;
      if (typeof event.loss === 'number') text += ` loss=${event.loss.toFixed(4)}`;
      if (typeof event.evalLoss === 'number') text += ` evalLoss=${event.evalLoss.toFixed(4)}`;
      return text;
    }
    case 'checkpoint.saved':
      return `step=${event.step}`;
    case 'training.completed':
      return `${event.artifacts?.length ?? 0} artifact(s)`;
    case 'training.failed':
      return event.error;
    case 'training.started':
      return JSON.stringify(event);
    case 'other': {
      // A log-like event (`{line}` as the local backend and Arkor's own test mock send, or
      // `{message}`) shows its text; anything else its fields.
      const { line, message } = event.payload;
      if (typeof line === 'string') return line;
      if (typeof message === 'string') return message;
      return JSON.stringify(event.payload);
    }
    case 'note':
      return event.message;
    case 'end':
      return 'end';
  }
}

/** The log's type column: unknown events show the name the server gave them. */
export function logTypeOf(event: JobEvent): string {
  return event.type === 'other' ? event.name : event.type;
}

const toJobLogLine = (entry: LogEntry): JobLogLine => ({
  time: entry.time,
  type: logTypeOf(entry.event),
  text: formatLogText(entry.event),
});

/** Where a job's event stream stands (the job panel words it as a `StreamView`). */
export type StreamPhase = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'ended' | 'error';

/** A job's event stream as views show it. */
export interface StreamInfo {
  state: StreamPhase;
  error: string | undefined;
  /** While `reconnecting`: which reconnection attempt is pending (1 for the first); 0 otherwise. */
  attempt: number;
}

/** What changed. Views subscribe once and forward only these deltas. */
export type JobStoreChange =
  /** The polled job list (statuses already merged with live events). */
  | { kind: 'jobs'; jobs: TrainingJob[] }
  /** The job list could not be read; `error` says why (its `kind`: network, auth, not-found, …). */
  | { kind: 'pollError'; message: string; retryInMs: number; error: unknown }
  /** The job list was read again after poll errors. */
  | { kind: 'pollOk' }
  | { kind: 'status'; jobId: string; status: JobStatus; error: string | undefined }
  /** Metric points `[from, to)` were appended or filled in; read them with `metrics(jobId, from, to)`. */
  | { kind: 'metrics'; jobId: string; from: number; to: number }
  /** New log lines, oldest first (at most the log capacity); `total` counts every line ever logged. */
  | { kind: 'log'; jobId: string; lines: JobLogLine[]; total: number }
  | { kind: 'checkpoints'; jobId: string; checkpoints: Checkpoint[] }
  | ({ kind: 'stream'; jobId: string } & StreamInfo);

export interface JobSnapshot {
  jobId: string;
  job: TrainingJob | undefined;
  status: JobStatus;
  error: string | undefined;
  /** Every row of the series a panel shows (not the epoch): posted as they are (toColumns). */
  metrics: ShownMetrics;
  /** Event time (epoch ms) of each metric row, index-aligned with `metrics`. */
  metricTimes: Float64Array;
  checkpoints: Checkpoint[];
  log: JobLogLine[];
  logTotal: number;
  /** Artifact count from `training.completed`, once seen. */
  artifacts: number | undefined;
  /** `training.started` metadata (opaque; the local backend puts the resolved run settings here). */
  startedMetadata: Record<string, unknown> | undefined;
  stream: StreamInfo;
}

/** What a job-list row shows, read without copying whole series. */
export interface JobRowData {
  status: JobStatus;
  error: string | undefined;
  /** Metric points held in all. */
  pointCount: number;
  /** The last few points only (for a sparkline and the latest step and loss). */
  recent: ShownMetrics;
  /** Checkpoints with the training loss at their step. */
  checkpoints: (Checkpoint & { loss: number | undefined })[];
}

/** Everything the store knows about one job. */
class JobRecord {
  job: TrainingJob | undefined;
  started = false;
  startedMetadata: Record<string, unknown> | undefined;
  sseTerminal: 'completed' | 'failed' | undefined;
  sseError: string | undefined;
  artifacts: number | undefined;
  metrics = new MetricSeries();
  /** Each metric row's event time (epoch ms; its first frame's), index-aligned with `metrics`. */
  metricTimes = new GrowableSeries<Float64Array>(Float64Array);
  readonly checkpoints: Checkpoint[] = [];
  log: RingBuffer<LogEntry>;
  seen = new SeenEventIds();
  lastEventId: string | undefined;
  /** Set while evicted: what rows read until a replay has brought the metrics back. */
  summary: MetricsSummary | undefined;
  // Stream bookkeeping.
  refs = 0;
  abort: AbortController | undefined;
  streamPhase: StreamPhase = 'idle';
  streamError: string | undefined;
  streamAttempt = 0;
  /** The stream reached a terminal event; do not reopen it. */
  streamDone = false;
  // Pending deltas, flushed once per microtask.
  metricsFrom = -1;
  metricsTo = -1;
  logTotalAtFlush = 0;
  checkpointsDirty = false;
  lastStatus: JobStatus | undefined;

  constructor(
    readonly jobId: string,
    private readonly logCapacity: number,
  ) {
    this.log = new RingBuffer(logCapacity);
  }

  /** The summary while it knows more than the (replaying) live metrics. */
  activeSummary(): MetricsSummary | undefined {
    const summary = this.summary;
    if (summary && this.metrics.length >= summary.pointCount) this.summary = undefined;
    return this.summary;
  }

  /**
   * Drop the metrics, their times and log, keeping a summary, and forget the resume point and the
   * seen ids so the next stream replays every event from the start (which rebuilds what was dropped).
   * Checkpoints, status and `training.started` metadata are small and stay.
   */
  evict(): void {
    const n = this.metrics.length;
    if (n > 0 && !this.activeSummary()) {
      const checkpointLoss = new Map<number, number | undefined>();
      for (const c of this.checkpoints) checkpointLoss.set(c.step, lossAtStep(this.metrics, c.step));
      this.summary = {
        pointCount: n,
        recent: this.metrics.slice(Math.max(0, n - ROW_RECENT_POINTS), n),
        checkpointLoss,
      };
    }
    this.metrics = new MetricSeries();
    this.metricTimes = new GrowableSeries<Float64Array>(Float64Array);
    this.log = new RingBuffer(this.logCapacity);
    this.logTotalAtFlush = 0;
    this.metricsFrom = this.metricsTo = -1;
    this.seen = new SeenEventIds();
    this.lastEventId = undefined;
    this.streamDone = false;
  }

  /** Holds data worth keeping (a record only listed, or already evicted, has none). */
  get holdsData(): boolean {
    return this.metrics.length > 0 || this.log.length > 0;
  }

  /** Studio's precedence (docs/wire-protocol.md, "Studio conventions"): terminal SSE > terminal polled > running if started > polled > queued. */
  status(): JobStatus {
    if (this.sseTerminal) return this.sseTerminal;
    const polled = this.job?.status;
    if (isTerminalStatus(polled)) return polled as JobStatus;
    if (this.started) return 'running';
    return polled ?? 'queued';
  }

  error(): string | undefined {
    return this.sseError ?? this.job?.error ?? undefined;
  }
}

export class JobStore implements Disposable {
  private readonly source: JobSource;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly logCapacity: number;
  private readonly activePollMs: number;
  private readonly maxBackoffMs: number;
  private readonly streamOptions: JobStoreOptions['streamOptions'];
  private readonly secrets: () => ReadonlyArray<string | undefined>;
  private readonly retainUnwatched: number;
  private pollMs: number;

  private readonly records = new Map<string, JobRecord>();
  /** Unwatched records still holding full data, least recently released first. */
  private readonly retained = new Set<JobRecord>();
  private jobList: TrainingJob[] = [];
  private lastJobsJson = '';
  /** Run labels of the listed jobs (runLabels.ts), computed once per list. */
  private labels: Map<string, string> | undefined;
  private readonly listeners = new Set<(change: JobStoreChange) => void>();
  private readonly dirty = new Set<JobRecord>();
  private flushQueued = false;

  private polling = false;
  private pollTimer: unknown;
  private pollInFlight: Promise<void> | undefined;
  private pollAgain = false;
  private pollErrors = 0;
  private disposed = false;

  constructor(opts: JobStoreOptions) {
    this.source = opts.source;
    this.timers = opts.timers ?? realTimers;
    this.now = opts.now ?? Date.now;
    this.logCapacity = opts.logCapacity ?? 500;
    this.pollMs = opts.pollIntervalMs ?? 5000;
    this.activePollMs = opts.activePollIntervalMs ?? 1000;
    this.maxBackoffMs = opts.maxPollBackoffMs ?? 60_000;
    this.streamOptions = opts.streamOptions;
    this.secrets = opts.secrets ?? (() => []);
    this.retainUnwatched = Math.max(0, opts.retainUnwatched ?? 4);
  }

  // ---- Subscriptions ------------------------------------------------------------------------------

  onDidChange(listener: (change: JobStoreChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  // ---- Reading ------------------------------------------------------------------------------------

  /** Whether a poll has brought the job list yet (until then `jobs()` is empty for want of one). */
  get listed(): boolean {
    return this.lastJobsJson !== '';
  }

  /** The polled list, in server order, each status merged with what the event streams said. */
  jobs(): TrainingJob[] {
    return this.jobList.map((job) => this.merged(job, this.records.get(job.id)));
  }

  /** `job` with the status and error its event stream says, copied only when they differ. */
  private merged(job: TrainingJob, rec: JobRecord | undefined): TrainingJob {
    if (!rec) return job;
    const status = rec.status();
    const error = rec.error();
    return status === job.status && error === (job.error ?? undefined) ? job : { ...job, status, error };
  }

  /**
   * The run label (`captain-speak #3`, runLabels.ts) every surface shows for a job; undefined for a
   * job the store does not know. A job not listed yet is the newest run of its name.
   */
  runLabel(jobId: string): string | undefined {
    this.labels ??= runLabels(this.jobList);
    const label = this.labels.get(jobId);
    if (label !== undefined) return label;
    const job = this.records.get(jobId)?.job;
    if (!job) return undefined;
    return formatRunLabel(job.name, this.jobList.filter((j) => j.name === job.name).length + 1);
  }

  status(jobId: string): JobStatus | undefined {
    const rec = this.records.get(jobId);
    if (rec) return rec.status();
    return this.jobList.find((j) => j.id === jobId)?.status;
  }

  /**
   * One job of the list, its status merged as in `jobs()`, or the job a record holds for a job not
   * (yet) listed. Cheap: no copy of the list or of any series.
   */
  job(jobId: string): TrainingJob | undefined {
    const rec = this.records.get(jobId);
    const listed = this.jobList.find((j) => j.id === jobId);
    const job = listed ?? rec?.job;
    return job && this.merged(job, rec);
  }

  /** The job's error, from a `training.failed` event or the polled job. */
  error(jobId: string): string | undefined {
    const rec = this.records.get(jobId);
    if (rec) return rec.error();
    return this.jobList.find((j) => j.id === jobId)?.error ?? undefined;
  }

  /** Metric points held in full for a job (0 once evicted, until a watch replays them). */
  metricCount(jobId: string): number {
    return this.records.get(jobId)?.metrics.length ?? 0;
  }

  /** The newest metric point (NaN for missing values), without copying the series. */
  latestMetric(jobId: string): MetricPoint | undefined {
    const rec = this.records.get(jobId);
    const recent = rec?.activeSummary()?.recent;
    if (recent) {
      const i = recent.step.length - 1;
      return {
        step: recent.step[i] as number,
        loss: recent.loss[i] as number,
        evalLoss: recent.evalLoss[i] as number,
        learningRate: recent.learningRate[i] as number,
        epoch: recent.epoch[i] as number,
      };
    }
    const metrics = rec?.metrics;
    if (!metrics || metrics.length === 0) return undefined;
    return metrics.point(metrics.length - 1);
  }

  /** Copies of metric points `[from, to)` for one job (the series views show). */
  metrics(jobId: string, from = 0, to?: number): ShownMetrics {
    const rec = this.record(jobId);
    return rec.metrics.shownSlice(from, to ?? rec.metrics.length);
  }

  /**
   * The overview of a job's metric rows (metricOverview.ts) with their event times: a few
   * thousand rows that draw like all of them, read in place (no copy of the whole series).
   */
  metricOverview(jobId: string, options: OverviewOptions): { metrics: ShownMetrics; times: Float64Array } {
    const rec = this.record(jobId);
    const m = rec.metrics;
    const rows = overviewRows(
      {
        step: m.step.view(),
        loss: m.loss.view(),
        evalLoss: m.evalLoss.view(),
        learningRate: m.learningRate.view(),
      },
      m.length,
      options,
    );
    return { metrics: m.shownRows(rows), times: rec.metricTimes.pick(rows) };
  }

  /** Event times (epoch ms) of metric points `[from, to)`, index-aligned with `metrics()`. */
  metricTimes(jobId: string, from = 0, to?: number): Float64Array {
    const rec = this.records.get(jobId);
    if (!rec) return new Float64Array(0);
    return rec.metricTimes.slice(from, to ?? rec.metricTimes.length);
  }

  /** Copies of the job's checkpoints, oldest first. */
  checkpoints(jobId: string): Checkpoint[] {
    return this.records.get(jobId)?.checkpoints.map((c) => ({ ...c })) ?? [];
  }

  /** The `training.started` metadata, once seen. */
  startedMetadata(jobId: string): Record<string, unknown> | undefined {
    return this.records.get(jobId)?.startedMetadata;
  }

  /** The state of the job's event stream. */
  stream(jobId: string): StreamInfo {
    const rec = this.records.get(jobId);
    return rec
      ? { state: rec.streamPhase, error: rec.streamError, attempt: rec.streamAttempt }
      : { state: 'idle', error: undefined, attempt: 0 };
  }

  /** The log tail (at most the log capacity), oldest first, and how many lines were ever logged. */
  log(jobId: string): { lines: JobLogLine[]; total: number } {
    const rec = this.records.get(jobId);
    return rec
      ? { lines: rec.log.toArray().map(toJobLogLine), total: rec.log.total }
      : { lines: [], total: 0 };
  }

  /**
   * What a row of the jobs list needs. Views that refresh often (the jobs tree) read this instead of
   * `snapshot`, which copies every metric point.
   */
  rowData(jobId: string, recentPoints = ROW_RECENT_POINTS): JobRowData {
    const rec = this.record(jobId);
    const summary = rec.activeSummary();
    if (summary) {
      const k = summary.recent.step.length;
      const from = Math.max(0, k - recentPoints);
      const { step, loss, evalLoss, learningRate } = summary.recent;
      return {
        status: rec.status(),
        error: rec.error(),
        pointCount: summary.pointCount,
        recent: {
          step: step.slice(from),
          loss: loss.slice(from),
          evalLoss: evalLoss.slice(from),
          learningRate: learningRate.slice(from),
        },
        checkpoints: rec.checkpoints.map((c) => ({
          ...c,
          loss: summary.checkpointLoss.has(c.step)
            ? summary.checkpointLoss.get(c.step)
            : lossAtStep(rec.metrics, c.step),
        })),
      };
    }
    const n = rec.metrics.length;
    return {
      status: rec.status(),
      error: rec.error(),
      pointCount: n,
      recent: rec.metrics.shownSlice(Math.max(0, n - recentPoints), n),
      checkpoints: rec.checkpoints.map((c) => ({ ...c, loss: lossAtStep(rec.metrics, c.step) })),
    };
  }

  /** Everything a panel opening now needs; plain data and typed-array copies. */
  snapshot(jobId: string): JobSnapshot {
    const rec = this.record(jobId);
    return {
      jobId,
      job: rec.job ?? this.jobList.find((j) => j.id === jobId),
      status: rec.status(),
      error: rec.error(),
      metrics: rec.metrics.shownSlice(),
      metricTimes: rec.metricTimes.slice(),
      checkpoints: rec.checkpoints.map((c) => ({ ...c })),
      log: rec.log.toArray().map(toJobLogLine),
      logTotal: rec.log.total,
      artifacts: rec.artifacts,
      startedMetadata: rec.startedMetadata,
      stream: { state: rec.streamPhase, error: rec.streamError, attempt: rec.streamAttempt },
    };
  }

  // ---- Polling ------------------------------------------------------------------------------------

  /** Start polling the job list (first poll immediately). */
  start(): void {
    if (this.polling || this.disposed) return;
    this.polling = true;
    void this.refresh();
  }

  stop(): void {
    this.polling = false;
    if (this.pollTimer !== undefined) this.timers.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** Change the idle poll interval (the `arkor.jobs.pollIntervalSeconds` setting). */
  setPollInterval(ms: number): void {
    this.pollMs = ms;
    if (this.polling && !this.pollInFlight) this.scheduleNextPoll();
  }

  /**
   * Poll now. A refresh requested while a poll is running queues exactly one more poll after it,
   * so the caller always sees data fetched after its request (e.g. right after creating a job).
   */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.pollInFlight) {
      this.pollAgain = true;
      return this.pollInFlight.then(() => this.pollInFlight ?? undefined);
    }
    if (this.pollTimer !== undefined) this.timers.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.pollInFlight = this.pollLoopOnce();
    return this.pollInFlight;
  }

  private async pollLoopOnce(): Promise<void> {
    do {
      this.pollAgain = false;
      await this.pollOnce();
    } while (this.pollAgain && !this.disposed);
    this.pollInFlight = undefined;
    if (this.polling && !this.disposed) this.scheduleNextPoll();
  }

  private async pollOnce(): Promise<void> {
    try {
      const jobs = await this.source.listJobs({});
      if (this.disposed) return;
      const recovered = this.pollErrors > 0;
      this.pollErrors = 0;
      this.applyJobList(jobs);
      if (recovered) this.emit({ kind: 'pollOk' });
    } catch (err) {
      if (this.disposed) return;
      this.pollErrors++;
      this.emit({
        kind: 'pollError',
        message: this.messageOf(err),
        retryInMs: this.nextPollDelay(),
        error: err,
      });
    }
  }

  /** Active jobs poll fast; errors back off exponentially from the idle interval, capped. */
  nextPollDelay(): number {
    if (this.pollErrors > 0) return Math.min(this.pollMs * 2 ** (this.pollErrors - 1), this.maxBackoffMs);
    const active = this.jobList.some((j) => {
      const s = this.records.get(j.id)?.status() ?? j.status;
      return isActiveStatus(s);
    });
    return active ? Math.min(this.activePollMs, this.pollMs) : this.pollMs;
  }

  private scheduleNextPoll(): void {
    if (this.pollTimer !== undefined) this.timers.clearTimeout(this.pollTimer);
    this.pollTimer = this.timers.setTimeout(() => {
      this.pollTimer = undefined;
      void this.refresh();
    }, this.nextPollDelay());
  }

  private applyJobList(jobs: TrainingJob[]): void {
    this.jobList = jobs;
    this.labels = undefined;
    for (const job of jobs) {
      const rec = this.records.get(job.id);
      if (rec) {
        rec.job = job;
        this.markDirty(rec);
      }
    }
    const json = JSON.stringify(jobs);
    if (json !== this.lastJobsJson) {
      this.lastJobsJson = json;
      this.emit({ kind: 'jobs', jobs: this.jobs() });
    }
  }

  // ---- Event streams --------------------------------------------------------------------------------

  /**
   * Keep an event stream open for `jobId` while at least one watcher holds it. The stream stops
   * when the last watcher disposes, or by itself at a terminal event.
   */
  watch(jobId: string): Disposable {
    const rec = this.record(jobId);
    rec.refs++;
    this.retained.delete(rec);
    if (rec.refs === 1) this.openStream(rec);
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        rec.refs--;
        if (rec.refs === 0) {
          rec.abort?.abort();
          rec.abort = undefined;
          this.retain(rec);
        }
      },
    };
  }

  /** Jobs whose full metrics are held (watched or recently released), for tests and diagnostics. */
  get jobsHeldInFull(): number {
    let n = 0;
    for (const rec of this.records.values()) if (rec.holdsData) n++;
    return n;
  }

  /** Mark an unwatched record as the most recently used, evicting the least recent beyond the bound. */
  private retain(rec: JobRecord): void {
    if (this.disposed || rec.refs > 0 || !rec.holdsData) return;
    this.retained.delete(rec);
    this.retained.add(rec);
    for (const oldest of this.retained) {
      if (this.retained.size <= this.retainUnwatched) break;
      this.retained.delete(oldest);
      oldest.evict();
    }
  }

  /**
   * The job's stream was read to its end: the store holds every event it recorded, or, once the
   * job was evicted, the summary its row shows (a watch replays the rest).
   */
  hasHistory(jobId: string): boolean {
    const rec = this.records.get(jobId);
    return rec?.streamDone === true || rec?.activeSummary() !== undefined;
  }

  /** Number of open streams (for tests and diagnostics). */
  get openStreams(): number {
    let n = 0;
    for (const rec of this.records.values()) if (rec.abort) n++;
    return n;
  }

  private openStream(rec: JobRecord): void {
    if (this.disposed || rec.streamDone || rec.abort) return;
    const controller = new AbortController();
    rec.abort = controller;
    this.setStreamPhase(rec, 'connecting', undefined);
    this.source
      .streamJobEvents(rec.jobId, {
        now: this.now,
        ...this.streamOptions,
        signal: controller.signal,
        lastEventId: rec.lastEventId,
        seen: rec.seen,
        onEvent: (event, id) => {
          // Bytes already read when the last watcher left: the record may be evicted since.
          if (controller.signal.aborted) return;
          if (id !== undefined) rec.lastEventId = id;
          this.ingestInto(rec, event);
        },
        onStatus: (status) => this.onStreamStatus(rec, status),
      })
      .then(
        (result) => {
          rec.lastEventId = result.lastEventId ?? rec.lastEventId;
          if (result.reason === 'aborted') {
            this.setStreamPhase(rec, 'idle', undefined);
          } else {
            rec.streamDone = result.reason !== 'end' || isTerminalStatus(rec.status());
            this.setStreamPhase(rec, 'ended', undefined);
          }
        },
        (err: unknown) => this.setStreamPhase(rec, 'error', this.messageOf(err)),
      )
      .finally(() => {
        if (rec.abort === controller) rec.abort = undefined;
      });
  }

  private onStreamStatus(rec: JobRecord, status: JobStreamStatus): void {
    if (status.state === 'open') this.setStreamPhase(rec, 'open', undefined);
    else if (status.state === 'waiting' && status.error) {
      // `attempt` counts the failed connections in a row: the pending reconnection is that number.
      this.setStreamPhase(rec, 'reconnecting', this.messageOf(status.error), status.attempt);
    }
  }

  private setStreamPhase(rec: JobRecord, state: StreamPhase, error: string | undefined, attempt = 0): void {
    if (rec.streamPhase === state && rec.streamError === error && rec.streamAttempt === attempt) return;
    rec.streamPhase = state;
    rec.streamError = error;
    rec.streamAttempt = attempt;
    this.emit({ kind: 'stream', jobId: rec.jobId, state, error, attempt });
  }

  /**
   * Fold one event into the job's state. Public so a caller holding events from elsewhere (e.g. a
   * `getJob` response or the local backend) can feed them; streams call it for every event.
   */
  ingest(jobId: string, event: JobEvent): void {
    const rec = this.record(jobId);
    this.ingestInto(rec, event);
    this.retain(rec);
  }

  private ingestInto(rec: JobRecord, event: JobEvent): void {
    // Log lines are stored as (time, event) and formatted only when read: most of a long run's
    // lines are evicted from the ring before anyone looks at them.
    switch (event.type) {
      case 'training.log': {
        const index = rec.metrics.add(event);
        // A new row gets its event's time; a frame filling in a row keeps the row's first time.
        if (index === rec.metricTimes.length) rec.metricTimes.push(this.eventTime(event));
        if (rec.metricsFrom < 0 || index < rec.metricsFrom) rec.metricsFrom = index;
        if (index + 1 > rec.metricsTo) rec.metricsTo = index + 1;
        break;
      }
      case 'checkpoint.saved': {
        const checkpoint = { step: event.step, timestamp: event.timestamp, artifacts: event.artifacts ?? [] };
        // A replay after eviction brings back checkpoints the record kept: one per step.
        const at = rec.checkpoints.findIndex((c) => c.step === event.step);
        if (at >= 0) rec.checkpoints[at] = checkpoint;
        else rec.checkpoints.push(checkpoint);
        rec.checkpointsDirty = true;
        break;
      }
      case 'training.started':
        rec.started = true;
        if (event.metadata && typeof event.metadata === 'object' && !Array.isArray(event.metadata)) {
          rec.startedMetadata = event.metadata as Record<string, unknown>;
        }
        break;
      case 'training.completed':
        rec.sseTerminal = 'completed';
        rec.artifacts = event.artifacts?.length ?? 0;
        break;
      case 'training.failed':
        rec.sseTerminal = 'failed';
        rec.sseError = event.error;
        break;
      case 'other':
      case 'note':
        // Log only: an event type we do not model changes no state.
        break;
      case 'end':
        // Not a job event: the stream state already tells views about it.
        this.markDirty(rec);
        return;
    }
    rec.log.push({ time: this.eventTime(event), event });
    this.markDirty(rec);
  }

  /**
   * When an event happened: its `timestamp` (the server's), else now. Not the receive time: a job's
   * history arrives in one burst when a panel opens after a reload, when a watch replays an evicted
   * job, or when a stream reconnects, and rows stamped on arrival would all share one time (steps/s
   * in the thousands, a log whose lines all read the same time, a CSV without the run's pace).
   */
  private eventTime(event: JobEvent): number {
    const t = 'timestamp' in event ? Date.parse(event.timestamp) : Number.NaN;
    return Number.isFinite(t) ? t : this.now();
  }

  // ---- Change delivery ----------------------------------------------------------------------------

  private markDirty(rec: JobRecord): void {
    this.dirty.add(rec);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Emit the coalesced deltas of every job touched since the last flush. */
  private flush(): void {
    this.flushQueued = false;
    for (const rec of this.dirty) {
      if (rec.metricsFrom >= 0) {
        const from = rec.metricsFrom;
        const to = rec.metricsTo;
        rec.metricsFrom = rec.metricsTo = -1;
        this.emit({ kind: 'metrics', jobId: rec.jobId, from, to });
      }
      const newLines = rec.log.total - rec.logTotalAtFlush;
      if (newLines > 0) {
        rec.logTotalAtFlush = rec.log.total;
        this.emit({
          kind: 'log',
          jobId: rec.jobId,
          lines: rec.log.last(newLines).map(toJobLogLine),
          total: rec.log.total,
        });
      }
      if (rec.checkpointsDirty) {
        rec.checkpointsDirty = false;
        this.emit({
          kind: 'checkpoints',
          jobId: rec.jobId,
          checkpoints: rec.checkpoints.map((c) => ({ ...c })),
        });
      }
      const status = rec.status();
      if (status !== rec.lastStatus) {
        rec.lastStatus = status;
        this.emit({ kind: 'status', jobId: rec.jobId, status, error: rec.error() });
      }
    }
    this.dirty.clear();
  }

  private emit(change: JobStoreChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        // One broken view must not starve the others, but its error is reported, not swallowed.
        onUnexpectedError(error, `A job store listener threw on a '${change.kind}' change`);
      }
    }
  }

  private record(jobId: string): JobRecord {
    let rec = this.records.get(jobId);
    if (!rec) {
      rec = new JobRecord(jobId, this.logCapacity);
      rec.job = this.jobList.find((j) => j.id === jobId);
      this.records.set(jobId, rec);
    }
    return rec;
  }

  private messageOf(err: unknown): string {
    const message = err instanceof ArkorApiError || err instanceof Error ? err.message : String(err);
    return redact(message, this.secrets());
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    for (const rec of this.records.values()) {
      rec.abort?.abort();
      rec.abort = undefined;
    }
    this.listeners.clear();
  }
}
