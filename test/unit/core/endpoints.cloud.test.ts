// The cloud path of endpoints: the core client against a loopback server that answers the
// `/v1/endpoints` routes as the Arkor reference documents them (arkor-deployments.md §1–3): every
// route, its method, path, scope query, headers and body, and every documented failure status —
// 400 bad or reserved slug, 403 not a member, 404 unknown endpoint / key / job, 409 taken slug,
// 426 client too old — each turned into a message a user can act on.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArkorApiClient, type Scope } from '../../../src/core';
import { chatCompletionsUrl, deploymentBaseUrl, endpointSample } from '../../../src/core/endpointSamples';
import { rejection } from '../helpers/rejection';
import { type RecordedRequest, TestServer } from '../helpers/testServer';

const TOKEN = 'tok_cloud_0123456789abcdef';
const scope: Scope = { orgSlug: 'acme', projectSlug: 'demo' };
const JOB = '4b0c2f9e-1d0a-4c57-9d55-0d6c4f1b8a11';

/** Arkor Cloud's deployment API, as documented, held in memory. */
function referenceCloud(server: TestServer) {
  const deployments: Record<string, unknown>[] = [];
  const keys: (Record<string, unknown> & { deploymentId: string })[] = [];
  const send = (res: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) {
      res.writeHead(status);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  server.fallback(
    ({ req, res, request }: { req: IncomingMessage; res: ServerResponse; request: RecordedRequest }) => {
      const client = /^arkor\/(\d+)\.(\d+)\.(\d+)/.exec(String(req.headers['x-arkor-client'] ?? ''));
      if (!client || Number(client[3]) < 3) {
        return send(res, 426, {
          error: 'sdk_version_unsupported',
          currentVersion: client ? client[0].slice(6) : null,
          supportedRange: '>=0.0.3',
          upgrade: 'npm install arkor@latest',
        });
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(res, 401, { error: 'Unauthorized' });
      const org = request.query.get('orgSlug');
      const project = request.query.get('projectSlug');
      if (org !== 'acme') return send(res, 403, { error: 'You are not a member of this organization' });
      if (project !== 'demo') return send(res, 404, { error: 'Project not found' });
      const m = /^\/v1\/endpoints(?:\/([^/]+))?(?:\/keys(?:\/([^/]+))?)?$/.exec(request.path);
      if (!m) return send(res, 404, { error: 'Not found' });
      const [, id, keyId] = m;
      const isKeys = request.path.includes('/keys');
      const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
      const now = new Date().toISOString();
      if (!id) {
        if (request.method === 'GET') return send(res, 200, { deployments });
        const slug = String(body.slug);
        if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(slug) || slug.length > 50)
          return send(res, 400, { error: 'Invalid slug' });
        if (['www', 'api', 'admin'].includes(slug))
          return send(res, 400, { error: `Slug "${slug}" is reserved` });
        const target = body.target as { kind: string; adapter?: { jobId: string } };
        if (target.kind === 'adapter' && target.adapter?.jobId !== JOB)
          return send(res, 404, { error: 'Job not found' });
        if (deployments.some((d) => d.slug === slug)) return send(res, 409, { error: 'Slug already in use' });
        const d = {
          id: randomUUID(),
          slug,
          orgId: 'org_acme',
          projectId: 'proj_demo',
          target,
          authMode: body.authMode,
          urlFormat: 'openai_compat',
          enabled: true,
          customDomain: null,
          runRetentionMode: body.runRetentionMode ?? 'days',
          ...((body.runRetentionMode ?? 'days') === 'days'
            ? { runRetentionDays: body.runRetentionDays ?? 7 }
            : {}),
          createdAt: now,
          updatedAt: now,
        };
        deployments.push(d);
        return send(res, 201, { deployment: d });
      }
      const d = deployments.find((x) => x.id === id);
      if (!d) return send(res, 404, { error: 'Deployment not found' });
      if (!isKeys) {
        if (request.method === 'GET') return send(res, 200, { deployment: d });
        if (request.method === 'PATCH') {
          Object.assign(d, body, { updatedAt: now });
          return send(res, 200, { deployment: d });
        }
        deployments.splice(deployments.indexOf(d), 1);
        return send(res, 204);
      }
      if (!keyId) {
        if (request.method === 'GET') {
          return send(res, 200, {
            keys: keys.filter((k) => k.deploymentId === id).map(({ deploymentId: _d, ...k }) => k),
          });
        }
        const plaintext = `ark_live_${randomUUID().replaceAll('-', '')}`;
        const key = { id: randomUUID(), label: body.label, prefix: plaintext.slice(0, 17), createdAt: now };
        keys.push({ ...key, deploymentId: id, enabled: true, lastUsedAt: null });
        return send(res, 201, { key: { ...key, plaintext } });
      }
      const key = keys.find((k) => k.id === keyId && k.deploymentId === id);
      if (!key) return send(res, 404, { error: 'Key not found' });
      key.enabled = false;
      return send(res, 204);
    },
  );
}

describe('endpoints on Arkor Cloud: the core client against the documented routes', () => {
  let server: TestServer;
  let client: ArkorApiClient;
  const last = () => server.requests[server.requests.length - 1] as RecordedRequest;

  beforeEach(async () => {
    server = new TestServer();
    referenceCloud(server);
    await server.listen();
    client = new ArkorApiClient({ baseUrl: server.url, getToken: () => TOKEN, clientVersion: '0.0.3' });
  });
  afterEach(() => server.close());

  it('every route: method, path, scope, headers, body, and the parsed answer', async () => {
    assert.deepEqual(await client.listDeployments(scope), []);
    let r = last();
    assert.equal(`${r.method} ${r.path}`, 'GET /v1/endpoints');
    assert.equal(r.query.toString(), 'orgSlug=acme&projectSlug=demo');
    assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(r.headers['x-arkor-client'], 'arkor/0.0.3');

    const input = {
      slug: 'my-model',
      target: { kind: 'adapter' as const, adapter: { kind: 'checkpoint' as const, jobId: JOB, step: 40 } },
      authMode: 'fixed_api_key' as const,
    };
    const created = await client.createDeployment(scope, input);
    r = last();
    assert.equal(`${r.method} ${r.path}`, 'POST /v1/endpoints');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(r.body), input, 'exactly the documented body, no retention fields');
    assert.equal(created.slug, 'my-model');
    assert.equal(created.runRetentionDays, 7);
    assert.equal(created.baseUrl, undefined, 'the cloud sends no URL');
    assert.equal(deploymentBaseUrl(created), 'https://my-model.arkor.app/v1');
    assert.equal(
      chatCompletionsUrl(deploymentBaseUrl(created)),
      'https://my-model.arkor.app/v1/chat/completions',
    );

    const retained = await client.createDeployment(scope, {
      slug: 'kept',
      target: { kind: 'base_model', baseModel: 'unsloth/gemma-4-E4B-it' },
      authMode: 'none',
      runRetentionMode: 'days',
      runRetentionDays: 30,
    });
    assert.deepEqual(JSON.parse(last().body), {
      slug: 'kept',
      target: { kind: 'base_model', baseModel: 'unsloth/gemma-4-E4B-it' },
      authMode: 'none',
      runRetentionMode: 'days',
      runRetentionDays: 30,
    });
    assert.equal(retained.runRetentionDays, 30);

    const got = await client.getDeployment(scope, created.id);
    assert.equal(`${last().method} ${last().path}`, `GET /v1/endpoints/${created.id}`);
    assert.deepEqual(got, created);

    const changed = await client.updateDeployment(scope, created.id, { enabled: false, authMode: 'none' });
    r = last();
    assert.equal(`${r.method} ${r.path}`, `PATCH /v1/endpoints/${created.id}`);
    assert.deepEqual(JSON.parse(r.body), { enabled: false, authMode: 'none' }, 'partial: only what changes');
    assert.equal(changed.enabled, false);
    assert.equal(changed.slug, 'my-model');

    const key = await client.createDeploymentKey(scope, created.id, { label: '  ci runner ' });
    r = last();
    assert.equal(`${r.method} ${r.path}`, `POST /v1/endpoints/${created.id}/keys`);
    assert.deepEqual(JSON.parse(r.body), { label: 'ci runner' }, 'the trimmed label is sent');
    assert.match(key.plaintext, /^ark_live_/);

    const keys = await client.listDeploymentKeys(scope, created.id);
    assert.equal(`${last().method} ${last().path}`, `GET /v1/endpoints/${created.id}/keys`);
    assert.deepEqual(
      keys.map((k) => [k.label, k.enabled, k.lastUsedAt]),
      [['ci runner', true, null]],
    );

    await client.revokeDeploymentKey(scope, created.id, key.id);
    r = last();
    assert.equal(`${r.method} ${r.path}`, `DELETE /v1/endpoints/${created.id}/keys/${key.id}`);
    assert.equal(r.body, '');
    assert.equal((await client.listDeploymentKeys(scope, created.id))[0]?.enabled, false);

    await client.deleteDeployment(scope, created.id);
    r = last();
    assert.equal(`${r.method} ${r.path}`, `DELETE /v1/endpoints/${created.id}`);
    assert.deepEqual(
      (await client.listDeployments(scope)).map((d) => d.slug),
      ['kept'],
    );
  });

  it('a key list that carries a secret is read without it, as the SDK reads it', async () => {
    server.json('GET', '/v1/endpoints/d1/keys', 200, {
      keys: [
        {
          id: 'k1',
          label: 'leaky',
          prefix: 'ark_live_abcd1234',
          enabled: true,
          createdAt: '2026-01-01T00:00:00Z',
          lastUsedAt: null,
          plaintext: 'ark_live_abcd1234-secret',
        },
      ],
    });
    const [row] = await client.listDeploymentKeys(scope, 'd1');
    assert.ok(row && !('plaintext' in row));
  });

  it('400: a bad slug is refused before sending, with the rule; a reserved one by the server, with the rule', async () => {
    const target = { kind: 'base_model' as const, baseModel: 'm' };
    const before = server.requests.length;
    for (const slug of ['My_Model', 'a', '-edge', `${'x'.repeat(51)}`]) {
      const e = await rejection(client.createDeployment(scope, { slug, target, authMode: 'none' }));
      assert.equal(e.kind, 'bad-request');
      assert.match(
        e.message,
        /slug must be 2-50 chars, lowercase letters \/ digits \/ hyphens, starting and ending with a letter or digit/,
      );
    }
    assert.equal(server.requests.length, before, 'nothing was sent');

    const e = await rejection(client.createDeployment(scope, { slug: 'www', target, authMode: 'none' }));
    assert.equal(e.status, 400);
    assert.match(
      e.message,
      /Arkor refused endpoint "www" \(HTTP 400: Slug "www" is reserved\)\. Rule: slug must be 2-50 chars/,
    );

    const label = await rejection(client.createDeploymentKey(scope, 'd1', { label: ' \t ' }));
    assert.match(label.message, /Invalid key: label must be 1-80 characters after trimming spaces/);
    const long = await rejection(client.createDeploymentKey(scope, 'd1', { label: 'x'.repeat(81) }));
    assert.match(long.message, /label must be 1-80 characters/);
    assert.equal(server.requests.length, before + 1);
  });

  it('403: not a member of the org or project', async () => {
    const e = await rejection(client.listDeployments({ orgSlug: 'other', projectSlug: 'demo' }));
    assert.equal(e.status, 403);
    assert.equal(e.kind, 'auth');
    assert.match(
      e.message,
      /You are not a member of the organization or project other\/demo \(HTTP 403: You are not a member of this organization\)/,
    );
  });

  it('404: unknown endpoint, key, project or target job, each named', async () => {
    const d = await client.createDeployment(scope, {
      slug: 'live',
      target: { kind: 'base_model', baseModel: 'm' },
      authMode: 'fixed_api_key',
    });
    const gone = await rejection(client.getDeployment(scope, 'missing-id'));
    assert.equal(gone.kind, 'not-found');
    assert.match(
      gone.message,
      /could not find endpoint missing-id in acme\/demo \(HTTP 404: Deployment not found\)\. It may have been deleted/,
    );
    const key = await rejection(client.revokeDeploymentKey(scope, d.id, 'nokey'));
    assert.match(key.message, /could not find key nokey of endpoint .* \(HTTP 404: Key not found\)/);
    const job = await rejection(
      client.createDeployment(scope, {
        slug: 'orphan',
        target: { kind: 'adapter', adapter: { kind: 'final', jobId: 'deleted-job' } },
        authMode: 'none',
      }),
    );
    assert.match(
      job.message,
      /target of endpoint "orphan" \(HTTP 404: Job not found\)\. Check that the job exists and was not deleted/,
    );
    const project = await rejection(client.listDeployments({ orgSlug: 'acme', projectSlug: 'nope' }));
    assert.match(project.message, /could not find the project acme\/nope/);
    for (const call of [
      client.updateDeployment(scope, 'missing-id', { enabled: true }),
      client.deleteDeployment(scope, 'missing-id'),
      client.listDeploymentKeys(scope, 'missing-id'),
      client.createDeploymentKey(scope, 'missing-id', { label: 'x' }),
    ]) {
      assert.equal((await rejection(call)).status, 404);
    }
  });

  it('409: a taken slug', async () => {
    const input = {
      slug: 'taken',
      target: { kind: 'base_model' as const, baseModel: 'm' },
      authMode: 'none' as const,
    };
    await client.createDeployment(scope, input);
    const e = await rejection(client.createDeployment(scope, input));
    assert.equal(e.kind, 'conflict');
    assert.match(
      e.message,
      /The slug "taken" is already taken \(HTTP 409: Slug already in use\)\. Choose another slug/,
    );
  });

  it('426: a client too old is told to upgrade', async () => {
    const old = new ArkorApiClient({ baseUrl: server.url, getToken: () => TOKEN, clientVersion: '0.0.1' });
    const e = await rejection(old.listDeployments(scope));
    assert.equal(e.kind, 'upgrade');
    assert.match(
      e.message,
      /Arkor no longer accepts this client \(arkor\/0\.0\.1\)\. Supported versions: >=0\.0\.3\. Upgrade with `npm install arkor@latest`/,
    );
  });

  it('samples name the real URL and the auth line of the mode', () => {
    const baseUrl = 'https://my-model.arkor.app/v1';
    const curlKeyed = endpointSample({ language: 'curl', baseUrl, authMode: 'fixed_api_key' });
    assert.equal(
      curlKeyed,
      'curl -X POST https://my-model.arkor.app/v1/chat/completions \\\n' +
        '  -H "Content-Type: application/json" \\\n' +
        '  -H "Authorization: Bearer YOUR_API_KEY" \\\n' +
        `  -d '{"model":"ignored","messages":[{"role":"user","content":"Hello!"}]}'\n`,
    );
    const curlOpen = endpointSample({ language: 'curl', baseUrl, authMode: 'none', stream: true });
    assert.ok(!curlOpen.includes('Authorization'));
    assert.match(curlOpen, /"stream":true/);
    const py = endpointSample({ language: 'python', baseUrl, authMode: 'none' });
    assert.match(py, /^from openai import OpenAI\n/);
    assert.match(
      py,
      /# Auth is off for this endpoint, but the SDK requires a non-empty api_key;\n# any value works\.\nclient = OpenAI\(base_url="https:\/\/my-model\.arkor\.app\/v1", api_key="not-required"\)/,
    );
    assert.match(py, /print\(response\.choices\[0\]\.message\.content\)/);
    const pyStream = endpointSample({ language: 'python', baseUrl, authMode: 'fixed_api_key', stream: true });
    assert.match(pyStream, /api_key="YOUR_API_KEY"/);
    assert.match(pyStream, /stream=True/);
    const js = endpointSample({ language: 'javascript', baseUrl, authMode: 'fixed_api_key' });
    assert.match(js, /^\/\/ ESM: save as a \.mjs file/);
    assert.match(
      js,
      /new OpenAI\(\{ baseURL: "https:\/\/my-model\.arkor\.app\/v1", apiKey: "YOUR_API_KEY" \}\)/,
    );
    assert.match(js, /\nmain\(\);\n$/);
  });
});
