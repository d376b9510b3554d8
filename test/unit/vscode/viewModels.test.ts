import * as assert from 'node:assert/strict';
import type { JobSnapshot, TrainingJob } from '../../../src/core';
import {
  datasetLabel,
  detail,
  formatParameterCount,
  playgroundStandInNote,
  rowFromSnapshot,
  summarize,
  toColumns,
  withResume,
} from '../../../src/vscode/viewModels';

const job: TrainingJob = {
  id: 'j1',
  name: 'captain',
  status: 'running',
  createdAt: '2026-11-28T10:00:00.000Z',
  config: {
    model: 'unsloth/gemma-4-E4B-it',
    datasetSource: { type: 'blob', url: 'file:///p/data/captain.jsonl' },
    maxSteps: 60,
  },
};

function snapshot(losses: number[], extra: Partial<JobSnapshot> = {}): JobSnapshot {
  const n = losses.length;
  return {
    jobId: 'j1',
    job,
    status: 'running',
    error: undefined,
    metrics: {
      step: Float64Array.from({ length: n }, (_, i) => i + 1),
      loss: Float32Array.from(losses),
      evalLoss: new Float32Array(n).fill(Number.NaN),
      learningRate: new Float32Array(n).fill(Number.NaN),
    },
    metricTimes: new Float64Array(n),
    checkpoints: [{ step: 2, timestamp: '2026-11-28T10:01:00.000Z', artifacts: [] }],
    log: [],
    logTotal: 0,
    artifacts: undefined,
    startedMetadata: undefined,
    stream: { state: 'open', error: undefined, attempt: 0 },
    ...extra,
  };
}

