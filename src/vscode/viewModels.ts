/**
 * Pure mapping from the core's job data to the plain view models of protocol.ts. No `vscode` import:
 * unit-tested in plain Node. Nothing here may carry a token.
 */
import {
  type BackendKind,
  type JobLogLine,
  type JobRowData,
  type JobSnapshot,
  lossAtStep,
  type ShownMetrics,
  type StreamInfo,
  type TrainingJob,
} from '../core';
import type { CheckpointSummary, JobDetail, JobSummary, MetricColumns, StreamView } from '../protocol';

const SPARK_POINTS = 40;

export function datasetLabel(source: unknown): string | undefined {
  if (!source || typeof source !== 'object') return undefined;
  const s = source as Record<string, unknown>;
  if (s.type === 'huggingface' && typeof s.name === 'string') {
    const extra = [s.subset, s.split].filter((x) => typeof x === 'string').join('/');
    return extra ? `${s.name} (${extra})` : s.name;
  }
  if (typeof s.url === 'string') {
    const url = s.url;
    const last = url.split(/[\\/]/).pop();
    return url.startsWith('file:') && last ? last : url;
  }
  return undefined;
}

/** A full panel snapshot as the row data `summarize` reads. */
export function rowFromSnapshot(snap: JobSnapshot): JobRowData {
  return {
    status: snap.status,
    error: snap.error,
    pointCount: snap.metrics.step.length,
    recent: snap.metrics,
    checkpoints: snap.checkpoints.map((c) => ({ ...c, loss: lossAtStep(snap.metrics, c.step) })),
  };
}

/**
 * One job as a list row: its run label (`captain-speak #3`, from `JobStore.runLabel`; the bare name
 * when unknown), status, progress, the last loss, a sparkline of recent losses, checkpoints.
 */
export function summarize(job: TrainingJob, row?: JobRowData, label?: string): JobSummary {
  const recent = row?.recent;
  const n = recent?.step.length ?? 0;
  const losses: number[] = [];
  if (recent) {
    for (let i = n - 1; i >= 0 && losses.length < SPARK_POINTS; i--) {
      const v = recent.loss[i];
      if (v !== undefined && Number.isFinite(v)) losses.push(v);
    }
    losses.reverse();
  }
  const maxSteps = typeof job.config?.maxSteps === 'number' ? job.config.maxSteps : undefined;
  const checkpoints: CheckpointSummary[] = (row?.checkpoints ?? []).map((c) => ({
    step: c.step,
    savedAt: c.timestamp,
    loss: c.loss,
  }));
  return {
    id: job.id,
    name: job.name,
    label: label ?? job.name,
    status: row?.status ?? job.status,
    createdAt: job.createdAt ?? '',
    startedAt: job.startedAt ?? null,
    completedAt: job.completedAt ?? null,
    model: typeof job.config?.model === 'string' ? job.config.model : undefined,
    dataset: datasetLabel(job.config?.datasetSource),
    error: row?.error ?? job.error ?? null,
    step: n > 0 ? recent?.step[n - 1] : undefined,
    maxSteps,
    lastLoss: losses.at(-1),
    sparkline: losses.length > 1 ? losses : undefined,
    checkpoints,
  };
}

/**
 * Whether a job can be resumed from a checkpoint: it was interrupted (failed or cancelled) and its
 * backend is the local one (Arkor Cloud has no resume). Whether it saved a checkpoint is known only
 * once its events are loaded; the job panel, which has them, also requires one.
 */
export function withResume<S extends JobSummary>(summary: S, backend: BackendKind | undefined): S {
  const interrupted = summary.status === 'failed' || summary.status === 'cancelled';
  return { ...summary, canResume: backend === 'local' && interrupted };
}

/** Config keys that are plumbing, not settings a user chose. */
const HIDDEN_CONFIG = new Set(['datasetSource']);

/**
 * The panel header: the summary plus every config value, flattened to scalars. Values the backend
 * resolved and reported in `training.started` metadata (defaults included) win over the request, so
 * the panel shows what the run really uses, never "default".
 */
export function detail(job: TrainingJob, snap?: JobSnapshot, label?: string): JobDetail {
  return jobDetail(job, snap && rowFromSnapshot(snap), snap?.startedMetadata, label);
}

/**
 * `detail` from what the store serves cheaply: a list row (`JobStore.rowData`) and the
 * `training.started` metadata, without copying every metric point.
 */
export function jobDetail(
  job: TrainingJob,
  row?: JobRowData,
  startedMetadata?: Record<string, unknown>,
  label?: string,
): JobDetail {
  const config: JobDetail['config'] = {};
  for (const [key, value] of Object.entries({ ...(job.config ?? {}), ...(startedMetadata ?? {}) })) {
    if (HIDDEN_CONFIG.has(key)) continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      config[key] = value as string | number | boolean | null;
    } else if (value !== undefined) {
      config[key] = JSON.stringify(value);
    }
  }
  const warnings = warningsOf(job);
  const standIn = jobStandInNote(startedMetadata);
  return {
    ...summarize(job, row, label),
    config,
    ...(warnings ? { warnings } : {}),
    ...(standIn ? { standIn } : {}),
  };
}

