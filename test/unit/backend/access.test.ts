// Who may use the local backend, and what a job may read: attacks from another user of the machine
// (the backend listens on 127.0.0.1, which every local user can reach), reproduced against the real
// backend process started the way the extension starts it (a host token in its environment).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArkorApiClient, type JobEvent, type Scope } from '../../../src/core';
import { CLIENT_VERSION, FIXTURES, rawRequest, type Started, startServer } from './helpers';

describe('local backend: only the extension that started it gets in', function () {
  this.timeout(60_000);
  const HOST = `arkh_${'x'.repeat(43)}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arkor-access-'));
  const project = mkdtempSync(path.join(tmpdir(), 'arkor-access-project-'));
  let server: Started;
  let scope: Scope;
  const client = (token: string | undefined) =>
    new ArkorApiClient({ baseUrl: server.url, getToken: () => token, clientVersion: CLIENT_VERSION });
  const post = (route: string, body: unknown, token?: string) =>
    rawRequest(`${server.url}${route}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-arkor-client': CLIENT_VERSION,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });

  before(async () => {
    copyFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), path.join(project, 'train.jsonl'));
    writeFileSync(path.join(project, 'secret.jsonl'), 'root:x:0:0:root:/root:/bin/bash\n');
    server = await startServer(dataDir, [], { ARKOR_LOCAL_HOST_TOKEN: HOST });
    scope = await client(HOST).localProject(project);
  });
  after(async () => {
    await server?.stop();
    for (const d of [dataDir, project]) rmSync(d, { recursive: true, force: true });
  });

  it('refuses anonymous sign-up to anyone without the host token (no working token can be minted)', async () => {
    const res = await post('/v1/auth/anonymous', { kind: 'cli' });
    assert.equal(res.status, 403);
    assert.match(res.body, /sign-up is closed/);
    for (let i = 0; i < 20; i++)
      assert.equal((await post('/v1/auth/anonymous', { kind: 'cli' })).status, 403);
    // Without a token nothing else answers either.
    const list = await rawRequest(`${server.url}/v1/jobs?orgSlug=local&projectSlug=${scope.projectSlug}`, {
      headers: { 'x-arkor-client': CLIENT_VERSION },
    });
    assert.equal(list.status, 401);
  });

  it('only the host binds project folders (which decide what jobs may read)', async () => {
    const minted = JSON.parse((await post('/v1/auth/anonymous', { kind: 'cli' }, HOST)).body) as {
      token: string;
    };
    assert.ok(minted.token, 'the host can still mint identities for processes it starts');
    const res = await post('/v1/local/projects', { root: '/' }, minted.token);
    assert.equal(res.status, 403);
  });

  it('never echoes a file’s contents in an error, and does not tell which outside paths exist', async () => {
    const job = await client(HOST).createJob(scope, {
      name: 'leak',
      config: { model: 'm', datasetSource: { type: 'blob', url: 'secret.jsonl' }, maxSteps: 1 },
    });
    let failure = '';
    await client(HOST).streamJobEvents(scope, job.id, {
      onEvent: (e: JobEvent) => {
        if (e.type === 'training.failed') failure = (e as { error: string }).error;
      },
    });
    assert.match(failure, /dataset line 1: not valid JSON/);
    assert.doesNotMatch(failure, /root:x|bin\/bash/);

    const attempt = (url: string) =>
      client(HOST).createJob(scope, {
        name: 'probe',
        config: { model: 'm', datasetSource: { type: 'blob', url } },
      });
    const existing = await attempt('/etc/passwd').catch((e: Error) => e.message);
    const missing = await attempt('/etc/does-not-exist-arkor').catch((e: Error) => e.message);
    assert.match(String(existing), /must be inside the project folder/);
    assert.match(String(missing), /must be inside the project folder/);
  });

  it('answers 400, not 500, to malformed percent-encoding', async () => {
    const res = await rawRequest(
      `${server.url}/v1/jobs/%E0%A4%A?orgSlug=local&projectSlug=${scope.projectSlug}`,
      {
        headers: { 'x-arkor-client': CLIENT_VERSION, authorization: `Bearer ${HOST}` },
      },
    );
    assert.equal(res.status, 400);
    assert.match(res.body, /percent-encoding/);
  });
});
