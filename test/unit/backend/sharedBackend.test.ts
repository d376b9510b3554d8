// One local backend per user (src/core/sharedBackend.ts, src/backend/main.ts), with real processes:
// two windows starting at once end with one backend; a stale lock or discovery file does not stop a
// start; a found backend is used only if it proves itself with its token; it exits when idle (never
// while a job runs) and takes its discovery file with it; a backend of an older build retires.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ArkorApiClient } from '../../../src/core';
import {
  acquireStartLock,
  discoveryPath,
  findOrStartBackend,
  processAlive,
  readDiscovery,
  type SharedBackendOptions,
  START_LOCK,
  writeDiscovery,
} from '../../../src/core/sharedBackend';
import { CLIENT_VERSION, FIXTURES, REPO, sleep, waitFor } from './helpers';

const run = promisify(execFile);

describe('shared local backend: discovery, start lock, idle exit, builds', function () {
  this.timeout(120_000);
  const roots: string[] = [];
  const pids = new Set<number>();
  after(() => {
    for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  function world(extra: Partial<SharedBackendOptions> = {}): SharedBackendOptions {
    const root = mkdtempSync(path.join(tmpdir(), 'arkor-shared-'));
    roots.push(root);
    return {
      dir: path.join(root, 'server'),
      dataDir: path.join(root, 'data'),
      buildId: '0.1.0+aaaa',
      builtAt: 1000,
      command: [
        process.execPath,
        '--import',
        'tsx',
        path.join(REPO, 'src/backend/main.ts'),
        '--preset',
        'test',
      ],
      env: { ...process.env },
      clientVersion: CLIENT_VERSION,
      ...extra,
    };
  }

  async function start(o: SharedBackendOptions) {
    const result = await findOrStartBackend(o);
    pids.add(result.record.pid);
    return result;
  }

  const client = (o: SharedBackendOptions) => {
    const record = readDiscovery(o.dir);
    assert.ok(record, 'a discovery file');
    return new ArkorApiClient({
      baseUrl: record.url,
      clientVersion: CLIENT_VERSION,
      getToken: () => record.hostToken,
    });
  };

  /** A backend started for `o`, and a job on it that trains until cancelled, running. */
  async function startLongJob(o: SharedBackendOptions) {
    const project = mkdtempSync(path.join(tmpdir(), 'arkor-shared-project-'));
    roots.push(project);
    copyFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), path.join(project, 'train.jsonl'));
    const started = await start(o);
    const api = client(o);
    const scope = await api.localProject(project);
    const job = await api.createJob(scope, {
      name: 'long',
      config: { model: 'm', datasetSource: { type: 'blob', url: 'train.jsonl' }, maxSteps: 100_000 },
    });
    await waitFor(async () => (await api.getJob(scope, job.id)).job.status === 'running', 60_000, 'running');
    return { started, api, scope, job };
  }

  it('two windows starting at once end with one backend, named in an owner-only file', async () => {
    const o = world();
    const starter = path.join(REPO, 'test/unit/helpers/startSharedBackend.ts');
    const race = () =>
      run(process.execPath, ['--import', 'tsx', starter, JSON.stringify(o)], { cwd: REPO }).then(
        ({ stdout }) => JSON.parse(stdout) as { pid: number; url: string; started: boolean },
      );
    const [a, b] = await Promise.all([race(), race()]);
    pids.add(a.pid).add(b.pid);
    assert.equal(a.pid, b.pid, 'both windows use the same backend');
    assert.equal(a.url, b.url);
    assert.deepEqual([a.started, b.started].sort(), [false, true], 'exactly one of them started it');
    assert.ok(processAlive(a.pid), 'it outlives both starters');
    assert.equal(statSync(discoveryPath(o.dir)).mode & 0o777, 0o600);
    assert.equal(statSync(o.dir).mode & 0o777, 0o700);
    assert.ok(!existsSync(path.join(o.dir, START_LOCK)), 'the start lock is released');
    // A third window finds it too.
    const c = await start(o);
    assert.equal(c.record.pid, a.pid);
    assert.equal(c.started, false);
    process.kill(a.pid, 'SIGTERM');
    await waitFor(async () => !processAlive(a.pid), 10_000, 'the backend to stop');
    assert.ok(!existsSync(discoveryPath(o.dir)), 'it removed the discovery file naming it');
  });

  it('a lock left by a dead starter and a file naming a dead backend do not stop the next start', async () => {
    const o = world();
    // The pid of a process that has exited: what a crashed starter or backend leaves behind.
    const dead = await new Promise<number>((resolve) => {
      const p = spawn(process.execPath, ['-e', '0']);
      p.once('exit', () => resolve(p.pid as number));
    });
    assert.ok(!processAlive(dead));
    writeDiscovery(o.dir, {
      url: 'http://127.0.0.1:9',
      pid: dead,
      hostToken: 'arkh_not-a-running-backend-token',
      buildId: o.buildId,
      builtAt: o.builtAt,
      startedAt: new Date().toISOString(),
    });
    writeFileSync(path.join(o.dir, START_LOCK), JSON.stringify({ pid: dead, at: Date.now(), id: 'x' }));
    const t0 = Date.now();
    const { record, started } = await start(o);
    assert.ok(started);
    assert.notEqual(record.pid, dead);
    assert.ok(Date.now() - t0 < 30_000);
    await client(o).localBackendInfo();
    process.kill(record.pid, 'SIGTERM');
  });

  it('a live lock makes a second starter wait, then use what the first started', async () => {
    const o = world();
    const release = await acquireStartLock(o.dir);
    let second: Promise<{ record: { pid: number }; started: boolean }> | undefined;
    try {
      second = start(o);
      await sleep(500);
      assert.ok(!existsSync(discoveryPath(o.dir)), 'nothing started while the lock is held');
    } finally {
      release();
    }
    const { record, started } = await second!;
    assert.ok(started, 'it started once the lock was free');
    process.kill(record.pid, 'SIGTERM');
  });

  it('a backend whose token does not prove it is not used', async () => {
    const o = world();
    const { record } = await start(o);
    writeDiscovery(o.dir, { ...record, hostToken: 'arkh_somebody-elses-token-0000' });
    const again = await start(o);
    assert.ok(again.started, 'a new backend was started');
    assert.notEqual(again.record.pid, record.pid);
    for (const pid of [record.pid, again.record.pid]) process.kill(pid, 'SIGTERM');
  });

  it('exits when idle, never while a job runs, and removes its discovery file', async () => {
    const o = world({ idleExitSeconds: 2 });
    const {
      started: { record },
      api,
      scope,
      job,
    } = await startLongJob(o);
    // No request for twice the idle time: the running job keeps it up.
    await sleep(4500);
    assert.ok(processAlive(record.pid), 'a backend with a running job does not idle out');
    await api.cancelJob(scope, job.id);
    const cancelledAt = Date.now();
    await waitFor(async () => !processAlive(record.pid), 15_000, 'the idle backend to exit');
    const after = Date.now() - cancelledAt;
    assert.ok(after >= 1500, `it waited for the idle time (${after} ms)`);
    assert.ok(!existsSync(discoveryPath(o.dir)), 'its discovery file is gone');
  });

  it('a backend of an older build still training is used until its job ends, never beside a new one', async () => {
    const o = world();
    const { started: old, api, scope, job } = await startLongJob(o);
    const update = { ...o, buildId: '0.2.0+bbbb', builtAt: 2000 };
    const during = await start(update);
    assert.equal(during.started, false, 'no second backend on the same data while the old one trains');
    assert.equal(during.record.pid, old.record.pid);
    // Another window of the new build asks again: still the one backend.
    assert.equal((await start(update)).record.pid, old.record.pid);
    await api.cancelJob(scope, job.id);
    await waitFor(async () => !processAlive(old.record.pid), 15_000, 'the retired backend to exit once idle');
    const after = await start(update);
    assert.ok(after.started, "then the new build's backend starts");
    assert.equal((await client(o).getJob(scope, job.id)).job.status, 'cancelled', 'on the same data');
    process.kill(after.record.pid, 'SIGTERM');
  });

  it('a backend of an older build retires when idle; a newer one is used as it is', async () => {
    const o = world();
    const old = await start(o);
    const newer = await start({ ...o, buildId: '0.2.0+bbbb', builtAt: 2000 });
    assert.ok(newer.started, 'the new build started its own backend');
    assert.notEqual(newer.record.pid, old.record.pid);
    assert.notEqual(newer.record.url, old.record.url, 'on a new port');
    await waitFor(async () => !processAlive(old.record.pid), 15_000, 'the old build to exit');
    assert.equal(readDiscovery(o.dir)?.pid, newer.record.pid, 'the file names the new one');
    // A window of the older build (not yet reloaded) uses the newer backend instead of fighting it.
    const stale = await start(o);
    assert.equal(stale.started, false);
    assert.equal(stale.record.pid, newer.record.pid);
    process.kill(newer.record.pid, 'SIGTERM');
  });
});
