/**
 * Run labels: the short name that tells one run of a trainer from the others, the same on every
 * surface (jobs tree, tab title, panel header, Playground picker, notifications, status bar).
 *
 * Every run of one trainer has the same job name ("captain-speak"), so a label is the name plus the
 * run's ordinal among the jobs of that name, by creation time: `captain-speak #3`. Ordinals are
 * stable as runs arrive (a new run is created later than every earlier one, so it gets the next
 * number and no earlier label changes). A run is `#1` even while it is the only one, so its label
 * does not change when the second run appears.
 */

/** What a label is computed from: any job as listed. */
export interface RunLabelJob {
  id: string;
  name: string;
  createdAt?: string | null;
}

/** `name #n`: the one format of a run label. */
export function formatRunLabel(name: string, ordinal: number): string {
  return `${name} #${ordinal}`;
}

/** Creation time in epoch ms; a missing or unreadable time sorts after every known one. */
function createdMs(job: RunLabelJob): number {
  const t = job.createdAt ? Date.parse(job.createdAt) : Number.NaN;
  return Number.isFinite(t) ? t : Number.POSITIVE_INFINITY;
}

/**
 * The label of every job in `jobs`, by id. Within a name, runs are numbered from 1 oldest first;
 * equal creation times are ordered by id so the numbering does not depend on the list's order.
 */
export function runLabels(jobs: readonly RunLabelJob[]): Map<string, string> {
  const byName = new Map<string, RunLabelJob[]>();
  for (const job of jobs) {
    const runs = byName.get(job.name);
    if (runs) runs.push(job);
    else byName.set(job.name, [job]);
  }
  const labels = new Map<string, string>();
  for (const [name, runs] of byName) {
    runs.sort((a, b) => createdMs(a) - createdMs(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    runs.forEach((job, i) => {
      labels.set(job.id, formatRunLabel(name, i + 1));
    });
  }
  return labels;
}
