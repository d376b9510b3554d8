import { checkpointCount, hasProgress, rowFlags, TALL } from '../../src/jobRows';
import type { JobSummary } from '../../src/protocol';

// One formatter each, made once: `toLocaleString()` builds one per call (about 50 µs), and every
// rendered row formats up to four times. The options are those `toLocale(Date)String()` use.
const DATE = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'numeric', day: 'numeric' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The local date and time, as `Date.prototype.toLocaleString()` writes it. */
export const localDateTime = (t: number | Date) => DATE_TIME.format(t);

/** "just now", "5 min ago", "3 hr ago", "2 days ago"; older than 30 days: the date. */
export function relativeTime(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} hr ago`;
  const d = Math.round(h / 24);
  if (d < 30) return d === 1 ? 'yesterday' : `${d} days ago`;
  return DATE.format(t);
}

function stamp(iso: string | null | undefined): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : localDateTime(d);
}

/** The job row's tooltip (a `title`, so plain text by construction). */
export function jobTooltip(job: JobSummary): string {
  const lines = [job.label, `ID: ${job.id}`, `Status: ${job.status}`];
  if (job.model) lines.push(`Model: ${job.model}`);
  if (job.dataset) lines.push(`Dataset: ${job.dataset}`);
  lines.push(`Created: ${stamp(job.createdAt) ?? '—'}`);
  const started = stamp(job.startedAt);
  if (started) lines.push(`Started: ${started}`);
  const completed = stamp(job.completedAt);
  if (completed) lines.push(`Completed: ${completed}`);
  if (job.step != null) lines.push(`Step: ${job.step}${job.maxSteps ? ` / ${job.maxSteps}` : ''}`);
  if (job.lastLoss != null && Number.isFinite(job.lastLoss)) lines.push(`Loss: ${job.lastLoss.toFixed(4)}`);
  const checkpoints = checkpointCount(job);
  if (checkpoints) lines.push(`Checkpoints: ${checkpoints}`);
  if (job.error) lines.push(`Error: ${job.error}`);
  return lines.join('\n');
}

/** Training progress in percent, when the job reports a step and a step budget. */
export function progressPercent(job: JobSummary): number | undefined {
  const { step, maxSteps } = job;
  return hasProgress(step, maxSteps) ? Math.max(0, Math.min(100, (step! / maxSteps!) * 100)) : undefined;
}

/** Whether a job row shows its second line (progress bar, sparkline): it fixes the row's height. */
export function hasMetrics(job: JobSummary): boolean {
  return (rowFlags(job) & TALL) !== 0;
}

/** The 60×16 sparkline of each sparkline array drawn (rows drawn again reuse it; a live update brings a new array). */
const rowSparklines = new WeakMap<readonly number[], string>();

/** A job row's sparkline points (sparklinePoints in the row's 60×16 box), made once per sparkline. */
export function rowSparkline(values: readonly number[] | undefined): string {
  if (!values) return '';
  let points = rowSparklines.get(values);
  if (points === undefined) {
    points = sparklinePoints(values, 60, 16);
    rowSparklines.set(values, points);
  }
  return points;
}

/** Points for an SVG polyline in a `width`×`height` box (min–max scaled, non-finite values skipped). */
export function sparklinePoints(
  values: readonly number[] | undefined,
  width: number,
  height: number,
): string {
  const v = (values ?? []).filter((x) => Number.isFinite(x));
  if (v.length < 2) return '';
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of v) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const span = max - min || 1;
  const pad = 1;
  const h = height - 2 * pad;
  return v
    .map((x, i) => {
      const px = (i / (v.length - 1)) * width;
      const py = max === min ? height / 2 : pad + (1 - (x - min) / span) * h;
      return `${round(px)},${round(py)}`;
    })
    .join(' ');
}

const round = (n: number) => Math.round(n * 10) / 10;