describe('view models', () => {
  it('labels datasets by file name, Hugging Face name and split', () => {
    assert.equal(datasetLabel({ type: 'blob', url: 'file:///a/b/train.jsonl' }), 'train.jsonl');
    assert.equal(datasetLabel({ type: 'blob', url: 'https://x.test/d.jsonl' }), 'https://x.test/d.jsonl');
    assert.equal(datasetLabel({ type: 'huggingface', name: 'org/ds', split: 'train' }), 'org/ds (train)');
    assert.equal(datasetLabel(undefined), undefined);
  });

  it('summarises progress, the last loss, a sparkline and checkpoint losses', () => {
    const s = summarize(job, rowFromSnapshot(snapshot([3, 2.5, Number.NaN, 2])));
    assert.equal(s.step, 4);
    assert.equal(s.maxSteps, 60);
    assert.equal(s.lastLoss, 2);
    assert.deepEqual(s.sparkline, [3, 2.5, 2]);
    assert.deepEqual(s.checkpoints, [{ step: 2, savedAt: '2026-11-28T10:01:00.000Z', loss: 2.5 }]);
    assert.equal(s.dataset, 'captain.jsonl');
  });

  it('offers resume for an interrupted job on the local backend only (Arkor Cloud has no resume)', () => {
    const at = (status: string, backend: 'local' | 'cloud' | undefined) =>
      withResume(summarize({ ...job, status }), backend).canResume;
    assert.equal(at('failed', 'local'), true);
    assert.equal(at('cancelled', 'local'), true);
    assert.equal(at('failed', 'cloud'), false);
    assert.equal(at('running', 'local'), false);
    assert.equal(at('completed', 'local'), false);
    assert.equal(at('failed', undefined), false, 'not while disconnected');
  });

  it('shows the resolved run settings and hides plumbing fields', () => {
    const d = detail(
      job,
      snapshot([1], { startedMetadata: { learningRate: 0.01, batchSize: 16, maxSteps: 60 } }),
    );
    assert.equal(d.config.learningRate, 0.01);
    assert.equal(d.config.batchSize, 16);
    assert.equal(d.config.model, 'unsloth/gemma-4-E4B-it');
    assert.ok(!('datasetSource' in d.config));
  });

  it("passes the job's warnings (the local backend's loose field) to the panel header", () => {
    const warnings = ['optim "adamw_8bit" is not implemented by the local engine; it trains with Adam.'];
    assert.deepEqual(detail({ ...job, warnings: [...warnings, 7, ''] }).warnings, warnings);
    assert.equal(detail(job).warnings, undefined);
    assert.equal(detail({ ...job, warnings: 'not a list' }).warnings, undefined);
    assert.equal(detail({ ...job, warnings: [] }).warnings, undefined);
    assert.ok(!('warnings' in detail(job).config));
  });

  it('names the run by its label in rows and the header, the bare name when no label is known', () => {
    assert.equal(summarize(job, undefined, 'captain #3').label, 'captain #3');
    assert.equal(detail(job, snapshot([1]), 'captain #3').label, 'captain #3');
    assert.equal(summarize(job).label, 'captain');
  });

  it('says a local job trained a tiny stand-in, sized from its training.started metadata', () => {
    // The metadata the local backend sends (src/backend/runJob.ts).
    const local = {
      backend: 'local',
      requestedModel: 'unsloth/gemma-4-E4B-it',
      baseModel: 'arkor-local/tiny-gpt',
      parameters: 118_016,
    };
    assert.equal(
      detail(job, snapshot([1], { startedMetadata: local })).standIn,
      'trained locally as a tiny 118k-parameter stand-in model in its place; expect gibberish-like replies',
    );
    assert.match(
      detail(job, snapshot([1], { startedMetadata: { backend: 'local' } })).standIn ?? '',
      /^trained locally as a tiny stand-in model/,
    );
    assert.equal(
      detail(job, snapshot([1], { startedMetadata: { gpu: 'H100' } })).standIn,
      undefined,
      'a real model',
    );
    assert.equal(detail(job).standIn, undefined, 'nothing said before the run reports');
    assert.equal(
      playgroundStandInNote('unsloth/gemma-4-E4B-it', 1_250_000),
      'Local backend: replies come from a tiny 1.3M-parameter stand-in model trained on your CPU, not unsloth/gemma-4-E4B-it; expect gibberish-like text.',
    );
    assert.deepEqual([999, 1000, 118_016, 2_000_000].map(formatParameterCount), ['999', '1k', '118k', '2M']);
  });

  it('sends metrics as exact-length typed arrays (NaN for missing, metrics 32-bit), rows aligned', () => {
    const metrics = snapshot([1.5, Number.NaN]).metrics;
    const columns = toColumns(metrics, [100]);
    assert.deepEqual([...columns.step], [1, 2]);
    assert.deepEqual([...columns.loss], [1.5, Number.NaN]);
    assert.deepEqual([...columns.evalLoss], [Number.NaN, Number.NaN]);
    assert.deepEqual([...columns.time], [100, 0], 'unknown receive time is 0');
    for (const column of Object.values(columns)) {
      // Its own buffer of exactly its rows: postMessage transfers whole buffers.
      assert.equal(column.buffer.byteLength, 2 * column.BYTES_PER_ELEMENT);
    }
    // Steps and times in 64 bits; the metrics in 32, as the store keeps them (no invented digits).
    assert.ok(columns.step instanceof Float64Array && columns.time instanceof Float64Array);
    for (const column of [columns.loss, columns.evalLoss, columns.learningRate]) {
      assert.ok(column instanceof Float32Array);
    }
    // The store's copies are posted as they are: no second copy of every row on the host.
    assert.equal(columns.step, metrics.step);
    assert.equal(columns.loss, metrics.loss);
  });

  it('copies only a column that is a view into a larger buffer (postMessage would send it whole)', () => {
    const big = Float32Array.from([0, 1.5, 2.5, 0]);
    const metrics = {
      ...snapshot([1, 2]).metrics,
      loss: big.subarray(1, 3),
    };
    const times = Float64Array.from([7, 8]);
    const columns = toColumns(metrics, times);
    assert.deepEqual([...columns.loss], [1.5, 2.5]);
    assert.equal(columns.loss.buffer.byteLength, 2 * 4);
    assert.equal(columns.time, times, 'exact Float64Array times are posted as they are');
  });
});
