/**
 * What the jobs view is sent: a snapshot (jobs, backend, workspace trust) and `jobs` / `jobsPatch` /
 * `backend` deltas. No `vscode` import: the view host (jobsView.ts) is this plus VS Code glue, and
 * unit tests drive it with a real store to see exactly what the webview would receive.
 */
import type { BackendKind, Event, JobStore, JobStoreChange, TrainingJob, WebviewChannel } from '../core';
import { packJobRows } from '../jobRows';
import type { BackendInfo, HostToJobsView, JobSummary } from '../protocol';
import { summarize, withResume } from './viewModels';

/**
 * Which rows a change may have touched: these jobs' only (`jobIds`), or, without ids, any row and
 * the list itself. Ids let a running job's live update cost the same with 10 or 10,000 jobs listed:
 * its one row is summarised and sent, not every row (summarising and comparing 10,000 rows took the
 * extension host hundreds of ms per update on a 2-core machine).
 */
export interface JobsChange {
  jobIds?: ReadonlySet<string>;
}

/** What the jobs view renders; the session's job store adapter implements it. */
export interface JobsSource {
  jobs(): JobSummary[];
  /** One job's row; undefined when the store does not know it. */
  job(jobId: string): JobSummary | undefined;
  backend(): BackendInfo;
  readonly onDidChangeJobs: Event<JobsChange>;
  readonly onDidChangeBackend: Event<void>;
  /** Jobs running now, shown as the view's badge. */
  runningCount(): number;
}

/**
 * The rows a store change touches: undefined for changes no row shows (log lines, stream states,
 * poll errors, which are the connection's); the one job's row for its status, metrics and
 * checkpoints; any row for a new list (run labels, order) or a poll that worked again.
 */
export function rowsTouched(change: JobStoreChange): JobsChange | undefined {
  switch (change.kind) {
    case 'log':
    case 'stream':
    case 'pollError':
      return undefined;
    case 'status':
    case 'metrics':
    case 'checkpoints':
      return { jobIds: new Set([change.jobId]) };
    case 'jobs':
    case 'pollOk':
      return {};
  }
}

/** Both changes as one (changes that wait for the same throttled update). */
export function mergeChanges(a: JobsChange | undefined, b: JobsChange): JobsChange {
  if (!a) return b;
  if (!a.jobIds || !b.jobIds) return {};
  return { jobIds: new Set([...a.jobIds, ...b.jobIds]) };
}

function jobRow(store: JobStore, job: TrainingJob, backend: BackendKind | undefined): JobSummary {
  return withResume(summarize(job, store.rowData(job.id), store.runLabel(job.id)), backend);
}

/** The list rows of every job in the store, in the store's order. */
export function jobSummaries(store: JobStore | undefined, backend?: BackendKind): JobSummary[] {
  if (!store) return [];
  return store.jobs().map((job) => jobRow(store, job, backend));
}

/** One job's row, as `jobSummaries` has it; undefined for a job the store does not know. */
export function jobSummary(
  store: JobStore | undefined,
  jobId: string,
  backend?: BackendKind,
): JobSummary | undefined {
  const job = store?.job(jobId);
  return store && job && jobRow(store, job, backend);
}

/** Jobs of the store running now. */
export function runningJobs(store: JobStore | undefined): number {
  return store?.jobs().filter((j) => j.status === 'running').length ?? 0;
}

export class JobsViewFeed {
  /** Ids of the jobs the view lists now (a patch only replaces rows the view has). */
  private listed = new Set<string>();

  constructor(
    private readonly source: Pick<JobsSource, 'jobs' | 'job' | 'backend'>,
    private readonly trusted: () => boolean,
    private readonly channel: WebviewChannel<HostToJobsView>,
  ) {}

  snapshot(): HostToJobsView {
    return {
      type: 'snapshot',
      rows: packJobRows(this.list()),
      backend: this.source.backend(),
      trusted: this.trusted(),
    };
  }

  /**
   * Sends the rows of the jobs a change names (`jobsPatch`: the cost of those rows alone, as during a
   * run's live updates), or the whole list when the change names none (the list or the connection).
   * A named job the view does not list yet waits for the list, which brings it in its place.
   */
  jobsChanged(change: JobsChange = {}): void {
    if (!this.channel.isReady) return;
    if (!change.jobIds) {
      this.channel.postDelta({ type: 'jobs', rows: packJobRows(this.list()) });
      return;
    }
    const jobs: JobSummary[] = [];
    for (const id of change.jobIds) {
      const job = this.listed.has(id) ? this.source.job(id) : undefined;
      if (job) jobs.push(job);
    }
    if (jobs.length) this.channel.postDelta({ type: 'jobsPatch', jobs });
  }

  /** The whole rows of listed jobs the view shows without their detail (`details` message). */
  details(jobIds: readonly string[]): void {
    this.jobsChanged({ jobIds: new Set(jobIds) });
  }

  private list(): JobSummary[] {
    const jobs = this.source.jobs();
    this.listed = new Set(jobs.map((j) => j.id));
    return jobs;
  }

  backendChanged(): void {
    if (this.channel.isReady) this.channel.postDelta({ type: 'backend', backend: this.source.backend() });
  }
}
