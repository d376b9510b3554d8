/**
 * A run on the local backend, the way the extension does it (build, the backend's project of the
 * folder, the private run directory, a private HOME, the workspace's `arkor start`), must leave the
 * project's own `.arkor/state.json` exactly as it was: a cloud-scoped project runs locally, and a
 * project without a state file still has none afterwards, so the real CLI keeps working against
 * Arkor Cloud in a terminal.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ArkorApiClient } from '../../../src/core';
import {
  buildTrainer,
  LineSplitter,
  localRunDir,
  parseRunLine,
  prepareChildHome,
  prepareLocalRunDir,
  type RunLineEvent,
  resolveArkorCli,
  startArgs,
} from '../../../src/core/trainer';
import { CLIENT_VERSION, type Started, startServer } from '../backend/helpers';
import { TempDirs } from './tmp';

const REPO = resolve(__dirname, '../../..');

describe('a local run leaves the project’s .arkor/state.json alone', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  let server: Started;
  let token = '';
  let orgSlug = '';
  let anonymousId = '';
  const client = () =>
    new ArkorApiClient({ baseUrl: server.url, getToken: () => token, clientVersion: CLIENT_VERSION });

  before(async () => {
    server = await startServer(await temp.make('arkor-localrun-data-'));
    const signup = await client().signUpAnonymous();
    token = signup.token;
    orgSlug = signup.personalOrg.slug;
    anonymousId = signup.anonymousId;
  });
  after(async () => {
    await server?.stop();
    await temp.cleanup();
  });

  /** A copy of examples/quickstart using the workspace's `arkor` (the stand-in). */
  async function quickstart(): Promise<string> {
    const root = join(await temp.make('arkor-localrun-'), 'quickstart');
    await cp(join(REPO, 'examples/quickstart'), root, {
      recursive: true,
      filter: (src) => !['.arkor', 'node_modules'].includes(basename(src)),
    });
    await mkdir(join(root, 'node_modules'));
    await symlink(join(REPO, 'packages/arkor-standin'), join(root, 'node_modules', 'arkor'), 'dir');
    return root;
  }

  /** Run the project like the extension's Run Training on the local backend. */
  async function runLocally(root: string): Promise<RunLineEvent[]> {
    const built = await buildTrainer({ root, entry: join(root, 'src/arkor/index.ts') });
    assert.ok(built.ok, JSON.stringify(built));
    const scope = await client().localProject(root);
    const cwd = await prepareLocalRunDir(root, scope, built.outFile);
    const cli = resolveArkorCli(root, { nodePath: process.execPath });
    assert.ok(cli);
    const home = await prepareChildHome({ mode: 'anon', token, anonymousId, orgSlug }, server.url);
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
      return events;
    } finally {
      await home.dispose();
    }
  }

  it('runs a project scoped to an Arkor Cloud org, and its state file stays byte for byte', async () => {
    const root = await quickstart();
    const cloudState =
      '{\n  "orgSlug": "acme",\n  "projectSlug": "captain",\n  "projectId": "prj_cloud_1"\n}\n';
    await mkdir(join(root, '.arkor'));
    await writeFile(join(root, '.arkor/state.json'), cloudState);

    const events = await runLocally(root);
    assert.equal(events[0]?.kind, 'started');
    const last = events.at(-1);
    assert.equal(last?.kind === 'finished' && last.status, 'completed');
    assert.equal(await readFile(join(root, '.arkor/state.json'), 'utf8'), cloudState);
    // The local scope lives in the run directory, not in the project's state file.
    const local = JSON.parse(await readFile(join(localRunDir(root), '.arkor/state.json'), 'utf8'));
    assert.equal(local.orgSlug, orgSlug);
  });

  it('writes no state file into a project that had none', async () => {
    const root = await quickstart();
    const events = await runLocally(root);
    const last = events.at(-1);
    assert.equal(last?.kind === 'finished' && last.status, 'completed');
    assert.equal(existsSync(join(root, '.arkor/state.json')), false);
  });

  it('refuses to write through a symlinked .arkor', async () => {
    const root = await quickstart();
    const elsewhere = await temp.make('arkor-elsewhere-');
    await symlink(elsewhere, join(root, '.arkor'), 'dir');
    const scope = await client().localProject(root);
    await assert.rejects(prepareLocalRunDir(root, scope, join(root, 'x.mjs')), /symbolic link/);
    assert.equal(existsSync(join(elsewhere, 'local-backend')), false);
  });
});
