/**
 * The process guard (src/processGuard.ts) with real processes: a trainer that leaves a child behind
 * which ignores SIGTERM, and an "extension host" killed with SIGKILL mid-run. Nothing of the run may
 * survive, and the run's private HOME (it holds the token) must be gone.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sweepStaleChildHomes } from '../../../src/core/trainer';
import { alive, waitUntil } from './processes';

const REPO = resolve(__dirname, '../../..');
const GUARD = join(REPO, 'src/processGuard.ts');

/** A trainer: starts a grandchild that ignores SIGTERM, prints its pid, then (optionally) exits. */
const TRAINER = (exitAfterMs: number | null) => `
  const { spawn } = require('node:child_process');
  const g = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
  console.log('GRANDCHILD ' + g.pid + ' TRAINER ' + process.pid);
  ${exitAfterMs === null ? 'setInterval(() => {}, 1000);' : `setTimeout(() => process.exit(3), ${exitAfterMs});`}
`;

function pidsFrom(proc: ChildProcess): Promise<{ grandchild: number; trainer: number }> {
  return new Promise((ok, fail) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /GRANDCHILD (\d+) TRAINER (\d+)/.exec(out);
      if (m) ok({ grandchild: Number(m[1]), trainer: Number(m[2]) });
    });
    proc.on('exit', (code) => fail(new Error(`exited (${code}) before printing pids: ${out}`)));
  });
}

describe('process guard', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  const pids: number[] = [];
  const home = () => {
    const dir = mkdtempSync(join(tmpdir(), 'arkor-guard-home-'));
    writeFileSync(join(dir, 'credentials.json'), '{"token":"secret"}');
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('outlives a trainer that leaves a SIGTERM-ignoring child: stops it, removes the home, keeps the exit code', async () => {
    const dir = home();
    const guard = spawn(
      process.execPath,
      ['--import', 'tsx', GUARD, '--cleanup', dir, '--', process.execPath, '-e', TRAINER(300)],
      { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const { grandchild, trainer } = await pidsFrom(guard);
    pids.push(grandchild, trainer);
    const code = await new Promise<number | null>((ok) => guard.on('exit', ok));
    assert.equal(code, 3, "the trainer's exit code");
    // Killed before the guard exited; reaping by init may take a moment (a zombie still answers kill 0).
    await waitUntil(
      () => !alive(trainer) && !alive(grandchild),
      1000,
      'the grandchild ignoring SIGTERM to be killed',
    );
    assert.equal(existsSync(dir), false, 'the private home with the token is gone');
  });

  it('when the extension host is SIGKILLed mid-run, the whole run stops and its home is removed', async () => {
    const dir = home();
    // A stand-in extension host: starts the guard as training.ts does, then waits to be killed.
    const host = spawn(
      process.execPath,
      [
        '-e',
        `const { spawn } = require('node:child_process');
         const g = spawn(process.execPath, ['--import', 'tsx', ${JSON.stringify(GUARD)}, '--cleanup', ${JSON.stringify(dir)}, '--', process.execPath, '-e', ${JSON.stringify(TRAINER(null))}],
           { cwd: ${JSON.stringify(REPO)}, detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
         console.log('GUARD ' + g.pid);
         setInterval(() => {}, 1000);`,
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    pids.push(host.pid as number);
    const { grandchild, trainer } = await pidsFrom(host);
    pids.push(grandchild, trainer);
    assert.ok(alive(trainer) && alive(grandchild));
    host.kill('SIGKILL');
    await waitUntil(() => !alive(trainer) && !alive(grandchild), 8000, 'the run to stop with its host');
    await waitUntil(() => !existsSync(dir), 3000, 'the home to be removed');
  });
});

describe('stale run homes', () => {
  it('removes homes whose owner is gone, keeps live owners’ and foreign entries', async () => {
    const root = mkdtempSync(join(tmpdir(), 'arkor-sweep-'));
    try {
      const mk = (name: string, owner?: number) => {
        mkdirSync(join(root, name));
        writeFileSync(join(root, name, '.arkor-owner-pid'), owner === undefined ? '' : String(owner));
        return join(root, name);
      };
      // A pid that is certainly gone: a child that has exited.
      const dead = spawn(process.execPath, ['-e', '0']);
      await new Promise((ok) => dead.on('exit', ok));
      const stale = mk('arkor-home-stale', dead.pid);
      const live = mk('arkor-home-live', process.pid);
      const orphan = mk('arkor-home-noowner');
      const other = mk('someone-else', dead.pid);
      const removed = await sweepStaleChildHomes(root);
      assert.deepEqual(removed.sort(), [orphan, stale].sort());
      assert.ok(existsSync(live) && existsSync(other));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
