import * as vscode from 'vscode';
import type { BackendInfo, HostToJobsView, JobSummary } from '../protocol';
import { jobsViewMessage, parseMessage } from './messageSchemas';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** What the jobs view renders; the job store adapter implements it. */
export interface JobsSource {
  jobs(): JobSummary[];
  backend(): BackendInfo;
  readonly onDidChangeJobs: vscode.Event<void>;
  readonly onDidChangeBackend: vscode.Event<void>;
  /** Jobs running now, shown as the view's badge. */
  runningCount(): number;
}

/**
 * The sidebar "Jobs" view: a Preact app in a webview view. It is not retained when hidden; every time
 * it (re)mounts it posts `ready` and receives a full snapshot, then deltas while visible.
 */
export class JobsViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'arkor.jobs';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly mountedEmitter = new vscode.EventEmitter<void>();
  /** Fires each time the webview app reports it mounted (used by tests and for first-snapshot timing). */
  readonly onDidMount = this.mountedEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: JobsSource,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.mountedEmitter,
      source.onDidChangeJobs(() => {
        this.updateBadge();
        this.post({ type: 'jobs', jobs: this.source.jobs() });
      }),
      source.onDidChangeBackend(() => this.post({ type: 'backend', backend: this.source.backend() })),
      // Granting trust enables Run Training: resend the snapshot, which carries the trust state.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.postSnapshot()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = { ...webviewOptions(this.extensionUri) };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, { bundle: 'jobs', title: 'Arkor Jobs' });
    const subscriptions = [
      view.webview.onDidReceiveMessage((raw) => this.onMessage(raw)),
      view.onDidChangeVisibility(() => {
        // A hidden, non-retained webview is torn down; its app re-posts `ready` when shown again.
        if (!view.visible) this.ready = false;
      }),
    ];
    view.onDidDispose(() => {
      for (const d of subscriptions) d.dispose();
      if (this.view === view) this.view = undefined;
    });
  }

  private updateBadge(): void {
    if (!this.view) return;
    const running = this.source.runningCount();
    this.view.badge = running > 0 ? { value: running, tooltip: `${running} job(s) running` } : undefined;
  }

  get isMounted(): boolean {
    return this.ready;
  }

  private onMessage(raw: unknown): void {
    const message = parseMessage(jobsViewMessage, raw);
    if (!message) {
      this.log.warn('Ignored a malformed message from the jobs view');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.postSnapshot();
        this.mountedEmitter.fire();
        return;
      case 'runTraining':
        void vscode.commands.executeCommand('arkor.runTraining');
        return;
      case 'refresh':
        void vscode.commands.executeCommand('arkor.refreshJobs');
        return;
      case 'openJob':
        void vscode.commands.executeCommand('arkor.openJob', message.jobId);
        return;
      case 'cancelJob':
        void vscode.commands.executeCommand('arkor.cancelJob', message.jobId);
        return;
      case 'openPlayground':
        void vscode.commands.executeCommand('arkor.openPlayground', {
          jobId: message.jobId,
          step: message.step,
        });
        return;
    }
  }

  private postSnapshot(): void {
    this.updateBadge();
    this.post({
      type: 'snapshot',
      jobs: this.source.jobs(),
      backend: this.source.backend(),
      trusted: vscode.workspace.isTrusted,
    });
  }

  private post(message: HostToJobsView): void {
    if (this.view && this.ready) void this.view.webview.postMessage(message);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
