// Local endpoints, end to end: the real backend process trains a tiny job, the extension's core
// client deploys its final adapter, a checkpoint and the base model, and the official `openai` npm
// client (written by nobody here) talks to them exactly as the generated JavaScript sample does:
// `new OpenAI({ baseURL, apiKey })` and `chat.completions.create({ model, messages, stream })`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { ArkorApiClient, type Scope } from '../../../src/core';
import { endpointSample } from '../../../src/core/endpointSamples';
import type { Deployment } from '../../../src/wire';
import { CLIENT_VERSION, FIXTURES, REPO, type Started, startServer, waitFor } from './helpers';

const run = promisify(execFile);
const HELLO = [{ role: 'user' as const, content: 'Ahoy, matey?' }];

describe('local endpoints through the official openai client', function () {
  this.timeout(120_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arkor-endpoints-data-'));
  const parent = mkdtempSync(path.join(tmpdir(), 'arkor-endpoints-project-'));
  const project = path.join(parent, 'shipyard');
  let server: Started;
  let token = '';
  let scope: Scope;
  let jobId = '';
  const client = () =>
    new ArkorApiClient({ baseUrl: server.url, getToken: () => token, clientVersion: CLIENT_VERSION });
  /** An OpenAI client for a deployment, as the JavaScript sample builds it. */
  const openai = (d: Deployment, apiKey: string) =>
    new OpenAI({ baseURL: d.baseUrl as string, apiKey, maxRetries: 0, timeout: 30_000 });

  let final: Deployment;
  let checkpoint: Deployment;
  let base: Deployment;
  let finalKey = '';
  let baseKey = '';

  before(async () => {
    mkdirSync(project);
    copyFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), path.join(project, 'train.jsonl'));
    server = await startServer(dataDir);
    token = (await client().signUpAnonymous()).token;
    const bound = await client().localProject(project);
    scope = { orgSlug: bound.orgSlug, projectSlug: bound.projectSlug };
    const job = await client().createJob(scope, {
      name: 'pirate',
      config: {
        model: 'unsloth/gemma-4-E4B-it',
        datasetSource: { type: 'blob', url: 'train.jsonl' },
        maxSteps: 6,
        saveSteps: 3,
      },
    });
    jobId = job.id;
    const done = await client().streamJobEvents(scope, jobId, { onEvent: () => undefined });
    assert.equal(done.reason, 'training.completed');
    final = await client().createDeployment(scope, {
      slug: 'pirate-final',
      target: { kind: 'adapter', adapter: { kind: 'final', jobId } },
      authMode: 'fixed_api_key',
    });
    checkpoint = await client().createDeployment(scope, {
      slug: 'pirate-step-3',
      target: { kind: 'adapter', adapter: { kind: 'checkpoint', jobId, step: 3 } },
      authMode: 'none',
    });
    base = await client().createDeployment(scope, {
      slug: 'plain-base',
      target: { kind: 'base_model', baseModel: 'unsloth/gemma-4-E4B-it' },
      authMode: 'fixed_api_key',
      runRetentionMode: 'disabled',
    });
    const issued = await client().createDeploymentKey(scope, final.id, { label: '  production  ' });
    finalKey = issued.plaintext;
    baseKey = (await client().createDeploymentKey(scope, base.id, { label: 'base' })).plaintext;
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(parent, { recursive: true, force: true });
  });

  it('deploys a final adapter, a checkpoint and the base model on 127.0.0.1 URLs', async () => {
    const port = new URL(final.baseUrl as string).port;
    assert.equal(final.baseUrl, `http://127.0.0.1:${port}/pirate-final/v1`);
    assert.equal(checkpoint.baseUrl, `http://127.0.0.1:${port}/pirate-step-3/v1`);
    assert.notEqual(port, String(server.port), 'endpoints have their own listener');
    // The documented default retention: 7 days.
    assert.equal(final.runRetentionMode, 'days');
    assert.equal(final.runRetentionDays, 7);
    assert.equal(final.enabled, true);
    assert.deepEqual((await client().listDeployments(scope)).map((d) => d.slug).sort(), [
      'pirate-final',
      'pirate-step-3',
      'plain-base',
    ]);

    const keys = await client().listDeploymentKeys(scope, final.id);
    assert.deepEqual(
      keys.map((k) => k.label),
      ['production'],
      'the label was trimmed',
    );
    assert.match(finalKey, /^ark_local_[A-Za-z0-9_-]{43}$/);
    assert.ok(finalKey.startsWith(keys[0]?.prefix ?? '?'));
  });

  /** The greedy reply the Arkor chat route gives for a model: what the endpoint must also give. */
  const arkorGreedy = async (
    model:
      | { adapter: { kind: 'final'; jobId: string } | { kind: 'checkpoint'; jobId: string; step: number } }
      | { baseModel: string },
  ) => (await client().streamChat(scope, { ...model, messages: HELLO, temperature: 0, maxTokens: 24 })).text;

  for (const [name, pick, key, model] of [
    ['adapter/final', () => final, () => finalKey, () => ({ adapter: { kind: 'final' as const, jobId } })],
    [
      'adapter/checkpoint',
      () => checkpoint,
      () => 'not-required',
      () => ({ adapter: { kind: 'checkpoint' as const, jobId, step: 3 } }),
    ],
    ['base_model', () => base, () => baseKey, () => ({ baseModel: 'unsloth/gemma-4-E4B-it' })],
  ] as const) {
    it(`${name}: a non-streamed and a streamed completion, the target's own reply`, async () => {
      const ai = openai(pick(), key());
      const expected = await arkorGreedy(model());
      assert.ok(expected.length > 0);
      const response = await ai.chat.completions.create({
        model: 'ignored',
        messages: HELLO,
        temperature: 0,
        max_tokens: 24,
      });
      assert.equal(response.object, 'chat.completion');
      assert.equal(response.choices[0]?.message.content, expected, 'the endpoint serves its target');
      assert.equal(response.usage?.completion_tokens, Buffer.byteLength(expected));
      assert.ok((response.usage?.prompt_tokens ?? 0) > 0);

      const stream = await ai.chat.completions.create({
        model: 'ignored',
        messages: HELLO,
        temperature: 0,
        max_tokens: 24,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let finish: string | null | undefined;
      let usage: OpenAI.CompletionUsage | undefined | null;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        usage = chunk.usage ?? usage;
      }
      assert.equal(text, expected);
      assert.ok(chunks > 3, `streamed in pieces (${chunks} chunks)`);
      assert.ok(finish === 'stop' || finish === 'length');
      assert.equal(usage?.completion_tokens, Buffer.byteLength(expected));
    });
  }

  it('lists the model it serves', async () => {
    const models = await openai(final, finalKey).models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      [`arkor-local/tiny-gpt-test+final:${jobId}`],
    );
  });

  it('refuses calls without a key (Bearer and x-api-key both accepted) and revoked keys at once', async () => {
    await assert.rejects(
      openai(final, 'not-required').chat.completions.create({ model: 'ignored', messages: HELLO }),
      (e: unknown) => e instanceof OpenAI.AuthenticationError && /Incorrect API key/.test(e.message),
    );
    const bare = await fetch(`${final.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x', messages: HELLO }),
    });
    assert.equal(bare.status, 401);
    assert.match(((await bare.json()) as { error: { message: string } }).error.message, /needs an API key/);
    const viaHeader = await fetch(`${final.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': finalKey },
      body: JSON.stringify({ model: 'x', messages: HELLO, max_tokens: 4 }),
    });
    assert.equal(viaHeader.status, 200);

    const spare = await client().createDeploymentKey(scope, final.id, { label: 'spare' });
    const ai = openai(final, spare.plaintext);
    await ai.chat.completions.create({ model: 'ignored', messages: HELLO, max_tokens: 4 });
    await client().revokeDeploymentKey(scope, final.id, spare.id);
    await assert.rejects(
      ai.chat.completions.create({ model: 'ignored', messages: HELLO, max_tokens: 4 }),
      (e: unknown) => e instanceof OpenAI.AuthenticationError && /revoked/.test(e.message),
    );
    const keys = await client().listDeploymentKeys(scope, final.id);
    const row = keys.find((k) => k.id === spare.id);
    assert.equal(row?.enabled, false, 'a revoked key stays listed, disabled');
    assert.ok(row?.lastUsedAt, 'last use is recorded');
    assert.ok(keys.every((k) => !('plaintext' in k)));
    // The other key still works.
    await openai(final, finalKey).chat.completions.create({
      model: 'ignored',
      messages: HELLO,
      max_tokens: 4,
    });
  });

  it('a disabled endpoint answers 404 as documented; enabling and re-targeting keep the URL', async () => {
    const off = await client().updateDeployment(scope, checkpoint.id, { enabled: false });
    assert.equal(off.enabled, false);
    await assert.rejects(
      openai(checkpoint, 'x').chat.completions.create({ model: 'ignored', messages: HELLO }),
      (e: unknown) => e instanceof OpenAI.NotFoundError && /disabled/.test(e.message),
    );
    const moved = await client().updateDeployment(scope, checkpoint.id, {
      enabled: true,
      target: { kind: 'base_model', baseModel: 'any' },
    });
    assert.equal(moved.baseUrl, checkpoint.baseUrl);
    const r = await openai(checkpoint, 'x').chat.completions.create({
      model: 'ignored',
      messages: HELLO,
      temperature: 0,
      max_tokens: 24,
    });
    assert.equal(r.model, 'arkor-local/tiny-gpt-test');
    assert.equal(r.choices[0]?.message.content, await arkorGreedy({ baseModel: 'any' }));
    checkpoint = await client().updateDeployment(scope, checkpoint.id, {
      target: { kind: 'adapter', adapter: { kind: 'checkpoint', jobId, step: 3 } },
    });
  });

  it('records recent requests while retention allows (time, status, latency, tokens, preview), none when disabled', async () => {
    const requests = await client().listDeploymentRequests(scope, final.id);
    assert.ok(requests.length >= 6, `recorded ${requests.length}`);
    const times = requests.map((r) => Date.parse(r.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
    const ok = requests.find((r) => r.status === 200 && r.stream);
    assert.ok(ok);
    assert.equal(ok.preview?.prompt, 'Ahoy, matey?');
    assert.ok((ok.completionTokens ?? 0) > 0 && (ok.promptTokens ?? 0) > 0);
    assert.ok(ok.latencyMs >= 0);
    assert.ok(requests.some((r) => r.status === 401 && r.preview === null && /revoked/.test(r.error ?? '')));
    // The base endpoint was created with retention disabled: it served requests, kept none.
    assert.deepEqual(await client().listDeploymentRequests(scope, base.id), []);
    // Turning retention off drops what was kept.
    await client().updateDeployment(scope, final.id, { runRetentionMode: 'disabled' });
    assert.deepEqual(await client().listDeploymentRequests(scope, final.id), []);
    await openai(final, finalKey).chat.completions.create({
      model: 'ignored',
      messages: HELLO,
      max_tokens: 4,
    });
    assert.deepEqual(await client().listDeploymentRequests(scope, final.id), []);
    const back = await client().updateDeployment(scope, final.id, {
      runRetentionMode: 'days',
      runRetentionDays: 1,
    });
    assert.equal(back.runRetentionDays, 1);
  });

  it('bad input: a clear message each, and nothing changes', async () => {
    const before = await client().listDeployments(scope);
    await assert.rejects(
      client().createDeployment(scope, { slug: 'My_Model', target: final.target, authMode: 'none' }),
      /slug must be 2-50 chars, lowercase letters \/ digits \/ hyphens/,
    );
    await assert.rejects(
      client().createDeployment(scope, { slug: 'www', target: final.target, authMode: 'none' }),
      /HTTP 400: slug "www" is reserved.*Rule: slug must be 2-50 chars/,
    );
    await assert.rejects(
      client().createDeployment(scope, { slug: 'pirate-final', target: final.target, authMode: 'none' }),
      /The slug "pirate-final" is already taken/,
    );
    await assert.rejects(
      client().createDeployment(scope, {
        slug: 'ghost',
        target: {
          kind: 'adapter',
          adapter: { kind: 'final', jobId: '00000000-0000-4000-8000-000000000000' },
        },
        authMode: 'none',
      }),
      /could not find .*target.*job 00000000-0000-4000-8000-000000000000 not found/s,
    );
    await assert.rejects(
      client().createDeploymentKey(scope, final.id, { label: '   ' }),
      /label must be 1-80 characters/,
    );
    // The server holds the same rules when a caller skips the client's checks.
    const raw = await fetch(
      `${server.url}/v1/endpoints/${final.id}/keys?orgSlug=${scope.orgSlug}&projectSlug=${scope.projectSlug}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'x-arkor-client': CLIENT_VERSION,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ label: ' ' }),
      },
    );
    assert.equal(raw.status, 400);
    await assert.rejects(client().getDeployment(scope, 'nope'), /could not find endpoint nope/);
    assert.deepEqual(await client().listDeployments(scope), before);
  });

  it('keys are stored hashed with a salt each: no secret on disk', () => {
    const file = readFileSync(path.join(dataDir, 'deployments.json'), 'utf8');
    assert.ok(!file.includes(finalKey) && !file.includes(baseKey));
    const stored = JSON.parse(file) as { keys: { salt: string; hash: string }[] };
    assert.equal(new Set(stored.keys.map((k) => k.salt)).size, stored.keys.length);
    assert.ok(stored.keys.every((k) => /^[0-9a-f]{64}$/.test(k.hash)));
  });

  it('the JavaScript sample, run as written with node, answers from the endpoint', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arkor-sample-'));
    try {
      // `openai` resolves from the sample's folder as it would in a user's project.
      symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      const cases = [
        { d: checkpoint, stream: false },
        { d: checkpoint, stream: true },
        { d: final, stream: false, apiKey: finalKey },
      ];
      for (const [i, c] of cases.entries()) {
        const code = endpointSample({
          language: 'javascript',
          baseUrl: c.d.baseUrl as string,
          authMode: c.d.authMode,
          stream: c.stream,
          apiKey: c.apiKey,
        });
        const file = path.join(dir, `sample-${i}.mjs`);
        writeFileSync(file, code);
        const { stdout } = await run(process.execPath, [file], { timeout: 60_000 });
        assert.ok(stdout.trim().length > 0, `sample ${i} printed a reply`);
      }
      const recorded = await client().listDeploymentRequests(scope, final.id);
      assert.equal(recorded[0]?.preview?.prompt, 'Hello!', 'the sample reached the endpoint');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a restart mid-reply: the client gets a connection error, the request is kept as interrupted, and after the restart URLs, keys and revocations hold', async () => {
    const revoked = await client().createDeploymentKey(scope, final.id, { label: 'old' });
    await client().revokeDeploymentKey(scope, final.id, revoked.id);
    const ai = openai(final, finalKey);
    // The backend is stopped on the first chunk, which comes before any text. A short reply can
    // still be complete by the time the stop lands (the decoder is fast), so a few seeded hot
    // replies are tried until one is cut off; each try restarts the backend on the same data.
    let cutOff = false;
    for (let seed = 1; seed <= 6 && !cutOff; seed++) {
      const stream = await ai.chat.completions.create({
        model: 'ignored',
        messages: HELLO,
        max_tokens: 4096,
        temperature: 2,
        seed,
        stream: true,
      });
      let n = 0;
      let stopping: Promise<void> | undefined;
      try {
        for await (const _ of stream) if (++n === 1) stopping = server.stop();
      } catch {
        cutOff = true;
      }
      await (stopping ?? server.stop());
      server = await startServer(dataDir);
    }
    assert.ok(cutOff, 'a reply was cut off by the stop, and the client got an error');
    const after = await client().getDeployment(scope, final.id);
    assert.equal(after.baseUrl, final.baseUrl, 'the same URL after a restart');
    const interrupted = (await client().listDeploymentRequests(scope, final.id))[0];
    assert.match(interrupted?.error ?? '', /The local backend stopped before the reply was complete/);
    const r = await openai(final, finalKey).chat.completions.create({
      model: 'ignored',
      messages: HELLO,
      max_tokens: 8,
    });
    assert.ok(r.choices[0]?.message.content !== undefined);
    for (const wrong of ['ark_local_wrong', revoked.plaintext]) {
      await assert.rejects(
        openai(final, wrong).chat.completions.create({ model: 'ignored', messages: HELLO }),
        OpenAI.AuthenticationError,
      );
    }
    const keys = await client().listDeploymentKeys(scope, final.id);
    assert.equal(keys.find((k) => k.label === 'production')?.enabled, true);
    assert.equal(keys.find((k) => k.label === 'old')?.enabled, false);
    await waitFor(
      async () => (await client().listDeploymentKeys(scope, final.id))[0]?.lastUsedAt,
      5000,
      'last use',
    );
  });

  it('a target job deleted while the backend was down: the endpoint stays, its calls say why (404)', async () => {
    await server.stop();
    const jobsFile = path.join(dataDir, 'jobs.json');
    const jobs = JSON.parse(readFileSync(jobsFile, 'utf8')) as { id: string }[];
    writeFileSync(jobsFile, JSON.stringify(jobs.filter((j) => j.id !== jobId)));
    server = await startServer(dataDir);
    assert.equal((await client().getDeployment(scope, final.id)).slug, 'pirate-final');
    await assert.rejects(
      openai(final, finalKey).chat.completions.create({ model: 'ignored', messages: HELLO }),
      (e: unknown) =>
        e instanceof OpenAI.NotFoundError &&
        /the final adapter of job .* no longer exists: the job was deleted/.test(e.message),
    );
    // The base model endpoint does not depend on the job.
    await openai(base, baseKey).chat.completions.create({ model: 'ignored', messages: HELLO, max_tokens: 4 });
    await assert.rejects(
      client().updateDeployment(scope, base.id, { target: final.target }),
      /could not find endpoint .*job .* not found/s,
    );
    await client().deleteDeployment(scope, final.id);
    await assert.rejects(
      openai(final, finalKey).chat.completions.create({ model: 'ignored', messages: HELLO }),
      (e: unknown) => e instanceof OpenAI.NotFoundError && /No endpoint named "pirate-final"/.test(e.message),
    );
  });
});
