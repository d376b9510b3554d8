import { checkpointCount } from '../../src/jobRows';
import type { CheckpointSummary, JobSummary } from '../../src/protocol';
import { hasMetrics } from './format';

/**
 * The jobs tree as data: filtering, the flat list of visible rows (jobs at level 1, their checkpoints
 * at level 2 when expanded) and keyboard navigation over it, all free of DOM so they are tested alone.
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

/** Each job's lower-cased "label\nid" (label: name and `#n`), computed once per job object (a keystroke only compares). */
const haystacks = new WeakMap<JobSummary, string>();
function haystack(job: JobSummary): string {
  let h = haystacks.get(job);
  if (h === undefined) {
    h = `${job.label.toLowerCase()}\n${job.id.toLowerCase()}`;
    haystacks.set(job, h);
  }
  return h;
}

/**
 * Computes the search text of `jobs[from..to)` ahead of the first keystroke (the view calls it in idle
 * time after a new list arrives, a slice at a time), so typing only compares.
 */
export function prepareSearch(jobs: readonly JobSummary[], from: number, to: number): void {
  for (let i = from; i < Math.min(to, jobs.length); i++) haystack(jobs[i]!);
}

/** Whether one job passes the search box (already trimmed and lower-cased) and the status chip. */
export function matchesJob(job: JobSummary, query: string, filter: StatusFilter): boolean {
  if (filter !== 'all' && job.status !== filter) return false;
  if (!query) return true;
  const h = haystack(job);
  // Label and id are matched separately: a query never spans the separator.
  const i = h.indexOf(query);
  return i !== -1 && (i + query.length <= h.indexOf('\n') || i > h.indexOf('\n'));
}

export const normalizeQuery = (search: string) => search.trim().toLowerCase();

/** Case-insensitive substring match on the run label (name and `#n`) or id, plus the status chip. */
export function filterJobs(jobs: readonly JobSummary[], search: string, filter: StatusFilter): JobSummary[] {
  const q = normalizeQuery(search);
  return jobs.filter((j) => matchesJob(j, q, filter));
}

/**
 * A job's row. A class whose key is made when first read: a list of 10,000 jobs makes 10,000 of these
 * per layout, and only the rendered ones (and the index, when needed) read their key.
 */
class JobTreeRow implements TreeRow {
  readonly kind = 'job';
  readonly level = 1;
  private madeKey: string | undefined;

  constructor(
    readonly job: JobSummary,
    readonly expandable: boolean,
    readonly expanded: boolean,
    readonly posInSet: number,
    readonly setSize: number,
  ) {}

  get key(): string {
    this.madeKey ??= jobKey(this.job.id);
    return this.madeKey;
  }
}

export function visibleRows(jobs: readonly JobSummary[], expanded: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const anyExpanded = expanded.size > 0;
  jobs.forEach((job, i) => {
    const expandable = checkpointCount(job) > 0;
    const isOpen = expandable && anyExpanded && expanded.has(job.id);
    const row = new JobTreeRow(job, expandable, isOpen, i + 1, jobs.length);
    rows.push(row);
    if (isOpen) {
      const key = row.key;
      job.checkpoints.forEach((checkpoint, c) => {
        rows.push({
          key: checkpointKey(job.id, checkpoint.step),
          kind: 'checkpoint',
          level: 2,
          job,
          checkpoint,
          parent: key,
          expandable: false,
          expanded: false,
          posInSet: c + 1,
          setSize: job.checkpoints.length,
        });
      });
    }
  });
  return rows;
}

/**
 * Row heights in px, fixed so a row's offset is known without rendering it (the tree only renders the
 * rows in view). jobs.css draws rows at exactly these heights (`.row` is border-box).
 */
export const ROW_HEIGHT = 28;
export const METRICS_ROW_HEIGHT = 46;

export function rowHeight(row: TreeRow): number {
  return row.kind === 'job' && hasMetrics(row.job) ? METRICS_ROW_HEIGHT : ROW_HEIGHT;
}

/**
 * The visible rows, where each sits (`offsets[i]` is row i's top; `offsets[n]` the total height), and
 * their index by key, built when first read (keyboard, a restored selection, a live update): a first
 * paint of 10,000 rows does not need it.
 */
export class TreeLayout {
  constructor(
    readonly rows: TreeRow[],
    readonly offsets: Float64Array,
    private readonly indexCache: { map?: Map<string, number> } = {},
  ) {}

