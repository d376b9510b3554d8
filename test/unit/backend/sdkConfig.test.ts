// Every job config the real `arkor` SDK can send (docs/wire-protocol.md, "Jobs") is accepted by the local backend:
// Hugging Face style fractional step settings run as a share of the total steps, and settings the
// local engine does not implement are accepted with a warning on the job and in its log.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stepsFor } from '../../../src/backend/jobConfig';
import { ArkorApiClient, type JobEvent, type Scope } from '../../../src/core';
import { CLIENT_VERSION, FIXTURES, type Started, startServer } from './helpers';

describe('local backend: the config the SDK allows', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arkor-backend-sdkcfg-'));
  const projectParent = mkdtempSync(path.join(tmpdir(), 'arkor-project-'));
  // The folder "sdkcfg", bound to the backend as the extension does: its project's slug is "sdkcfg".
  const project = path.join(projectParent, 'sdkcfg');
  let server: Started;
  let token = '';
  const scope: Scope = { orgSlug: 'local', projectSlug: 'sdkcfg' };
  const client = () =>
    new ArkorApiClient({ baseUrl: server.url, getToken: () => token, clientVersion: CLIENT_VERSION });
  const base = {
    model: 'unsloth/gemma-4-E4B-it',
    datasetSource: { type: 'blob', url: 'train.jsonl' },
  };

  /** POST /v1/jobs as the SDK does, returning the raw status and body. */
  async function createJob(config: Record<string, unknown>, name = 'sdk-config') {
    const res = await fetch(`${server.url}/v1/jobs?orgSlug=local&projectSlug=sdkcfg`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'X-Arkor-Client': CLIENT_VERSION,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ name, config: { ...base, ...config } }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function events(jobId: string) {
    const seen: JobEvent[] = [];
    const result = await client().streamJobEvents(scope, jobId, { onEvent: (e) => seen.push(e) });
    return { seen, result };
  }

  before(async () => {
    mkdirSync(project);
    copyFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), path.join(project, 'train.jsonl'));
    server = await startServer(dataDir);
    token = (await client().signUpAnonymous()).token;
    assert.equal((await client().localProject(project)).projectSlug, 'sdkcfg');
  });
  after(async () => {
    await server?.stop();
    for (const d of [dataDir, projectParent]) rmSync(d, { recursive: true, force: true });
  });

  it('creates a job with fractional evalSteps/warmupSteps, optim and weightDecay; evals at the fraction; warns', async () => {
    const { status, body } = await createJob({
      maxSteps: 20,
      evalSteps: 0.1,
      warmupSteps: 0.05,
      optim: 'adamw_8bit',
      weightDecay: 0.01,
    });
    assert.equal(status, 201, JSON.stringify(body));
    const job = body.job as {
      id: string;
      status: string;
      warnings?: string[];
      config: Record<string, unknown>;
    };
    assert.equal(job.status, 'queued');
    // The config is echoed as sent.
    assert.equal(job.config.evalSteps, 0.1);
    assert.equal(job.config.optim, 'adamw_8bit');
    assert.equal(job.warnings?.length, 2);
    assert.match(job.warnings?.[0] ?? '', /optim "adamw_8bit" is not implemented .*Adam/);
    assert.match(job.warnings?.[1] ?? '', /weightDecay 0\.01 is not implemented/);

    const { seen, result } = await events(job.id);
    assert.equal(result.reason, 'training.completed');
    // The warnings lead the job's log, as `log` lines (not training.log metrics).
    const logLines = seen.flatMap((e) => (e.type === 'other' && e.name === 'log' ? [e.payload.line] : []));
    assert.deepEqual(
      logLines,
      job.warnings?.map((w) => `Warning: ${w}`),
    );
    assert.equal(seen[0]?.type, 'other');
    // evalSteps 0.1 of 20 steps = every 2 steps (plus the step-0 baseline).
    const evalSteps = seen.flatMap((e) =>
      e.type === 'training.log' && typeof e.evalLoss === 'number' ? [e.step] : [],
    );
    assert.deepEqual(evalSteps, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    const started = seen.find((e) => e.type === 'training.started');
    const metadata = (started?.type === 'training.started' ? started.metadata : undefined) as Record<
      string,
      unknown
    >;
    assert.equal(metadata.evalSteps, 2);
    // warmupSteps 0.05 of 20 = 1 step (rounded up, at least 1).
    assert.equal(metadata.warmupSteps, 1);

    const again = (await client().getJob(scope, job.id)).job;
    assert.deepEqual(again.warnings, job.warnings);
    const listed = (await client().listJobs(scope)).find((j) => j.id === job.id);
    assert.deepEqual(listed?.warnings, job.warnings);
  });

  it('accepts every field of the SDK table, nulls included, warning about what it cannot do', async () => {
    const { status, body } = await createJob({
      loraR: 4,
      loraAlpha: 8,
      maxLength: 32,
      loadIn4bit: true,
      maxSteps: 3,
      numTrainEpochs: 0.5,
      learningRate: 2e-4,
      batchSize: 2,
      optim: 'adamw_torch',
      lrSchedulerType: 'cosine_with_restarts',
      weightDecay: 0,
      warmupSteps: 0,
      loggingSteps: 0.5,
      saveSteps: null,
      evalSteps: null,
      trainOnResponsesOnly: { instructionPart: '<user>', responsePart: '<model>' },
      datasetFormat: { type: 'chatml' },
      datasetSplit: { train: 'train[:90%]', eval: 'train[90%:]' },
      dryRun: true,
    });
    assert.equal(status, 201, JSON.stringify(body));
    const job = body.job as { id: string; warnings: string[] };
    assert.deepEqual(
      job.warnings.map((w) => w.split(' ')[0]),
      ['optim', 'lrSchedulerType', 'loadIn4bit', 'datasetSplit'],
    );
    const { seen, result } = await events(job.id);
    assert.equal(result.reason, 'training.completed');
    const started = seen.find((e) => e.type === 'training.started');
    const metadata = (started?.type === 'training.started' ? started.metadata : {}) as Record<
      string,
      unknown
    >;
    assert.equal(metadata.lrSchedulerType, 'linear');
    assert.equal(metadata.loggingSteps, 2, 'loggingSteps 0.5 of 3 steps = 2');
    assert.equal(metadata.evalSteps, undefined);
  });

  for (const [field, value, message] of [
    ['evalSteps', -1, /config\.evalSteps: must not be negative/],
    ['warmupSteps', -0.05, /config\.warmupSteps: must not be negative/],
    ['saveSteps', 2.5, /config\.saveSteps: must be a whole number of steps or a fraction/],
    ['loggingSteps', 'NaN', /config\.loggingSteps: must be a number of steps/],
    ['maxSteps', -5, /config\.maxSteps/],
    ['weightDecay', -0.1, /config\.weightDecay/],
    ['optim', 8, /config\.optim/],
  ] as const) {
    it(`answers 400 for ${field}: ${JSON.stringify(value)}`, async () => {
      const { status, body } = await createJob({ [field]: value });
      assert.equal(status, 400);
      assert.match(String(body.error), message);
    });
  }

  it('resolves a fraction of the total steps like Hugging Face Trainer', () => {
    assert.equal(stepsFor(0.1, 20), 2);
    assert.equal(stepsFor(0.1, 25), 3, 'rounded up');
    assert.equal(stepsFor(0.001, 20), 1, 'at least 1');
    assert.equal(stepsFor(5, 20), 5);
    assert.equal(stepsFor(0, 20), 0);
    assert.equal(stepsFor(undefined, 20), undefined);
  });
});