/** "120k", "1.3M": a parameter count as a person reads it. */
export function formatParameterCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}k`;
  return String(n);
}

/** "a tiny 120k-parameter stand-in model": the local backend's model, sized when the count is known. */
function standInModel(parameters: unknown): string {
  return typeof parameters === 'number' && parameters > 0
    ? `a tiny ${formatParameterCount(parameters)}-parameter stand-in model`
    : 'a tiny stand-in model';
}

/**
 * The local backend trains a tiny byte-level GPT in place of the requested model and says so in
 * `training.started` metadata (`backend: 'local'`, `baseModel`, `parameters`; src/backend/runJob.ts).
 * Its replies are word-like fragments, which look like failed fine-tuning unless said: this is the
 * sentence the job panel shows beside the model name. Undefined for any other backend.
 */
export function jobStandInNote(startedMetadata: Record<string, unknown> | undefined): string | undefined {
  if (startedMetadata?.backend !== 'local') return undefined;
  return `trained locally as ${standInModel(startedMetadata.parameters)} in its place; expect gibberish-like replies`;
}

/**
 * The same for the Playground on the local backend, where every model (base, adapters, checkpoints)
 * runs on that stand-in. `parameters`: the stand-in's size when a job's metadata reported it.
 */
export function playgroundStandInNote(requestedModel: string, parameters?: unknown): string {
  return `Local backend: replies come from ${standInModel(parameters)} trained on your CPU, not ${requestedModel}; expect gibberish-like text.`;
}

/** The job's `warnings` (a loose field the local backend adds): its strings, or undefined if none. */
export function warningsOf(job: TrainingJob): string[] | undefined {
  const raw = job.warnings;
  if (!Array.isArray(raw)) return undefined;
  const warnings = raw.filter((w): w is string => typeof w === 'string' && w !== '');
  return warnings.length > 0 ? warnings : undefined;
}

/**
 * The store's metrics (NaN for missing) as the panel's columns, with each row's event time
 * (0: unknown). Takes ownership: `JobStore.snapshot()` and `metrics()` already return fresh
 * exact-length copies, so those are posted as they are (the one copy on the host; a million-row
 * snapshot is 28 MB). Only a view into a larger buffer, which `postMessage` would send whole, or a
 * times list that is not a `Float64Array` of n rows is copied.
 */
export function toColumns(metrics: ShownMetrics, times?: ArrayLike<number>): MetricColumns {
  const n = metrics.step.length;
  let time: Float64Array;
  if (times instanceof Float64Array && times.length === n) {
    time = ownBuffer(times);
  } else {
    time = new Float64Array(n);
    for (let i = 0; i < n && times && i < times.length; i++) time[i] = times[i] ?? 0;
  }
  return {
    step: ownBuffer(metrics.step),
    loss: ownBuffer(metrics.loss),
    evalLoss: ownBuffer(metrics.evalLoss),
    learningRate: ownBuffer(metrics.learningRate),
    time,
  };
}

/** `column` itself when its buffer holds exactly its rows, else a copy that does. */
function ownBuffer<T extends Float32Array | Float64Array>(column: T): T {
  return column.byteOffset === 0 && column.byteLength === column.buffer.byteLength
    ? column
    : (column.slice() as T);
}

/**
 * Local time as `toLocaleTimeString('en-GB', { hour12: false })` writes it (these are the fields it
 * defaults to), with the formatter made once: that call builds a new one per line, ~50 µs each, which
 * was most of the cost of a panel snapshot's 500-line log tail.
 */
const LOG_TIME = new Intl.DateTimeFormat('en-GB', {
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hour12: false,
});

/** One log line as the panel and the full log show it: local time, event type, message. */
export function formatLogLine(line: Pick<JobLogLine, 'time' | 'type' | 'text'>): string {
  const date = new Date(line.time);
  // The formatter throws on an invalid date where toLocaleTimeString wrote this.
  const time = Number.isNaN(date.getTime()) ? 'Invalid Date' : LOG_TIME.format(date);
  return `${time}  ${line.type.padEnd(18)} ${line.text}`;
}

/** The store's stream state as the job panel's banner shows it. */
export function streamView(stream: StreamInfo): StreamView {
  switch (stream.state) {
    case 'open':
      return { kind: 'live' };
    case 'reconnecting':
      return { kind: 'reconnecting', attempt: stream.attempt, error: stream.error };
    case 'ended':
      return { kind: 'ended' };
    case 'error':
      return { kind: 'error', error: stream.error ?? 'The event stream failed.' };
    default:
      return { kind: 'connecting' };
  }
}
