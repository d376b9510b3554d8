import * as vscode from 'vscode';
import {
  ArkorApiError,
  deploymentBaseUrl,
  endpointSample,
  keySummary,
  retentionFields,
  SAMPLE_LANGUAGES,
  targetOptions,
} from '../core';
import { Disposable } from '../core/lifecycle';
import type {
  EndpointPanelToHost,
  EndpointPatch,
  EndpointRunSummary,
  EndpointSample,
  HostToEndpointPanel,
  IssuedKey,
  ModelRef,
} from '../protocol';
import type {
  CreatedDeploymentKey,
  Deployment,
  DeploymentKey,
  DeploymentRequest,
  UpdateDeploymentRequest,
} from '../wire';
import type { Endpoints } from './endpoints';
import { errorText } from './log';
import { BASE_MODELS } from './playgroundPanel';
import type { ArkorSession } from './session';
import { createPanel, registerPanelSerializer, restoredItemId, WebviewHost } from './webviewHost';

const VIEW_TYPE = 'arkor.endpoint';
/** The panel refreshes its endpoint, keys and requests this often while visible. */
const PANEL_POLL_MS = 10_000;
const RUNS_SHOWN = 50;

/** One editor tab per endpoint, restored after a reload (the webview's state names it). */
export class EndpointPanels extends Disposable {
  private readonly panels = new Map<string, EndpointPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: ArkorSession,
    private readonly endpoints: Endpoints,
    private readonly log: vscode.LogOutputChannel,
    private readonly openPlayground: (model: ModelRef) => void,
  ) {
    super();
    this._register(
      registerPanelSerializer(VIEW_TYPE, log, (panel, state) => {
        const id = restoredItemId(state, 'endpoint');
        if (id === undefined || this.panels.has(id)) {
          panel.dispose();
          return;
        }
        this.attach(panel, id);
      }),
    );
  }

  open(id: string): EndpointPanel {
    const existing = this.panels.get(id);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const slug = this.endpoints.find(id)?.slug ?? id.slice(0, 8);
    return this.attach(createPanel(VIEW_TYPE, `Endpoint: ${slug}`, this.extensionUri), id);
  }

  get(id: string): EndpointPanel | undefined {
    return this.panels.get(id);
  }

  /** The key an endpoint's panel shows now (issued, not yet confirmed saved), for Try in Playground. */
  pendingKey(id: string): string | undefined {
    return this.panels.get(id)?.pendingKey;
  }

  private attach(panel: vscode.WebviewPanel, id: string): EndpointPanel {
    const host = new EndpointPanel(panel, id, this.extensionUri, this.session, this.endpoints, this.log, {
      openPlayground: this.openPlayground,
      reopen: () => this.open(id),
    });
    this.panels.set(id, host);
    panel.onDidDispose(() => {
      if (this.panels.get(id) === host) this.panels.delete(id);
      host.dispose();
    });
    return host;
  }

  override dispose(): void {
    for (const p of [...this.panels.values()]) p.closeQuietly();
    super.dispose();
  }
}

/**
 * The panel of one endpoint. The host owns its data (the endpoint, its keys, its recent requests) and
 * every change goes through the API client here; the webview asks and renders.
 *
 * A just-issued key's secret is held in this object's memory only until the user confirms saving it
 * (or revokes it, deletes the endpoint, or closes the tab): the panel is not retained while hidden, so
 * without it switching tabs would lose the only copy. It is never logged, stored or persisted; closing
 * the tab with it unconfirmed says so and offers another key.
 */
