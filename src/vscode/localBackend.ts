import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { Emitter } from '../core';
import { Disposable } from '../core/lifecycle';
import { BACKEND_LOG, type DiscoveryRecord, findOrStartBackend, processAlive } from '../core/sharedBackend';

/** How often the backend's process is checked, so a crash is noticed (and a new one started). */
const WATCH_MS = 2000;

/**
 * The embedded local backend, one per user, shared by every window (src/core/sharedBackend.ts): found
 * through the discovery file under the extension's global storage, or started detached by the first
 * window that needs it. It outlives a window reload (a training goes on) and exits by itself once
 * idle; this window never stops it, it only stops watching it.
 */
export class LocalBackendProcess extends Disposable {
  private record: DiscoveryRecord | undefined;
  private starting: Promise<string> | undefined;
  private watch: NodeJS.Timeout | undefined;
  private readonly _onDidChange = this._register(new Emitter<void>('a local backend listener'));
  readonly onDidChange = this._onDidChange.event;
  lastError: string | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly dataDir: string,
    /** The discovery folder (owner-only): backend.json, start.lock, backend.log. */
    private readonly discoveryDir: string,
    private readonly clientVersion: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
  }

  get url(): string | undefined {
    return this.record?.url;
  }

  get pid(): number | undefined {
    return this.record?.pid;
  }

  /**
   * The backend's only credential, new at each start of it and known to the windows of this user
   * through the owner-only discovery file: sign-up is closed to anyone else, so no other user of the
   * machine can use it. Never on a command line, in a log or a setting.
   */
  get hostToken(): string | undefined {
    return this.record?.hostToken;
  }

  /** The discovery file, for the tests that check the backend's life after VS Code's. */
  get discoveryFolder(): string {
    return this.discoveryDir;
  }

  /** The backend's base URL, finding or starting it if needed. */
  ensureStarted(): Promise<string> {
    if (this.record && processAlive(this.record.pid)) return Promise.resolve(this.record.url);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<string> {
    const main = vscode.Uri.joinPath(this.extensionUri, 'dist', 'backend', 'main.js').fsPath;
    try {
      const { record, started } = await findOrStartBackend({
        dir: this.discoveryDir,
        dataDir: this.dataDir,
        ...this.build(main),
        command: [process.execPath, main],
        // In desktop VS Code process.execPath is Electron; this makes it behave as plain Node.
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        clientVersion: this.clientVersion,
        log: (line) => this.log.info(line),
      });
      this.record = record;
      this.lastError = undefined;
      this.log.info(
        `${started ? 'Started' : 'Using'} the local backend at ${record.url} (pid ${record.pid}; its output: ${path.join(this.discoveryDir, BACKEND_LOG)})`,
      );
      this.watchProcess(record);
      this._onDidChange.fire();
      return record.url;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this._onDidChange.fire();
      throw error;
    }
  }

  /** This build's identity: the extension's version and a hash of the backend bundle it carries. */
  private build(main: string): { buildId: string; builtAt: number } {
    let version = '0.0.0';
    try {
      const pkg = vscode.Uri.joinPath(this.extensionUri, 'package.json').fsPath;
      version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? version;
    } catch {
      // The hash alone still tells builds apart.
    }
    const hash = createHash('sha256').update(readFileSync(main)).digest('hex').slice(0, 12);
    return { buildId: `${version}+${hash}`, builtAt: statSync(main).mtimeMs };
  }

  /** A backend that dies (crash, kill, idle exit) is noticed, so the session reconnects to a new one. */
  private watchProcess(record: DiscoveryRecord): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = setInterval(() => {
      if (processAlive(record.pid)) return;
      clearInterval(this.watch);
      this.watch = undefined;
      if (this.record !== record) return;
      this.record = undefined;
      this.lastError = `The local backend (pid ${record.pid}) stopped. It restarts on the next request.`;
      this.log.warn(this.lastError);
      this._onDidChange.fire();
    }, WATCH_MS);
  }

  override dispose(): void {
    // The backend is left running on purpose: other windows, and this one after a reload, use it,
    // and a training in it goes on. It exits by itself once idle.
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
    super.dispose();
  }
}
