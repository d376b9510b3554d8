import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { isActiveStatus, type JobOrigin, type JobStore, type JobStoreChange, sameOrigin } from '../core';
import { Disposable } from '../core/lifecycle';
import type { HostToJobPanel, JobPanelToHost } from '../protocol';
import { config } from './config';
import { defaultExportUri } from './exportUri';
import { JobPanelFeed } from './jobPanelFeed';
import { errorText } from './log';
import type { ArkorSession } from './session';
import { createPanel, registerPanelSerializer, restoredItemId, WebviewHost } from './webviewHost';

const VIEW_TYPE = 'arkor.job';
/** workspaceState: ids of the job panels open in this window, for restoring them after a reload. */
const OPEN_PANELS_KEY = 'arkor.jobPanels.open';
/** How long a restored tab may take to be revived once shown before a new tab replaces it. */
const REVIVE_TIMEOUT_MS = 5000;
const FOCUS_GROUP_COMMANDS = [
  'workbench.action.focusFirstEditorGroup',
  'workbench.action.focusSecondEditorGroup',
  'workbench.action.focusThirdEditorGroup',
  'workbench.action.focusFourthEditorGroup',
  'workbench.action.focusFifthEditorGroup',
  'workbench.action.focusSixthEditorGroup',
  'workbench.action.focusSeventhEditorGroup',
  'workbench.action.focusEighthEditorGroup',
];

/**
 * One editor tab per job: header, loss chart, checkpoints and log tail. Not retained when hidden
 * (GitLens' pattern): the host keeps the data in the job store and sends a full snapshot whenever the
 * webview (re)mounts and says `ready`, then deltas. Restored after a window reload by the serializer.
 */
