/**
 * Contract test of the wire module (src/wire): everything the `arkor` stand-in and the core client
 * send, and everything the real local backend answers, passes the wire schemas.
 *
 * A recording server (test/unit/helpers/testServer.ts) sits between the clients and the real local
 * backend and forwards every request, recording both sides. A trainer runs through the stand-in
 * (sign-up, project bootstrap, job create, event stream, checkpoint inference streaming and not),
 * the stand-in's CloudApiClient reads and cancels jobs, and the core client covers the remaining
 * routes. Then every exchange is checked: the route is in `ROUTES`, the body passes its `request`
 * schema, a success has the route's status and passes its `response` (and client `read`) schema,
 * every event-stream and chat-stream frame passes the route's `stream` schema, and every error body
 * is `{error}`. Finally every route the local backend serves must have been exercised.
 */
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import type { z } from 'zod';
import { ArkorApiClient } from '../../../src/core';
import {
  CHAT_DONE,
  END_EVENT,
  ErrorBodySchema,
  PING_EVENT,
  ROUTES,
  type RouteName,
  type RouteSpec,
  routePattern,
  UpgradeRequiredBodySchema,
} from '../../../src/wire';
import { CLIENT_VERSION, FIXTURES, type Started, startServer, waitFor } from '../backend/helpers';
import { type RecordedRequest, TestServer } from '../helpers/testServer';
import { TempDirs } from '../trainer/tmp';

type Sdk = typeof import('arkor', { with: { 'resolution-mode': 'import' }});
const MODEL = 'unsloth/gemma-4-E4B-it';

interface Exchange {
  request: RecordedRequest;
  status: number;
  contentType: string;
  body: string;
}

/** Forwards every request to `upstream` and records the answer (streams are relayed as they come). */
function recordingProxy(server: TestServer, upstream: () => string, exchanges: Exchange[]): void {
  server.fallback(async ({ req, res, request }) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) {
        headers[name] = value;
      }
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const answer = await fetch(`${upstream()}${req.url ?? '/'}`, {
      method: request.method,
      headers,
      body: request.body === '' ? undefined : request.body,
      signal: abort.signal,
    });
    const exchange: Exchange = {
      request,
      status: answer.status,
      contentType: answer.headers.get('content-type') ?? '',
      body: '',
    };
    exchanges.push(exchange);
    res.writeHead(answer.status, { 'content-type': exchange.contentType });
    res.flushHeaders();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of answer.body ?? []) {
        exchange.body += decoder.decode(chunk, { stream: true });
        res.write(chunk);
      }
    } catch {
      // The client hung up mid-stream; what arrived so far is still checked.
    }
    res.end();
  });
}

/** The route of `ROUTES` a request is for. */
function routeOf(method: string, path: string): [RouteName, RouteSpec] | undefined {
  const clean = path.replace(/\/+$/, '');
  for (const [name, spec] of Object.entries(ROUTES) as [RouteName, RouteSpec][]) {
    if (spec.method === method && routePattern(spec).test(clean)) return [name, spec];
  }
  return undefined;
}

function sseFrames(text: string): { id?: string; event?: string; data: string }[] {
  const frames: { id?: string; event?: string; data: string }[] = [];
  const parser = createParser({ onEvent: (f) => frames.push(f) });
  parser.feed(text);
  return frames;
}

function mustParse(schema: z.ZodType, value: unknown, what: string): void {
  const result = schema.safeParse(value);
  assert.ok(
    result.success,
    `${what} does not pass the wire schema: ${result.error?.message}\n${JSON.stringify(value)}`,
  );
}

