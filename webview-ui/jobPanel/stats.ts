import type { JobSummary } from '../../src/protocol';
import type { MetricStore } from './metricStore';

/** Elapsed time, throughput and ETA for the panel header, from the metric timestamps. */
export interface RunStats {
  elapsedMs?: number;
  stepsPerSecond?: number;
  etaMs?: number;
  step?: number;
}

/** Steps/s is measured over the last `window` rows, so it follows the current pace. */
export function runStats(
  job: Pick<JobSummary, 'status' | 'startedAt' | 'completedAt' | 'createdAt' | 'maxSteps' | 'step'>,
  store: Pick<MetricStore, 'step' | 'time'>,
  now: number,
  window = 50,
): RunStats {
  const n = store.step.length;
  const step = n > 0 ? store.step[n - 1] : job.step;
  const started = parseTime(job.startedAt) ?? firstFinite(store.time);
  const running = job.status === 'running' || job.status === 'queued';
  const end = running ? now : (parseTime(job.completedAt) ?? (n > 0 ? store.time[n - 1] : undefined));
  const elapsedMs = started != null && end != null && end >= started ? end - started : undefined;

  let stepsPerSecond: number | undefined;
  if (n >= 2) {
    // Rows without a receive time (replayed history) are skipped.
    let last = n - 1;
    while (last >= 0 && !Number.isFinite(store.time[last]!)) last--;
    let i0 = Math.max(0, last - window);
    while (i0 < last && !Number.isFinite(store.time[i0]!)) i0++;
    if (last > i0) {
      const dt = store.time[last]! - store.time[i0]!;
      const ds = store.step[last]! - store.step[i0]!;
      if (dt > 0 && ds > 0) stepsPerSecond = (ds / dt) * 1000;
    }
  }
  // A finished job replayed from history has no receive times: its average pace over the run.
  if (stepsPerSecond === undefined && !running && elapsedMs && step != null && step > 0) {
    stepsPerSecond = (step / elapsedMs) * 1000;
  }
  let etaMs: number | undefined;
  if (job.status === 'running' && stepsPerSecond && job.maxSteps && step != null && job.maxSteps > step) {
    etaMs = ((job.maxSteps - step) / stepsPerSecond) * 1000;
  }
  return { elapsedMs, stepsPerSecond, etaMs, step };
}

function firstFinite(a: ArrayLike<number>): number | undefined {
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) return a[i];
  return undefined;
}

function parseTime(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** "1h 02m 03s", "2m 05s", "7s". */
export function formatDuration(ms: number | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (v: number) => String(v).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(sec)}s`;
  if (m > 0) return `${m}m ${pad(sec)}s`;
  return `${sec}s`;
}
