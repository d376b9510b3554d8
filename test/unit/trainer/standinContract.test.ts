/**
 * Contract tests for the `arkor` STAND-IN: trainers written only against the real SDK's documented
 * API (docs/arkor-sdk-api.md), run in-process through the stand-in. Most run against the real local
 * backend on 127.0.0.1; the exact bytes of the job-create body and the stream edge cases are
 * checked against a loopback server that records every request.
 *
 * Only public entry points are used (no internal `createTrainer` context): credentials come from
 * `ensureCredentials`/`writeCredentials` under a private HOME, the base URL from
 * `ARKOR_CLOUD_API_URL`, the project scope from `.arkor/state.json` in the current directory.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArkorApiClient } from '../../../src/core';
import { CLIENT_VERSION, FIXTURES, REPO, type Started, startServer } from '../backend/helpers';
import { encodeFrame, startSse, TestServer } from '../helpers/testServer';
import { TempDirs } from './tmp';

const MODEL = 'unsloth/gemma-4-E4B-it';

// The SDK is ESM and this file compiles to CommonJS: values through a dynamic import (loaded
// once, below), types through import-mode type queries.
type Sdk = typeof import('arkor', { with: { 'resolution-mode': 'import' }});
type TrainerCallbacks = import('arkor', { with: { 'resolution-mode': 'import' }}).TrainerCallbacks;
type TrainingJob = import('arkor', { with: { 'resolution-mode': 'import' }}).TrainingJob;
const loadSdk = (): Promise<Sdk> => import('arkor');
let sdk: Sdk;
before(async () => {
  sdk = await loadSdk();
});

type LogContext = Parameters<TrainerCallbacks['onLog']>[0];
type CheckpointContext = Parameters<TrainerCallbacks['onCheckpoint']>[0];

/** Run the tests of a block with HOME, ARKOR_CLOUD_API_URL and the cwd pointing at a sandbox. */
class Sandbox {
  private saved: { home?: string; url?: string; cwd: string } = { cwd: process.cwd() };

  enter(home: string, apiUrl: string, cwd: string): void {
    this.saved = { home: process.env.HOME, url: process.env.ARKOR_CLOUD_API_URL, cwd: process.cwd() };
    process.env.HOME = home;
    process.env.ARKOR_CLOUD_API_URL = apiUrl;
    process.chdir(cwd);
  }

  leave(): void {
    process.chdir(this.saved.cwd);
    restoreEnv('HOME', this.saved.home);
    restoreEnv('ARKOR_CLOUD_API_URL', this.saved.url);
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** Capture what `fn` writes to process.stdout. */
async function captureStdout(fn: () => Promise<void>): Promise<string> {
  const original = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = original;
  }
  return out;
}

const isMetric = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));