  get index(): ReadonlyMap<string, number> {
    if (!this.indexCache.map) {
      const map = new Map<string, number>();
      for (let i = 0; i < this.rows.length; i++) map.set(this.rows[i]!.key, i);
      this.indexCache.map = map;
    }
    return this.indexCache.map;
  }

  /** A new layout object over the same rows, after some were replaced in place (same keys). */
  renewed(): TreeLayout {
    return new TreeLayout(this.rows, this.offsets, this.indexCache);
  }
}

export function layoutRows(rows: TreeRow[]): TreeLayout {
  const offsets = new Float64Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) offsets[i + 1] = offsets[i]! + rowHeight(rows[i]!);
  return new TreeLayout(rows, offsets);
}

/**
 * The layout after `changed` jobs were updated in place (same ids, same order), or undefined when the
 * update moves rows (a job starts or stops matching, gains its first checkpoint, changes height, or
 * shows its checkpoints) and the caller must lay the tree out again. Costs O(changed jobs), not
 * O(jobs): the changed rows are replaced in `layout.rows` itself (no copy of 10,000 rows per live
 * update) and the result is a new layout object over the same rows, so the tree re-renders and only
 * the replaced row objects render again. The layout passed in must not be used after.
 */
export function patchLayout(
  layout: TreeLayout,
  changed: readonly JobSummary[],
  query: string,
  filter: StatusFilter,
): TreeLayout | undefined {
  const updates: [number, JobSummary][] = [];
  for (const job of changed) {
    const i = layout.index.get(jobKey(job.id));
    const matches = matchesJob(job, query, filter);
    if (i === undefined) {
      if (matches) return undefined;
      continue;
    }
    const old = layout.rows[i]!;
    if (!matches || old.expanded || old.expandable !== checkpointCount(job) > 0) return undefined;
    if (hasMetrics(old.job) !== hasMetrics(job)) return undefined;
    updates.push([i, job]);
  }
  if (updates.length === 0) return layout;
  for (const [i, job] of updates) {
    const old = layout.rows[i]!;
    layout.rows[i] = new JobTreeRow(job, old.expandable, old.expanded, old.posInSet, old.setSize);
  }
  return layout.renewed();
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
export function resolveActive(
  rows: readonly TreeRow[],
  active: string | undefined,
  index?: ReadonlyMap<string, number>,
): string | undefined {
  const has = (key: string) => (index ? index.has(key) : rows.some((r) => r.key === key));
  if (active && has(active)) return active;
  if (active?.startsWith('ckpt:')) {
    const jobId = active.slice(5, active.lastIndexOf(':'));
    const parent = jobKey(jobId);
    if (has(parent)) return parent;
  }
  return rows[0]?.key;
}

export type TreeAction =
  | { kind: 'focus'; key: string }
  | { kind: 'expand'; jobId: string }
  | { kind: 'collapse'; jobId: string }
  | { kind: 'open'; row: TreeRow }
  | { kind: 'none' };

/** What a key press does on the focused row (VS Code tree semantics). */
export function keyAction(
  rows: readonly TreeRow[],
  active: string | undefined,
  key: string,
  index?: ReadonlyMap<string, number>,
): TreeAction {
  const i = active === undefined ? -1 : (index?.get(active) ?? rows.findIndex((r) => r.key === active));
  const row = rows[i];
  const focus = (r: TreeRow | undefined): TreeAction =>
    r ? { kind: 'focus', key: r.key } : { kind: 'none' };
  if (!row)
    return key === 'ArrowDown' || key === 'Home'
      ? focus(rows[0])
      : key === 'End'
        ? focus(rows.at(-1))
        : { kind: 'none' };
  switch (key) {
    case 'ArrowDown':
      return focus(rows[i + 1]);
    case 'ArrowUp':
      return focus(rows[i - 1]);
    case 'Home':
      return focus(rows[0]);
    case 'End':
      return focus(rows.at(-1));
    case 'PageDown':
      return focus(rows[Math.min(rows.length - 1, i + 10)]);
    case 'PageUp':
      return focus(rows[Math.max(0, i - 10)]);
    case 'ArrowRight':
      if (row.expandable && !row.expanded) return { kind: 'expand', jobId: row.job.id };
      if (row.expandable && row.expanded) return focus(rows[i + 1]);
      return { kind: 'none' };
    case 'ArrowLeft':
      if (row.kind === 'job' && row.expanded) return { kind: 'collapse', jobId: row.job.id };
      if (row.kind === 'checkpoint') return focus(rows.find((r) => r.key === row.parent));
      return { kind: 'none' };
    case 'Enter':
      return { kind: 'open', row };
    default:
      return { kind: 'none' };
  }
}