export class EndpointPanel extends WebviewHost<EndpointPanelToHost, HostToEndpointPanel> {
  private deployment: Deployment | undefined;
  private keys: DeploymentKey[] = [];
  private runs: DeploymentRequest[] | undefined;
  private loadError: string | undefined;
  private issued: CreatedDeploymentKey | undefined;
  private timer: NodeJS.Timeout | undefined;
  private quiet = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly endpointId: string,
    extensionUri: vscode.Uri,
    private readonly session: ArkorSession,
    private readonly endpoints: Endpoints,
    log: vscode.LogOutputChannel,
    private readonly links: { openPlayground(model: ModelRef): void; reopen(): void },
  ) {
    super({
      item: { kind: 'endpoint', id: endpointId },
      extensionUri,
      log,
      bundle: 'endpoint',
    });
    this.deployment = endpoints.find(endpointId);
    this.attachWebview(panel);
    // A new connection (another backend, or the local one restarted): load from it; otherwise the
    // state changed (an outage, say), which the snapshot's banner shows.
    let connection = session.connection;
    this._register(
      session.onDidChange(() => {
        if (session.connection !== connection) {
          connection = session.connection;
          if (connection && this.channel.isMounted) void this.run('reloading', () => this.load());
        }
        this.channel.resync();
      }),
    );
    // Job names and checkpoints feed the target label and the re-target list.
    this._register(
      session.onDidChangeStore((c) => {
        if (c.kind === 'jobs' || c.kind === 'checkpoints') this.postTargets();
      }),
    );
    this._register(
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.startPolling();
        else this.stopPolling();
      }),
    );
    this._register({ dispose: () => this.stopPolling() });
    if (panel.visible) this.startPolling();
  }

  /** The issued key on screen, not yet confirmed saved. */
  get pendingKey(): string | undefined {
    return this.issued?.plaintext;
  }

  /** The window is closing: no "key lost" warning for a panel VS Code will restore without it. */
  closeQuietly(): void {
    this.quiet = true;
    this.panel.dispose();
  }

  private startPolling(): void {
    this.timer ??= setInterval(() => void this.run('refreshing', () => this.load()), PANEL_POLL_MS);
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  protected override async prepare(): Promise<void> {
    // Not connected: `load` puts the reason in the snapshot (the session logged the failure).
    await this.session.connect().catch(() => undefined);
    await this.load();
  }

  /** Reloads the endpoint, its keys and (when retained, on the local backend) its requests. */
  private async load(): Promise<void> {
    const c = this.session.connection;
    if (!c) {
      this.loadError = this.session.info().error ?? 'Not connected to an Arkor backend.';
      this.channel.resync();
      return;
    }
    try {
      const [deployment, keys] = await Promise.all([
        c.client.getDeployment(c.scope, this.endpointId),
        c.client.listDeploymentKeys(c.scope, this.endpointId),
      ]);
      this.deployment = deployment;
      this.keys = keys;
      this.loadError = undefined;
      this.endpoints.put(deployment);
      this.updateTitle();
      this.runs = await this.loadRuns();
    } catch (error) {
      this.loadError = errorText(error);
      if (error instanceof ArkorApiError && error.kind === 'not-found') {
        // Deleted elsewhere: say so instead of showing settings that no longer exist.
        this.deployment = undefined;
        this.keys = [];
        this.endpoints.remove(this.endpointId);
      }
    }
    this.channel.resync();
  }

  /** Stored requests: read from the local backend only (Arkor Cloud publishes no such route). */
  private async loadRuns(): Promise<DeploymentRequest[] | undefined> {
    const c = this.session.connection;
    if (c?.kind !== 'local' || this.deployment?.runRetentionMode === 'disabled') return undefined;
    try {
      return await c.client.listDeploymentRequests(c.scope, this.endpointId, { limit: RUNS_SHOWN });
    } catch (error) {
      this.log.warn(`Could not read the requests of endpoint ${this.endpointId}: ${errorText(error)}`);
      return this.runs;
    }
  }

  private updateTitle(): void {
    if (this.deployment) this.panel.title = `Endpoint: ${this.deployment.slug}`;
  }

  protected override snapshot(): HostToEndpointPanel {
    const d = this.deployment;
    return {
      type: 'snapshot',
      endpoint: d && this.endpoints.summary(d),
      keys: this.keys.map(keySummary),
      runs: this.runs?.map(runSummary),
      targets: this.targets(),
      samples: d ? samples(d) : [],
      backend: this.session.info(),
      error: this.loadError,
      issuedKey: this.issued && issuedKey(this.issued),
    };
  }

  private targets() {
    const store = this.session.connection?.store;
    return store ? targetOptions(store, BASE_MODELS) : [];
  }

  private postTargets(): void {
    if (!this.channel.isReady) return;
    this.channel.postDelta({ type: 'targets', targets: this.targets() });
    if (this.deployment) this.postEndpoint(this.deployment);
  }

  private postEndpoint(d: Deployment): void {
    this.channel.postDelta({ type: 'endpoint', endpoint: this.endpoints.summary(d), samples: samples(d) });
  }

  protected override async onMessage(
    message: Exclude<EndpointPanelToHost, { type: 'ready' }>,
  ): Promise<void> {
    switch (message.type) {
      case 'update':
      case 'issueKey':
      case 'revokeKey':
      case 'deleteEndpoint':
        return this.mutate(message);
      case 'acknowledgeKey':
        this.issued = undefined;
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage(`Copied the ${message.what}`, 3000);
        return;
      case 'copyIssuedKey':
        if (!this.issued) return;
        await vscode.env.clipboard.writeText(this.issued.plaintext);
        vscode.window.setStatusBarMessage(`Copied the API key ${this.issued.prefix}…`, 3000);
        return;
      case 'tryInPlayground':
        if (this.deployment) {
          this.links.openPlayground({
            kind: 'endpoint',
            endpointId: this.endpointId,
            slug: this.deployment.slug,
          });
        }
        return;
      case 'refresh':
        await this.load();
        return;
    }
  }

  /** Runs one change the panel asked for and answers `done` with the error to show, if any. */
  private async mutate(
    message: Extract<EndpointPanelToHost, { type: 'update' | 'issueKey' | 'revokeKey' | 'deleteEndpoint' }>,
  ): Promise<void> {
    let error: string | undefined;
    try {
      const c = await this.session.connect();
      const id = this.endpointId;
      switch (message.type) {
        case 'update': {
          const d = await c.client.updateDeployment(c.scope, id, updateBody(message.patch));
          this.deployment = d;
          this.endpoints.put(d);
          if (message.patch.retention) this.runs = await this.loadRuns();
          this.postEndpoint(d);
          this.channel.postDelta({ type: 'runs', runs: this.runs?.map(runSummary) });
          break;
        }
        case 'issueKey': {
          const key = await c.client.createDeploymentKey(c.scope, id, { label: message.label });
          this.issued = key;
          this.channel.postDelta({ type: 'keyIssued', key: issuedKey(key) });
          await this.reloadKeys();
          break;
        }
        case 'revokeKey': {
          await c.client.revokeDeploymentKey(c.scope, id, message.keyId);
          // A revoked key's secret is worthless: no reason to keep it, nor to warn about losing it.
          if (this.issued?.id === message.keyId) this.issued = undefined;
          this.keys = this.keys.map((k) => (k.id === message.keyId ? { ...k, enabled: false } : k));
          await this.reloadKeys();
          break;
        }
        case 'deleteEndpoint': {
          await c.client.deleteDeployment(c.scope, id);
          const slug = this.deployment?.slug ?? id;
          // The confirmation said the key on screen goes with it.
          this.issued = undefined;
          this.endpoints.remove(id);
          this.channel.post({ type: 'done', requestId: message.requestId });
          void vscode.window.showInformationMessage(`Arkor: deleted endpoint ${slug}.`);
          this.panel.dispose();
          return;
        }
      }
    } catch (e) {
      error = errorText(e);
      this.log.warn(`Endpoint ${this.endpointId}: ${message.type} failed: ${error}`);
      // The endpoint may be gone (deleted elsewhere): the next load says so.
      if (e instanceof ArkorApiError && e.kind === 'not-found') void this.load();
    }
    this.channel.post({ type: 'done', requestId: message.requestId, error });
  }

  private async reloadKeys(): Promise<void> {
    const c = this.session.connection;
    if (!c) return;
    try {
      this.keys = await c.client.listDeploymentKeys(c.scope, this.endpointId);
    } catch (error) {
      this.log.warn(`Could not reload the keys of endpoint ${this.endpointId}: ${errorText(error)}`);
    }
    this.channel.postDelta({ type: 'keys', keys: this.keys.map(keySummary) });
  }

  protected override onWebviewDisposed(): void {
    const lost = this.issued;
    this.issued = undefined;
    if (!lost || this.quiet) return;
    const slug = this.deployment?.slug ?? this.endpointId;
    void vscode.window
      .showWarningMessage(
        `Arkor: the API key "${lost.label}" (${lost.prefix}…) of endpoint ${slug} was closed before you confirmed saving it. It cannot be shown again.`,
        'Issue Another',
        'Revoke It',
      )
      .then(async (choice) => {
        if (choice === 'Issue Another') this.links.reopen();
        if (choice === 'Revoke It') {
          const c = this.session.connection;
          await c?.client.revokeDeploymentKey(c.scope, this.endpointId, lost.id);
          void vscode.window.showInformationMessage(`Arkor: revoked the key "${lost.label}".`);
        }
      })
      .then(
        undefined,
        (error: unknown) =>
          void vscode.window.showErrorMessage(`Arkor: could not revoke the key: ${errorText(error)}`),
      );
  }
}

