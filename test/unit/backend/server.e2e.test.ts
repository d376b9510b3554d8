// End to end against the real backend process on 127.0.0.1, driven through the extension's own
// core API client: sign-up, a real (tiny) training with events, chat with base vs adapter, restart.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBaseModel } from '../../../src/backend/engine/baseModel';
import { parseChatJsonl, toWindows } from '../../../src/backend/engine/data';
import { disposeLora, loadLora } from '../../../src/backend/engine/lora';
import { TinyGpt } from '../../../src/backend/engine/model';
import { PRESETS } from '../../../src/backend/engine/presets';
import { initTf } from '../../../src/backend/engine/tf';
import { evaluate } from '../../../src/backend/engine/train';
import { ArkorApiClient, type JobEvent, type Scope } from '../../../src/core';
import { CLIENT_VERSION, FIXTURES, type Started, startServer } from './helpers';

describe('local backend end to end', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arkor-backend-e2e-'));
  // A project folder named "demo": bound to the backend, its project gets the slug "demo".
  const projectParent = mkdtempSync(path.join(tmpdir(), 'arkor-project-'));
  const project = path.join(projectParent, 'demo');
  let server: Started;
  let token = '';
  let scope: Scope;
  const client = () =>
    new ArkorApiClient({ baseUrl: server.url, getToken: () => token, clientVersion: CLIENT_VERSION });
  let jobId = '';
  const events: { id: string | undefined; event: JobEvent }[] = [];

  before(async () => {
    mkdirSync(project);
    copyFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), path.join(project, 'train.jsonl'));
    server = await startServer(dataDir, [], { ARKOR_LOCAL_PING_INTERVAL_MS: '150' });
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(projectParent, { recursive: true, force: true });
  });

  it('signs up anonymously and creates a project (409 on a taken slug)', async () => {
    const signup = await client().signUpAnonymous();
    assert.ok(signup.token.length > 20);
    assert.equal(signup.personalOrg.slug, 'local');
    token = signup.token;
    const me = await client().me();
    assert.deepEqual(
      me.orgs.map((o) => o.slug),
      ['local'],
    );
    const p = await client().createProject('local', { name: 'remote', slug: 'remote' });
    assert.equal(p.slug, 'remote');
    await assert.rejects(client().createProject('local', { name: 'remote', slug: 'remote' }), /409/);
    // The extension's way: the project of a folder, the same one every time.
    const bound = await client().localProject(project);
    assert.deepEqual(await client().localProject(project), bound);
    assert.deepEqual(bound, { orgSlug: 'local', projectSlug: 'demo', projectId: bound.projectId });
    const list = await client().listProjects('local');
    assert.deepEqual(
      list.projects.map((x) => x.slug),
      ['remote', 'demo'],
    );
    assert.ok(!('root' in (list.projects[1] ?? {})), 'the folder stays inside the backend');
    scope = { orgSlug: 'local', projectSlug: 'demo' };
  });

  it('trains on the fixture: events stream to completion, loss falls, checkpoints at saveSteps', async () => {
    const job = await client().createJob(scope, {
      name: 'pirate',
      config: {
        model: 'unsloth/gemma-4-E4B-it',
        datasetSource: { type: 'blob', url: 'train.jsonl' },
        maxSteps: 80,
        saveSteps: 20,
        evalSteps: 40,
        loggingSteps: 5,
        learningRate: 1e-2,
      },
    });
    assert.equal(job.status, 'queued');
    jobId = job.id;
    const result = await client().streamJobEvents(scope, jobId, {
      onEvent: (event, id) => events.push({ event, id }),
    });
    assert.equal(result.reason, 'training.completed');

    const types = events.map((e) => e.event.type);
    assert.equal(types[0], 'training.started');
    assert.equal(types[types.length - 1], 'training.completed');
    const started = events[0]?.event as { metadata?: Record<string, unknown> };
    assert.equal(started.metadata?.requestedModel, 'unsloth/gemma-4-E4B-it');
    assert.match(String(started.metadata?.note), /in place of "unsloth\/gemma-4-E4B-it"/);
    // SSE ids are increasing integers.
    const ids = events.map((e) => Number(e.id));
    assert.ok(ids.every((id, i) => i === 0 || id > (ids[i - 1] as number)));

    const logs = events.flatMap((e) => (e.event.type === 'training.log' ? [e.event] : []));
    const trainLogs = logs.filter((l) => typeof l.loss === 'number');
    assert.deepEqual(
      trainLogs.map((l) => l.step),
      [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80],
    );
    const first = trainLogs.slice(0, 3).reduce((s, l) => s + (l.loss as number), 0) / 3;
    const last = trainLogs.slice(-3).reduce((s, l) => s + (l.loss as number), 0) / 3;
    assert.ok(last < first * 0.85, `loss should fall: first ${first}, last ${last}`);
    for (const l of trainLogs) {
      assert.equal(typeof l.learningRate, 'number');
      assert.equal(typeof l.epoch, 'number');
      assert.equal(typeof l.samplesPerSecond, 'number');
    }
    // Eval at step 0 (the base) and at every evalSteps; it falls too.
    const evals = logs.filter((l) => typeof l.evalLoss === 'number');
    assert.deepEqual(
      evals.map((l) => l.step),
      [0, 40, 80],
    );
    assert.ok((evals[2]?.evalLoss as number) < (evals[0]?.evalLoss as number));

    const checkpoints = events.flatMap((e) => (e.event.type === 'checkpoint.saved' ? [e.event] : []));
    assert.deepEqual(
      checkpoints.map((c) => c.step),
      [20, 40, 60],
    );
    assert.ok(checkpoints.every((c) => (c.artifacts?.length ?? 0) > 0));
    const done = (await client().getJob(scope, jobId)).job;
    assert.equal(done.status, 'completed');
    assert.ok(done.startedAt && done.completedAt);
  });

  const ask = {
    messages: [{ role: 'user' as const, content: 'How are you today?' }],
    temperature: 0,
    maxTokens: 40,
  };

  it('chats with the base model and the final adapter, and they differ', async () => {
    const base = await client().streamChat(scope, { ...ask, baseModel: 'unsloth/gemma-4-E4B-it' });
    const tuned = await client().streamChat(scope, { ...ask, adapter: { kind: 'final', jobId } });
    assert.ok(base.text.length > 0 && tuned.text.length > 0);
    assert.notEqual(base.text, tuned.text);
    // The fixture assistant always talks like a pirate; the adapter picked that up, the base did not.
    assert.match(tuned.text, /arr|matey|ye\b/i);
    assert.ok(['stop', 'length'].includes(tuned.finishReason ?? ''));
    const ckpt = await client().streamChat(scope, {
      ...ask,
      adapter: { kind: 'checkpoint', jobId, step: 40 },
    });
    assert.ok(ckpt.text.length > 0);
  });

  it('wrote a final adapter whose held-out loss is clearly below the base model', async () => {
    await initTf();
    const preset = PRESETS.test;
    const model = TinyGpt.fromWeights(preset.model, loadBaseModel(preset).weights);
    const { lora } = loadLora(path.join(dataDir, 'adapters', jobId, 'final'));
    const held = toWindows(
      parseChatJsonl(readFileSync(path.join(FIXTURES, 'pirate-heldout.jsonl'), 'utf8')),
      preset.model.context,
      true,
    );
    const baseLoss = evaluate(model, held, 8);
    const tunedLoss = evaluate(model, held, 8, lora);
    disposeLora(lora);
    model.dispose();
    assert.ok(tunedLoss < baseLoss * 0.8, `held-out loss: base ${baseLoss}, adapter ${tunedLoss}`);
  });

  it('stops generating when the client goes away, and keeps serving', async () => {
    // Sampled at temperature 1, a reply may end by itself by its third piece, before the client goes
    // away; then it is asked again (the point is what happens when the client leaves mid-reply).
    let aborted = false;
    for (let attempt = 0; attempt < 5 && !aborted; attempt++) {
      const abort = new AbortController();
      let pieces = 0;
      const res = await client().streamChat(
        scope,
        {
          messages: [{ role: 'user', content: 'Tell me a story.' }],
          baseModel: 'x',
          maxTokens: 4000,
          temperature: 1,
        },
        {
          signal: abort.signal,
          onDelta: () => {
            if (++pieces === 3) abort.abort();
          },
        },
      );
      aborted = res.aborted === true;
    }
    assert.ok(aborted, 'one of five replies ran long enough to be left mid-way');
    const t = Date.now();
    await client().listJobs(scope);
    assert.ok(Date.now() - t < 500);
  });

  it('sends keepalive pings on a live job stream', async () => {
    const job = await client().createJob(scope, {
      name: 'pings',
      config: {
        model: 'm',
        datasetSource: { type: 'blob', url: 'train.jsonl' },
        maxSteps: 100_000,
        loggingSteps: 100_000,
      },
    });
    const res = await fetch(`${server.url}/v1/jobs/${job.id}/events/stream?orgSlug=local&projectSlug=demo`, {
      headers: { Authorization: `Bearer ${token}`, 'X-Arkor-Client': CLIENT_VERSION },
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('event: ping\ndata: \n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    await client().cancelJob(scope, job.id);
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    assert.match(text, /event: ping\ndata: \n\n/);
    assert.match(text, /event: end\ndata: \n\n$/);
  });

  it('answers non-streaming requests with a chat.completion object, honouring maxTokens', async () => {
    const res = await fetch(`${server.url}/v1/inference/chat?orgSlug=local&projectSlug=demo`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'X-Arkor-Client': CLIENT_VERSION,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ ...ask, maxTokens: 5, stream: false, adapter: { kind: 'final', jobId } }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      object: string;
      choices: { message: { role: string; content: string }; finish_reason: string }[];
    };
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.choices[0]?.message.role, 'assistant');
    assert.ok(Buffer.byteLength(body.choices[0]?.message.content ?? '') <= 5);
  });

  it('404s a bad adapter reference with a clear error', async () => {
    await assert.rejects(
      client().streamChat(scope, { ...ask, adapter: { kind: 'checkpoint', jobId, step: 13 } }),
      /no checkpoint at step 13/,
    );
    await assert.rejects(
      client().streamChat(scope, { ...ask, adapter: { kind: 'final', jobId: 'nope' } }),
      /job nope not found/,
    );
  });

  it('serves the job, its events and its adapters again after a restart', async () => {
    const before = await client().streamChat(scope, { ...ask, adapter: { kind: 'final', jobId } });
    await server.stop();
    server = await startServer(dataDir);
    const jobs = await client().listJobs(scope);
    assert.equal(jobs.find((j) => j.id === jobId)?.status, 'completed');
    const replay: JobEvent[] = [];
    const result = await client().streamJobEvents(scope, jobId, { onEvent: (e) => replay.push(e) });
    assert.equal(result.reason, 'training.completed');
    assert.deepEqual(
      replay.map((e) => e.type),
      events.map((e) => e.event.type),
    );
    // Greedy decoding from the reloaded adapter gives the very same reply.
    const after = await client().streamChat(scope, { ...ask, adapter: { kind: 'final', jobId } });
    assert.equal(after.text, before.text);
  });

  it('resumes the stream after Last-Event-ID and ends a finished job with `end`', async () => {
    const res = await fetch(`${server.url}/v1/jobs/${jobId}/events/stream?orgSlug=local&projectSlug=demo`, {
      headers: { Authorization: `Bearer ${token}`, 'X-Arkor-Client': CLIENT_VERSION, 'Last-Event-ID': '3' },
    });
    const text = await res.text();
    const frameIds = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(frameIds[0], 4);
    assert.equal(frameIds.length, events.length - 3);
    assert.match(text, /event: end\ndata: \n\n$/);
  });
});
