/**
 * Opt-in end-to-end run (ARKOR_TRAINER_E2E=1, needs `node esbuild.mjs` for dist/backend/main.js):
 * the real local backend, anonymous sign-up, then the flow the extension uses — buildTrainer on a
 * copy of examples/quickstart, a private child HOME, the workspace `arkor` CLI (the stand-in),
 * `arkor start` with no entry — and the child's output parsed with parseRunLine.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, symlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  buildTrainer,
  LineSplitter,
  parseRunLine,
  prepareChildHome,
  type RunLineEvent,
  resolveArkorCli,
  startArgs,
} from '../../../src/core/trainer';
import { TempDirs } from './tmp';

const BACKEND = resolve('dist/backend/main.js');
const enabled = process.env.ARKOR_TRAINER_E2E === '1' && existsSync(BACKEND);

(enabled ? describe : describe.skip)('quickstart end to end (local backend)', function () {
  this.timeout(240_000);
  const temp = new TempDirs();
  const children: ChildProcess[] = [];

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await temp.cleanup();
  });

  it('trains the quickstart to completion', async () => {
    // The SDK sends the quickstart's `./data/captain.jsonl` verbatim; the backend resolves it
    // against its dataset roots, as it does for the extension's workspace folders.
    const root = join(await temp.make('arkor-e2e-'), 'quickstart');
    await cp(resolve('examples/quickstart'), root, {
      recursive: true,
      filter: (src) => !['.arkor', 'node_modules'].includes(basename(src)),
    });
    await mkdir(join(root, 'node_modules'));
    await symlink(resolve('packages/arkor-standin'), join(root, 'node_modules', 'arkor'), 'dir');
    const dataDir = await temp.make('arkor-e2e-data-');
    const backend = spawn(
      process.execPath,
      [BACKEND, '--port', '0', '--data-dir', dataDir, '--dataset-root', root],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push(backend);
    const baseUrl = await new Promise<string>((ok, fail) => {
      let out = '';
      backend.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) ok(m[1]);
      });
      backend.on('exit', (code) => fail(new Error(`backend exited ${code}`)));
    });
    const res = await fetch(`${baseUrl}/v1/auth/anonymous`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-arkor-client': 'arkor/0.0.3-alpha.1' },
      body: JSON.stringify({ kind: 'cli' }),
    });
    assert.equal(res.status < 300, true);
    const signup = (await res.json()) as {
      token: string;
      anonymousId: string;
      personalOrg: { slug: string };
    };

    const built = await buildTrainer({ root, entry: join(root, 'src/arkor/index.ts') });
    assert.ok(built.ok, JSON.stringify(built));
    const cli = resolveArkorCli(root, { nodePath: process.execPath });
    assert.ok(cli);
    const home = await prepareChildHome(
      {
        mode: 'anon',
        token: signup.token,
        anonymousId: signup.anonymousId,
        orgSlug: signup.personalOrg.slug,
      },
      baseUrl,
    );
    try {
      const events: RunLineEvent[] = [];
      const child = spawn(cli.command, [...cli.args, ...startArgs({ outFile: built.outFile, root })], {
        cwd: root,
        env: { ...process.env, ...home.env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      const lines = new LineSplitter((l) => {
        const e = parseRunLine(l);
        if (e) events.push(e);
      });
      child.stdout?.on('data', (c: Buffer) => lines.push(c));
      const code = await new Promise<number | null>((ok) => child.on('close', ok));
      lines.end();
      assert.equal(code, 0);
      assert.equal(events[0]?.kind, 'started');
      const last = events.at(-1);
      assert.equal(last?.kind === 'finished' && last.status, 'completed');
      assert.ok(events.filter((e) => e.kind === 'metrics').length >= 30);
    } finally {
      await home.dispose();
    }
    assert.equal(existsSync(home.home), false);
  });
});
