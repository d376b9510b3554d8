import * as vscode from 'vscode';
import type { HostToJobsView, JobsViewToHost } from '../protocol';
import { ACTION_COMMANDS } from './connectionStatus';
import { type JobsSource, JobsViewFeed } from './jobsViewFeed';
import { jobsViewMessage } from './messageSchemas';
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
      schema: jobsViewMessage,
      html: { bundle: 'jobs', title: 'Arkor Jobs' },
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

  protected override snapshot(): HostToJobsView {
    this.updateBadge();
    return this.feed.snapshot();
  }

  private updateBadge(): void {
    if (!this.view) return;
    const running = this.source.runningCount();
    this.view.badge = running > 0 ? { value: running, tooltip: `${running} job(s) running` } : undefined;
  }

  protected override async onMessage(message: Exclude<JobsViewToHost, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'runTraining':
        return this.command('arkor.runTraining');
      case 'refresh':
        return this.command('arkor.refreshJobs');
      case 'connectionAction':
        return this.command(ACTION_COMMANDS[message.action]);
      case 'openJob':
        return this.command('arkor.openJob', message.jobId);
      case 'cancelJob':
        return this.command('arkor.cancelJob', message.jobId);
      case 'openPlayground':
        return this.command('arkor.openPlayground', { jobId: message.jobId, step: message.step });
    }
  }
}
