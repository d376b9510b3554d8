/**
 * The Jobs view's list as it crosses `postMessage`: what every row needs, packed in columns (typed
 * arrays and one string per text field), plus whole rows for the first jobs only.
 *
 * Why: a webview receives a message as a structured clone, and in VS Code's Chromium that costs about
 * 15-25 ms per MB on a 2-core machine, plus a fixed cost per value. 10,000 whole rows (a dozen strings
 * each, a 40-point sparkline, five checkpoints) took 0.5-1.3 s to arrive before the view could paint
 * anything. The view renders only the rows in view (the tree is windowed), so only those need their
 * detail: the sparkline, the checkpoints, model, dataset, times and error. The rest of the list comes
 * as a few arrays (about 60 bytes a job), each listed job is a small read-only object, and the view
 * asks for the detail of the rows it shows (`details` message), which the host sends as a `jobsPatch`.
 */
import type { CheckpointSummary, JobStatus, JobSummary } from './protocol';

/** Whole rows travel for this many jobs at the top of the list (the rows in view when it opens). */
export const DETAIL_ROWS = 50;

/** Strings of one field, concatenated: string i is `text.slice(ends[i - 1] ?? 0, ends[i])`. */
export interface StringColumn {
  text: string;
  ends: Uint32Array;
}

/**
 * Every job of the list, index-aligned (entry i of each column belongs to job i). Numbers are NaN
 * when absent. Jobs 0 to `details.length - 1` also travel whole in `details`.
 */
export interface JobRows {
  count: number;
  id: StringColumn;
  name: StringColumn;
  label: StringColumn;
  /** Job i's status is `statusNames[status[i]]` (a handful of distinct values). */
  statusNames: string[];
  status: Uint16Array;
  /** Epoch ms (the row shows "5 min ago"). */
  createdAt: Float64Array;
  step: Float64Array;
  maxSteps: Float64Array;
  lastLoss: Float64Array;
  /** 1 when the job can be resumed. */
  canResume: Uint8Array;
  checkpointCount: Uint32Array;
  /** The row's flags (TALL, EXPANDABLE): its height and whether it expands, known before its detail. */
  flags: Uint8Array;
  details: JobSummary[];
}

export function packStrings(values: readonly string[]): StringColumn {
  const ends = new Uint32Array(values.length);
  let length = 0;
  for (let i = 0; i < values.length; i++) {
    length += values[i]!.length;
    ends[i] = length;
  }
  return { text: values.join(''), ends };
}

export function stringAt(column: StringColumn, i: number): string {
  return column.text.slice(i === 0 ? 0 : column.ends[i - 1], column.ends[i]);
}

const numberOrUndefined = (v: number) => (Number.isNaN(v) ? undefined : v);

/** Whether a sparkline has two finite points to draw. */
export function drawableSparkline(values: readonly number[] | undefined): boolean {
  let finite = 0;
  for (const x of values ?? []) if (Number.isFinite(x) && ++finite === 2) return true;
  return false;
}

/** `status`'s code in `names` (`names[code]`), added at the end the first time it is seen. */
export function statusCode(names: string[], status: string): number {
  const code = names.indexOf(status);
  return code === -1 ? names.push(status) - 1 : code;
}

function statusColumn(jobs: readonly JobSummary[]): Pick<JobRows, 'statusNames' | 'status'> {
  const statusNames: string[] = [];
  return { statusNames, status: Uint16Array.from(jobs, (j) => statusCode(statusNames, j.status)) };
}