describe('arkor stand-in contract: the real SDK API against the local backend', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  const sandbox = new Sandbox();
  let server: Started;
  let project: string;
  let datasetUrl: string;

  before(async () => {
    project = await temp.make('arkor-contract-project-');
    const home = await temp.make('arkor-contract-home-');
    const dataDir = await temp.make('arkor-contract-data-');
    await copyFile(join(FIXTURES, 'pirate-chat.jsonl'), join(project, 'train.jsonl'));
    // The dataset as real trainers write it: a path relative to the project, sent verbatim.
    datasetUrl = './train.jsonl';
    server = await startServer(dataDir, [], { ARKOR_LOCAL_PING_INTERVAL_MS: '150' });
    // The extension binds the project's folder before a run; the SDK's anonymous bootstrap then
    // meets a 409 for the slug it derives from the folder name and adopts the listed project (docs/wire-protocol.md, "Credentials and project state").
    let token = '';
    const binder = new ArkorApiClient({
      baseUrl: server.url,
      getToken: () => token,
      clientVersion: CLIENT_VERSION,
    });
    token = (await binder.signUpAnonymous()).token;
    await binder.localProject(project);
    sandbox.enter(home, server.url, project);
  });

  after(async () => {
    sandbox.leave();
    await server?.stop();
    await temp.cleanup();
  });

  it('signs up anonymously and bootstraps .arkor/state.json on the first start()', async () => {
    const credentials = await sdk.ensureCredentials();
    assert.equal(credentials.mode, 'anon');
    const trainer = sdk.createTrainer({
      name: 'contract-bootstrap',
      model: MODEL,
      dataset: { type: 'blob', url: datasetUrl },
      maxSteps: 1,
    });
    assert.equal(trainer.name, 'contract-bootstrap');
    const { jobId } = await trainer.start();
    assert.equal((await trainer.start()).jobId, jobId, 'start() is memoized once a job exists');
    const state = await sdk.readState(project);
    assert.ok(state);
    assert.equal(state.orgSlug, credentials.mode === 'anon' ? credentials.orgSlug : '');
    const result = await trainer.wait();
    assert.equal(result.job.id, jobId);
    assert.equal(result.job.status, 'completed');
  });

  it('runs all five callbacks with their documented contexts; infer streams by default', async () => {
    const started: TrainingJob[] = [];
    const logs: LogContext[] = [];
    const checkpoints: CheckpointContext[] = [];
    const completed: { job: TrainingJob; artifacts: unknown[] }[] = [];
    const failed: unknown[] = [];
    let streamed = '';
    let streamedType = '';
    let nonStreamed: unknown;
    const trainer = sdk.createTrainer({
      name: 'contract-callbacks',
      model: MODEL,
      dataset: { type: 'blob', url: datasetUrl },
      maxSteps: 7, // the final step saves the final adapter, not a checkpoint
      saveSteps: 3,
      evalSteps: 3,
      loggingSteps: 1,
      lora: { r: 4, alpha: 8 },
      callbacks: {
        onStarted: ({ job }) => {
          started.push(job);
        },
        onLog: (ctx) => {
          logs.push(ctx);
        },
        onCheckpoint: async (ctx) => {
          checkpoints.push(ctx);
          if (checkpoints.length > 1) return;
          const messages = [{ role: 'user' as const, content: 'Ahoy?' }];
          const res = await ctx.infer({ messages, maxTokens: 8 });
          streamedType = res.headers.get('content-type') ?? '';
          streamed = await res.text();
          const json = await ctx.infer({ messages, maxTokens: 8, stream: false });
          nonStreamed = ((await json.json()) as { choices: { message: { content: unknown } }[] }).choices[0]
            ?.message.content;
        },
        onCompleted: (ctx) => {
          completed.push(ctx);
        },
        onFailed: (ctx) => {
          failed.push(ctx);
        },
      },
    });
    const { jobId } = await trainer.start();
    assert.equal(started.length + logs.length, 0, 'start() alone runs no callback');
    const result = await trainer.wait();

    assert.deepEqual(Object.keys(result), ['job', 'artifacts']);
    assert.equal(result.job.status, 'completed');
    assert.equal(typeof result.job.completedAt, 'string');
    assert.ok(Array.isArray(result.artifacts) && result.artifacts.length > 0);

    assert.equal(started.length, 1);
    assert.equal(started[0]?.status, 'running');
    assert.equal(typeof started[0]?.startedAt, 'string');

    assert.ok(logs.length >= 6, `got ${logs.length} log callbacks`);
    for (const ctx of logs) {
      assert.deepEqual(Object.keys(ctx), [
        'step',
        'loss',
        'evalLoss',
        'learningRate',
        'epoch',
        'samplesPerSecond',
        'job',
      ]);
      assert.equal(typeof ctx.step, 'number');
      for (const k of ['loss', 'evalLoss', 'learningRate', 'epoch', 'samplesPerSecond'] as const) {
        assert.ok(isMetric(ctx[k]), `${k} = ${String(ctx[k])} at step ${ctx.step}`);
      }
      assert.equal(ctx.job.id, jobId);
      assert.equal(ctx.job.status, 'running');
    }
    assert.ok(
      logs.some((l) => typeof l.loss === 'number' && l.evalLoss === null),
      'a training step without eval has evalLoss null, not undefined',
    );
    assert.ok(logs.some((l) => typeof l.evalLoss === 'number'));

    assert.deepEqual(
      checkpoints.map((c) => c.step),
      [3, 6],
    );
    for (const ctx of checkpoints) {
      assert.deepEqual(Object.keys(ctx), ['step', 'adapter', 'job', 'infer', 'artifacts']);
      assert.deepEqual(ctx.adapter, { kind: 'checkpoint', jobId, step: ctx.step });
      assert.equal(typeof ctx.infer, 'function');
      assert.ok(Array.isArray(ctx.artifacts));
    }
    assert.match(streamedType, /^text\/event-stream/);
    assert.match(streamed, /^data: /m);
    assert.match(streamed, /data: \[DONE\]/);
    assert.equal(typeof nonStreamed, 'string');

    assert.equal(completed.length, 1);
    assert.deepEqual(Object.keys(completed[0] ?? {}), ['job', 'artifacts']);
    assert.equal(completed[0]?.job.status, 'completed');
    assert.deepEqual(completed[0]?.artifacts, result.artifacts);
    assert.equal(failed.length, 0);
  });

  it('a fractional evalSteps (a share of the run, as in Hugging Face Trainer) trains and evaluates at that share', async () => {
    const evalSteps: number[] = [];
    const trainer = sdk.createTrainer({
      name: 'contract-fraction',
      model: MODEL,
      dataset: { type: 'blob', url: datasetUrl },
      maxSteps: 8,
      evalSteps: 0.25,
      lora: { r: 4, alpha: 8 },
      callbacks: {
        onLog: ({ step, evalLoss }) => {
          if (evalLoss !== null) evalSteps.push(step);
        },
      },
    });
    const result = await trainer.wait();
    assert.equal(result.job.status, 'completed');
    // 0.25 of 8 steps: an evaluation every 2 steps.
    assert.deepEqual(
      evalSteps.filter((s) => s > 0),
      [2, 4, 6, 8],
    );
  });

  it('a failing job: wait() resolves with status failed, error and completedAt; onFailed gets { job, error }', async () => {
    const failures: { job: TrainingJob; error: string }[] = [];
    const trainer = sdk.createTrainer({
      name: 'contract-failed',
      model: MODEL,
      // The offline backend accepts a Hugging Face source but fails the job when it starts.
      dataset: { type: 'huggingface', name: 'arkorlab/triage-demo' },
      maxSteps: 2,
      callbacks: { onFailed: (ctx) => void failures.push(ctx) },
    });
    const result = await trainer.wait(); // calls start() itself
    assert.equal(result.job.status, 'failed');
    assert.equal(typeof result.job.error, 'string');
    assert.match(result.job.error ?? '', /Hugging Face/);
    assert.equal(typeof result.job.completedAt, 'string');
    assert.deepEqual(result.artifacts, []);
    assert.equal(failures.length, 1);
    assert.deepEqual(Object.keys(failures[0] ?? {}), ['job', 'error']);
    assert.equal(failures[0]?.error, result.job.error);
    assert.equal(failures[0]?.job.status, 'failed');
  });

  it('cancel(): wait() resolves after the `end` frame with the last snapshot', async () => {
    let sawLog!: () => void;
    const firstLog = new Promise<void>((ok) => {
      sawLog = ok;
    });
    const trainer = sdk.createTrainer({
      name: 'contract-cancel',
      model: MODEL,
      dataset: { type: 'blob', url: datasetUrl },
      maxSteps: 100_000,
      callbacks: { onLog: () => sawLog() },
    });
    await trainer.cancel(); // no job yet: nothing to do
    const waiting = trainer.wait();
    await firstLog;
    await trainer.cancel();
    const result = await waiting;
    // The SDK never sets "cancelled" itself: the snapshot is the last one it built.
    assert.equal(result.job.status, 'running');
    assert.equal(result.job.completedAt, null);
    assert.deepEqual(result.artifacts, []);
    // Cancelling a terminal job is the server's call: a CloudApiError.
    await assert.rejects(
      trainer.cancel(),
      (err: unknown) =>
        err instanceof sdk.CloudApiError && err.name === 'CloudApiError' && err.status === 409,
    );
  });

  it('runTrainer discovers a bare `export const trainer` and prints the two documented lines', async () => {
    await mkdir(join(project, 'node_modules'), { recursive: true });
    await symlink(join(REPO, 'packages/arkor-standin'), join(project, 'node_modules', 'arkor'), 'dir');
    const entry = join(project, 'bare-trainer.mjs');
    await writeFile(
      entry,
      `import { createTrainer } from 'arkor';
export const trainer = createTrainer({
  name: 'contract-bare',
  model: '${MODEL}',
  dataset: { type: 'blob', url: ${JSON.stringify(datasetUrl)} },
  maxSteps: 2,
});
`,
    );
    const out = await captureStdout(() => sdk.runTrainer(entry));
    const lines = out.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 2, out);
    const id = /^Started job (\S+)$/.exec(lines[0] ?? '')?.[1];
    assert.ok(id, out);
    assert.equal(lines[1], `Job ${id} finished with status=completed`);
  });
});

