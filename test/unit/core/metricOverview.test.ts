import assert from 'node:assert/strict';
import { overviewRows } from '../../../src/core';

const opts = { buckets: 4, evalCap: 100, tail: 0 };

function cols(loss: number[], evalLoss: number[] = loss.map(() => Number.NaN)) {
  return {
    step: loss.map((_, i) => i + 1),
    loss,
    evalLoss,
    learningRate: loss.map(() => Number.NaN),
  };
}

describe('metric overview', () => {
  it("keeps each step bucket's first, last, smallest and largest rows", () => {
    // 16 rows over 4 buckets of 4 steps; each bucket's extremes sit inside it.
    const loss = [5, 9, 1, 5, 5, 5, 5, 5, 5, 0, 5, 5, 5, 5, 7, 5];
    const rows = Array.from(overviewRows(cols(loss), loss.length, opts));
    // Buckets by step (1..16 over 4 buckets): rows 0-3, 4-7, 8-11, 12-15 (the last step closes the last).
    for (const i of [0, 1, 2, 3, 4, 7, 8, 9, 11, 12, 14, 15]) assert.ok(rows.includes(i), `row ${i}`);
    assert.deepEqual(
      rows,
      [...new Set(rows)].sort((a, b) => a - b),
      'ascending and unique',
    );
    assert.ok(rows.length < loss.length);
  });

  it('keeps every eval row up to the cap, and only bucket extremes beyond it', () => {
    const loss = Array.from({ length: 400 }, () => 1);
    const evalLoss = loss.map((_, i) => (i % 4 === 0 ? 2 + (i % 7) : Number.NaN));
    const all = overviewRows(cols(loss, evalLoss), 400, { ...opts, evalCap: 100 });
    for (let i = 0; i < 400; i += 4) assert.ok(all.includes(i), `eval row ${i}`);
    const capped = overviewRows(cols(loss, evalLoss), 400, { ...opts, evalCap: 99 });
    assert.ok(capped.length < 30, `${capped.length} rows`);
    // Each bucket's largest eval loss (8 at i % 7 === 6) is kept.
    assert.ok(capped.some((i) => evalLoss[i] === 8));
  });

  it('keeps the newest rows whole, and handles one row and none', () => {
    const loss = Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
    const rows = overviewRows(cols(loss), 1000, { ...opts, tail: 10 });
    for (let i = 990; i < 1000; i++) assert.ok(rows.includes(i));
    assert.deepEqual(Array.from(overviewRows(cols([3]), 1, opts)), [0]);
    assert.equal(overviewRows(cols([]), 0, opts).length, 0);
  });
});
