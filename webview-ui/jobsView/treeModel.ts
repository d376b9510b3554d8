import { EXPANDABLE, TALL } from '../../src/jobRows';
import type { CheckpointSummary, JobSummary } from '../../src/protocol';
import type { JobIndex } from './jobIndex';

/**
 * The jobs tree as data: the visible rows (jobs at level 1, their checkpoints at level 2 when
 * expanded), where each sits, and keyboard navigation over them, all free of DOM so they are tested
 * alone. Which jobs match the search is jobIndex's.
 */

export const STATUS_FILTERS = ['all', 'running', 'completed', 'queued', 'failed', 'cancelled'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface TreeRow {
  key: string;
  kind: 'job' | 'checkpoint';
  level: 1 | 2;
  job: JobSummary;
  checkpoint?: CheckpointSummary;
  /** Key of the parent job row (checkpoints only). */
  parent?: string;
  expandable: boolean;
  expanded: boolean;
  /** 1-based position among siblings, and the sibling count (aria-posinset / aria-setsize). */
  posInSet: number;
  setSize: number;
}

export const jobKey = (jobId: string) => `job:${jobId}`;
export const checkpointKey = (jobId: string, step: number) => `ckpt:${jobId}:${step}`;

export const normalizeQuery = (search: string) => search.trim().toLowerCase();

/**
 * Row heights in px, fixed so a row's offset is known without rendering it (the tree only renders the
 * rows in view). jobs.css draws rows at exactly these heights (`.row` is border-box).
 */
export const ROW_HEIGHT = 28;
export const METRICS_ROW_HEIGHT = 46;

/** What keyboard navigation reads of the visible rows. */
export interface RowList {
  readonly length: number;
  row(i: number): TreeRow;
  /** The row's position, or -1 when it is not visible. */
  indexOf(key: string): number;
}

/** Row flag (beside jobRows' TALL and EXPANDABLE): the job row shows its checkpoints. */
const EXPANDED = 4;

/**
 * The visible rows (jobs at level 1, their checkpoints at level 2 when expanded) and where each sits
 * (`offsets[i]` is row i's top; `offsets[length]` the total height), kept as typed arrays: which job
 * each row shows, and which checkpoint. Row objects are made when read, so a layout of 10,000 rows
 * costs a few arrays and the render makes the twenty or so rows in view.
 */
export class TreeLayout implements RowList {
  constructor(
    /** The jobs the rows index into (the view's list, patched in place by live updates). */
    private readonly jobs: readonly JobSummary[],
    /** What search and layout read of `jobs` (patchLayout reads it too). */
    readonly index: JobIndex,
    /** Row i shows job `rowJob[i]`: non-decreasing, a job row first, then its checkpoint rows. */
    private readonly rowJob: Int32Array,
    /**
     * On a checkpoint row, the checkpoint's position in its job's list; on a job row, minus the row's
     * aria-posinset (its place among the job rows). Undefined when no job is expanded.
     */
    private readonly rowCheckpoint: Int32Array | undefined,
    /** The job's flags when laid out (TALL, EXPANDABLE, EXPANDED), on its job row. */
    private readonly rowFlags: Uint8Array,
    readonly offsets: Float64Array,
    private readonly jobRows: number,
    private readonly made = new Map<number, TreeRow>(),
  ) {}

  get length(): number {
    return this.rowJob.length;
  }

  row(i: number): TreeRow {
    let row = this.made.get(i);
    if (row) return row;
    const j = this.rowJob[i]!;
    const job = this.jobs[j]!;
    const c = this.rowCheckpoint?.[i] ?? -(i + 1);
    if (c < 0) {
      const flags = this.rowFlags[i]!;
      const posInSet = -c;
      row = {
        key: jobKey(job.id),
        kind: 'job',
        level: 1,
        job,
        expandable: (flags & EXPANDABLE) !== 0,
        expanded: (flags & EXPANDED) !== 0,
        posInSet,
        setSize: this.jobRows,
      };
    } else {
      const checkpoint = job.checkpoints[c]!;
      row = {
        key: checkpointKey(job.id, checkpoint.step),
        kind: 'checkpoint',
        level: 2,
        job,
        checkpoint,
        parent: jobKey(job.id),
        expandable: false,
        expanded: false,
        posInSet: c + 1,
        setSize: job.checkpoints.length,
      };
    }
    this.made.set(i, row);
    return row;
  }

  indexOf(key: string): number {
    const checkpoint = key.startsWith('ckpt:');
    if (!checkpoint && !key.startsWith('job:')) return -1;
    const jobId = checkpoint ? key.slice(5, key.lastIndexOf(':')) : key.slice(4);
    const r = this.rowOfJob(this.index.find(jobId));
    if (r === -1 || !checkpoint) return r;
    for (let i = r + 1; i < this.length && this.rowJob[i] === this.rowJob[r]; i++)
      if (this.row(i).key === key) return i;
    return -1;
  }

  /** The row of job j (its job row), or -1 when it is not shown. */
  rowOfJob(j: number): number {
    if (j < 0) return -1;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rowJob[mid]! < j) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.length && this.rowJob[lo] === j ? lo : -1;
  }

  /** The shown jobs' flags as laid out (for patchLayout). */
  flagsAt(r: number): number {
    return this.rowFlags[r]!;
  }

  /** A new layout object over the same rows, with the rows of `replaced` made anew from the jobs. */
  renewed(replaced: readonly number[]): TreeLayout {
    for (const r of replaced) this.made.delete(r);
    return new TreeLayout(
      this.jobs,
      this.index,
      this.rowJob,
      this.rowCheckpoint,
      this.rowFlags,
      this.offsets,
      this.jobRows,
      this.made,
    );
  }
}

