import * as vscode from 'vscode';
import {
  ArkorApiClient,
  ArkorApiError,
  assertSafeCloudUrl,
  type BackendKind,
  backendLabel,
  bearerToken,
  type ConnectionState,
  type Credentials,
  clientJobSource,
  Emitter,
  ensureProjectState,
  failureState,
  type JobOrigin,
  JobStore,
  type JobStoreChange,
  NoProjectError,
  NotSignedInError,
  originOf,
  resolveBaseUrl,
  resolveScope,
  retryDelayMs,
  type Scope,
  UntrustedScopeError,
} from '../core';
import { Disposable, toDisposable } from '../core/lifecycle';
import type { BackendInfo } from '../protocol';
import { config, SETTINGS } from './config';
import type { LocalBackendProcess } from './localBackend';
import { SecretCredentialStore } from './secretStore';

/** The `X-Arkor-Client` the extension sends: the SDK version whose protocol it speaks. */
export const CLIENT_VERSION = 'arkor/0.0.3-alpha.1';

export type { BackendKind };

/**
 * The Arkor Cloud URL to use (arkor.cloud.apiUrl, then ARKOR_CLOUD_API_URL, then the URL stamped in
 * `credentials`, then the default), refused unless it is safe to send a token to.
 */
export function cloudBaseUrl(credentials?: Credentials): string {
  const baseUrl = resolveBaseUrl({ setting: config.cloudApiUrl(), env: process.env, credentials });
  assertSafeCloudUrl(baseUrl);
  return baseUrl;
}

/** Everything needed to talk to the chosen backend for the current project. */
export interface Connection {
  kind: BackendKind;
  baseUrl: string;
  client: ArkorApiClient;
  credentials: Credentials;
  scope: Scope;
  projectDir: string;
  store: JobStore;
}

/**
 * The live link between VS Code and one Arkor backend: which backend (setting `arkor.backend`), its
 * URL, the credentials from SecretStorage, the project scope, and the job store the views read.
 *
 * Its `state` (src/core/connection.ts) is what every surface renders. Connecting is lazy (merely
 * opening a folder never spawns the local backend), but once anything asked for a connection, the
 * session keeps one by itself: a change of backend, setting or credentials reconnects at once, an
 * unreachable backend is retried with backoff, a crashed local backend is restarted, and an outage
 * of a live connection shows within a poll and clears when the backend answers again.
 */
