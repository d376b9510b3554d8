// The jobs tree model before the scale work (bench/jobsView.mjs baseline only): the visible rows as
// an array of objects, rebuilt for every change, and keyboard moves found by scanning it.
import type { JobSummary } from '../../src/protocol';
import { checkpointKey, jobKey, type TreeAction, type TreeRow } from '../../webview-ui/jobsView/treeModel';

export type { TreeRow };

export function visibleRows(jobs: readonly JobSummary[], expanded: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  jobs.forEach((job, i) => {
    const expandable = job.checkpoints.length > 0;
    const isOpen = expandable && expanded.has(job.id);
    const key = jobKey(job.id);
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
    if (isOpen)
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
  });
  return rows;
}

export function resolveActive(rows: readonly TreeRow[], active: string | undefined): string | undefined {
  if (active && rows.some((r) => r.key === active)) return active;
  return rows[0]?.key;
}

export function keyAction(rows: readonly TreeRow[], active: string | undefined, key: string): TreeAction {
  const i = rows.findIndex((r) => r.key === active);
  const focus = (r: TreeRow | undefined): TreeAction =>
    r ? { kind: 'focus', key: r.key } : { kind: 'none' };
  const row = rows[i];
  if (!row) return key === 'ArrowDown' || key === 'Home' ? focus(rows[0]) : { kind: 'none' };
  switch (key) {
    case 'ArrowDown':
      return focus(rows[i + 1]);
    case 'ArrowUp':
      return focus(rows[i - 1]);
    case 'Home':
      return focus(rows[0]);
    case 'End':
      return focus(rows.at(-1));
    case 'ArrowRight':
      return row.expandable && !row.expanded ? { kind: 'expand', jobId: row.job.id } : { kind: 'none' };
    case 'ArrowLeft':
      if (row.kind === 'job' && row.expanded) return { kind: 'collapse', jobId: row.job.id };
      return row.kind === 'checkpoint' ? focus(rows.find((r) => r.key === row.parent)) : { kind: 'none' };
    case 'Enter':
      return { kind: 'open', row };
    default:
      return { kind: 'none' };
  }
}
