import assert from 'node:assert/strict';
import { ArkorApiClient, type DeprecationNotice } from '../../../src/core';
import { rejection } from '../helpers/rejection';
import { TestServer } from '../helpers/testServer';

const TOKEN = 'tok_live_0123456789abcdef';
const scope = { orgSlug: 'acme', projectSlug: 'demo app' };

const job = (id: string, status = 'queued') => ({
  id,
  name: `job ${id}`,
  status,
  orgId: 'o1',
  projectId: 'p1',
  config: { model: 'unsloth/gemma-4-E4B-it' },
  createdAt: '2026-01-01T00:00:00Z',
  futureField: { nested: true },
});

describe('ArkorApiClient', () => {
  let server: TestServer;
  let client: ArkorApiClient;
  let notices: DeprecationNotice[];

  beforeEach(async () => {
    server = new TestServer();
    await server.listen();
    notices = [];
    client = new ArkorApiClient({
      baseUrl: `${server.url}//`,
      getToken: async () => TOKEN,
      clientVersion: 'arkor/0.0.3-alpha.1',
      timeoutMs: 1000,
      onDeprecation: (n) => notices.push(n),
    });
  });
  afterEach(() => server.close());

  it('sends Authorization and X-Arkor-Client on every request and the scope as query', async () => {
    server.json('GET', '/v1/me', 200, {
      user: { email: 'a@b.c' },
      orgs: [{ id: 'o1', slug: 'acme', name: 'Acme' }],
    });
    server.json('GET', '/v1/projects', 200, { org: { slug: 'acme' }, projects: [] });
    server.json('GET', '/v1/jobs', 200, { jobs: [job('j1'), job('j2', 'running')] });
    server.json('GET', '/v1/jobs/a%2Fb', 200, { job: job('a/b') });
    server.json('POST', '/v1/jobs', 201, { job: job('j3') });
    server.json('POST', '/v1/jobs/j3/cancel', 200, { ok: true });

    const me = await client.me();
    assert.equal(me.orgs[0]?.slug, 'acme');
    assert.deepEqual((await client.listProjects('acme')).projects, []);
    const jobs = await client.listJobs(scope);
    assert.deepEqual(
      jobs.map((j) => [j.id, j.status]),
      [
        ['j1', 'queued'],
        ['j2', 'running'],
      ],
    );
    assert.deepEqual(jobs[0]?.futureField, { nested: true }, 'unknown fields pass through');
    assert.equal((await client.getJob(scope, 'a/b')).job.id, 'a/b');
    const created = await client.createJob(scope, {
      name: 'n',
      config: { model: 'm', datasetSource: { type: 'hf' } },
    });
    assert.equal(created.id, 'j3');
    await client.cancelJob(scope, 'j3');

    assert.equal(server.requests.length, 6);
    for (const r of server.requests) {
      assert.equal(r.headers.authorization, `Bearer ${TOKEN}`, r.path);
      assert.equal(r.headers['x-arkor-client'], 'arkor/0.0.3-alpha.1', r.path);
    }
    const jobsReq = server.requestsTo('/v1/jobs')[0];
    assert.equal(jobsReq?.query.get('projectSlug'), 'demo app');
    assert.equal(jobsReq?.query.get('orgSlug'), 'acme');
    const createReq = server.requests.find((r) => r.method === 'POST' && r.path === '/v1/jobs');
    assert.deepEqual(JSON.parse(createReq?.body ?? ''), {
      name: 'n',
      config: { model: 'm', datasetSource: { type: 'hf' } },
    });
    assert.equal(createReq?.headers['content-type'], 'application/json');
  });

  it('signs up anonymously without Authorization but with X-Arkor-Client', async () => {
    server.json('POST', '/v1/auth/anonymous', 200, {
      token: 'anon-tok',
      anonymousId: 'anon-1',
      kind: 'cli',
      personalOrg: { slug: 'anon-org', id: 'o9', name: 'Personal' },
    });
    const signup = await client.signUpAnonymous();
    assert.equal(signup.personalOrg.slug, 'anon-org');
    const req = server.requests[0];
    assert.equal(req?.headers.authorization, undefined);
    assert.equal(req?.headers['x-arkor-client'], 'arkor/0.0.3-alpha.1');
    assert.deepEqual(JSON.parse(req?.body ?? ''), { kind: 'cli' });
  });

  it('names the missing field when a body does not match the schema', async () => {
    server.json('GET', '/v1/jobs', 200, { jobs: [{ name: 'x', status: 'queued', config: {} }] });
    const err = await rejection(client.listJobs(scope));
    assert.equal(err.kind, 'invalid-response');
    assert.match(err.message, /GET \/v1\/jobs/);
    assert.match(err.message, /jobs\.0\.id/);
  });

  it('reports a non-JSON 200 as an invalid response', async () => {
    server.on('GET', '/v1/me', ({ res }) => {
      res.end('<html>captive portal</html>');
    });
    const err = await rejection(client.me());
    assert.equal(err.kind, 'invalid-response');
    assert.match(err.message, /not JSON/);
  });

  const statusCases: Array<[number, string, boolean, RegExp]> = [
    [401, 'auth', false, /Sign in again/],
    [403, 'auth', false, /Sign in again/],
    [404, 'not-found', false, /could not find GET \/v1\/jobs/],
    [409, 'conflict', false, /Conflict \(HTTP 409: nope\)/],
    [400, 'bad-request', false, /refused GET \/v1\/jobs \(HTTP 400: nope\)/],
    [429, 'server', true, /rate limiting/],
    [500, 'server', true, /server error \(HTTP 500: nope\)/],
    [502, 'server', true, /HTTP 502/],
  ];
  for (const [status, kind, retryable, message] of statusCases) {
    it(`maps HTTP ${status} to kind ${kind}`, async () => {
      server.json('GET', '/v1/jobs', status, { error: 'nope' });
      const err = await rejection(client.listJobs(scope));
      assert.deepEqual([err.kind, err.status, err.retryable, err.code], [kind, status, retryable, 'nope']);
      assert.match(err.message, message);
    });
  }

  it('keeps tokens out of error messages even when the server echoes them', async () => {
    server.on('GET', '/v1/me', ({ req, res }) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `bad credentials: ${req.headers.authorization}` }));
    });
    server.on('GET', '/v1/jobs', ({ res }) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(
        `crash while handling token=${TOKEN} and a jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij`,
      );
    });
    const auth = await rejection(client.me());
    const server500 = await rejection(client.listJobs(scope));
    for (const err of [auth, server500]) {
      assert.ok(!err.message.includes(TOKEN), err.message);
      assert.ok(!String(err.code).includes(TOKEN));
      assert.ok(!err.message.includes('eyJhbGciOiJIUzI1NiJ9'), err.message);
      assert.ok(!String(err.stack).includes(TOKEN));
      assert.match(err.message, /\[REDACTED\]/);
    }
  });

  it('maps a refused connection to a retryable network error', async () => {
    const port = server.port;
    await server.close();
    const offline = new ArkorApiClient({
      baseUrl: `http://127.0.0.1:${port}`,
      getToken: () => TOKEN,
      clientVersion: '1.0.0',
    });
    const err = await rejection(offline.me());
    assert.equal(err.kind, 'network');
    assert.equal(err.retryable, true);
    assert.match(err.message, /Could not reach Arkor at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('times out a slow server', async () => {
    server.on('GET', '/v1/me', () => {
      // Never answer.
    });
    const started = Date.now();
    const err = await rejection(client.me({ timeoutMs: 150 }));
    assert.equal(err.kind, 'timeout');
    assert.equal(err.retryable, true);
    assert.ok(Date.now() - started < 1000);
    assert.match(err.message, /did not answer GET \/v1\/me within 0 s|within/);
  });

  it('times out a server that sends headers but stalls the body', async () => {
    server.on('GET', '/v1/me', ({ res }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"user":');
    });
    const err = await rejection(client.me({ timeoutMs: 150 }));
    assert.equal(err.kind, 'timeout');
  });

  it('aborts on the caller signal with kind aborted', async () => {
    server.on('GET', '/v1/me', () => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const err = await rejection(client.me({ signal: controller.signal }));
    assert.equal(err.kind, 'aborted');
    assert.equal(err.retryable, false);
  });

  it('surfaces deprecation headers once per client', async () => {
    const headers = {
      Deprecation: 'true',
      Warning: '299 - "arkor 0.0.3 is deprecated, please upgrade"',
      Sunset: 'Wed, 01 Jul 2026 00:00:00 GMT',
    };
    server.json('GET', '/v1/me', 200, { user: {}, orgs: [] }, headers);
    server.json('GET', '/v1/jobs', 500, { error: 'x' }, headers);
    await client.me();
    await client.me();
    await client.listJobs(scope).catch(() => undefined);
    assert.deepEqual(notices, [
      {
        message: 'arkor 0.0.3 is deprecated, please upgrade',
        sunset: 'Wed, 01 Jul 2026 00:00:00 GMT',
        clientVersion: 'arkor/0.0.3-alpha.1',
      },
    ]);
  });

  it('creates a project and maps a taken slug to conflict', async () => {
    server.on('POST', '/v1/projects', ({ index, res }) => {
      if (index === 0) {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ project: { id: 'p1', slug: 'demo', name: 'Demo', orgId: 'o1' } }));
      } else {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'slug taken' }));
      }
    });
    const p = await client.createProject('acme', { name: 'Demo', slug: 'demo' });
    assert.equal(p.id, 'p1');
    const err = await rejection(client.createProject('acme', { name: 'Demo', slug: 'demo' }));
    assert.equal(err.kind, 'conflict');
    assert.equal(server.requests[0]?.query.get('orgSlug'), 'acme');
  });
});
