// The Jobs view before the scale work (bench/jobsView.mjs baseline only): the whole list arrives on
// every change, and every keystroke filters all jobs, rebuilds every row and renders them all.
import { useMemo, useState } from 'preact/hooks';
import type { JobSummary, JobsViewToHost } from '../../src/protocol';
import type { HostChannel } from '../../webview-ui/shared/hostChannel';
import { useHost } from '../../webview-ui/shared/useHost';
import { JobTree } from './JobTree';
import { visibleRows } from './treeModel';

function filterJobs(jobs: readonly JobSummary[], search: string): JobSummary[] {
  const q = search.trim().toLowerCase();
  return jobs.filter((j) => !q || j.name.toLowerCase().includes(q) || j.id.toLowerCase().includes(q));
}

/** What the host sent then: the whole list as objects, on every change. */
export type NaiveHostMessage = { type: 'snapshot' | 'jobs'; jobs: JobSummary[] };

export function NaiveJobsApp({ channel }: { channel: HostChannel<NaiveHostMessage, JobsViewToHost> }) {
  const [jobs, setJobs] = useState<JobSummary[] | undefined>();
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  useHost(channel, (message) => {
    setJobs(message.jobs);
  });
  const rows = useMemo(() => visibleRows(filterJobs(jobs ?? [], search), expanded), [jobs, search, expanded]);
  if (!jobs) return <p class="muted pad">Loading jobs…</p>;
  return (
    <main class="jobs-view">
      <div class="filters">
        <input
          type="search"
          class="search"
          data-testid="job-search"
          value={search}
          onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
        />
      </div>
      <JobTree
        rows={rows}
        active={selected}
        now={Date.now()}
        onActivate={setSelected}
        onToggle={(id, open) => {
          const next = new Set(expanded);
          if (open) next.add(id);
          else next.delete(id);
          setExpanded(next);
        }}
        onOpenJob={() => {}}
        onOpenCheckpoint={() => {}}
      />
    </main>
  );
}
