import * as vscode from 'vscode';
import type { BackendInfo, JobSummary } from '../protocol';
import type { JobsSource } from './jobsView';
import type { ArkorSession } from './session';
import { summarize } from './viewModels';

/** Fastest rate at which the jobs view is re-sent the list while metrics stream in. */
const MAX_UPDATES_PER_SECOND = 4;

/**
 * The jobs view's data: the session's job store, summarised. Queued and running jobs are watched
 * (their event streams opened) so rows show live progress and sparklines; a watch is released when
 * the job ends. Updates are throttled: a row does not need 200 repaints a second.
 */
export class SessionJobsSource implements JobsSource, vscode.Disposable {
  private readonly jobsChanged = new vscode.EventEmitter<void>();
  private readonly backendChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeJobs = this.jobsChanged.event;
  readonly onDidChangeBackend = this.backendChanged.event;
  private readonly watches = new Map<string, vscode.Disposable>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastFire = 0;

  constructor(private readonly session: ArkorSession) {
    this.disposables.push(
      this.jobsChanged,
      this.backendChanged,
      session.onDidChange(() => {
        this.releaseAll();
        this.backendChanged.fire();
        this.schedule();
      }),
      session.onDidChangeStore((change) => {
        if (change.kind === 'jobs' || change.kind === 'status') this.updateWatches();
        if (change.kind !== 'log' && change.kind !== 'stream' && change.kind !== 'pollError') this.schedule();
        if (change.kind === 'pollError') this.backendChanged.fire();
      }),
    );
  }

  jobs(): JobSummary[] {
    const store = this.session.connection?.store;
    if (!store) return [];
    return store.jobs().map((job) => summarize(job, store.rowData(job.id)));
  }

  backend(): BackendInfo {
    return this.session.info();
  }

  /** Number of jobs currently running, for the view badge. */
  runningCount(): number {
    return this.session.connection?.store.jobs().filter((j) => j.status === 'running').length ?? 0;
  }

  private updateWatches(): void {
    const store = this.session.connection?.store;
    if (!store) return;
    const active = new Set(
      store
        .jobs()
        .filter((j) => j.status === 'queued' || j.status === 'running')
        .map((j) => j.id),
    );
    for (const id of active) if (!this.watches.has(id)) this.watches.set(id, store.watch(id));
    for (const [id, watch] of this.watches) {
      if (!active.has(id)) {
        watch.dispose();
        this.watches.delete(id);
      }
    }
  }

  private releaseAll(): void {
    for (const w of this.watches.values()) w.dispose();
    this.watches.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFire + 1000 / MAX_UPDATES_PER_SECOND - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastFire = Date.now();
      this.jobsChanged.fire();
    }, wait);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.releaseAll();
    for (const d of this.disposables) d.dispose();
  }
}
