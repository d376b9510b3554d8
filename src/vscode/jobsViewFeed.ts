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
  /** What the view was last given, per job id, serialized (to find the jobs a change touched). */
  private sent = new Map<string, string>();
  private sentOrder: string[] = [];

  constructor(
    private readonly source: Pick<JobsSource, 'jobs' | 'backend'>,
    private readonly trusted: () => boolean,
    private readonly channel: WebviewChannel<HostToJobsView>,
  ) {}

  snapshot(): HostToJobsView {
    const jobs = this.source.jobs();
    this.remember(jobs);
    return {
      type: 'snapshot',
      jobs,
      backend: this.source.backend(),
      trusted: this.trusted(),
    };
  }

  /**
   * Sends only the jobs that changed (`jobsPatch`) while the list keeps its ids and order, as during
   * a run's live updates; the whole list when jobs were added, removed or reordered.
   */
  jobsChanged(): void {
    if (!this.channel.isReady) return;
    const jobs = this.source.jobs();
    const sameIds = jobs.length === this.sentOrder.length && jobs.every((j, i) => j.id === this.sentOrder[i]);
    if (!sameIds) {
      this.remember(jobs);
      this.channel.postDelta({ type: 'jobs', jobs });
      return;
    }
    const changed: JobSummary[] = [];
    for (const job of jobs) {
      const text = JSON.stringify(job);
      if (this.sent.get(job.id) !== text) {
        this.sent.set(job.id, text);
        changed.push(job);
      }
    }
    if (changed.length) this.channel.postDelta({ type: 'jobsPatch', jobs: changed });
  }

  private remember(jobs: readonly JobSummary[]): void {
    this.sent = new Map(jobs.map((j) => [j.id, JSON.stringify(j)]));
    this.sentOrder = jobs.map((j) => j.id);
  }

  backendChanged(): void {
    if (this.channel.isReady) this.channel.postDelta({ type: 'backend', backend: this.source.backend() });
  }
}