describe('arkor stand-in contract: what goes on the wire (recording server)', function () {
  this.timeout(20_000);
  const temp = new TempDirs();
  const sandbox = new Sandbox();
  const JOB_ID = 'job-wire';
  let api: TestServer;
  let project: string;

  const jobRow = (name: string, config: unknown) => ({
    id: JOB_ID,
    orgId: 'org-id',
    projectId: 'proj-id',
    name,
    status: 'queued',
    config,
    createdAt: '2026-01-01T00:00:00.000Z',
  });

  beforeEach(async () => {
    api = new TestServer();
    await api.listen();
    project = await temp.make('arkor-contract-wire-');
    const home = await temp.make('arkor-contract-wire-home-');
    sandbox.enter(home, api.url, project);
    await sdk.writeCredentials({
      mode: 'anon',
      token: 'tok-wire',
      anonymousId: 'anon-wire',
      arkorCloudApiUrl: 'http://127.0.0.1:9', // ARKOR_CLOUD_API_URL wins
      orgSlug: 'org-wire',
    });
    api.on('POST', '/v1/projects', ({ res, request }) => {
      const body = JSON.parse(request.body) as { name: string; slug: string };
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ project: { id: 'proj-id', orgId: 'org-id', ...body } }));
    });
    api.on('POST', '/v1/jobs', ({ res, request }) => {
      const body = JSON.parse(request.body) as { name: string; config: unknown };
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ job: jobRow(body.name, body.config) }));
    });
  });

  afterEach(async () => {
    sandbox.leave();
    await api.close();
    await temp.cleanup();
  });

  it('sends name top level and only the known config fields, in the SDK order, dataset verbatim', async () => {
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, ({ res }) => {
      startSse(res);
      res.end(encodeFrame({ id: '1', data: JSON.stringify({ type: 'training.completed' }) }));
    });
    const dataset = { type: 'blob' as const, url: './data/train.jsonl', token: 'blob-secret' };
    const input = {
      // Deliberately not in the SDK's order, with an unknown field and explicit undefined/null.
      dryRun: false,
      datasetSplit: null,
      evalSteps: 0.1,
      saveSteps: undefined,
      unknownField: 'dropped',
      datasetFormat: { type: 'chatml' },
      learningRate: 2e-4,
      maxSteps: 10,
      lora: { alpha: 16, r: 8, loadIn4bit: false },
      dataset,
      model: MODEL,
      name: 'wire-run',
    } as const;
    const trainer = sdk.createTrainer(input as unknown as Parameters<typeof sdk.createTrainer>[0]);
    await trainer.start();

    const [createJob] = api.requestsTo('/v1/jobs');
    assert.equal(createJob?.query.get('orgSlug'), 'org-wire');
    assert.equal(createJob?.query.get('projectSlug'), await projectSlugOf(project));
    assert.equal(createJob?.headers['x-arkor-client'], 'arkor/0.0.3-alpha.1');
    assert.equal(createJob?.headers.authorization, 'Bearer tok-wire');
    assert.equal(
      createJob?.body,
      JSON.stringify({
        name: 'wire-run',
        config: {
          model: MODEL,
          datasetSource: { type: 'blob', url: './data/train.jsonl', token: 'blob-secret' },
          loraR: 8,
          loraAlpha: 16,
          loadIn4bit: false,
          maxSteps: 10,
          learningRate: 2e-4,
          evalSteps: 0.1,
          datasetFormat: { type: 'chatml' },
          datasetSplit: null,
          dryRun: false,
        },
      }),
    );
    const result = await trainer.wait();
    assert.equal(result.job.status, 'completed');
    assert.deepEqual(result.artifacts, []);
    for (const r of api.requests) assert.equal(r.headers['x-arkor-client'], 'arkor/0.0.3-alpha.1');
  });

  it('dispatches on the payload type: pings, garbage and unknown types skipped, no jobId/timestamp needed', async () => {
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, ({ res }) => {
      startSse(res);
      res.end(
        [
          encodeFrame({ id: '1', event: 'ping', data: '' }),
          encodeFrame({ id: '2', event: 'whatever', data: JSON.stringify({ type: 'training.started' }) }),
          encodeFrame({ id: '3', data: 'not json' }),
          encodeFrame({ id: '4', data: JSON.stringify({ type: 'training.paused', step: 1 }) }),
          encodeFrame({
            id: '5',
            event: 'training.log',
            data: JSON.stringify({ type: 'training.log', step: 1 }),
          }),
          encodeFrame({ id: '6', data: JSON.stringify({ type: 'training.failed', error: 'boom' }) }),
        ].join(''),
      );
    });
    const seen: string[] = [];
    const trainer = sdk.createTrainer({
      name: 'wire-dispatch',
      model: MODEL,
      dataset: { type: 'huggingface', name: 'x/y' },
      callbacks: {
        onStarted: ({ job }) => void seen.push(`started ${job.status} ${String(job.startedAt)}`),
        onLog: ({ step, loss, evalLoss }) => void seen.push(`log ${step} ${loss} ${evalLoss}`),
        onFailed: ({ error }) => void seen.push(`failed ${error}`),
      },
    });
    const result = await trainer.wait();
    assert.deepEqual(seen, ['started running undefined', 'log 1 null null', 'failed boom']);
    assert.equal(result.job.status, 'failed');
    assert.equal(result.job.error, 'boom');
  });

  it('a callback that throws rejects wait() with that same error, without reconnecting', async () => {
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, ({ res }) => {
      startSse(res);
      res.write(encodeFrame({ id: '1', data: JSON.stringify({ type: 'training.log', step: 1 }) }));
    });
    const boom = new Error('callback boom');
    const trainer = sdk.createTrainer({
      name: 'wire-throws',
      model: MODEL,
      dataset: { type: 'huggingface', name: 'x/y' },
      callbacks: {
        onLog: () => {
          throw boom;
        },
      },
    });
    await assert.rejects(trainer.wait(), (err: unknown) => err === boom);
    assert.equal(api.requestsTo(`/v1/jobs/${JOB_ID}/events/stream`).length, 1);
  });

  it('a 426 on the stream is permanent and carries the upgrade hint', async () => {
    api.json('GET', `/v1/jobs/${JOB_ID}/events/stream`, 426, 'not json');
    const trainer = sdk.createTrainer({
      name: 'wire-426',
      model: MODEL,
      dataset: { type: 'huggingface', name: 'x' },
    });
    await assert.rejects(
      trainer.wait(),
      (err: unknown) =>
        err instanceof sdk.CloudApiError &&
        err.status === 426 &&
        /^Arkor SDK is no longer supported by the cloud API\. Run `.+`\.$/.test(err.message),
    );
    assert.equal(api.requestsTo(`/v1/jobs/${JOB_ID}/events/stream`).length, 1);
  });

  it('project bootstrap: a 409 reuses the listed project with that slug; another org is a mismatch', async () => {
    api.json('POST', '/v1/projects', 409, { error: 'slug taken' });
    const slug = (project.split('/').at(-1) ?? '').toLowerCase().replace(/[^a-z0-9-]/g, '-');
    api.json('GET', '/v1/projects', 200, {
      org: { slug: 'org-wire' },
      projects: [{ id: 'proj-existing', slug, name: 'x', orgId: 'org-id' }],
    });
    const trainer = sdk.createTrainer({
      name: 'wire-409',
      model: MODEL,
      dataset: { type: 'huggingface', name: 'x' },
    });
    await trainer.start();
    assert.deepEqual(await sdk.readState(project), {
      orgSlug: 'org-wire',
      projectSlug: slug,
      projectId: 'proj-existing',
    });
    assert.equal(api.requestsTo('/v1/projects')[1]?.query.get('orgSlug'), 'org-wire');

    await sdk.writeState({ orgSlug: 'someone-else', projectSlug: 'p', projectId: 'id' }, project);
    const other = sdk.createTrainer({
      name: 'wire-mismatch',
      model: MODEL,
      dataset: { type: 'huggingface', name: 'x' },
    });
    await assert.rejects(other.start(), {
      name: 'ProjectStateMismatchError',
      message:
        "This workspace's .arkor/state.json is scoped to a different organization than your current anonymous session. Delete .arkor/state.json to start a fresh anonymous project, or run `arkor login` with the account that owns that project.",
    });
    assert.equal(api.requestsTo('/v1/jobs').length, 1, 'no job for a mismatched scope');
  });

  it('an unsupported model throws at construction, before any request', () => {
    assert.throws(
      () =>
        sdk.createTrainer({
          name: 'bad-model',
          model: 'meta/llama-3' as unknown as 'unsloth/gemma-4-E4B-it',
          dataset: { type: 'huggingface', name: 'x' },
        }),
      {
        message:
          'Unsupported model "meta/llama-3". This arkor release supports: unsloth/gemma-4-E4B-it. If the backend already accepts this model, upgrade arkor or submit through CloudApiClient.createJob.',
      },
    );
    assert.equal(api.requests.length, 0);
  });

  it('runTrainer: missing entries and entries without a trainer fail with the documented messages', async () => {
    const missing = join(project, 'nope.mjs');
    await assert.rejects(sdk.runTrainer(missing), {
      message: `Training entry not found: ${missing}. Provide a path or create src/arkor/index.ts.`,
    });
    const empty = join(project, 'empty.mjs');
    await writeFile(empty, 'export const something = 1;\n');
    await assert.rejects(sdk.runTrainer(empty), {
      message:
        'Training entry must export `arkor` (from createArkor({...})) or `trainer` (from createTrainer({...})), or default-export one of them.',
    });
  });
});

async function projectSlugOf(dir: string): Promise<string> {
  const state = JSON.parse(await readFile(join(dir, '.arkor', 'state.json'), 'utf8')) as {
    projectSlug: string;
  };
  return state.projectSlug;
}