function updateBody(patch: EndpointPatch): UpdateDeploymentRequest {
  return {
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    ...(patch.authMode ? { authMode: patch.authMode } : {}),
    ...(patch.target ? { target: patch.target } : {}),
    ...(patch.retention ? retentionFields(patch.retention) : {}),
  };
}

function issuedKey(k: CreatedDeploymentKey): IssuedKey {
  return { id: k.id, label: k.label, prefix: k.prefix, createdAt: k.createdAt, plaintext: k.plaintext };
}

/** Every sample, for the endpoint's real URL and auth mode (the key stays a placeholder). */
function samples(d: Deployment): EndpointSample[] {
  const baseUrl = deploymentBaseUrl(d);
  return SAMPLE_LANGUAGES.flatMap(({ id }) =>
    [false, true].map((stream) => ({
      language: id,
      stream,
      code: endpointSample({ language: id, baseUrl, authMode: d.authMode, stream }),
    })),
  );
}

function runSummary(r: DeploymentRequest): EndpointRunSummary {
  const preview = r.preview ? `${r.preview.prompt} → ${r.preview.reply}` : (r.error ?? '');
  return {
    id: r.id,
    time: r.at,
    status: String(r.status),
    latencyMs: r.latencyMs,
    promptTokens: r.promptTokens ?? undefined,
    completionTokens: r.completionTokens ?? undefined,
    preview,
  };
}
