// LOCAL-ONLY resume (src/backend/resume.ts) against the real backend process: a job interrupted
// mid-run is resumed from its last checkpoint. The new job starts from the checkpoint's weights (its
// first loss is the interrupted run's loss at that point, not the fresh model's), goes on from the
// checkpoint's step with the same learning-rate schedule, and its chart carries the history before it.
import assert from 'node:assert/strict';
import type { ArkorApiError } from '../../../src/core';
import { waitFor } from './helpers';
import { projectBackend } from './projectBackend';

interface Ev {
  type: string;
  step?: number;
  loss?: number | null;
  learningRate?: number | null;
  line?: string;
}

describe('local backend: resume an interrupted job from its checkpoint', function () {
  this.timeout(180_000);
  const backend = projectBackend('resume');
  const client = () => backend.client();
  const events = async (jobId: string) => (await client().getJob(backend.scope, jobId)).events as Ev[];
  const logs = async (jobId: string) => (await events(jobId)).filter((e) => e.type === 'training.log');
  const status = async (jobId: string) => (await client().getJob(backend.scope, jobId)).job.status;

  const config = {
    model: 'm',
    datasetSource: { type: 'blob', url: 'train.jsonl' },
    maxSteps: 100_000,
    saveSteps: 10,
    learningRate: 0.02,
  } as const;

  it('goes on from the checkpoint with its weights, its step and the history before it', async () => {
    const first = await client().createJob(backend.scope, { name: 'interrupted', config });
    // A resume of a job still training is refused.
    await assert.rejects(client().resumeJob(backend.scope, first.id), (e: ArkorApiError) => e.status === 409);
    // Cancelled a few steps after a checkpoint (saveSteps 10), so the interrupted run has logged the
    // step after it, which the resumed run must reproduce exactly.
    await waitFor(
      async () => {
        const l = await logs(first.id);
        const step = l.at(-1)?.step ?? 0;
        return l.length >= 35 && step % 10 >= 1 && step % 10 <= 5;
      },
      90_000,
      'steps past two checkpoints, a few past the last',
    );
    await client().cancelJob(backend.scope, first.id);
    assert.equal(await status(first.id), 'cancelled');

    const before = await logs(first.id);
    const checkpoints = (await events(first.id)).filter((e) => e.type === 'checkpoint.saved');
    const last = checkpoints[checkpoints.length - 1]?.step;
    assert.ok(last !== undefined && last >= 30, `a checkpoint at step 30 or later (${last})`);

    const resumed = await client().resumeJob(backend.scope, first.id);
    assert.notEqual(resumed.id, first.id);
    assert.equal(resumed.name, first.name);
    assert.deepEqual(resumed.resumedFrom, { jobId: first.id, step: last });
    assert.deepEqual(resumed.config, first.config, 'the same config');
    await waitFor(
      async () => (await logs(resumed.id)).some((e) => (e.step ?? 0) > last + 2),
      90_000,
      'resumed steps',
    );
    await client().cancelJob(backend.scope, resumed.id);

    const after = await logs(resumed.id);
    // The chart's history: the interrupted run's steps 1..last, then the resumed run from last + 1.
    const steps = after.map((e) => e.step);
    assert.deepEqual(
      steps.slice(0, last),
      before.slice(0, last).map((e) => e.step),
    );
    assert.equal(steps[last], last + 1, 'the resumed run starts after the checkpoint');
    const all = await events(resumed.id);
    assert.ok(all.some((e) => e.type === 'log' && e.line?.includes(`step ${last} of job ${first.id}`)));

    const loss = (list: Ev[], step: number) => list.find((e) => e.step === step)?.loss as number;
    const resumedLoss = loss(after, last + 1);
    const checkpointLoss = loss(before, last);
    const freshLoss = loss(before, 1);
    // The first resumed step sees the checkpoint's weights and the batch the interrupted run saw at
    // that step, so it reports the interrupted run's loss there exactly.
    assert.ok(
      Math.abs(resumedLoss - loss(before, last + 1)) < 1e-3,
      `resumed ${resumedLoss} vs interrupted ${loss(before, last + 1)} at step ${last + 1}`,
    );
    assert.ok(
      Math.abs(resumedLoss - checkpointLoss) < Math.abs(resumedLoss - freshLoss) / 3,
      `resumed ${resumedLoss} is near the checkpoint's ${checkpointLoss}, far from the fresh model's ${freshLoss}`,
    );
    const lr = (list: Ev[], step: number) => list.find((e) => e.step === step)?.learningRate as number;
    assert.ok(Math.abs(lr(after, last + 1) - lr(before, last + 1)) < 1e-9, 'the schedule goes on');
  });

  it('refuses a job without a checkpoint, a completed job and an unknown step', async () => {
    const done = await client().createJob(backend.scope, {
      name: 'short',
      config: { ...config, maxSteps: 5, saveSteps: 2 },
    });
    await waitFor(async () => (await status(done.id)) === 'completed', 60_000, 'completion');
    await assert.rejects(
      client().resumeJob(backend.scope, done.id),
      (e: ArkorApiError) => e.status === 409 && /completed/.test(e.message),
    );
    const early = await client().createJob(backend.scope, {
      name: 'early',
      config: { ...config, saveSteps: 1000 },
    });
    await waitFor(async () => (await logs(early.id)).length >= 2, 60_000, 'a few steps');
    await client().cancelJob(backend.scope, early.id);
    await assert.rejects(
      client().resumeJob(backend.scope, early.id),
      (e: ArkorApiError) => e.status === 404 && /no checkpoint/.test(e.message),
    );
    await assert.rejects(
      client().resumeJob(backend.scope, early.id, 7),
      (e: ArkorApiError) => e.status === 404,
    );
  });
});
