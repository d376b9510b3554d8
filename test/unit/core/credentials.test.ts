import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArkorApiClient,
  assertSafeCloudUrl,
  type Credentials,
  credentialSecrets,
  deriveProjectSlug,
  ensureCredentials,
  ensureProjectState,
  InMemoryCredentialStore,
  importCliCredentials,
  MissingProjectStateError,
  ProjectStateMismatchError,
  readProjectState,
  redact,
  resolveBaseUrl,
  resolveScope,
} from '../../../src/core';
import { TestServer } from '../helpers/testServer';

const anon: Credentials = { mode: 'anon', token: 'anon-token-1234', anonymousId: 'a1', orgSlug: 'anon-org' };
const oauth: Credentials = { mode: 'oauth', accessToken: 'oauth-token-5678' };

describe('credentials', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'arkor-home-'));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  const writeCreds = async (content: string) => {
    await mkdir(join(home, '.arkor'), { recursive: true });
    await writeFile(join(home, '.arkor', 'credentials.json'), content);
  };

  it('imports anonymous credentials', async () => {
    await writeCreds(
      JSON.stringify({
        mode: 'anon',
        token: 't0ken',
        anonymousId: 'x',
        orgSlug: 'o',
        arkorCloudApiUrl: 'https://c.example',
      }),
    );
    assert.deepEqual(await importCliCredentials(home), {
      mode: 'anon',
      token: 't0ken',
      anonymousId: 'x',
      orgSlug: 'o',
      arkorCloudApiUrl: 'https://c.example',
    });
  });

  it('imports OAuth credentials and treats legacy auth0 as oauth', async () => {
    const file = {
      accessToken: 'at',
      refreshToken: 'rt',
      expiresAt: 1790000000,
      auth0Domain: 'd',
      audience: 'a',
      clientId: 'c',
    };
    await writeCreds(JSON.stringify({ mode: 'oauth', ...file }));
    assert.deepEqual(await importCliCredentials(home), { mode: 'oauth', ...file });
    await writeCreds(JSON.stringify({ mode: 'auth0', accessToken: 'legacy' }));
    assert.deepEqual(await importCliCredentials(home), { mode: 'oauth', accessToken: 'legacy' });
  });

  it('treats a missing, unparsable or unrecognised file as no credentials', async () => {
    assert.equal(await importCliCredentials(home), undefined);
    await writeCreds('{ not json');
    assert.equal(await importCliCredentials(home), undefined);
    await writeCreds(JSON.stringify({ mode: 'anon' }));
    assert.equal(await importCliCredentials(home), undefined);
  });

  it('raises other read errors so a real login is never mistaken for none', async () => {
    await mkdir(join(home, '.arkor', 'credentials.json'), { recursive: true });
    await assert.rejects(importCliCredentials(home), (e: NodeJS.ErrnoException) => e.code === 'EISDIR');
  });

  it('resolves the base URL: setting, env, credentials, default; trailing slashes stripped', () => {
    const creds: Credentials = { ...anon, arkorCloudApiUrl: 'https://from-creds.example/' };
    const env = { ARKOR_CLOUD_API_URL: 'https://from-env.example//' };
    assert.equal(
      resolveBaseUrl({ setting: 'https://setting.example/', env, credentials: creds }),
      'https://setting.example',
    );
    assert.equal(resolveBaseUrl({ setting: '  ', env, credentials: creds }), 'https://from-env.example');
    assert.equal(resolveBaseUrl({ setting: '', env: {}, credentials: creds }), 'https://from-creds.example');
    assert.equal(resolveBaseUrl({ env: {} }), 'https://api.arkor.ai');
    assert.equal(resolveBaseUrl(), 'https://api.arkor.ai');
  });

  describe('with a server', () => {
    let server: TestServer;
    let client: ArkorApiClient;
    beforeEach(async () => {
      server = new TestServer();
      await server.listen();
      server.on('POST', '/v1/auth/anonymous', async ({ res }) => {
        await new Promise((r) => setTimeout(r, 20));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            token: 'minted',
            anonymousId: 'anon-7',
            kind: 'cli',
            personalOrg: { slug: 'p-org', id: 'o', name: 'n' },
          }),
        );
      });
      client = new ArkorApiClient({ baseUrl: server.url, getToken: () => undefined, clientVersion: '0.0.3' });
    });
    afterEach(() => server.close());

    it('signs up anonymously once when there are no credentials, even with concurrent callers', async () => {
      const store = new InMemoryCredentialStore();
      const [a, b] = await Promise.all([ensureCredentials(store, client), ensureCredentials(store, client)]);
      assert.deepEqual(a, {
        mode: 'anon',
        token: 'minted',
        anonymousId: 'anon-7',
        orgSlug: 'p-org',
        arkorCloudApiUrl: server.url,
      });
      assert.equal(a, b);
      assert.deepEqual(await store.get(), a);
      assert.equal(server.requests.length, 1);
      await ensureCredentials(store, client);
      assert.equal(server.requests.length, 1, 'existing credentials are reused');
    });

    it('keeps existing credentials', async () => {
      const store = new InMemoryCredentialStore(oauth);
      assert.equal(await ensureCredentials(store, client), oauth);
      assert.equal(server.requests.length, 0);
    });
  });

  it('redact() removes known secrets and token-looking strings', () => {
    const text = 'Authorization: Bearer abc.def-ghi and {"accessToken":"zzz999"} with secret-value-1';
    const out = redact(text, ['secret-value-1']);
    assert.ok(!out.includes('abc.def-ghi'));
    assert.ok(!out.includes('zzz999'));
    assert.ok(!out.includes('secret-value-1'));
    assert.match(out, /Bearer \[REDACTED\]/);
    // Words after "bearer" in an error message are not a credential; real ones are, letters only too.
    assert.equal(redact('401: missing or invalid bearer token.'), '401: missing or invalid bearer token.');
    assert.equal(
      redact('Bearer arkh_x1 and Bearer abcdefghijklmnopqrstuvwxyz'),
      'Bearer [REDACTED] and Bearer [REDACTED]',
    );
  });
});

