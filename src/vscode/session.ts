import * as vscode from 'vscode';
import {
  ArkorApiClient,
  assertSafeCloudUrl,
  bearerToken,
  type Credentials,
  clientJobSource,
  ensureCredentials,
  ensureProjectState,
  JobStore,
  type JobStoreChange,
  resolveBaseUrl,
  resolveScope,
  type Scope,
} from '../core';
import type { BackendInfo } from '../protocol';
import type { LocalBackendProcess } from './localBackend';
import { SecretCredentialStore } from './secretStore';

/** The `X-Arkor-Client` the extension sends: the SDK version whose protocol it speaks. */
export const CLIENT_VERSION = 'arkor/0.0.3-alpha.1';

export type BackendKind = 'local' | 'cloud';

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
 * Rebuilt whenever any of those change. Connecting is lazy: nothing starts until a view or command
 * needs it, so merely opening a folder never spawns the local backend.
 */
export class ArkorSession implements vscode.Disposable {
  private current: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private error: string | undefined;
  private generation = 0;
  private readonly storeListeners: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changedEmitter = new vscode.EventEmitter<void>();
  private readonly storeEmitter = new vscode.EventEmitter<JobStoreChange>();
  /** The backend, credentials or connection state changed. */
  readonly onDidChange = this.changedEmitter.event;
  /** Forwarded from the current job store. */
  readonly onDidChangeStore = this.storeEmitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly localBackend: LocalBackendProcess,
    private readonly projectDir: () => Promise<string | undefined>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.changedEmitter,
      this.storeEmitter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('arkor.backend') || e.affectsConfiguration('arkor.cloud.apiUrl')) {
          this.reset('settings changed');
        } else if (e.affectsConfiguration('arkor.jobs.pollIntervalSeconds')) {
          this.current?.store.setPollInterval(pollIntervalMs());
        }
      }),
      secrets.onDidChange((e) => {
        if (e.key === credentialKey(this.kind)) this.reset('credentials changed');
      }),
      localBackend.onDidChange(() => this.changedEmitter.fire()),
    );
  }

  get kind(): BackendKind {
    return vscode.workspace.getConfiguration('arkor').get<BackendKind>('backend') === 'cloud'
      ? 'cloud'
      : 'local';
  }

  credentialStore(kind: BackendKind = this.kind): SecretCredentialStore {
    return new SecretCredentialStore(this.secrets, credentialKey(kind));
  }

  /** The connection if one is up, without starting anything. */
  get connection(): Connection | undefined {
    return this.current;
  }

  /** Connects (starting the local backend, signing up anonymously there) if not yet connected. */
  connect(): Promise<Connection> {
    if (this.current) return Promise.resolve(this.current);
    const generation = this.generation;
    this.connecting ??= this.open()
      .then((connection) => {
        if (generation !== this.generation) {
          // Settings or credentials changed while connecting (signing up anonymously stores new
          // credentials, for one): start over with the new ones.
          connection.store.dispose();
          this.connecting = undefined;
          return this.connect();
        }
        this.current = connection;
        this.error = undefined;
        for (const d of this.storeListeners.splice(0)) d.dispose();
        this.storeListeners.push(connection.store.onDidChange((change) => this.storeEmitter.fire(change)));
        connection.store.start();
        this.changedEmitter.fire();
        return connection;
      })
      .catch((error: unknown) => {
        this.error = error instanceof Error ? error.message : String(error);
        this.log.error(`Could not connect to the ${this.kind} backend: ${this.error}`);
        this.changedEmitter.fire();
        throw error;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** What the views show about the backend. */
  info(): BackendInfo {
    const kind = this.kind;
    const error = this.error ?? (kind === 'local' ? this.localBackend.lastError : undefined);
    const label =
      kind === 'local'
        ? `Local backend${this.localBackend.url ? ` · ${new URL(this.localBackend.url).host}` : ''}`
        : `Arkor Cloud · ${this.current ? new URL(this.current.baseUrl).host : 'not connected'}`;
    return { kind, label, error };
  }

  /** Drops the connection; the next `connect()` builds a new one. */
  reset(reason: string): void {
    this.generation++;
    this.log.info(`Reconnecting (${reason})`);
    for (const d of this.storeListeners.splice(0)) d.dispose();
    this.current?.store.dispose();
    this.current = undefined;
    this.error = undefined;
    this.changedEmitter.fire();
    this.storeEmitter.fire({ kind: 'jobs', jobs: [] });
  }

  private async open(): Promise<Connection> {
    const kind = this.kind;
    const projectDir = await this.projectDir();
    this.log.info(`Connecting to the ${kind} backend for ${projectDir ?? '(no project)'}`);
    if (!projectDir) throw new Error('Open a folder that contains an Arkor project (src/arkor/index.ts).');
    const store = this.credentialStore(kind);
    let credentials = await store.get();
    let baseUrl: string;
    if (kind === 'local') {
      baseUrl = await this.localBackend.ensureStarted();
    } else {
      const setting = vscode.workspace.getConfiguration('arkor').get<string>('cloud.apiUrl') ?? '';
      baseUrl = resolveBaseUrl({ setting, env: process.env, credentials });
      assertSafeCloudUrl(baseUrl);
    }
    const client = new ArkorApiClient({
      baseUrl,
      clientVersion: CLIENT_VERSION,
      getToken: () => bearerToken(credentials),
      onDeprecation: (notice) => void vscode.window.showWarningMessage(`Arkor: ${notice.message}`),
    });
    if (kind === 'local') {
      // Like `arkor dev`: an anonymous identity on first use, kept in SecretStorage.
      credentials = await ensureCredentials(store, client);
    } else if (!credentials) {
      throw new Error('Not signed in to Arkor Cloud. Run "Arkor: Sign In".');
    }
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
    const jobStore = new JobStore({
      source: clientJobSource(client, scope),
      pollIntervalMs: pollIntervalMs(),
      secrets: () => [bearerToken(credentials)],
    });
    this.log.info(`Connected to the ${kind} backend at ${baseUrl} (${scope.orgSlug}/${scope.projectSlug})`);
    return { kind, baseUrl, client, credentials, scope, projectDir, store: jobStore };
  }

  dispose(): void {
    this.generation++;
    for (const d of this.storeListeners.splice(0)) d.dispose();
    this.current?.store.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

async function readOnlyScope(projectDir: string, credentials: Credentials): Promise<Scope> {
  const resolved = await resolveScope(projectDir, credentials);
  if (resolved.kind === 'ok') return resolved.state;
  throw new Error(
    resolved.kind === 'missing'
      ? 'This project has no .arkor/state.json yet, and Arkor does not create one in an untrusted workspace. Trust the workspace to connect it to Arkor Cloud.'
      : "This project's .arkor/state.json belongs to another Arkor Cloud identity. Sign in with that account.",
  );
}

function credentialKey(kind: BackendKind): string {
  return `arkor.credentials.${kind}`;
}

function pollIntervalMs(): number {
  const seconds = vscode.workspace.getConfiguration('arkor').get<number>('jobs.pollIntervalSeconds') ?? 5;
  return Math.max(1, seconds) * 1000;
}