describe('wire contract: the stand-in, the client and the local backend speak src/wire', function () {
  this.timeout(180_000);
  const temp = new TempDirs();
  const exchanges: Exchange[] = [];
  const saved = { home: process.env.HOME, url: process.env.ARKOR_CLOUD_API_URL, cwd: process.cwd() };
  let sdk: Sdk;
  let backend: Started;
  let proxy: TestServer;
  let project: string;

  before(async () => {
    sdk = await import('arkor');
    project = await temp.make('arkor-wire-project-');
    const home = await temp.make('arkor-wire-home-');
    await copyFile(join(FIXTURES, 'pirate-chat.jsonl'), join(project, 'train.jsonl'));
    backend = await startServer(await temp.make('arkor-wire-data-'), [], {
      ARKOR_LOCAL_PING_INTERVAL_MS: '100',
    });
    proxy = new TestServer();
    recordingProxy(proxy, () => backend.url, exchanges);
    await proxy.listen();
    process.env.HOME = home;
    process.env.ARKOR_CLOUD_API_URL = proxy.url;
    process.chdir(project);
  });

  after(async () => {
    process.chdir(saved.cwd);
    for (const [name, value] of [
      ['HOME', saved.home],
      ['ARKOR_CLOUD_API_URL', saved.url],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await proxy?.close();
    await backend?.stop();
    await temp.cleanup();
  });

  it('records a full session through the recording server', async () => {
    // The stand-in: anonymous sign-up, then (after the extension binds the folder) a trainer whose
    // project bootstrap meets a 409 and adopts the listed project.
    const credentials = await sdk.ensureCredentials();
    const token = credentials.mode === 'anon' ? credentials.token : '';
    const client = new ArkorApiClient({
      baseUrl: proxy.url,
      getToken: () => token,
      clientVersion: CLIENT_VERSION,
    });
    const bound = await client.localProject(project);
    const scope = { orgSlug: bound.orgSlug, projectSlug: bound.projectSlug };

    let inferred = 0;
    const trainer = sdk.createTrainer({
      name: 'wire-contract',
      model: MODEL,
      dataset: { type: 'blob', url: './train.jsonl' },
      maxSteps: 4,
      saveSteps: 2,
      evalSteps: 2,
      lora: { r: 4, alpha: 8 },
      callbacks: {
        onCheckpoint: async ({ infer }) => {
          if (inferred++ > 0) return;
          const messages = [{ role: 'user' as const, content: 'Ahoy?' }];
          await (await infer({ messages, maxTokens: 4 })).text();
          await (await infer({ messages, maxTokens: 4, stream: false })).text();
        },
      },
    });
    const { jobId } = await trainer.start();
    const result = await trainer.wait();
    assert.equal(result.job.status, 'completed');
    assert.equal(inferred > 0, true, 'a checkpoint was inferred from');

    // The stand-in's CloudApiClient: read a job, create one and cancel it (queued or running).
    const cloud = new sdk.CloudApiClient({ baseUrl: proxy.url, credentials });
    await cloud.getJob(jobId, scope);
    const { job: long } = await cloud.createJob({
      ...scope,
      name: 'wire-cancel',
      config: { model: MODEL, datasetSource: { type: 'blob', url: './train.jsonl' }, maxSteps: 5000 },
    });
    await cloud.cancelJob(long.id, scope);
    await cloud.cancelJob(long.id, scope).catch(() => undefined); // a 409: already cancelled

    // LOCAL-ONLY resume: a job interrupted after a checkpoint goes on in a new job (201).
    const interrupted = await client.createJob(scope, {
      name: 'wire-resume',
      config: {
        model: MODEL,
        datasetSource: { type: 'blob', url: './train.jsonl' },
        maxSteps: 5000,
        saveSteps: 1,
      },
    });
    await waitFor(
      async () =>
        ((await client.getJob(scope, interrupted.id)).events ?? []).some(
          (e) => (e as { type?: string }).type === 'checkpoint.saved',
        ),
      60_000,
      'a checkpoint',
    );
    await client.cancelJob(scope, interrupted.id);
    const resumed = await client.resumeJob(scope, interrupted.id);
    await client.cancelJob(scope, resumed.id);
    // The backend's own LOCAL-ONLY routes answer the extension's host token only: a 403 for others.
    await assert.rejects(client.localBackendInfo(), /403|only the Arkor extension/);
    await assert.rejects(client.retireLocalBackend(), /403|only the Arkor extension/);

    // The core client: the remaining routes, a chat with the final adapter, and a 404.
    await client.me();
    await client.listProjects(scope.orgSlug);
    await client.createProject(scope.orgSlug, { name: 'Wire extra', slug: 'wire-extra' });
    await client
      .createProject(scope.orgSlug, { name: 'Wire extra', slug: 'wire-extra' })
      .catch(() => undefined);
    await client.listJobs(scope);
    await client.getJob(scope, jobId);
    await client.streamChat(scope, {
      adapter: { kind: 'final', jobId },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    await client.getJob(scope, 'no-such-job').catch(() => undefined);
    await client.streamJobEvents(scope, jobId, { onEvent: () => undefined });

    // Endpoints: every /v1/endpoints route, a taken slug (409) and a revoked key (204).
    const deployment = await client.createDeployment(scope, {
      slug: 'wire-endpoint',
      target: { kind: 'adapter', adapter: { kind: 'final', jobId } },
      authMode: 'fixed_api_key',
    });
    await client
      .createDeployment(scope, { slug: 'wire-endpoint', target: deployment.target, authMode: 'none' })
      .catch(() => undefined);
    await client.listDeployments(scope);
    await client.getDeployment(scope, deployment.id);
    await client.updateDeployment(scope, deployment.id, { enabled: false });
    const key = await client.createDeploymentKey(scope, deployment.id, { label: 'wire' });
    await client.listDeploymentKeys(scope, deployment.id);
    await client.revokeDeploymentKey(scope, deployment.id, key.id);
    await client.listDeploymentRequests(scope, deployment.id);
    await client.deleteDeployment(scope, deployment.id);

    // Routes no client method covers, and the version gate.
    const headers = { 'X-Arkor-Client': CLIENT_VERSION, Authorization: `Bearer ${token}` };
    await (await fetch(`${proxy.url}/health`)).text();
    await (await fetch(`${proxy.url}/v1/auth/cli/config`, { headers })).text();
    await (await fetch(`${proxy.url}/v1/me`, { headers: { 'X-Arkor-Client': CLIENT_VERSION } })).text(); // 401
    assert.ok(exchanges.length > 20, `recorded ${exchanges.length} exchanges`);
  });

  it('every request body passes its route’s request schema', () => {
    for (const { request } of exchanges) {
      const found = routeOf(request.method, request.path);
      assert.ok(found, `${request.method} ${request.path} is not a route of ROUTES`);
      const [name, spec] = found;
      if (!spec.request) {
        assert.equal(request.body, '', `${name} takes no body`);
        continue;
      }
      mustParse(spec.request, JSON.parse(request.body || '{}'), `${name} request body`);
    }
  });

  it('every answer of the local backend passes its route’s response, read and stream schemas', () => {
    for (const { request, status, contentType, body } of exchanges) {
      const [name, spec] = routeOf(request.method, request.path) ?? [];
      assert.ok(name && spec);
      const what = `${name} answer (HTTP ${status})`;
      if (status >= 400) {
        const json = JSON.parse(body) as unknown;
        mustParse(ErrorBodySchema, json, what);
        if (status === 426) mustParse(UpgradeRequiredBodySchema, json, what);
        continue;
      }
      assert.equal(status, spec.status, `${name} answers ${spec.status}`);
      if (contentType.startsWith('text/event-stream')) {
        assert.ok(spec.stream, `${name} streams`);
        const frames = sseFrames(body);
        assert.ok(frames.length > 0, `${name} sent frames`);
        for (const frame of frames) {
          if (frame.event === PING_EVENT || frame.event === END_EVENT) {
            assert.equal(frame.data, '', `${frame.event} frames carry no data`);
            continue;
          }
          if (frame.data === CHAT_DONE) continue;
          const data = JSON.parse(frame.data) as { type?: unknown };
          mustParse(spec.stream, data, `${name} frame`);
          // The SDK dispatches on `type`, browsers on the SSE event name: both must agree.
          if (name === 'jobEvents') assert.equal(frame.event, data.type);
        }
        continue;
      }
      if (status === 204) {
        assert.equal(body, '', `${name}: a 204 has no body`);
        continue;
      }
      assert.ok(spec.response, `${name} answers JSON`);
      const json = JSON.parse(body) as unknown;
      mustParse(spec.response, json, what);
      if (spec.read) mustParse(spec.read, json, `${what}, as the client reads it`);
    }
  });

  it('exercised every route the local backend serves, and the failures that matter', () => {
    const seen = new Set(exchanges.map((e) => routeOf(e.request.method, e.request.path)?.[0]));
    const served = (Object.entries(ROUTES) as [RouteName, RouteSpec][])
      .filter(([, spec]) => !spec.cloudOnly)
      .map(([name]) => name);
    assert.deepEqual(
      served.filter((name) => !seen.has(name)),
      [],
    );
    const statuses = new Set(exchanges.map((e) => e.status));
    for (const status of [201, 401, 404, 409]) assert.ok(statuses.has(status), `saw HTTP ${status}`);
    const chats = exchanges.filter((e) => routeOf(e.request.method, e.request.path)?.[0] === 'chat');
    assert.ok(
      chats.some((e) => e.contentType.startsWith('text/event-stream')),
      'a streamed chat',
    );
    assert.ok(
      chats.some((e) => e.contentType.startsWith('application/json')),
      'a non-streamed chat',
    );
  });

  it('the version gate answers 426 with the upgrade body', async () => {
    const res = await fetch(`${proxy.url}/v1/me`, { headers: { 'X-Arkor-Client': 'nonsense' } });
    assert.equal(res.status, 426);
    mustParse(UpgradeRequiredBodySchema, await res.json(), '426 body');
  });
});
