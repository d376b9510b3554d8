// Bad input and job lifecycle edge cases against the real backend process: auth and host gates,
// version gate, unknown jobs, dataset confinement, malformed data, cancel, the one-at-a-time queue,
// and a server killed mid-training.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ArkorApiClient, type JobEvent, type Scope } from '../../../src/core';
import { CLIENT_VERSION, FIXTURES, rawRequest, type Started, startServer, waitFor } from './helpers';

describe('local backend: bad input and job lifecycle', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arkor-backend-err-'));
  const project = mkdtempSync(path.join(tmpdir(), 'arkor-project-'));
  const outside = mkdtempSync(path.join(tmpdir(), 'arkor-outside-'));
  let server: Started;
  let token = '';
  let scope: Scope;
  const client = (t = () => token) =>
    new ArkorApiClient({ baseUrl: server.url, getToken: t, clientVersion: CLIENT_VERSION });
  const blob = (url: string, extra: Record<string, unknown> = {}) => ({
    model: 'unsloth/gemma-4-E4B-it',
    datasetSource: { type: 'blob', url },
    ...extra,
  });
  const headers = () => ({ Authorization: `Bearer ${token}`, 'X-Arkor-Client': CLIENT_VERSION });

  before(async () => {
    copyFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), path.join(project, 'train.jsonl'));
    copyFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), path.join(outside, 'secret.jsonl'));
    symlinkSync(path.join(outside, 'secret.jsonl'), path.join(project, 'link.jsonl'));
    writeFileSync(
      path.join(project, 'broken.jsonl'),
      '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Arr"}]}\n\n{"messages": [oops\n',
    );
    server = await startServer(dataDir);
    token = (await client().signUpAnonymous()).token;
    scope = await client().localProject(project);
  });
  after(async () => {
    await server?.stop();
    for (const d of [dataDir, project, outside]) rmSync(d, { recursive: true, force: true });
  });

  it('rejects a bad bearer token with 401', async () => {
    await assert.rejects(client(() => 'not-a-token').listJobs(scope), /HTTP 401/);
    const res = await rawRequest(`${server.url}/v1/jobs?orgSlug=local&projectSlug=${scope.projectSlug}`, {
      headers: { 'X-Arkor-Client': CLIENT_VERSION },
    });
    assert.equal(res.status, 401);
    assert.equal(typeof JSON.parse(res.body).error, 'string');
  });

  it('rejects a non-loopback Host header with 403, even with a valid token', async () => {
    const res = await rawRequest(`${server.url}/v1/me`, {
      headers: { ...headers(), Host: 'evil.example.com' },
    });
    assert.equal(res.status, 403);
    assert.match(JSON.parse(res.body).error, /loopback/);
    const ok = await rawRequest(`${server.url}/v1/me`, {
      headers: { ...headers(), Host: `localhost:${server.port}` },
    });
    assert.equal(ok.status, 200);
  });

  it('answers 426 when X-Arkor-Client is missing or malformed, and accepts any arkor/<semver>', async () => {
    const missing = await rawRequest(`${server.url}/v1/auth/cli/config`, {});
    assert.equal(missing.status, 426);
    const body = JSON.parse(missing.body);
    assert.equal(body.error, 'sdk_version_unsupported');
    assert.equal(body.reason, 'missing');
    assert.ok('currentVersion' in body && 'supportedRange' in body && 'upgrade' in body);
    const bad = await rawRequest(`${server.url}/v1/auth/cli/config`, {
      headers: { 'X-Arkor-Client': 'arkor/banana' },
    });
    assert.equal(bad.status, 426);
    assert.equal(JSON.parse(bad.body).reason, 'malformed');
    const good = await rawRequest(`${server.url}/v1/auth/cli/config`, {
      headers: { 'X-Arkor-Client': 'arkor/9.1.0-beta.2' },
    });
    assert.equal(good.status, 200);
    assert.equal(JSON.parse(good.body).auth0Domain, null);
  });

  it('404s an unknown job', async () => {
    await assert.rejects(client().getJob(scope, 'no-such-job'), /HTTP 404/);
    await assert.rejects(client().cancelJob(scope, 'no-such-job'), /HTTP 404/);
  });

  it('refuses dataset paths that escape the project, including through a symlink', async () => {
    await assert.rejects(
      client().createJob(scope, {
        name: 'x',
        config: blob('../' + path.basename(outside) + '/secret.jsonl'),
      }),
      /inside the project/,
    );
    await assert.rejects(
      client().createJob(scope, { name: 'x', config: blob('link.jsonl') }),
      /inside the project/,
    );
    await assert.rejects(
      client().createJob(scope, {
        name: 'x',
        config: blob(pathToFileURL(path.join(outside, 'secret.jsonl')).href),
      }),
      /inside the project/,
    );
    await assert.rejects(
      client().createJob(scope, { name: 'x', config: blob('missing.jsonl') }),
      /not found/,
    );
  });

  const runToEnd = async (id: string) => {
    const seen: JobEvent[] = [];
    const r = await client().streamJobEvents(scope, id, { onEvent: (e) => seen.push(e) });
    return { reason: r.reason, events: seen };
  };

  it('fails a job on a malformed JSONL line, naming the line', async () => {
    const job = await client().createJob(scope, { name: 'broken', config: blob('broken.jsonl') });
    const { reason, events } = await runToEnd(job.id);
    assert.equal(reason, 'training.failed');
    const failed = events.find((e) => e.type === 'training.failed') as { error: string };
    assert.match(failed.error, /line 3/);
    assert.equal((await client().getJob(scope, job.id)).job.status, 'failed');
  });

  it('fails a Hugging Face dataset job with a clear offline error', async () => {
    const job = await client().createJob(scope, {
      name: 'hf',
      config: {
        model: 'unsloth/gemma-4-E4B-it',
        datasetSource: { type: 'huggingface', name: 'arkorlab/triage-demo' },
      },
    });
    const { events } = await runToEnd(job.id);
    const failed = events.find((e) => e.type === 'training.failed') as { error: string };
    assert.match(failed.error, /not available in the offline local backend/);
  });

  it('runs one job at a time, cancels within a second, and 409s a cancel of a finished job', async () => {
    const long = await client().createJob(scope, {
      name: 'long',
      config: blob('train.jsonl', { maxSteps: 100_000 }),
    });
    const second = await client().createJob(scope, {
      name: 'second',
      config: blob('train.jsonl', { maxSteps: 10 }),
    });
    await waitFor(
      async () => (await client().getJob(scope, long.id)).job.status === 'running',
      20_000,
      'running',
    );
    // While the first trains, the second stays queued.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await client().getJob(scope, second.id)).job.status, 'queued');

    const stream = runToEnd(long.id);
    const t0 = Date.now();
    await client().cancelJob(scope, long.id);
    assert.ok(Date.now() - t0 < 1500, `cancel took ${Date.now() - t0} ms`);
    assert.equal((await client().getJob(scope, long.id)).job.status, 'cancelled');
    assert.equal((await stream).reason, 'end');

    const res = await rawRequest(
      `${server.url}/v1/jobs/${long.id}/cancel?orgSlug=local&projectSlug=${scope.projectSlug}`,
      {
        method: 'POST',
        headers: headers(),
      },
    );
    assert.equal(res.status, 409);
    assert.match(JSON.parse(res.body).error, /already cancelled/);

    assert.equal((await runToEnd(second.id)).reason, 'training.completed');
    await assert.rejects(client().cancelJob(scope, second.id), /HTTP 409/);
  });

  it('keeps GET /v1/jobs fast while a training runs', async () => {
    const job = await client().createJob(scope, {
      name: 'busy',
      config: blob('train.jsonl', { maxSteps: 100_000 }),
    });
    await waitFor(
      async () => (await client().getJob(scope, job.id)).job.status === 'running',
      20_000,
      'running',
    );
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      await client().listJobs(scope);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    // Generous bound for a loaded CI box; the bench measures the real p99.
    assert.ok((times[Math.floor(times.length * 0.95)] as number) < 250, `slow list: ${times.join(',')}`);
    await client().cancelJob(scope, job.id);
  });

  it('reports a job that was running when the server died as failed after a restart', async () => {
    const job = await client().createJob(scope, {
      name: 'doomed',
      config: blob('train.jsonl', { maxSteps: 100_000 }),
    });
    await waitFor(
      async () => (await client().getJob(scope, job.id)).job.status === 'running',
      20_000,
      'running',
    );
    await server.stop('SIGKILL');
    server = await startServer(dataDir);
    const after = (await client().getJob(scope, job.id)).job;
    assert.equal(after.status, 'failed');
    assert.match(String(after.error), /stopped while this job was running/);
    const { reason } = await runToEnd(job.id);
    assert.equal(reason, 'training.failed');
  });

  it('exits by itself when its stdin pipe closes, as when the extension host dies', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arkor-backend-stdin-'));
    try {
      const other = await startServer(dir);
      const exited = new Promise<number | null>((resolve) =>
        other.proc.once('exit', (code) => resolve(code)),
      );
      other.proc.stdin?.end();
      const code = await Promise.race([
        exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000)),
      ]);
      assert.equal(code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
