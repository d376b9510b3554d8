/**
 * superviseRun with real processes under the real (bundled) process guard: trainers that print the
 * CLI's run lines, fail with a stack, print a token, ignore SIGTERM and leave grandchildren behind.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ChildHome, type OutputStream, prepareChildHome, superviseRun } from '../../../src/core/trainer';
import { guardCommand } from './guard';
import { alive, waitUntil } from './processes';
import { TempDirs } from './tmp';

describe('superviseRun', function () {
  this.timeout(30_000);
  const temp = new TempDirs();
  const leftovers: number[] = [];
  after(async () => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await temp.cleanup();
  });

  /** Runs `source` as the trainer (node -e), collecting its lines. */
  async function run(
    source: string,
    extra: { secrets?: string[]; home?: ChildHome; killGraceMs?: number } = {},
  ) {
    const cwd = await temp.make('arkor-supervise-');
    const lines: { line: string; stream: OutputStream }[] = [];
    const started: string[] = [];
    const handle = superviseRun({
      guard: guardCommand(),
      argv: [process.execPath, '-e', source],
      cwd,
      env: process.env,
      onLine: (line, stream) => lines.push({ line, stream }),
      onJobStarted: (id) => started.push(id),
      ...extra,
    });
    return { handle, lines, started };
  }

  it('reports the job a run started and how it finished, with every line and its stream', async () => {
    const { handle, lines, started } = await run(`
      console.log('Started job job_42');
      console.error('a warning on stderr');
      console.log('Job job_42 finished with status=completed');
    `);
    const outcome = await handle.done;
    assert.deepEqual(outcome, { exitCode: 0, stopped: false, jobId: 'job_42', finalStatus: 'completed' });
    assert.deepEqual(started, ['job_42']);
    assert.equal(handle.jobId, 'job_42');
    assert.deepEqual(
      lines.filter((l) => l.stream === 'stdout').map((l) => l.line),
      ['Started job job_42', 'Job job_42 finished with status=completed'],
    );
    assert.deepEqual(lines.find((l) => l.stream === 'stderr')?.line, 'a warning on stderr');
  });

  it('a stderr line cannot pose as the CLI’s Started line', async () => {
    const { handle, started } = await run(
      `console.error('Started job fake'); console.log('Started job real');`,
    );
    assert.equal((await handle.done).jobId, 'real');
    assert.deepEqual(started, ['real']);
  });

  it('a run that throws: exit 1 and the error’s message as the reason, not its stack', async () => {
    const { handle } = await run(`
      console.log('Started job job_7');
      function onLog() { throw new Error('boom in onLog'); }
      onLog();
    `);
    const outcome = await handle.done;
    assert.equal(outcome.exitCode, 1);
    assert.equal(outcome.jobId, 'job_7');
    assert.equal(outcome.reason, 'boom in onLog');
    assert.equal(outcome.stopped, false);
  });

  it('redacts secrets from the lines and from the reason', async () => {
    const token = 'tok_super_secret_123456';
    const { handle, lines } = await run(
      `console.log('env token ${token}'); process.stderr.write('Error: rejected ${token}\\n    at x (y.js:1:1)\\n'); process.exit(1);`,
      { secrets: [token] },
    );
    const outcome = await handle.done;
    assert.ok(!lines.some((l) => l.line.includes(token)), 'no line carries the token');
    assert.ok(outcome.reason && !outcome.reason.includes(token), String(outcome.reason));
    assert.match(outcome.reason ?? '', /^rejected /);
  });

  it('stop(): a trainer and a grandchild that ignore SIGTERM both die; stopped, no failure reason; the home is gone', async () => {
    const home = await prepareChildHome(
      { mode: 'anon', token: 'tok_home', anonymousId: 'anon_1', orgSlug: 'org' },
      'http://127.0.0.1:9',
    );
    const homeDir = home.home;
    const { handle, lines } = await run(
      `
      const { spawn } = require('node:child_process');
      process.on('SIGTERM', () => console.error('ignoring SIGTERM'));
      const g = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
      console.log('PIDS ' + process.pid + ' ' + g.pid + ' HOME ' + process.env.HOME);
      console.log('Started job job_long');
      setInterval(() => {}, 1000);
    `,
      { home, killGraceMs: 500 },
    );
    await waitUntil(() => handle.jobId === 'job_long', 5000, 'the run to start its job');
    const pids = /PIDS (\d+) (\d+) HOME (.*)/.exec(lines.map((l) => l.line).join('\n'));
    assert.ok(pids, 'the trainer printed its pids');
    assert.equal(pids[3], homeDir, 'the trainer runs with the private HOME');
    const trainer = Number(pids[1]);
    const grandchild = Number(pids[2]);
    leftovers.push(trainer, grandchild);
    handle.stop();
    const outcome = await handle.done;
    assert.equal(outcome.stopped, true);
    assert.equal(outcome.reason, undefined, 'a stopped run has no failure to explain');
    assert.equal(outcome.jobId, 'job_long');
    await waitUntil(
      () => !alive(trainer) && !alive(grandchild),
      5000,
      'the trainer and its grandchild to die',
    );
    assert.equal(existsSync(homeDir), false, 'the private HOME (it holds the token) is gone');
  });

  it('a guard that cannot start: no exit code and the reason says so', async () => {
    const cwd = await temp.make('arkor-supervise-');
    const handle = superviseRun({
      guard: [join(cwd, 'no-such-node'), 'guard.js'],
      argv: ['arkor', 'start'],
      cwd,
      env: process.env,
    });
    const outcome = await handle.done;
    assert.equal(outcome.exitCode, null);
    assert.match(outcome.reason ?? '', /could not start .*no-such-node: .*ENOENT/);
  });
});
