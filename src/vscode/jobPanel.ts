import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { type JobOrigin, type JobStore, type JobStoreChange, sameOrigin } from '../core';
import { Disposable } from '../core/lifecycle';
import type { HostToJobPanel, JobPanelToHost } from '../protocol';
import { config } from './config';
import { defaultExportUri } from './exportUri';
import { JobPanelFeed } from './jobPanelFeed';
import { errorText } from './log';
import { jobPanelMessage } from './messageSchemas';
import type { ArkorSession } from './session';
import { createPanel, registerPanelSerializer, WebviewHost } from './webviewHost';

const VIEW_TYPE = 'arkor.job';
/** workspaceState: ids of the job panels open in this window, for restoring them after a reload. */
const OPEN_PANELS_KEY = 'arkor.jobPanels.open';

/**
 * One editor tab per job: header, loss chart, checkpoints and log tail. Not retained when hidden
 * (GitLens' pattern): the host keeps the data in the job store and sends a full snapshot whenever the
 * webview (re)mounts and says `ready`, then deltas. Restored after a window reload by the serializer.
 */
export class JobPanels extends Disposable {
  private readonly panels = new Map<string, JobPanel>();
  private shuttingDown = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly memento: vscode.Memento,
    private readonly session: ArkorSession,
    private readonly log: vscode.LogOutputChannel,
    private readonly openFullLog: (jobId: string) => Promise<void> | void,
  ) {
    super();
    this._register(
      registerPanelSerializer(VIEW_TYPE, log, (panel, state) => {
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
        this.attach(panel, jobId, this.recordedOpen().find((r) => r.jobId === jobId)?.origin);
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
    const store = this.session.connection?.store;
    const known = store?.job(jobId)?.name;
    // Opened on an id alone (Run Training's "Started job <id>", before the list was read again):
    // read it now, so the tab and header get the job's name at once, not at the next idle poll.
    if (store && known === undefined) void store.refresh();
    const name = known ?? jobId.slice(0, 8);
    // A job is opened from the connection that lists it: that is the backend it belongs to.
    return this.attach(
      createPanel(VIEW_TYPE, `Job: ${name}`, this.extensionUri),
      jobId,
      this.session.origin(),
    );
  }

  get(jobId: string): JobPanel | undefined {
    return this.panels.get(jobId);
  }

  private attach(panel: vscode.WebviewPanel, jobId: string, origin: JobOrigin | undefined): JobPanel {
    const jobPanel = new JobPanel(
      panel,
      jobId,
      origin ?? this.session.origin(),
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

  private recordedOpen(): { jobId: string; title: string; origin?: JobOrigin }[] {
    return this.memento.get<{ jobId: string; title: string; origin?: JobOrigin }[]>(OPEN_PANELS_KEY) ?? [];
  }

  /** Remembers which tab (by title) shows which job. Titles change with job names, so re-recorded. */
  record(): void {
    const open = [...this.panels.values()].map((p) => ({
      jobId: p.jobId,
      title: p.panel.title,
      origin: p.origin,
    }));
    this.memento.update(OPEN_PANELS_KEY, open).then(undefined, (error: unknown) => {
      this.log.error(`Could not record the open job panels: ${errorText(error)}`);
    });
  }

  override dispose(): void {
    this.shuttingDown = true;
    for (const p of this.panels.values()) p.panel.dispose();
    super.dispose();
  }
}

export class JobPanel extends WebviewHost<JobPanelToHost, HostToJobPanel> {
  private watch: vscode.Disposable | undefined;
  private watchedStore: JobStore | undefined;
  private readonly feed: JobPanelFeed;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly jobId: string,
    /** The backend the job belongs to; undefined when opened before any connection. */
    public origin: JobOrigin | undefined,
    extensionUri: vscode.Uri,
    private readonly session: ArkorSession,
    log: vscode.LogOutputChannel,
    private readonly openFullLog: (jobId: string) => Promise<void> | void,
    private readonly onTitleChange: () => void,
  ) {
    super({
      name: `the panel of job ${jobId}`,
      extensionUri,
      log,
      schema: jobPanelMessage,
      html: { bundle: 'job', title: 'Arkor Job', data: { jobId } },
    });
    this.feed = new JobPanelFeed(jobId, () => this.session.connection?.store, this.channel);
    this.attachWebview(panel);
    this._register(session.onDidChangeStore((change) => this.onStoreChange(change)));
    this._register(session.onDidChange(() => this.ensureWatching()));
    this._register({ dispose: () => this.watch?.dispose() });
    this.ensureWatching();
  }

  /**
   * When the backend connected now is not the job's: both origins (the panel then shows where the job
   * is instead of a false status). A panel opened before any connection belongs to the first one.
   */
  private foreign(): { job: JobOrigin; connected: JobOrigin } | undefined {
    const connected = this.session.origin();
    if (!connected) return undefined;
    this.origin ??= connected;
    return sameOrigin(this.origin, connected) ? undefined : { job: this.origin, connected };
  }

  /** Keeps the job's event stream open in the current store; a reconnect brings a new store. */
  private ensureWatching(): void {
    const away = this.foreign() !== undefined;
    const store = away ? undefined : this.session.connection?.store;
    if (store === this.watchedStore && this.watch) return;
    this.watch?.dispose();
    this.watch = undefined;
    this.watchedStore = store;
    // No connection yet: the webview's `ready` connects. Connecting from here would retry in a loop,
    // since a failed connect fires the very change event that calls this. On another backend, the
    // job is not there (watching it would poll a 404): the snapshot says where it is.
    if (!store) {
      if (away) this.channel.resync();
      return;
    }
    this.watch = store.watch(this.jobId);
    // The webview holds the old store's data: start it over from this one.
    this.channel.resync();
  }

  protected override snapshot(): HostToJobPanel | undefined {
    const foreign = this.foreign();
    if (foreign) {
      return {
        type: 'elsewhere',
        belongsTo: foreign.job.label,
        connectedTo: foreign.connected.label,
        backend: foreign.job.backend,
      };
    }
    return this.feed.snapshot();
  }

  protected override async prepare(): Promise<void> {
    try {
      await this.session.connect();
    } catch (error) {
      // The session logs the failure too; the panel still mounts (with what the store has, if any).
      this.log.warn(`The panel of job ${this.jobId} could not connect: ${errorText(error)}`);
    }
    this.ensureWatching();
  }

  private onStoreChange(change: JobStoreChange): void {
    if (this.foreign()) return;
    this.feed.onStoreChange(change);
    if (change.kind === 'jobs' || (change.kind === 'status' && change.jobId === this.jobId))
      this.updateTitle();
  }

  private updateTitle(): void {
    const name = this.session.connection?.store.job(this.jobId)?.name;
    if (name === undefined || this.panel.title === `Job: ${name}`) return;
    this.panel.title = `Job: ${name}`;
    this.onTitleChange();
  }

  protected override async onMessage(message: Exclude<JobPanelToHost, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'cancelJob':
        return this.command('arkor.cancelJob', this.jobId);
      case 'openPlayground':
        return this.command('arkor.openPlayground', { jobId: this.jobId, step: message.step });
      case 'openFullLog':
        await this.openFullLog(this.jobId);
        return;
      case 'deploy':
        return this.command('arkor.deploy', { jobId: this.jobId, step: message.step });
      case 'switchBackend':
        if (this.origin)
          await config.update('backend', this.origin.backend, vscode.ConfigurationTarget.Global);
        return;
      case 'saveCsv': {
        const name = this.session.connection?.store.job(this.jobId)?.name ?? this.jobId;
        const target = await vscode.window.showSaveDialog({
          defaultUri: defaultExportUri(this.session, `${name}-metrics.csv`),
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
}