export class JobPanels extends Disposable {
  private readonly panels = new Map<string, JobPanel>();
  /** Jobs whose restored tab is being shown: resolved with the panel the serializer revives. */
  private readonly revivals = new Map<string, (panel: JobPanel) => void>();
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
        const jobId =
          restoredItemId(state, 'job') ??
          this.recordedOpen().find((r) => r.title === panel.title && !this.panels.has(r.jobId))?.jobId;
        this.log.info(`Restoring a job panel (job ${jobId ?? 'unknown'})`);
        if (typeof jobId !== 'string') {
          panel.dispose();
          return;
        }
        this.attach(panel, jobId, this.recordedOpen().find((r) => r.jobId === jobId)?.origin);
      }),
    );
  }

  /**
   * Opens (or reveals) the panel of a job: its live panel; else its tab restored after a reload
   * (VS Code revives a restored webview tab only when it is shown, so until then the job has no live
   * panel here, and opening a new one would put a second tab beside it); else a new tab.
   */
  async open(jobId: string): Promise<JobPanel> {
    const existing = this.panels.get(jobId);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const restored = await this.reviveRestored(jobId);
    if (restored) return restored;
    const store = this.session.connection?.store;
    // Opened on an id alone (Run Training's "Started job <id>", before the list was read again):
    // read it now, so the tab and header get the job's run label at once, not at the next idle poll.
    if (store && store.job(jobId) === undefined) void store.refresh();
    // A job is opened from the connection that lists it: that is the backend it belongs to.
    return this.attach(
      createPanel(VIEW_TYPE, this.titleOf(jobId), this.extensionUri),
      jobId,
      this.session.origin(),
    );
  }

  /**
   * Opens the panel of the job a run just started, as VS Code opens a preview editor: it replaces
   * the panel the previous run opened when that one is still a preview (the user has not clicked or
   * typed in it) and its job has ended, so repeated runs do not pile up tabs. A used panel, a live
   * job's panel, and every panel opened by hand stay.
   */
  async openRun(jobId: string): Promise<JobPanel> {
    if (this.panels.has(jobId) || this.restoredTab(jobId)) return this.open(jobId);
    const store = this.session.connection?.store;
    const preview = [...this.panels.values()].find(
      (p) => p.preview && !isActiveStatus(store?.status(p.jobId)),
    );
    let panel: JobPanel;
    if (preview) {
      const surface = preview.panel;
      this.log.info(`The panel of job ${preview.jobId} (a preview) now shows job ${jobId}`);
      this.panels.delete(preview.jobId);
      preview.dispose();
      surface.title = this.titleOf(jobId);
      panel = this.attach(surface, jobId, this.session.origin());
      surface.reveal();
    } else {
      panel = await this.open(jobId);
    }
    panel.preview = true;
    return panel;
  }

  get(jobId: string): JobPanel | undefined {
    return this.panels.get(jobId);
  }

  /** The tab title of a job: `Job: captain-speak #3` (its run label), the id while it is unknown. */
  private titleOf(jobId: string): string {
    const store = this.session.connection?.store;
    return `Job: ${store?.runLabel(jobId) ?? store?.job(jobId)?.name ?? jobId.slice(0, 8)}`;
  }

  /** The tab of a job restored after a reload and not revived yet (by its recorded title). */
  private restoredTab(jobId: string): vscode.Tab | undefined {
    const title = this.recordedOpen().find((r) => r.jobId === jobId)?.title;
    if (title === undefined) return undefined;
    const live = new Set([...this.panels.values()].map((p) => p.panel.title));
    if (live.has(title)) return undefined;
    return vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find(
        (t) =>
          t.input instanceof vscode.TabInputWebview &&
          t.input.viewType.endsWith(VIEW_TYPE) &&
          t.label === title,
      );
  }

  /**
   * Shows the restored tab of a job so VS Code revives it through the serializer, and returns its
   * panel. There is no API to reveal a tab: its group is focused and the tab opened by index. If it
   * does not revive in time, the stale tab is closed (the caller opens a fresh one in its place).
   */
  private async reviveRestored(jobId: string): Promise<JobPanel | undefined> {
    const tab = this.restoredTab(jobId);
    if (!tab) return undefined;
    const revived = new Promise<JobPanel | undefined>((resolve) => {
      this.revivals.set(jobId, resolve);
      setTimeout(() => resolve(undefined), REVIVE_TIMEOUT_MS);
    });
    try {
      const column = tab.group.viewColumn;
      if (!tab.group.isActive) {
        await vscode.commands.executeCommand(
          FOCUS_GROUP_COMMANDS[column - 1] ?? 'workbench.action.focusFirstEditorGroup',
        );
      }
      await vscode.commands.executeCommand('workbench.action.openEditorAtIndex', tab.group.tabs.indexOf(tab));
      const panel = await revived;
      if (panel) return panel;
      this.log.warn(`The restored tab of job ${jobId} did not come back; opening a new one instead`);
      await vscode.window.tabGroups.close(tab);
      return undefined;
    } finally {
      this.revivals.delete(jobId);
    }
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
    // Owned by the host object: a preview panel handed to the next run's job drops it with its host.
    jobPanel.own(
      panel.onDidDispose(() => {
        if (this.panels.get(jobId) === jobPanel) this.panels.delete(jobId);
        jobPanel.dispose();
        // Closed by the user (not by the window going away): forget it.
        if (!this.shuttingDown) this.record();
      }),
    );
    this.revivals.get(jobId)?.(jobPanel);
    return jobPanel;
  }

  private recordedOpen(): { jobId: string; title: string; origin?: JobOrigin }[] {
    return this.memento.get<{ jobId: string; title: string; origin?: JobOrigin }[]>(OPEN_PANELS_KEY) ?? [];
  }

  /**
   * Remembers which tab (by title) shows which job. Titles change with job names, so re-recorded.
   * Tabs restored after a reload but not revived yet (VS Code revives a tab when it is shown) keep
   * their record: without it, clicking their job could not find them and would open a second tab.
   */
  record(): void {
    const open = [...this.panels.values()].map((p) => ({
      jobId: p.jobId,
      title: p.panel.title,
      origin: p.origin,
    }));
    const live = new Set(open.map((p) => p.jobId));
    const titles = new Set(
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE))
        .map((t) => t.label),
    );
    const liveTitles = new Set(open.map((p) => p.title));
    for (const r of this.recordedOpen()) {
      if (!live.has(r.jobId) && titles.has(r.title) && !liveTitles.has(r.title))
        open.push({ ...r, origin: r.origin });
    }
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
  /** Opened by a run and not used yet: the next run's panel may take its place (JobPanels.openRun). */
  preview = false;
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
      item: { kind: 'job', id: jobId },
      extensionUri,
      log,
      bundle: 'job',
      commands: {
        cancelJob: () => ['arkor.cancelJob', jobId],
        resumeJob: () => ['arkor.resumeJob', jobId],
        rerunJob: () => ['arkor.rerunJob', jobId],
        openPlayground: ({ step }) => ['arkor.openPlayground', { jobId, step }],
        deploy: ({ step }) => ['arkor.deploy', { jobId, step }],
      },
    });
    this.feed = new JobPanelFeed(
      jobId,
      () => this.session.connection?.store,
      this.channel,
      () => this.session.connection?.kind,
    );
    this.attachWebview(panel);
    this._register(session.onDidChangeStore((change) => this.onStoreChange(change)));
    this._register(session.onDidChange(() => this.ensureWatching()));
    this._register({ dispose: () => this.watch?.dispose() });
    this.ensureWatching();
  }

  /** Ties `subscription` to this host's lifetime (not to its panel's). */
  own(subscription: vscode.Disposable): void {
    this._register(subscription);
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
    const label = this.session.connection?.store.runLabel(this.jobId);
    if (label === undefined || this.panel.title === `Job: ${label}`) return;
    this.panel.title = `Job: ${label}`;
    this.onTitleChange();
  }

  protected override async onMessage(message: Exclude<JobPanelToHost, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'openFullLog':
        await this.openFullLog(this.jobId);
        return;
      case 'switchBackend':
        if (this.origin)
          await config.update('backend', this.origin.backend, vscode.ConfigurationTarget.Global);
        return;
      case 'pin':
        this.preview = false;
        return;
      case 'moreRows':
        // A panel showing that the job is elsewhere loads nothing from the backend connected now.
        if (!this.foreign()) this.feed.moreRows();
        return;
      case 'saveCsv': {
        const name = this.session.connection?.store.runLabel(this.jobId) ?? this.jobId;
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
