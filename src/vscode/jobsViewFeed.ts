/**
 * What the jobs view is sent: a snapshot (jobs, backend, workspace trust) and `jobs` / `backend`
 * deltas. No `vscode` import: the view host (jobsView.ts) is this plus VS Code glue, and unit tests
 * drive it with a real store to see exactly what the webview would receive.
 */
import type { BackendKind, Event, JobStore, WebviewChannel } from '../core';
import type { BackendInfo, HostToJobsView, JobSummary } from '../protocol';
import { summarize, withResume } from './viewModels';

/** What the jobs view renders; the session's job store adapter implements it. */
export interface JobsSource {
  jobs(): JobSummary[];
  backend(): BackendInfo;
  readonly onDidChangeJobs: Event<void>;
  readonly onDidChangeBackend: Event<void>;
  /** Jobs running now, shown as the view's badge. */
  runningCount(): number;
}

/** The list rows of every job in the store, in the store's order. */
export function jobSummaries(store: JobStore | undefined, backend?: BackendKind): JobSummary[] {
  if (!store) return [];
  return store
    .jobs()
    .map((job) => withResume(summarize(job, store.rowData(job.id), store.runLabel(job.id)), backend));
}

/** Jobs of the store running now. */
export function runningJobs(store: JobStore | undefined): number {
  return store?.jobs().filter((j) => j.status === 'running').length ?? 0;
}

export class JobsViewFeed {
  constructor(
    private readonly source: Pick<JobsSource, 'jobs' | 'backend'>,
    private readonly trusted: () => boolean,
    private readonly channel: WebviewChannel<HostToJobsView>,
  ) {}

  snapshot(): HostToJobsView {
    return {
      type: 'snapshot',
      jobs: this.source.jobs(),
      backend: this.source.backend(),
      trusted: this.trusted(),
    };
  }

  jobsChanged(): void {
    if (this.channel.isReady) this.channel.postDelta({ type: 'jobs', jobs: this.source.jobs() });
  }

  backendChanged(): void {
    if (this.channel.isReady) this.channel.postDelta({ type: 'backend', backend: this.source.backend() });
  }
}
