import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { Emitter } from '../core';
import { Disposable } from '../core/lifecycle';

/**
 * The embedded local backend as a child process of the extension host, started on demand and
 * stopped with the extension. It is a plain Node program (dist/backend/main.js) run by the extension
 * host's own runtime; it also exits by itself when its stdin pipe closes, so it cannot outlive a
 * crashed extension host.
 */
export class LocalBackendProcess extends Disposable {
  private child: ChildProcess | undefined;
  private starting: Promise<string> | undefined;
  private readonly _onDidChange = this._register(new Emitter<void>('a local backend listener'));
  readonly onDidChange = this._onDidChange.event;
  url: string | undefined;
  lastError: string | undefined;
  /**
   * The only credential of the backend this extension host started (new at each start): sign-up is
   * closed to anyone else, so no other user of this machine can use it. Given to the backend through
   * its environment, never its command line (which other users can read).
   */
  hostToken: string | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly dataDir: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
  }

  /** The backend's base URL, starting it if needed. */
  ensureStarted(): Promise<string> {
    if (this.url && this.child && this.child.exitCode === null) return Promise.resolve(this.url);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): Promise<string> {
    mkdirSync(this.dataDir, { recursive: true });
    const main = vscode.Uri.joinPath(this.extensionUri, 'dist', 'backend', 'main.js').fsPath;
    const args = [main, '--port', '0', '--data-dir', this.dataDir];
    this.log.info(`Starting the local backend (data in ${this.dataDir})`);
    const hostToken = `arkh_${randomBytes(32).toString('base64url')}`;
    this.hostToken = hostToken;
    const child = spawn(process.execPath, args, {
      // In desktop VS Code process.execPath is Electron; this makes it behave as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ARKOR_LOCAL_HOST_TOKEN: hostToken },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    return new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => fail(new Error('the local backend did not start within 60 s')), 60_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.lastError = error.message;
        this._onDidChange.fire();
        child.kill('SIGKILL');
        reject(error);
      };
      child.stdout?.on('data', (d: Buffer) => {
        const text = String(d);
        if (this.url) {
          this.log.info(`[backend] ${text.trimEnd()}`);
          return;
        }
        out += text;
        const m = /Arkor local backend listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          this.url = m[1];
          this.lastError = undefined;
          this.log.info(`Local backend listening on ${this.url} (pid ${child.pid})`);
          this._onDidChange.fire();
          resolve(this.url);
        }
      });
      child.stderr?.on('data', (d: Buffer) => {
        err += String(d);
        this.log.warn(`[backend] ${String(d).trimEnd()}`);
      });
      child.on('error', (e) => fail(e));
      child.on('exit', (code, signal) => {
        const wasReady = this.url !== undefined;
        if (this.child === child) {
          this.child = undefined;
          this.url = undefined;
        }
        if (!wasReady) {
          fail(
            new Error(
              `the local backend exited (${signal ?? code}) before it was ready: ${err.trim().slice(-500)}`,
            ),
          );
        } else {
          this.lastError = `The local backend stopped (${signal ?? `exit ${code}`}). It restarts on the next request.`;
          this.log.warn(this.lastError);
          this._onDidChange.fire();
        }
      });
    });
  }

  override dispose(): void {
    const child = this.child;
    this.child = undefined;
    this.url = undefined;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 3000).unref();
    }
    super.dispose();
  }
}