export class ArkorSession extends Disposable {
  private current: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private generation = 0;
  /** Someone asked for a connection: from then on it is kept up by itself. */
  private wanted = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAttempt = 0;
  /** The URL the current attempt talks to, so a failure names where it failed. */
  private attemptUrl: string | undefined;
  private currentState: ConnectionState;
  /** Why the last sign-in attempt gave no credentials, shown while signed out; cleared by a sign-in. */
  private failedSignIn: string | undefined;
  private readonly storeListeners: vscode.Disposable[] = [];
  private readonly _onDidChange = this._register(new Emitter<void>('a session listener'));
  private readonly _onDidChangeStore = this._register(new Emitter<JobStoreChange>('a store listener'));
  /** The backend, credentials or connection state changed. */
  readonly onDidChange = this._onDidChange.event;
  /** Forwarded from the current job store. */
  readonly onDidChangeStore = this._onDidChangeStore.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly localBackend: LocalBackendProcess,
    private readonly projectDir: () => Promise<string | undefined>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.currentState = this.idleState();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS.backend) || e.affectsConfiguration(SETTINGS.cloudApiUrl)) {
          this.reset('settings changed');
        } else if (e.affectsConfiguration(SETTINGS.pollIntervalSeconds)) {
          this.current?.store.setPollInterval(config.pollIntervalSeconds() * 1000);
        }
      }),
    );
    this._register(
      secrets.onDidChange((e) => {
        if (e.key === credentialKey('cloud')) this.failedSignIn = undefined;
        if (e.key === credentialKey(this.kind)) this.reset('credentials changed');
      }),
    );
    this._register(
      localBackend.onDidChange(() => {
        // The local backend process stopped under a live connection: reconnect, which restarts it.
        if (this.kind === 'local' && this.current && this.localBackend.url !== this.current.baseUrl) {
          this.reset('the local backend stopped');
        } else {
          this._onDidChange.fire();
        }
      }),
    );
    this._register(
      toDisposable(() => {
        this.generation++;
        if (this.retryTimer) clearTimeout(this.retryTimer);
        for (const d of this.storeListeners.splice(0)) d.dispose();
        this.current?.store.dispose();
      }),
    );
  }

  get kind(): BackendKind {
    return config.backend();
  }

  credentialStore(kind: BackendKind = this.kind): SecretCredentialStore {
    return new SecretCredentialStore(this.secrets, credentialKey(kind));
  }

  /** The connection if one is up, without starting anything. */
  get connection(): Connection | undefined {
    return this.current;
  }

  /** The folder of the project the session serves (the one picked for this workspace). */
  projectRoot(): Promise<string | undefined> {
    return this.projectDir();
  }

  /** Where the current connection's jobs belong (undefined while not connected). */
  origin(): JobOrigin | undefined {
    const c = this.current;
    return c && originOf(c.kind, c.baseUrl, c.scope.orgSlug, c.scope.projectSlug);
  }

  /** The connection as every surface shows it. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** Connects (starting the local backend, signing up anonymously there) if not yet connected. */
  connect(): Promise<Connection> {
    this.wanted = true;
    if (this.current) return Promise.resolve(this.current);
    if (this.connecting) return this.connecting;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const generation = this.generation;
    this.setState({
      phase: 'connecting',
      backend: this.kind,
      label: backendLabel(this.kind, this.kind === 'local' ? this.localBackend.url : undefined),
      actions: [],
    });
    this.connecting = this.open()
      .then((connection) => {
        if (generation !== this.generation) {
          // Settings or credentials changed while connecting (signing up anonymously stores new
          // credentials, for one): start over with the new ones.
          connection.store.dispose();
          this.connecting = undefined;
          return this.connect();
        }
        this.current = connection;
        this.retryAttempt = 0;
        for (const d of this.storeListeners.splice(0)) d.dispose();
        this.storeListeners.push(connection.store.onDidChange((change) => this.onStoreChange(change)));
        connection.store.start();
        this.setState(this.connectedState(connection));
        return connection;
      })
      .catch((error: unknown) => {
        if (generation === this.generation) this.fail(error);
        throw error;
      })
      .finally(() => {
        if (generation === this.generation) this.connecting = undefined;
      });
    return this.connecting;
  }

  /**
   * A sign-in (an anonymous sign-up, an import) failed: while signed out, the Jobs view and the status
   * bar say why, with the buttons that fix it, until a sign-in succeeds.
   */
  signInFailed(reason: string): void {
    this.failedSignIn = reason;
    if (this.currentState.phase === 'signed-out') this.fail(new NotSignedInError(reason));
  }

  /** Connect now, whatever the state (the Retry action). */
  retry(): Promise<Connection> {
    if (this.current && this.currentState.phase === 'connected') return Promise.resolve(this.current);
    if (this.current) {
      // A live connection in an outage: poll now instead of waiting for the backoff.
      void this.current.store.refresh();
      return Promise.resolve(this.current);
    }
    this.retryAttempt = 0;
    return this.connect();
  }

  /** What the views show about the backend. */
  info(): BackendInfo {
    const s = this.currentState;
    const failed = s.phase !== 'connected' && s.phase !== 'connecting' && s.phase !== 'idle';
    return {
      kind: s.backend,
      label: s.label,
      phase: s.phase,
      actions: s.actions,
      error: failed ? s.message : undefined,
    };
  }

  /** Drops the connection and, if one was wanted, builds a new one at once. */
  reset(reason: string): void {
    this.generation++;
    this.log.info(`Reconnecting (${reason})`);
    for (const d of this.storeListeners.splice(0)) d.dispose();
    this.current?.store.dispose();
    this.current = undefined;
    this.connecting = undefined;
    this.retryAttempt = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this._onDidChangeStore.fire({ kind: 'jobs', jobs: [] });
    if (this.wanted) {
      // Errors are the new state; nothing to do with them here.
      this.connect().catch(() => undefined);
    } else {
      this.setState(this.idleState());
    }
  }

  private idleState(): ConnectionState {
    return { phase: 'idle', backend: this.kind, label: backendLabel(this.kind, undefined), actions: [] };
  }

  private connectedState(c: Connection): ConnectionState {
    return { phase: 'connected', backend: c.kind, label: backendLabel(c.kind, c.baseUrl), actions: [] };
  }

  private setState(state: ConnectionState): void {
    const before = this.currentState;
    this.currentState = state;
    if (before.phase !== state.phase || before.message !== state.message || before.label !== state.label) {
      const detail = state.message ? `: ${state.message}` : '';
      const line = `Connection ${state.phase} (${state.label})${detail}`;
      if (state.phase === 'connected' || state.phase === 'connecting') this.log.info(line);
      else if (state.phase !== 'idle') this.log.warn(line);
    }
    this._onDidChange.fire();
  }

  /** A failed connection attempt: the state, and a retry when the backend was unreachable. */
  private fail(error: unknown): void {
    const state = failureState(error, this.kind, this.attemptUrl);
    if (state.phase === 'unreachable') {
      const delay = retryDelayMs(this.retryAttempt++);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.connect().catch(() => undefined);
      }, delay);
    }
    this.setState(state);
  }

  private onStoreChange(change: JobStoreChange): void {
    const c = this.current;
    if (c && change.kind === 'pollError') {
      // The store keeps polling with backoff; the state says why until a poll succeeds.
      const error =
        change.error instanceof ArkorApiError
          ? change.error
          : new ArkorApiError({ kind: 'network', message: change.message });
      this.setState(failureState(error, c.kind, c.baseUrl));
    } else if (
      c &&
      (change.kind === 'pollOk' || change.kind === 'jobs') &&
      this.currentState.phase !== 'connected'
    ) {
      this.setState(this.connectedState(c));
    }
    this._onDidChangeStore.fire(change);
  }

  private async open(): Promise<Connection> {
    const kind = this.kind;
    this.attemptUrl = undefined;
    const projectDir = await this.projectDir();
    this.log.info(`Connecting to the ${kind} backend for ${projectDir ?? '(no project)'}`);
    if (!projectDir) throw new NoProjectError();
    const store = this.credentialStore(kind);
    let credentials = await store.get();
    let baseUrl: string;
    if (kind === 'local') {
      baseUrl = await this.localBackend.ensureStarted();
    } else {
      if (!credentials) throw new NotSignedInError(this.failedSignIn);
      baseUrl = cloudBaseUrl(credentials);
    }
    this.attemptUrl = baseUrl;
    const client = new ArkorApiClient({
      baseUrl,
      clientVersion: CLIENT_VERSION,
      getToken: () => bearerToken(credentials),
      onDeprecation: (notice) => void vscode.window.showWarningMessage(`Arkor: ${notice.message}`),
    });
    if (kind === 'local') {
      // The user's shared backend accepts its host token only (sign-up is closed to others).
      const token = this.localBackend.hostToken;
      if (!token) throw new Error('The local backend started without its credential.');
      credentials = { mode: 'anon', token, anonymousId: 'arkor-vscode', orgSlug: 'local' };
    }
    if (!credentials) throw new NotSignedInError();
    // Local: the backend's project of this folder; the folder's .arkor/state.json (its Arkor Cloud
    // scope, if any) is left alone. Cloud: as the SDK does before a run, a usable state file, created
    // for anonymous users; a stale one (another identity's) is never overwritten.
    // An untrusted workspace is only read: its state file is used if usable, never created.
    const scope =
      kind === 'local'
        ? await client.localProject(projectDir)
        : vscode.workspace.isTrusted
          ? await ensureProjectState({ projectDir, credentials, client })
          : await readOnlyScope(projectDir, credentials);
    // The proof: reachable, the credentials accepted, and the scope known there. Until this answers,
    // nothing says "connected" (a dead URL or a stale state file would look like an empty account).
    await client.listJobs(scope);
    const signedIn = credentials;
    const jobStore = new JobStore({
      source: clientJobSource(client, scope),
      pollIntervalMs: config.pollIntervalSeconds() * 1000,
      secrets: () => [bearerToken(signedIn)],
    });
    this.log.info(`Connected to the ${kind} backend at ${baseUrl} (${scope.orgSlug}/${scope.projectSlug})`);
    return { kind, baseUrl, client, credentials, scope, projectDir, store: jobStore };
  }
}

async function readOnlyScope(projectDir: string, credentials: Credentials): Promise<Scope> {
  const resolved = await resolveScope(projectDir, credentials);
  if (resolved.kind === 'ok') return resolved.state;
  throw new UntrustedScopeError(
    resolved.kind === 'missing'
      ? 'This project has no .arkor/state.json yet, and Arkor does not create one in an untrusted workspace. Trust the workspace to connect it to Arkor Cloud.'
      : "This project's .arkor/state.json belongs to another Arkor Cloud identity, and Arkor does not replace it in an untrusted workspace. Trust the workspace, then choose a project.",
  );
}

function credentialKey(kind: BackendKind): string {
  return `arkor.credentials.${kind}`;
}
