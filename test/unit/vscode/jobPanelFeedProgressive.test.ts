import assert from 'node:assert/strict';
import { type JobSource, JobStore, PROGRESSIVE_SNAPSHOT, type TrainingJob } from '../../../src/core';
import type { HostToJobPanel } from '../../../src/protocol';
import { openPanel } from '../helpers/jobPanel';

/**
 * A long run's panel: an overview snapshot, then every row in chunks the webview asks for
 * (`moreRows`), with live rows during the load arriving once, in order.
 */

const JOB = 'job-long';
const SMALL = { minRows: 100, chunkRows: 64, overview: { buckets: 16, evalCap: 10, tail: 4 } };
const lossOf = (step: number) => Math.fround(3 / (1 + step / 50) + (step % 7) * 0.01);

function source(): JobSource {
  const job: TrainingJob = { id: JOB, name: 'long', status: 'running', config: {} };
  return { listJobs: async () => [job], streamJobEvents: () => new Promise<never>(() => {}) };
}

/** Steps `[from, to)` as training frames, an eval loss every 10th; then the store's change flush. */
async function train(store: JobStore, from: number, to: number) {
  for (let step = from; step < to; step++) {
    store.ingest(JOB, {
      type: 'training.log',
      jobId: JOB,
      timestamp: 't',
      step,
      loss: lossOf(step),
      ...(step % 10 === 0 ? { evalLoss: 2 } : {}),
    });
  }
  await Promise.resolve();
}

type Metrics = Extract<HostToJobPanel, { type: 'metrics' }>;

/** The webview's full rows, as its store applies `metrics` messages (`from` replaces from there on). */
function applyRows(steps: number[], m: Metrics) {
  steps.length = Math.min(steps.length, m.from);
  steps.push(...m.rows.step);
}

describe('job panel host: a long run loads progressively', () => {
  let store: JobStore;
  beforeEach(async () => {
    store = new JobStore({ source: source() });
    await store.refresh();
    store.watch(JOB);
  });
  afterEach(() => store.dispose());

  it('snapshots an overview, then sends every row once in chunks, live rows during the load included', async () => {
    await train(store, 1, 301);
    const panel = openPanel(store, JOB, SMALL);
    panel.channel.ready();
    const snap = panel.of('snapshot')[0];
    assert.deepEqual(snap?.overview, { rows: 300 });
    const n = snap?.metrics.step.length ?? 0;
    assert.ok(n > 0 && n < 300, `an overview of ${n} rows`);
    // Real rows: each overview row is the store's row of that step, and the last rows are there.
    snap?.metrics.step.forEach((s, i) => {
      assert.equal(snap.metrics.loss[i], lossOf(s));
    });
    assert.deepEqual(Array.from(snap?.metrics.step.slice(-4) ?? []), [297, 298, 299, 300]);

    const steps: number[] = [];
    let next = 301;
    for (let asks = 0; asks < 20; asks++) {
      panel.moreRows();
      if (panel.of('metrics').at(-1)?.load === 'last') break;
      // Live rows arrive while the webview takes the chunk in.
      await train(store, next, next + 5);
      next += 5;
    }
    const chunks = panel.of('metrics');
    assert.equal(chunks.at(-1)?.load, 'last');
    assert.ok(chunks.slice(0, -1).every((m) => m.load === 'more'));
    // The chunks tile the rows: each starts where the previous ended.
    let end = 0;
    for (const m of chunks) {
      assert.equal(m.from, end);
      end += m.rows.step.length;
      applyRows(steps, m);
    }
    // Every row once, in order, with the rows that arrived during the load.
    assert.deepEqual(
      steps,
      Array.from({ length: store.metricCount(JOB) }, (_, i) => i + 1),
    );
    assert.ok(steps.length > 300);

    // After the load, live rows are ordinary deltas from where the webview is.
    const before = panel.of('metrics').length;
    const held = steps.length;
    await train(store, next, next + 1);
    const live = panel.of('metrics').slice(before);
    assert.deepEqual(
      live.map((m) => [m.from, m.rows.step.length, m.load]),
      [[held, 1, undefined]],
    );
    panel.moreRows();
    assert.equal(panel.of('metrics').length, before + 1, 'no chunk once loaded');
    panel.close();
  });

  it('starts the load over when a new snapshot is sent mid-load', async () => {
    await train(store, 1, 301);
    const panel = openPanel(store, JOB, SMALL);
    panel.channel.ready();
    panel.moreRows();
    panel.moreRows();
    panel.channel.resync();
    assert.equal(panel.of('snapshot').length, 2);
    const start = panel.posted.length;
    const steps: number[] = [];
    for (let asks = 0; asks < 20 && panel.of('metrics').at(-1)?.load !== 'last'; asks++) panel.moreRows();
    const after = panel.posted.slice(start).filter((m): m is Metrics => m.type === 'metrics');
    assert.equal(after[0]?.from, 0, 'the new load starts at row 0');
    for (const m of after) applyRows(steps, m);
    assert.deepEqual(
      steps,
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
    panel.close();
  });

  it('keeps one snapshot of every row for a run up to the threshold', async () => {
    await train(store, 1, 101);
    const panel = openPanel(store, JOB, SMALL);
    panel.channel.ready();
    const snap = panel.of('snapshot')[0];
    assert.equal(snap?.overview, undefined);
    assert.equal(snap?.metrics.step.length, 100);
    panel.moreRows();
    assert.equal(panel.of('metrics').length, 0);
    panel.close();
  });

  it('loads progressively above 100,000 rows by default, in chunks of 65,536', async () => {
    await train(store, 1, PROGRESSIVE_SNAPSHOT.minRows + 2);
    const panel = openPanel(store, JOB);
    panel.channel.ready();
    const snap = panel.of('snapshot')[0];
    assert.deepEqual(snap?.overview, { rows: PROGRESSIVE_SNAPSHOT.minRows + 1 });
    assert.ok((snap?.metrics.step.length ?? 0) < 20_000);
    panel.moreRows();
    panel.moreRows();
    assert.deepEqual(
      panel.of('metrics').map((m) => [m.from, m.rows.step.length, m.load]),
      [
        [0, 65_536, 'more'],
        [65_536, PROGRESSIVE_SNAPSHOT.minRows + 1 - 65_536, 'last'],
      ],
    );
    panel.close();
  });
});