/** The host side: `jobs` in order, whole for the first `detailRows`. */
export function packJobRows(jobs: readonly JobSummary[], detailRows = DETAIL_ROWS): JobRows {
  const strings = (pick: (j: JobSummary) => string) => packStrings(jobs.map(pick));
  const numbers = (pick: (j: JobSummary) => number | undefined) =>
    Float64Array.from(jobs, (j) => pick(j) ?? Number.NaN);
  return {
    count: jobs.length,
    id: strings((j) => j.id),
    name: strings((j) => j.name),
    label: strings((j) => j.label),
    ...statusColumn(jobs),
    createdAt: numbers((j) => Date.parse(j.createdAt)),
    step: numbers((j) => j.step),
    maxSteps: numbers((j) => j.maxSteps),
    lastLoss: numbers((j) => j.lastLoss),
    canResume: Uint8Array.from(jobs, (j) => (j.canResume ? 1 : 0)),
    checkpointCount: Uint32Array.from(jobs, (j) => j.checkpoints.length),
    flags: Uint8Array.from(jobs, rowFlags),
    details: jobs.slice(0, detailRows),
  };
}

/**
 * A listed job whose detail has not arrived: what the list, its search, filters and layout read, and
 * nothing else (no sparkline, no checkpoints yet, no model, dataset, times or error).
 */
class ListedJob implements JobSummary {
  readonly checkpoints: CheckpointSummary[] = [];
  readonly sparkline: undefined;

  // Two fields and getters over the columns: 10,000 of these are made per list, and each byte
  // allocated costs on a first paint (fresh memory is slow to touch on a small VM).
  constructor(
    private readonly rows: JobRows,
    private readonly i: number,
  ) {}

  get id(): string {
    return stringAt(this.rows.id, this.i);
  }
  get name(): string {
    return stringAt(this.rows.name, this.i);
  }
  get label(): string {
    return stringAt(this.rows.label, this.i);
  }
  get status(): JobStatus | string {
    return this.rows.statusNames[this.rows.status[this.i]!]!;
  }
  get createdAt(): string {
    const ms = this.rows.createdAt[this.i]!;
    return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
  }
  get step(): number | undefined {
    return numberOrUndefined(this.rows.step[this.i]!);
  }
  get maxSteps(): number | undefined {
    return numberOrUndefined(this.rows.maxSteps[this.i]!);
  }
  get lastLoss(): number | undefined {
    return numberOrUndefined(this.rows.lastLoss[this.i]!);
  }
  get canResume(): true | undefined {
    return this.rows.canResume[this.i] === 1 ? true : undefined;
  }
  get checkpointCount(): number {
    return this.rows.checkpointCount[this.i]!;
  }
  get flags(): number {
    return this.rows.flags[this.i]!;
  }
}

/** The webview side: one job per row, in order; `needsDetail` tells which to ask the host for. */
export function unpackJobRows(rows: JobRows): JobSummary[] {
  const jobs: JobSummary[] = new Array(rows.count);
  for (let i = 0; i < rows.count; i++) jobs[i] = rows.details[i] ?? new ListedJob(rows, i);
  return jobs;
}

/** Whether the job came without its detail (ask for it with a `details` message when it is shown). */
export function needsDetail(job: JobSummary): boolean {
  return job instanceof ListedJob;
}

/** How many checkpoints a job has, whether or not they have arrived (can its row expand?). */
export function checkpointCount(job: JobSummary): number {
  return job instanceof ListedJob ? job.checkpointCount : job.checkpoints.length;
}

/** Row flag: the job's row shows a second line (progress bar, sparkline), so it is the taller one. */
export const TALL = 1;
/** Row flag: the job has checkpoints, so its row expands. */
export const EXPANDABLE = 2;

/** Whether a job reports a step and a step budget (its row draws a progress bar). */
export const hasProgress = (step: number | undefined, maxSteps: number | undefined) =>
  Boolean(maxSteps) && step != null;

/** A job row's flags (TALL, EXPANDABLE), whether or not its detail has arrived. */
export function rowFlags(job: JobSummary): number {
  if (job instanceof ListedJob) return job.flags;
  const tall = hasProgress(job.step, job.maxSteps) || drawableSparkline(job.sparkline);
  return (tall ? TALL : 0) | (job.checkpoints.length > 0 ? EXPANDABLE : 0);
}