describe('project state', () => {
  let dir: string;
  let server: TestServer;
  let client: ArkorApiClient;
  const statePath = () => join(dir, '.arkor', 'state.json');

  beforeEach(async () => {
    const parent = await mkdtemp(join(tmpdir(), 'arkor-proj-'));
    dir = join(parent, 'My Cool_Project!');
    await mkdir(dir);
    server = new TestServer();
    await server.listen();
    client = new ArkorApiClient({
      baseUrl: server.url,
      getToken: () => 'anon-token-1234',
      clientVersion: '0.0.3',
    });
  });
  afterEach(async () => {
    await server.close();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  const writeState = async (value: unknown) => {
    await mkdir(join(dir, '.arkor'), { recursive: true });
    await writeFile(statePath(), typeof value === 'string' ? value : JSON.stringify(value));
  };

  it('reads a state only when all three fields are strings', async () => {
    assert.equal(await readProjectState(dir), undefined);
    await writeState({ orgSlug: 'o', projectSlug: 'p', projectId: 7 });
    assert.equal(await readProjectState(dir), undefined);
    await writeState('garbage');
    assert.equal(await readProjectState(dir), undefined);
    await writeState({ orgSlug: 'o', projectSlug: 'p', projectId: 'id', extra: 1 });
    assert.deepEqual(await readProjectState(dir), { orgSlug: 'o', projectSlug: 'p', projectId: 'id' });
  });

  it('ignores stale anonymous state and never deletes or overwrites it', async () => {
    const stale = '{"orgSlug":"someone-else","projectSlug":"p","projectId":"id"}';
    await writeState(stale);
    assert.deepEqual(await resolveScope(dir, anon), {
      kind: 'stale',
      state: { orgSlug: 'someone-else', projectSlug: 'p', projectId: 'id' },
    });
    assert.equal((await resolveScope(dir, oauth)).kind, 'ok', 'OAuth state is always usable');
    await assert.rejects(
      ensureProjectState({ projectDir: dir, credentials: anon, client }),
      ProjectStateMismatchError,
    );
    assert.equal(await readFile(statePath(), 'utf8'), stale, 'file untouched');
    assert.equal(server.requests.length, 0, 'no project created');
  });

  it('returns a usable state without calling the server', async () => {
    await writeState({ orgSlug: 'anon-org', projectSlug: 'p', projectId: 'id' });
    assert.deepEqual(await ensureProjectState({ projectDir: dir, credentials: anon, client }), {
      orgSlug: 'anon-org',
      projectSlug: 'p',
      projectId: 'id',
    });
    assert.equal(server.requests.length, 0);
  });

  it('asks OAuth users to create the file by hand', async () => {
    await assert.rejects(
      ensureProjectState({ projectDir: dir, credentials: oauth, client }),
      MissingProjectStateError,
    );
  });

  it('creates the project for anonymous users and writes pretty JSON with a newline', async () => {
    server.json('POST', '/v1/projects', 201, {
      project: { id: 'pid-1', slug: 'my-cool_project', name: 'x', orgId: 'o' },
    });
    const state = await ensureProjectState({ projectDir: dir, credentials: anon, client });
    assert.deepEqual(state, { orgSlug: 'anon-org', projectSlug: 'my-cool_project', projectId: 'pid-1' });
    const req = server.requests[0];
    assert.equal(req?.query.get('orgSlug'), 'anon-org');
    assert.deepEqual(JSON.parse(req?.body ?? ''), { name: 'My Cool_Project!', slug: 'my-cool-project' });
    assert.equal(
      await readFile(statePath(), 'utf8'),
      '{\n  "orgSlug": "anon-org",\n  "projectSlug": "my-cool_project",\n  "projectId": "pid-1"\n}\n',
    );
  });

  it('adopts the existing project on 409', async () => {
    server.json('POST', '/v1/projects', 409, { error: 'slug taken' });
    server.json('GET', '/v1/projects', 200, {
      org: { slug: 'anon-org' },
      projects: [
        { id: 'other', slug: 'other', name: 'o' },
        { id: 'pid-2', slug: 'my-cool-project', name: 'My Cool_Project!' },
      ],
    });
    const state = await ensureProjectState({ projectDir: dir, credentials: anon, client });
    assert.deepEqual(state, { orgSlug: 'anon-org', projectSlug: 'my-cool-project', projectId: 'pid-2' });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ['POST /v1/projects', 'GET /v1/projects'],
    );
    assert.deepEqual(await readProjectState(dir), state);
  });

  it('derives slugs as the SDK does', () => {
    assert.equal(deriveProjectSlug('My Cool_Project!'), 'my-cool-project');
    assert.equal(deriveProjectSlug('---'), 'project');
    assert.equal(deriveProjectSlug('日本語'), 'project');
    assert.equal(deriveProjectSlug('a'.repeat(50)), 'a'.repeat(40));
    assert.equal(deriveProjectSlug('-Keep-Dashes-'), 'keep-dashes');
  });
});

describe('where a token may be sent', () => {
  it('accepts https anywhere and plain http only to loopback', () => {
    for (const ok of [
      'https://api.arkor.ai',
      'https://10.0.0.5:8443/v1',
      'http://127.0.0.1:4000',
      'http://localhost:9',
      'http://[::1]:80',
    ]) {
      assert.doesNotThrow(() => assertSafeCloudUrl(ok), ok);
    }
    for (const bad of [
      'http://evil.example',
      'http://10.0.0.5:4000',
      'ftp://api.arkor.ai',
      'file:///etc/passwd',
    ]) {
      assert.throws(() => assertSafeCloudUrl(bad), /must use https/, bad);
    }
    assert.throws(() => assertSafeCloudUrl('not a url'), /not a valid URL/);
  });

  it('lists every secret of a login, for redaction', () => {
    assert.deepEqual(credentialSecrets({ mode: 'anon', token: 't0ken', anonymousId: 'a', orgSlug: 'o' }), [
      't0ken',
    ]);
    assert.deepEqual(credentialSecrets({ mode: 'oauth', accessToken: 'acc3ss', refreshToken: 'refr3sh' }), [
      'acc3ss',
      'refr3sh',
    ]);
    assert.deepEqual(credentialSecrets(undefined), []);
  });
});
