import * as vscode from 'vscode';
import type { HostToJobsView, JobsViewToHost } from '../protocol';
import { ACTION_COMMANDS } from './connectionStatus';
import { type JobsSource, JobsViewFeed } from './jobsViewFeed';
import { WebviewHost } from './webviewHost';

export type { JobsSource } from './jobsViewFeed';

/**
 * The sidebar "Jobs" view: a Preact app in a webview view. It is not retained when hidden; every time
 * it (re)mounts it posts `ready` and receives a full snapshot, then deltas while visible
 * (WebviewHost and its channel own that rule; JobsViewFeed builds the messages).
 */
export class JobsViewProvider
  extends WebviewHost<JobsViewToHost, HostToJobsView>
  implements vscode.WebviewViewProvider
{
  static readonly viewType = 'arkor.jobs';
  private view: vscode.WebviewView | undefined;
  private readonly feed: JobsViewFeed;

  constructor(
    extensionUri: vscode.Uri,
    private readonly source: JobsSource,
    log: vscode.LogOutputChannel,
  ) {
    super({
      name: 'the jobs view',
      extensionUri,
      log,
      bundle: 'jobs',
      commands: {
        runTraining: () => ['arkor.runTraining'],
        refresh: () => ['arkor.refreshJobs'],
        connectionAction: ({ action }) => [ACTION_COMMANDS[action]],
        openJob: ({ jobId }) => ['arkor.openJob', jobId],
        cancelJob: ({ jobId }) => ['arkor.cancelJob', jobId],
        openPlayground: ({ jobId, step }) => ['arkor.openPlayground', { jobId, step }],
      },
    });
    this.feed = new JobsViewFeed(source, () => vscode.workspace.isTrusted, this.channel);
    this._register(
      source.onDidChangeJobs((change) => {
        this.updateBadge();
        this.feed.jobsChanged(change);
      }),
    );
    this._register(source.onDidChangeBackend(() => this.feed.backendChanged()));
    // Granting trust enables Run Training: resend the snapshot, which carries the trust state.
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.channel.resync()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.attachWebview(view);
  }

  protected override onWebviewDisposed(): void {
    this.view = undefined;
  }

  protected override onMessage(message: Exclude<JobsViewToHost, { type: 'ready' }>): void {
    if (message.type === 'details') this.feed.details(message.jobIds);
  }

  protected override snapshot(): HostToJobsView {
    this.updateBadge();
    return this.feed.snapshot();
  }

  private updateBadge(): void {
    if (!this.view) return;
    const running = this.source.runningCount();
    this.view.badge = running > 0 ? { value: running, tooltip: `${running} job(s) running` } : undefined;
  }
}
