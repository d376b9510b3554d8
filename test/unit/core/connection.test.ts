// Each way a connection fails, produced by real requests to real loopback servers, becomes the state
// every surface shows: its phase, a message naming the cause, and the actions that fix it.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import {
  ArkorApiClient,
  type ConnectionState,
  failureState,
  MissingProjectStateError,
  NoProjectError,
  NotSignedInError,
  ProjectStateMismatchError,
  retryDelayMs,
  UntrustedScopeError,
} from '../../../src/core';

import { TestServer } from '../helpers/testServer';

/** A message that sends the user off to type a command instead of pressing the button beside it. */
const RUN_A_COMMAND = /"Arkor: |Run `|run the command|Check arkor\./;

function assertFixable(state: ConnectionState): void {
  assert.ok(state.actions.length > 0, `${state.phase}: a button for the fix`);
  assert.doesNotMatch(state.message ?? '', RUN_A_COMMAND, `${state.phase}: ${state.message}`);
}

const SCOPE = { orgSlug: 'acme', projectSlug: 'captain' };

/** A port nothing listens on: bound once, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

async function failureOf(baseUrl: string): Promise<unknown> {
  const client = new ArkorApiClient({
    baseUrl,
    clientVersion: 'arkor/0.0.3-alpha.1',
    getToken: () => 'tok3n',
  });
  try {
    await client.listJobs(SCOPE);
  } catch (error) {
    return error;
  }
  assert.fail('the request succeeded');
}

describe('connection states', () => {
  const server = new TestServer();
  before(() => server.listen());
  after(() => server.close());

  it('a dead URL is unreachable, names the cause, and is retried (cloud: Retry, Select Backend)', async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const state = failureState(await failureOf(url), 'cloud', url);
    assert.equal(state.phase, 'unreachable');
    assert.match(state.message ?? '', /ECONNREFUSED/);
    assert.match(state.label, /^Arkor Cloud · 127\.0\.0\.1:\d+$/);
    assert.deepEqual(state.actions, ['retry', 'selectBackend']);
  });

  it('a rejected token is unauthorized with Sign In first', async () => {
    server.json('GET', '/v1/jobs', 401, { error: 'token expired' });
    const state = failureState(await failureOf(server.url), 'cloud', server.url);
    assert.equal(state.phase, 'unauthorized');
    assert.match(state.message ?? '', /did not accept the sign-in/);
    assert.match(state.message ?? '', /token expired/);
    assert.deepEqual(state.actions, ['signIn', 'selectBackend']);
    assertFixable(state);
  });

  it('an answer that is not an Arkor API offers Select Backend, not a setting to go and find', async () => {
    server.json('GET', '/v1/jobs', 200, { nothing: 'here' });
    const state = failureState(await failureOf(server.url), 'cloud', server.url);
    assert.equal(state.phase, 'error');
    assert.equal(state.actions[0], 'selectBackend');
    assertFixable(state);
  });

  it('a failed sign-in keeps its cause while signed out, with Sign In first', () => {
    const state = failureState(
      new NotSignedInError('anonymous sign-in at api.arkor.ai: HTTP 403 anonymous sign-up disabled'),
      'cloud',
      'https://api.arkor.ai',
    );
    assert.equal(state.phase, 'signed-out');
    assert.match(state.message ?? '', /Signing in to Arkor Cloud failed: .*anonymous sign-up disabled/);
    assert.deepEqual(state.actions, ['signIn', 'selectBackend']);
    assertFixable(state);
  });

  it('no project offers New Project and Open Folder; an untrusted scope offers Manage Trust', () => {
    const none = failureState(new NoProjectError(), 'local', undefined);
    assert.deepEqual(none.actions, ['newProject', 'openFolder']);
    assertFixable(none);
    const untrusted = failureState(new UntrustedScopeError('no state file'), 'cloud', 'https://api.arkor.ai');
    assert.equal(untrusted.phase, 'wrong-scope');
    assert.deepEqual(untrusted.actions, ['manageTrust', 'selectBackend']);
  });

  it('a scope the server does not know is wrong-scope with Choose Project first', async () => {
    server.json('GET', '/v1/jobs', 404, { error: 'project captain not found' });
    const state = failureState(await failureOf(server.url), 'cloud', server.url);
    assert.equal(state.phase, 'wrong-scope');
    assert.match(state.message ?? '', /project captain not found/);
    assert.deepEqual(state.actions, ['chooseProject', 'signIn']);
  });

  it('signed out, and state files of another identity or none, say so with the fix', () => {
    assert.deepEqual(failureState(new NotSignedInError(), 'cloud', undefined).actions, [
      'signIn',
      'selectBackend',
    ]);
    assert.equal(failureState(new NotSignedInError(), 'cloud', undefined).phase, 'signed-out');
    assertFixable(failureState(new NotSignedInError(), 'cloud', undefined));
    for (const error of [new ProjectStateMismatchError('acme', 'anon-1'), new MissingProjectStateError()]) {
      const state = failureState(error, 'cloud', 'https://api.arkor.ai');
      assert.equal(state.phase, 'wrong-scope');
      assert.equal(state.actions[0], 'chooseProject');
      assertFixable(state);
    }
  });

  it('the local backend unreachable offers Retry and the output (it restarts by itself)', async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const state = failureState(await failureOf(url), 'local', url);
    assert.equal(state.phase, 'unreachable');
    assert.match(state.label, /^Local backend/);
    assert.deepEqual(state.actions, ['retry', 'showOutput']);
  });

  it('retries back off from 2 s to at most 30 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10].map(retryDelayMs), [2000, 4000, 8000, 16000, 30000, 30000]);
  });
});
