/**
 * A run on the local backend the way the extension's Run Training does it (build, the backend's
 * project of the folder, the private run directory, a private HOME, the workspace's `arkor start`),
 * against a real backend child process, for the end-to-end trainer tests.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ArkorApiClient } from '../../../src/core';
import {
  type BuildSuccess,
  buildTrainer,
  LineSplitter,
  parseRunLine,
  prepareChildHome,
  prepareLocalRunDir,
  type RunLineEvent,
  resolveArkorCli,
  startArgs,
} from '../../../src/core/trainer';
import { CLIENT_VERSION, type Started, startServer } from '../backend/helpers';

export interface LocalRun {
  build: BuildSuccess;
  events: RunLineEvent[];
}

export class LocalRunHarness {
  private server: Started | undefined;
  token = '';
  orgSlug = '';
  anonymousId = '';

  /** Starts a backend storing its data in `dataDir`, and signs up on it. */
  async start(dataDir: string): Promise<void> {
    this.server = await startServer(dataDir);
    const signup = await this.client().signUpAnonymous();
    this.token = signup.token;
    this.orgSlug = signup.personalOrg.slug;
    this.anonymousId = signup.anonymousId;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  client(): ArkorApiClient {
    const url = this.server?.url;
    assert.ok(url, 'the backend is started');
    return new ArkorApiClient({ baseUrl: url, getToken: () => this.token, clientVersion: CLIENT_VERSION });
  }

  /** Builds and runs the project at `root` to the end; the CLI must exit 0. */
  async run(root: string): Promise<LocalRun> {
    const built = await buildTrainer({ root, entry: join(root, 'src/arkor/index.ts') });
    if (!built.ok) assert.fail(`build failed: ${JSON.stringify(built.errors)}`);
    const scope = await this.client().localProject(root);
    const cwd = await prepareLocalRunDir(root, scope, built.outFile);
    const cli = resolveArkorCli(root, { nodePath: process.execPath });
    assert.ok(cli, `an arkor CLI in ${root}`);
    const home = await prepareChildHome(
      { mode: 'anon', token: this.token, anonymousId: this.anonymousId, orgSlug: this.orgSlug },
      this.server?.url ?? '',
    );
    try {
      const events: RunLineEvent[] = [];
      let output = '';
      const child = spawn(cli.command, [...cli.args, ...startArgs({ outFile: built.outFile, root })], {
        cwd,
        env: { ...process.env, ...home.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines = new LineSplitter((l) => {
        output += `${l}\n`;
        const e = parseRunLine(l);
        if (e) events.push(e);
      });
      child.stdout?.on('data', (c: Buffer) => lines.push(c));
      child.stderr?.on('data', (c: Buffer) => {
        output += c.toString();
      });
      const code = await new Promise<number | null>((ok) => child.on('close', ok));
      lines.end();
      assert.equal(code, 0, output);
      return { build: built, events };
    } finally {
      await home.dispose();
    }
  }
}
