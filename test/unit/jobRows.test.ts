import assert from 'node:assert/strict';
import {
  checkpointCount,
  EXPANDABLE,
  needsDetail,
  packJobRows,
  rowFlags,
  TALL,
  unpackJobRows,
} from '../../src/jobRows';
import type { JobSummary } from '../../src/protocol';

const full: JobSummary = {
  id: 'job-1',
  name: 'captain-speak',
  label: 'captain-speak #2',
  status: 'failed',
  createdAt: '2026-01-01T00:00:00.123456Z',
  startedAt: '2026-01-01T00:00:01Z',
  completedAt: '2026-01-01T00:05:00Z',
  model: 'unsloth/gemma-3-270m-it',
  dataset: 'pirate.jsonl',
  error: 'CUDA out of memory\nat step 40 — "quoted" \u0000 and ✓',
  step: 40,
  maxSteps: 100,
  lastLoss: 0.4321,
  sparkline: [2.5, 1.25, 0.75],
  checkpoints: [
    { step: 20, savedAt: '2026-01-01T00:02:00Z', loss: 1.5 },
    { step: 40, savedAt: '2026-01-01T00:04:00Z' },
  ],
  canResume: true,
};
const bare: JobSummary = {
  id: 'job-2',
  name: '',
  label: '',
  status: 'some-future-status',
  createdAt: '',
  startedAt: null,
  completedAt: null,
  error: null,
  checkpoints: [],
};

/** A row as the Jobs view reads it: every field, through the getters. */
function read(job: JobSummary) {
  return {
    id: job.id,
    name: job.name,
    label: job.label,
    status: job.status,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    completedAt: job.completedAt,
    model: job.model,
    dataset: job.dataset,
    error: job.error,
    step: job.step,
    maxSteps: job.maxSteps,
    lastLoss: job.lastLoss,
    sparkline: job.sparkline,
    checkpoints: job.checkpoints,
    canResume: job.canResume,
  };
}

describe('packed job rows (the Jobs view list on the wire)', () => {
  it('sends the first rows whole, after a structured clone, and the rest as what the list reads', () => {
    const third = { ...full, id: 'job-3', label: 'captain-speak #3', sparkline: [1], canResume: false };
    const rows = unpackJobRows(structuredClone(packJobRows([full, bare, third], 2)));
    assert.equal(rows.length, 3);
    assert.deepEqual(read(rows[0]!), read(full));
    assert.deepEqual(read(rows[1]!), read(bare));
    assert.deepEqual(
      rows.map((r) => needsDetail(r)),
      [false, false, true],
    );
    // The listed row: what search, the status filter, the progress bar and the row's height read.
    const listed = rows[2]!;
    assert.deepEqual(
      [listed.id, listed.name, listed.label, listed.status, listed.createdAt],
      ['job-3', full.name, third.label, 'failed', '2026-01-01T00:00:00.123Z'],
    );
    assert.deepEqual([listed.step, listed.maxSteps, listed.lastLoss], [40, 100, 0.4321]);
    assert.equal(listed.canResume, undefined);
    assert.equal(checkpointCount(listed), 2, 'it can expand before its checkpoints arrive');
    assert.deepEqual(listed.checkpoints, []);
    assert.equal(listed.sparkline, undefined);
    // Its row's height and chevron: a progress bar (one sparkline point draws none) and checkpoints.
    assert.equal(rowFlags(listed), TALL | EXPANDABLE);
    assert.equal(rowFlags(rows[0]!), rowFlags(full));
    const idle = unpackJobRows(packJobRows([{ ...bare, sparkline: [1] }], 0))[0]!;
    assert.equal(rowFlags(idle), 0, 'no progress, one sparkline point, no checkpoints: the short row');
    // Nothing else: the detail (tooltip fields, sparkline, checkpoints) comes on request.
    assert.deepEqual(
      [listed.model, listed.dataset, listed.error, listed.startedAt],
      [undefined, undefined, undefined, undefined],
    );
  });

  it('crosses as a few arrays and the first rows, not one object per job', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ ...full, id: `job-${i}` }));
    const rows = packJobRows(many);
    assert.equal(rows.details.length, 50);
    const values = Object.entries(rows).flatMap(([k, v]) =>
      k === 'details' ? [] : typeof v === 'object' && !ArrayBuffer.isView(v) ? Object.values(v) : [v],
    );
    assert.ok(values.length < 30, `${values.length} values for 10,000 jobs`);
    const bytes = values.reduce(
      (n: number, v) => n + (ArrayBuffer.isView(v) ? v.byteLength : typeof v === 'string' ? v.length : 8),
      0,
    );
    assert.ok(bytes < 100 * 10_000, `${bytes} bytes for 10,000 jobs`);
  });

  it('packs an empty list', () => {
    assert.deepEqual(unpackJobRows(structuredClone(packJobRows([]))), []);
  });
});
