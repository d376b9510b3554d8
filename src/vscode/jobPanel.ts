import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { JobStore, JobStoreChange } from '../core';
import type { HostToJobPanel, StreamState } from '../protocol';
import { formatLogLine } from './jobLog';
import { jobPanelMessage, parseMessage } from './messageSchemas';
import type { ArkorSession } from './session';
import { detail, toColumns } from './viewModels';
import { webviewHtml, webviewOptions } from './webviewHtml';

const VIEW_TYPE = 'arkor.job';
/** workspaceState: ids of the job panels open in this window, for restoring them after a reload. */
const OPEN_PANELS_KEY = 'arkor.jobPanels.open';

/**
 * One editor tab per job: header, loss chart, checkpoints and log tail. Not retained when hidden
 * (GitLens' pattern): the host keeps the data in the job store and sends a full snapshot whenever the
 * webview (re)mounts and says `ready`, then deltas. Restored after a window reload by the serializer.
 */
export class JobPanels implements vscode.Disposable {
  private readonly panels = new Map<string, JobPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private shuttingDown = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly memento: vscode.Memento,
    private readonly session: ArkorSession,
    private readonly log: vscode.LogOutputChannel,
    private readonly openFullLog: (jobId: string) => Promise<void> | void,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          // The webview's saved state names its job. If the window went away before that state was
          // persisted, fall back to the host's own record of open panels.
          const saved = (state as { viewData?: { jobId?: unknown } } | undefined)?.viewData?.jobId;
          const jobId =
            typeof saved === 'string'
              ? saved
              : this.recordedOpen().find((r) => r.title === panel.title && !this.panels.has(r.jobId))?.jobId;
          this.log.info(`Restoring a job panel (job ${jobId ?? 'unknown'})`);
          if (typeof jobId !== 'string') {
            panel.dispose();
            return;
          }
          this.attach(panel, jobId);
        },
      }),
    );
  }

  /** Opens (or reveals) the panel of a job. */
  open(jobId: string): JobPanel {
    const existing = this.panels.get(jobId);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const name = this.session.connection?.store.jobs().find((j) => j.id === jobId)?.name ?? jobId.slice(0, 8);
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, `Job: ${name}`, vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri),
    });
    return this.attach(panel, jobId);
  }

  get(jobId: string): JobPanel | undefined {
    return this.panels.get(jobId);
  }

  private attach(panel: vscode.WebviewPanel, jobId: string): JobPanel {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'arkor.svg');
    const jobPanel = new JobPanel(
      panel,
      jobId,
      this.extensionUri,
      this.session,
      this.log,
      this.openFullLog,
      () => this.record(),
    );
    this.panels.set(jobId, jobPanel);
    this.record();
    panel.onDidDispose(() => {
      if (this.panels.get(jobId) === jobPanel) this.panels.delete(jobId);
      jobPanel.dispose();
      // Closed by the user (not by the window going away): forget it.
      if (!this.shuttingDown) this.record();
    });
    return jobPanel;
  }

  private recordedOpen(): { jobId: string; title: string }[] {
    return this.memento.get<{ jobId: string; title: string }[]>(OPEN_PANELS_KEY) ?? [];
  }

  /** Remembers which tab (by title) shows which job. Titles change with job names, so re-recorded. */
  record(): void {
    const open = [...this.panels.values()].map((p) => ({ jobId: p.jobId, title: p.panel.title }));
    void this.memento.update(OPEN_PANELS_KEY, open);
  }

  dispose(): void {
    this.shuttingDown = true;
    for (const p of this.panels.values()) p.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export class JobPanel implements vscode.Disposable {
  private ready = false;
  /** Metric rows the webview holds; deltas continue from here. */
  private sentRows = 0;
  /** Receive time of each metric row seen live (rows replayed from history have none). */
  private readonly rowTimes: number[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private watch: vscode.Disposable | undefined;
  private watchedStore: JobStore | undefined;
  private readonly mounted = new vscode.EventEmitter<void>();
  readonly onDidMount = this.mounted.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly jobId: string,
    extensionUri: vscode.Uri,
    private readonly session: ArkorSession,
    private readonly log: vscode.LogOutputChannel,
    private readonly openFullLog: (jobId: string) => Promise<void> | void,
    private readonly onTitleChange: () => void,
  ) {
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      bundle: 'job',
      title: 'Arkor Job',
      data: { jobId },
    });
    this.disposables.push(
      this.mounted,
      panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      session.onDidChangeStore((change) => this.onStoreChange(change)),
      session.onDidChange(() => this.ensureWatching()),
    );
    this.ensureWatching();
  }

  get isMounted(): boolean {
    return this.ready;
  }

  /** Keeps the job's event stream open in the current store; a reconnect brings a new store. */
  private ensureWatching(): void {
    const store = this.session.connection?.store;
    if (store === this.watchedStore && this.watch) return;
    this.watch?.dispose();
    this.watch = undefined;
    this.watchedStore = store;
    // No connection yet: the webview's `ready` connects. Connecting from here would retry in a loop,
    // since a failed connect fires the very change event that calls this.
    if (!store) return;
    this.watch = store.watch(this.jobId);
    // The webview holds the old store's data: start it over from this one.
    if (this.ready) {
      const snapshot = this.snapshotMessage();
      if (snapshot) this.post(snapshot);
    }
  }

  private snapshotMessage(): HostToJobPanel | undefined {
    const store = this.session.connection?.store;
    if (!store) return undefined;
    const snap = store.snapshot(this.jobId);
    const job = snap.job ?? { id: this.jobId, name: this.jobId, status: snap.status, config: {} };
    this.sentRows = snap.metrics.step.length;
    const times = this.rowTimes.slice(0, this.sentRows);
    return {
      type: 'snapshot',
      job: detail(job, snap),
      metrics: toColumns(snap.metrics, times),
      logTail: snap.log.map(formatLogLine),
      stream: streamState(snap.stream.state, snap.stream.error),
    };
  }

  private onStoreChange(change: JobStoreChange): void {
    const store = this.session.connection?.store;
    if (!store) return;
    if (change.kind === 'metrics' && change.jobId === this.jobId) {
      const now = Date.now();
      for (let i = change.from; i < change.to; i++) this.rowTimes[i] ??= now;
      if (!this.ready) return;
      const from = Math.min(change.from, this.sentRows);
      const rows = toColumns(
        store.metrics(this.jobId, from, change.to),
        this.rowTimes.slice(from, change.to),
      );
      this.sentRows = Math.max(this.sentRows, change.to);
      this.post({ type: 'metrics', from, rows });
      return;
    }
    if (!this.ready) return;
    if (change.kind === 'log' && change.jobId === this.jobId) {
      this.post({ type: 'log', lines: change.lines.map(formatLogLine) });
    } else if (change.kind === 'stream' && change.jobId === this.jobId) {
      this.post({ type: 'stream', stream: streamState(change.state, change.error) });
    } else if (
      change.kind === 'jobs' ||
      ((change.kind === 'status' || change.kind === 'checkpoints') && change.jobId === this.jobId)
    ) {
      const snap = store.snapshot(this.jobId);
      if (snap.job) {
        this.post({ type: 'job', job: detail(snap.job, snap) });
        if (this.panel.title !== `Job: ${snap.job.name}`) {
          this.panel.title = `Job: ${snap.job.name}`;
          this.onTitleChange();
        }
      }
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseMessage(jobPanelMessage, raw);
    if (!message) {
      this.log.warn('Ignored a malformed message from a job panel');
      return;
    }
    switch (message.type) {
      case 'ready': {
        await this.session.connect().catch(() => {});
        this.ensureWatching();
        const snapshot = this.snapshotMessage();
        this.ready = true;
        if (snapshot) this.post(snapshot);
        this.mounted.fire();
        return;
      }
      case 'cancelJob':
        await vscode.commands.executeCommand('arkor.cancelJob', this.jobId);
        return;
      case 'openPlayground':
        await vscode.commands.executeCommand('arkor.openPlayground', {
          jobId: this.jobId,
          step: message.step,
        });
        return;
      case 'openFullLog':
        this.openFullLog(this.jobId);
        return;
      case 'saveCsv': {
        const name =
          this.session.connection?.store.jobs().find((j) => j.id === this.jobId)?.name ?? this.jobId;
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(`${name.replace(/[^\w.-]+/g, '_')}-metrics.csv`),
          filters: { CSV: ['csv'] },
          saveLabel: 'Export metrics',
        });
        if (target) {
          await writeFile(target.fsPath, message.csv, 'utf8');
          void vscode.window.showInformationMessage(`Arkor: saved ${target.fsPath}`);
        }
        return;
      }
    }
  }

  private post(message: HostToJobPanel): void {
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.watch?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function streamState(state: string, error: string | undefined): StreamState {
  switch (state) {
    case 'open':
      return { kind: 'live' };
    case 'reconnecting':
      return { kind: 'reconnecting', attempt: 0, error };
    case 'ended':
      return { kind: 'ended' };
    case 'error':
      return { kind: 'error', error: error ?? 'The event stream failed.' };
    default:
      return { kind: 'connecting' };
  }
}