/**
 * Lays out `matches` (indices into `jobs`, in order): each job's row, followed by its checkpoints'
 * rows when `expanded` holds its id and they have arrived.
 */
export function layoutTree(
  jobs: readonly JobSummary[],
  index: JobIndex,
  matches: Int32Array,
  expanded: ReadonlySet<string>,
): TreeLayout {
  const open: number[] = [];
  let extra = 0;
  if (expanded.size > 0) {
    for (const id of expanded) {
      const j = index.find(id);
      if (j === -1 || (index.flags(j) & EXPANDABLE) === 0) continue;
      open.push(j);
      extra += jobs[j]!.checkpoints.length;
    }
  }
  const n = matches.length + extra;
  const rowJob = extra === 0 ? matches : new Int32Array(n);
  const rowCheckpoint = open.length === 0 ? undefined : new Int32Array(n);
  const rowFlags = new Uint8Array(n);
  const offsets = new Float64Array(n + 1);
  const isOpen = open.length === 0 ? undefined : new Set(open);
  let r = 0;
  for (let m = 0; m < matches.length; m++) {
    const j = matches[m]!;
    const flags = index.flags(j);
    const expand = isOpen?.has(j) === true;
    rowJob[r] = j;
    if (rowCheckpoint) rowCheckpoint[r] = -(m + 1);
    rowFlags[r] = expand ? flags | EXPANDED : flags;
    offsets[r + 1] = offsets[r]! + (flags & TALL ? METRICS_ROW_HEIGHT : ROW_HEIGHT);
    r++;
    if (expand) {
      const count = jobs[j]!.checkpoints.length;
      for (let c = 0; c < count; c++) {
        rowJob[r] = j;
        rowCheckpoint![r] = c;
        offsets[r + 1] = offsets[r]! + ROW_HEIGHT;
        r++;
      }
    }
  }
  // Expanded jobs that did not match added no rows: the arrays are longer than the rows laid out.
  if (r < n)
    return new TreeLayout(
      jobs,
      index,
      rowJob.slice(0, r),
      rowCheckpoint?.slice(0, r),
      rowFlags.slice(0, r),
      offsets.slice(0, r + 1),
      matches.length,
    );
  return new TreeLayout(jobs, index, rowJob, rowCheckpoint, rowFlags, offsets, matches.length);
}

/**
 * The layout after the jobs at `changed` positions were updated in place (same ids, same order), or
 * undefined when the update moves rows (a job starts or stops matching, gains its first checkpoint,
 * changes height, or shows its checkpoints) and the caller must lay the tree out again. Costs
 * O(changed jobs), not O(jobs): the layout's arrays are kept and only the changed rows are made anew,
 * so only they render again. The layout passed in must not be used after.
 */
export function patchLayout(
  layout: TreeLayout,
  changed: readonly number[],
  query: string,
  filter: StatusFilter,
): TreeLayout | undefined {
  const { index } = layout;
  const replaced: number[] = [];
  for (const j of changed) {
    const r = layout.rowOfJob(j);
    const matches = index.matches(j, query, filter);
    if (r === -1) {
      if (matches) return undefined;
      continue;
    }
    // A changed height or expandability moves rows; an expanded job's checkpoints may have changed.
    if (!matches || layout.flagsAt(r) !== index.flags(j)) return undefined;
    replaced.push(r);
  }
  return replaced.length === 0 ? layout : layout.renewed(replaced);
}

/** Index of the row at `y` px from the tree's top (binary search over the offsets). */
export function rowAt(offsets: Float64Array, y: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The row that holds focus: the remembered one if visible; else its parent job if that is visible
 * (its checkpoints were collapsed); else the first row.
 */
export function resolveActive(rows: RowList, active: string | undefined): string | undefined {
  if (active && rows.indexOf(active) !== -1) return active;
  if (active?.startsWith('ckpt:')) {
    const parent = jobKey(active.slice(5, active.lastIndexOf(':')));
    if (rows.indexOf(parent) !== -1) return parent;
  }
  return rows.length > 0 ? rows.row(0).key : undefined;
}

export type TreeAction =
  | { kind: 'focus'; key: string }
  | { kind: 'expand'; jobId: string }
  | { kind: 'collapse'; jobId: string }
  | { kind: 'open'; row: TreeRow }
  | { kind: 'none' };

/** What a key press does on the focused row (VS Code tree semantics). */
export function keyAction(rows: RowList, active: string | undefined, key: string): TreeAction {
  const i = active === undefined ? -1 : rows.indexOf(active);
  const at = (r: number): TreeAction =>
    r >= 0 && r < rows.length ? { kind: 'focus', key: rows.row(r).key } : { kind: 'none' };
  const last = rows.length - 1;
  if (i === -1)
    return key === 'ArrowDown' || key === 'Home' ? at(0) : key === 'End' ? at(last) : { kind: 'none' };
  const row = rows.row(i);
  switch (key) {
    case 'ArrowDown':
      return at(i + 1);
    case 'ArrowUp':
      return at(i - 1);
    case 'Home':
      return at(0);
    case 'End':
      return at(last);
    case 'PageDown':
      return at(Math.min(last, i + 10));
    case 'PageUp':
      return at(Math.max(0, i - 10));
    case 'ArrowRight':
      if (row.expandable && !row.expanded) return { kind: 'expand', jobId: row.job.id };
      if (row.expandable && row.expanded) return at(i + 1);
      return { kind: 'none' };
    case 'ArrowLeft':
      if (row.kind === 'job' && row.expanded) return { kind: 'collapse', jobId: row.job.id };
      if (row.kind === 'checkpoint') return at(rows.indexOf(row.parent!));
      return { kind: 'none' };
    case 'Enter':
      return { kind: 'open', row };
    default:
      return { kind: 'none' };
  }
}
