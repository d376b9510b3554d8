// Relative dataset paths, as the real SDK sends them (`{type:'blob', url:'./data/captain.jsonl'}`,
// verbatim), resolve against the folder of the project whose run created the job: never another
// workspace folder's file of the same name, and folders bound after the backend started work too.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArkorApiClient, type Scope } from '../../../src/core';
import { CLIENT_VERSION, FIXTURES, type Started, startServer } from './helpers';

describe('local backend: datasets resolve in the project of the run', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arkor-backend-ds-'));
  const workspace = mkdtempSync(path.join(tmpdir(), 'arkor-ws-'));
  let server: Started;
  let token = '';
  const client = () =>
    new ArkorApiClient({ baseUrl: server.url, getToken: () => token, clientVersion: CLIENT_VERSION });
  const lines = readFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), 'utf8').trim().split('\n');

  /** A project folder with `n` examples in data/captain.jsonl. */
  const projectWith = (rel: string, n: number) => {
    const dir = path.join(workspace, rel);
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    const rows = Array.from({ length: n }, (_, i) => lines[i % lines.length]);
    writeFileSync(path.join(dir, 'data/captain.jsonl'), `${rows.join('\n')}\n`);
    return dir;
  };

  /** The number of examples the job trained on, from its training.started metadata. */
  const examplesOf = async (scope: Scope, jobId: string): Promise<number> => {
    let seen = -1;
    await client().streamJobEvents(scope, jobId, {
      onEvent: (event) => {
        if (event.type === 'training.started') {
          const m = (event as { metadata?: Record<string, number> }).metadata ?? {};
          seen = (m.trainExamples ?? 0) + (m.evalExamples ?? 0);
        }
      },
    });
    return seen;
  };

  const job = (scope: Scope, url: string) =>
    client().createJob(scope, {
      name: 'captain-speak',
      config: { model: 'unsloth/gemma-4-E4B-it', datasetSource: { type: 'blob', url }, maxSteps: 2 },
    });

  before(async () => {
    server = await startServer(dataDir);
    token = (await client().signUpAnonymous()).token;
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it('two folders with the same relative file: each job trains on its own project’s file', async () => {
    const first = await client().localProject(projectWith('folder-one/quickstart', 20));
    const second = await client().localProject(projectWith('folder-two/quickstart', 150));
    assert.notEqual(first.projectSlug, second.projectSlug, 'two folders of one name are two projects');
    const a = await job(second, './data/captain.jsonl');
    assert.equal(await examplesOf(second, a.id), 150);
    const b = await job(first, './data/captain.jsonl');
    assert.equal(await examplesOf(first, b.id), 20);
  });

  it('a project nested in the opened folder, bound after the backend started, reads its own data', async () => {
    projectWith('data-decoy', 7); // the opened folder's own data/ must not be used
    const nested = await client().localProject(projectWith('repo/examples/quickstart', 33));
    const created = await job(nested, 'data/captain.jsonl');
    assert.equal(await examplesOf(nested, created.id), 33);
  });

  it('a path that does not resolve names the path and where it was looked for', async () => {
    const dir = projectWith('missing-data', 1);
    const scope = await client().localProject(dir);
    await assert.rejects(job(scope, './data/other.jsonl'), (error: Error) => {
      assert.match(error.message, /dataset file not found: \.\/data\/other\.jsonl/);
      assert.ok(error.message.includes(path.join(dir, 'data/other.jsonl')), error.message);
      return true;
    });
  });

  it('a project with no folder (created the cloud way) refuses relative paths with a clear error', async () => {
    await client().createProject('local', { name: 'remote', slug: 'remote-only' });
    await assert.rejects(
      job({ orgSlug: 'local', projectSlug: 'remote-only' }, './data/captain.jsonl'),
      /no folder on this machine/,
    );
  });

  it('binding needs an existing absolute folder', async () => {
    await assert.rejects(client().localProject('relative/dir'), /absolute path/);
    await assert.rejects(client().localProject(path.join(workspace, 'nope')), /project folder not found/);
  });
});
