import type { CheckpointSummary, JobSummary } from '../../src/protocol';

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

/** Case-insensitive substring match on the run label (name and `#n`) or id, plus the status chip. */
export function filterJobs(jobs: readonly JobSummary[], search: string, filter: StatusFilter): JobSummary[] {
  const q = search.trim().toLowerCase();
  return jobs.filter(
    (j) =>
      (filter === 'all' || j.status === filter) &&
      (!q || j.label.toLowerCase().includes(q) || j.id.toLowerCase().includes(q)),
  );
}

export function visibleRows(jobs: readonly JobSummary[], expanded: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  jobs.forEach((job, i) => {
    const key = jobKey(job.id);
    const expandable = job.checkpoints.length > 0;
    const isOpen = expandable && expanded.has(job.id);
    rows.push({
      key,
      kind: 'job',
      level: 1,
      job,
      expandable,
      expanded: isOpen,
      posInSet: i + 1,
      setSize: jobs.length,
    });
    if (isOpen) {
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
 * The row that holds focus: the remembered one if visible; else its parent job if that is visible
 * (its checkpoints were collapsed); else the first row.
 */
export function resolveActive(rows: readonly TreeRow[], active: string | undefined): string | undefined {
  if (active && rows.some((r) => r.key === active)) return active;
  if (active?.startsWith('ckpt:')) {
    const jobId = active.slice(5, active.lastIndexOf(':'));
    const parent = jobKey(jobId);
    if (rows.some((r) => r.key === parent)) return parent;
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
export function keyAction(rows: readonly TreeRow[], active: string | undefined, key: string): TreeAction {
  const i = rows.findIndex((r) => r.key === active);
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
