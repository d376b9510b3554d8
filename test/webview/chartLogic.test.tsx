import * as assert from 'node:assert/strict';
import type { MetricColumns } from '../../src/protocol';
import { ChartController, MAX_DATA_INTERVAL_MS } from '../../webview-ui/jobPanel/chartController';
import {
  buildChartData,
  LOG_FLOOR,
  logFloor,
  logTicks,
  readoutAt,
  SERIES,
  yRange,
} from '../../webview-ui/jobPanel/chartData';
import { CSV_HEADER, num32, toCsv } from '../../webview-ui/jobPanel/csv';
import {
  type DrawView,
  decimateIndices,
  drawData,
  gather,
  nearestIndex,
  POINTS_PER_BUCKET,
} from '../../webview-ui/jobPanel/decimate';
import { MetricStore } from '../../webview-ui/jobPanel/metricStore';
import { BLOCK, RangeIndex, RangeSummary, scanInto } from '../../webview-ui/jobPanel/rangeSummary';
import { clampWeight, EmaSmoother, MAX_SMOOTHING, smoothSeries } from '../../webview-ui/jobPanel/smoothing';
import {
  formatDuration,
  incompleteBeta,
  percentiles,
  runStats,
  seriesStats,
  tQuantile,
} from '../../webview-ui/jobPanel/stats';
import { FrameCoalescer } from '../../webview-ui/shared/frameCoalescer';
import { metricColumns } from './columns';
import { ManualFrames } from './frames';

/** A column as a plain array, missing values (NaN) as null: what assertions compare against. */
function list(a: ArrayLike<number | null>): (number | null)[] {
  return Array.from(a, (v) => (v == null || Number.isNaN(v) ? null : v));
}

function cols(rows: [number, number | null, (number | null)?, (number | null)?, number?][]): MetricColumns {
  return metricColumns({
    step: rows.map((r) => r[0]),
    loss: rows.map((r) => r[1]),
    evalLoss: rows.map((r) => r[2] ?? null),
    learningRate: rows.map((r) => r[3] ?? null),
    time: rows.map((r, i) => r[4] ?? 1_700_000_000_000 + i * 1000),
  });
}

/** Two metric stores hold the same columns (every value, smoothed included) and flags. */
function assertSameStore(a: MetricStore, b: MetricStore) {
  const fields = [
    'step',
    'loss',
    'evalLoss',
    'learningRate',
    'time',
    'smoothed',
    'hasEval',
    'hasLearningRate',
  ] as const;
  for (const k of fields) assert.deepEqual(a[k], b[k], k);
}

describe('smoothing (debiased EMA)', () => {
  it('keeps a constant series flat at every weight', () => {
    for (const w of [0, 0.3, 0.6, 0.9, 0.99, 0.999]) {
      const s = smoothSeries(new Array(500).fill(2.5), w);
      for (const v of s) assert.ok(Math.abs((v as number) - 2.5) < 1e-12, `w=${w}: ${v}`);
    }
  });

  it('is debiased at the start: the first value is the raw value, not pulled towards 0', () => {
    const s = smoothSeries([4, 2], 0.9);
    assert.equal(s[0], 4);
    // acc1 = 0.4, acc2 = 0.36 + 0.2 = 0.56, debias = 1 - 0.81 = 0.19
    assert.ok(Math.abs((s[1] as number) - 0.56 / 0.19) < 1e-12);
    // An undebiased EMA would give 0.4 at the first point.
    assert.notEqual(s[0], 0.4);
  });

  it('matches the TensorBoard formula on a ramp', () => {
    const raw = [1, 2, 3, 4, 5];
    const w = 0.6;
    let acc = 0;
    const expected = raw.map((v, i) => {
      acc = acc * w + (1 - w) * v;
      return acc / (1 - w ** (i + 1));
    });
    smoothSeries(raw, w).forEach((v, i) => {
      assert.ok(Math.abs((v as number) - expected[i]!) < 1e-12);
    });
  });

  it('skips nulls and non-finite values without disturbing the average', () => {
    const withGaps = smoothSeries([1, null, 3, Number.NaN, 5], 0.5);
    const without = smoothSeries([1, 3, 5], 0.5);
    assert.equal(withGaps[1], null);
    assert.equal(withGaps[3], null);
    assert.deepEqual([withGaps[0], withGaps[2], withGaps[4]], without);
  });

  it('weight 0 is the identity and the weight is capped', () => {
    assert.deepEqual(smoothSeries([3, 1, 2], 0), [3, 1, 2]);
    assert.equal(clampWeight(5), MAX_SMOOTHING);
    assert.equal(clampWeight(-1), 0);
    assert.equal(clampWeight(Number.NaN), 0);
  });

  it('incremental smoothing in the store equals smoothing the full series', () => {
    // 32-bit values, as the host sends them, so the store and the reference smooth the same numbers.
    const raw = Array.from({ length: 300 }, (_, i) => Math.fround(2 * Math.exp(-i / 80) + (i % 7) * 0.01));
    const store = new MetricStore(0.8);
    for (let i = 0; i < raw.length; i += 17) {
      const chunk = raw.slice(i, i + 17);
      store.append(cols(chunk.map((v, k) => [i + k, v])));
    }
    const full = smoothSeries(raw, 0.8);
    store.smoothed.forEach((v, i) => {
      assert.ok(Math.abs((v as number) - (full[i] as number)) < 1e-12);
    });
    store.setSmoothing(0.3);
    const full3 = smoothSeries(raw, 0.3);
    store.smoothed.forEach((v, i) => {
      assert.ok(Math.abs((v as number) - (full3[i] as number)) < 1e-12);
    });
    // The first smoothed point stays the first raw point (debiased).
    assert.equal(new EmaSmoother(0.99).next(7), 7);
  });
});

describe('metric store', () => {
  it('holds a snapshot plus appended rows, merging a repeated step', () => {
    const store = new MetricStore(0);
    store.reset(
      cols([
        [1, 2.0],
        [2, 1.9],
        [3, 1.8],
      ]),
    );
    store.append(
      cols([
        [4, 1.7],
        [5, 1.6],
      ]),
    );
    store.append(cols([[5, null, 1.65, 1e-4]])); // eval frame for the same step
    assert.equal(store.length, 5);
    assert.deepEqual(list(store.step), [1, 2, 3, 4, 5]);
    assert.equal(store.loss[4], Math.fround(1.6)); // metrics are kept as the 32-bit values sent
    assert.equal(store.evalLoss[4], Math.fround(1.65));
    assert.equal(store.learningRate[4], Math.fround(1e-4));
    assert.ok(store.hasEval && store.hasLearningRate);
  });

  it('takes a sorted snapshot over in one pass, with the same result as appending row by row', () => {
    const rows: [number, number | null, (number | null)?, (number | null)?, number?][] = [
      [1, 3, null, 1e-4, 1000],
      [2, Number.NaN, 2.5, null, 0],
      [5, 2, Number.POSITIVE_INFINITY, 2e-4, 3000],
      [9, 1, 1.5, null, 4000],
    ];
    const adopted = new MetricStore(0.7);
    adopted.reset(cols(rows));
    const appended = new MetricStore(0.7);
    appended.append(cols(rows));
    assertSameStore(adopted, appended);
    // Unsorted snapshots fall back to the row-by-row path (sorted, deduplicated).
    const unsorted = new MetricStore(0);
    unsorted.reset(
      cols([
        [3, 1],
        [1, 3],
        [3, 0.5],
      ]),
    );
    assert.deepEqual(list(unsorted.step), [1, 3]);
    assert.deepEqual(list(unsorted.loss), [3, 0.5]);
  });

  it('appends many rows after the last step column by column, with the same result as row by row', () => {
    // Missing and non-finite values, and unknown times (0), among 200 rows.
    const rows = Array.from(
      { length: 200 },
      (_, i): [number, number | null, (number | null)?, (number | null)?, number?] => [
        2 * i + 1,
        i % 7 === 0 ? Number.NaN : 3 / (1 + i),
        i % 10 === 0 ? 2.5 : i % 13 === 0 ? Number.POSITIVE_INFINITY : null,
        i % 3 === 0 ? 1e-4 : null,
        i % 5 === 0 ? 0 : 1000 + i,
      ],
    );
    const columns = new MetricStore(0.7);
    columns.append(cols(rows.slice(0, 100)));
    columns.append(cols(rows.slice(100)));
    const byRow = new MetricStore(0.7);
    for (const row of rows) byRow.append(cols([row]));
    assert.equal(columns.smoothingPasses, 0);
    assertSameStore(columns, byRow);
    assert.equal(list(columns.time)[0], null, 'an unknown time is missing');
  });

  it('inserts a late earlier step in order and resmooths', () => {
    const store = new MetricStore(0.5);
    store.append(
      cols([
        [1, 4],
        [3, 2],
      ]),
    );
    store.append(cols([[2, 3]]));
    assert.deepEqual(list(store.step), [1, 2, 3]);
    assert.deepEqual(list(store.smoothed), smoothSeries([4, 3, 2], 0.5));
  });

  it('drops non-finite steps and values', () => {
    const store = new MetricStore();
    store.append(
      metricColumns({
        step: [1, Number.NaN, 2],
        loss: [Number.POSITIVE_INFINITY, 1, 2],
        evalLoss: [null, null, null],
        learningRate: [null, null, null],
        time: [0, 0, 0],
      }),
    );
    assert.deepEqual(list(store.step), [1, 2]);
    assert.deepEqual(list(store.loss), [null, 2]);
  });

  it('answers the loss at a checkpoint step (or the closest earlier one)', () => {
    const store = new MetricStore();
    store.append(
      cols([
        [10, 1.5],
        [20, null, 1.4],
        [30, 1.2],
      ]),
    );
    assert.equal(store.lossAt(20), 1.5);
    assert.equal(store.lossAt(25), 1.5);
    assert.equal(store.lossAt(30), Math.fround(1.2));
    assert.equal(store.lossAt(5), undefined);
  });
});

describe('metric store: metrics messages with `from`', () => {
  it('appends when from equals the length', () => {
    const store = new MetricStore(0.5);
    store.replaceFrom(
      0,
      cols([
        [1, 3],
        [2, 2],
      ]),
    );
    store.replaceFrom(2, cols([[3, 1]]));
    assert.deepEqual(list(store.step), [1, 2, 3]);
    assert.deepEqual(list(store.smoothed), smoothSeries([3, 2, 1], 0.5));
  });

  it('replaces the tail from a smaller index (eval loss filled in later), keeping the smoothing', () => {
    const store = new MetricStore(0.5);
    store.replaceFrom(
      0,
      cols([
        [1, 3],
        [2, 2],
        [3, 1],
      ]),
    );
    const passesBefore = store.smoothingPasses;
    store.replaceFrom(
      1,
      cols([
        [2, 2, 2.2],
        [3, 1],
        [4, 0.5],
      ]),
    );
    assert.deepEqual(list(store.step), [1, 2, 3, 4]);
    assert.deepEqual(list(store.evalLoss), [null, Math.fround(2.2), null, null]);
    assert.equal(store.smoothingPasses, passesBefore, 'not recomputed when the loss values are unchanged');
    assert.deepEqual(list(store.smoothed), smoothSeries([3, 2, 1, 0.5], 0.5));
  });

  it('recomputes when replaced rows change the loss or the steps', () => {
    const store = new MetricStore(0.5);
    store.replaceFrom(
      0,
      cols([
        [1, 3],
        [2, 2],
        [3, 1],
      ]),
    );
    store.replaceFrom(1, cols([[2, 5]]));
    assert.deepEqual(list(store.step), [1, 2]);
    assert.deepEqual(list(store.loss), [3, 5]);
    assert.deepEqual(list(store.smoothed), smoothSeries([3, 5], 0.5));
  });

  it('treats a receive time of 0 as unknown', () => {
    const store = new MetricStore();
    store.replaceFrom(0, cols([[1, 1, null, null, 0]]));
    assert.ok(Number.isNaN(store.time[0]));
    assert.equal(
      toCsv(store),
      `${CSV_HEADER}
1,1,,,
`,
    );
  });
});

describe('log scale', () => {
  it('clamps values ≤ 0 and near zero into a positive, finite range', () => {
    const store = new MetricStore(0);
    store.append(
      cols([
        [1, 0],
        [2, -3],
        [3, 1e-300],
        [4, 1e-9],
        [5, 2.5],
        [6, null],
      ]),
    );
    const loss = drawData(buildChartData(store), { buckets: 800, logScale: true }).data[1]!;
    for (const v of Array.from(loss)) if (v !== null) assert.ok(Number.isFinite(v) && v > 0, String(v));
    assert.equal(loss[5], null);
    const floor = logFloor(store);
    assert.ok(floor >= LOG_FLOOR);
    assert.equal(loss[0], floor);
    assert.equal(loss[1], floor);
    assert.equal(loss[4], 2.5);
    // The axis range fed by these values is valid for uPlot's log distribution.
    const finite = Array.from(loss).filter((v): v is number => v !== null);
    const [lo, hi] = yRange(Math.min(...finite), Math.max(...finite), true);
    assert.ok(lo > 0 && hi > lo && Number.isFinite(hi));
    assert.ok(Math.log10(hi) - Math.log10(lo) <= 13);
  });

  it('gives a valid log range for degenerate input', () => {
    for (const [min, max] of [
      [null, null],
      [0, 0],
      [-5, -1],
      [Number.NaN, 3],
      [1e-320, 1e-320],
      [2, 2],
    ] as [number | null, number | null][]) {
      const [lo, hi] = yRange(min, max, true);
      assert.ok(
        lo > 0 && Number.isFinite(lo) && hi > lo && Number.isFinite(hi),
        `${min},${max} → ${lo},${hi}`,
      );
    }
    const [a, b] = yRange(1, 1, false);
    assert.ok(b > a);
  });

  it('fits the range and ticks to the data: losses of 1.5–3 get 1.5, 2, 2.5, 3, not the 1–10 decade', () => {
    const [lo, hi] = yRange(1.5, 3, true);
    assert.ok(lo < 1.5 && lo > 1.4, `lower end ${lo} just under the data`);
    assert.ok(hi > 3 && hi < 3.2, `upper end ${hi} just over the data`);
    // The padding is the same on both ends in log space (5% of the data's log span each).
    assert.ok(Math.abs(Math.log(1.5 / lo) - Math.log(hi / 3)) < 1e-12);
    assert.deepEqual(logTicks(lo, hi), [1.5, 2, 2.5, 3]);
    // A narrow range still gets round, evenly spaced labels inside it.
    const narrow = yRange(2.01, 2.09, true);
    assert.deepEqual(logTicks(...narrow), [2.02, 2.04, 2.06, 2.08]);
    // Over a decade or two: 1, 2 and 5 times the powers of ten inside the range.
    assert.deepEqual(logTicks(...yRange(0.3, 8, true)), [0.5, 1, 2, 5]);
    // Over many decades (a loss clamped near zero): powers of ten, at most eight of them.
    const wide = logTicks(...yRange(1e-12, 3, true));
    assert.ok(wide.length >= 2 && wide.length <= 8, String(wide));
    for (const t of wide) assert.ok(Number.isInteger(Math.log10(t)), `${t} is a power of ten`);
    // Every tick lies inside the range, ascending, for ranges of any width.
    for (const [a, b] of [
      [1.5, 3],
      [0.02, 0.021],
      [0.9, 1.2],
      [1e-4, 10],
      [4, 4],
      [3, 40],
    ] as const) {
      const [l, h] = yRange(a, b, true);
      const ticks = logTicks(l, h);
      assert.ok(ticks.length >= 2, `${a}–${b}: ${ticks}`);
      for (let i = 0; i < ticks.length; i++) {
        assert.ok(ticks[i]! >= l && ticks[i]! <= h, `${a}–${b}: ${ticks[i]} inside [${l}, ${h}]`);
        if (i > 0) assert.ok(ticks[i]! > ticks[i - 1]!);
      }
    }
  });

  it('hands the chart the store columns without copying; log clamping keeps missing values missing', () => {
    const store = new MetricStore(0);
    store.append(
      cols([
        [1, null],
        [2, 0],
        [3, 5],
      ]),
    );
    const data = buildChartData(store);
    assert.equal(data[0], store.step);
    assert.equal(data[1], store.loss);
    const floor = logFloor(store);
    assert.equal(floor, 1);
    assert.deepEqual(drawData(data, { buckets: 800, logScale: true }).data[1], [null, floor, 5]);
  });

  it('uses a default floor when there is no positive value at all', () => {
    const store = new MetricStore(0);
    store.append(
      cols([
        [1, 0],
        [2, 0],
      ]),
    );
    const data = drawData(buildChartData(store), { buckets: 800, logScale: true }).data;
    assert.deepEqual(data[1], [1e-3, 1e-3]);
  });
});

describe('CSV export', () => {
  it('writes the exact header, rows, ISO times and empty cells for missing values', () => {
    const store = new MetricStore(0.9);
    store.append(
      cols([
        [0, 2.5, null, 0.0002, Date.UTC(2025, 0, 2, 3, 4, 5, 6)],
        [10, 1.25, 1.5, null, Date.UTC(2025, 0, 2, 3, 4, 15, 0)],
        [20, null, 2.234, 1e-7, Number.NaN],
      ]),
    );
    assert.equal(
      toCsv(store),
      [
        CSV_HEADER,
        '0,2.5,,0.0002,2025-01-02T03:04:05.006Z',
        '10,1.25,1.5,,2025-01-02T03:04:15.000Z',
        '20,,2.234,1e-7,', // not the widened 2.2339999675750732
        '',
      ].join('\n'),
    );
    assert.equal(CSV_HEADER, 'step,loss,evalLoss,learningRate,time');
  });

  it('writes each 32-bit metric as the shortest decimal that reads back as the same value', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let k = 0; k < 2000; k++) {
      const v = Math.fround((random() - 0.5) * 10 ** Math.floor(random() * 20 - 10));
      const text = num32(v);
      assert.equal(Math.fround(Number(text)), v, `${v} → ${text}`);
      assert.ok(text.length <= String(v).length, `${text} is no longer than ${v}`);
    }
    assert.equal(num32(Math.fround(0.1)), '0.1');
    assert.equal(num32(Math.fround(2e-4)), '0.0002');
    assert.equal(num32(Number.NaN), '');
  });

  it('is just the header for an empty chart', () => {
    assert.equal(toCsv(new MetricStore()), 'step,loss,evalLoss,learningRate,time\n');
  });
});

describe('frame coalescing', () => {
  it('turns many schedules in one frame into one flush', () => {
    const frames = new ManualFrames();
    let flushes = 0;
    const c = new FrameCoalescer(() => flushes++, frames.request, frames.cancel);
    for (let i = 0; i < 1000; i++) c.schedule();
    assert.equal(frames.requested, 1);
    assert.equal(flushes, 0);
    frames.frame();
    assert.equal(flushes, 1);
    c.schedule();
    frames.frame();
    assert.equal(flushes, 2);
    c.schedule();
    c.dispose();
    frames.frame();
    assert.equal(flushes, 2);
  });

  it('delivers one chart update per frame with all rows appended in it', () => {
    const frames = new ManualFrames();
    const chart = new ChartController({ raf: frames.request, caf: frames.cancel });
    const seen: number[] = [];
    chart.subscribe((data) => seen.push(data[0].length));
    chart.snapshot(cols([[1, 3]]));
    for (let i = 2; i <= 201; i++) chart.append(cols([[i, 3 / i]]));
    assert.deepEqual(seen, []);
    frames.frame();
    assert.deepEqual(seen, [201]);
    assert.equal(chart.updates, 1);
    frames.frame();
    assert.deepEqual(seen, [201], 'no frame without new data');
  });

  it('keeps drawing new data within REDRAW_BUDGET of the main thread; user changes draw at once', () => {
    const frames = new ManualFrames();
    let now = 0;
    const timers: { at: number; cb: () => void }[] = [];
    const painted: (() => void)[] = [];
    const advance = (ms: number) => {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      for (const t of due) timers.splice(timers.indexOf(t), 1);
      for (const t of due) t.cb();
    };
    /** One browser frame: the flush (its listener advances the clock by `work`), then the paint. */
    const frame = () => {
      frames.frame();
      for (const cb of painted.splice(0)) cb();
    };
    const chart = new ChartController({
      raf: frames.request,
      caf: frames.cancel,
      now: () => now,
      setTimer: (cb, ms) => {
        const t = { at: now + ms, cb };
        timers.push(t);
        return t;
      },
      clearTimer: (t) => {
        const i = timers.indexOf(t as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
      afterFrame: (cb) => painted.push(cb),
    });
    const seen: number[] = [];
    let work = 0;
    chart.subscribe((data) => {
      seen.push(data[0].length);
      now += work;
    });
    let step = 1;
    /** One new row per 16 ms frame, `count` times. */
    const stream = (count: number) => {
      for (let k = 0; k < count; k++) {
        chart.append(cols([[step++, 2.8]]));
        advance(16);
        frame();
      }
    };

    // A snapshot is not a data frame: its cost (building the plot) is not measured.
    chart.snapshot(cols([[step++, 3]]));
    work = 50;
    frame();
    assert.deepEqual(seen, [1]);
    assert.equal(chart.frameCost, undefined);

    // Cheap frames (0.25 ms: 10 ms allowed between them) draw every frame that brings data.
    work = 0.25;
    stream(3);
    assert.deepEqual(seen, [1, 2, 3, 4]);
    assert.equal(chart.frameCost, 0.25);
    // One slow frame (a garbage collection, say) does not hold the next ones back.
    work = 300;
    stream(1);
    work = 0.25;
    stream(2);
    assert.deepEqual(seen.slice(-3), [5, 6, 7]);

    // Frames costing 8 ms: once that is the typical cost, data frames spread out (8 ms / 2.5% = 320 ms).
    work = 8;
    const before8 = seen.length;
    stream(60); // ~1 s of data
    assert.equal(chart.frameCost, 8);
    const drawn = seen.length - before8;
    assert.ok(drawn >= 3 && drawn <= 8, `${drawn} data frames for 60 frames of data`);
    // Rows are held back, never lost: the deferred frame brings all of them.
    advance(chart.dataInterval);
    frame();
    assert.equal(seen.at(-1), step - 1);

    // A user change (smoothing) draws in the next frame, whatever frames cost.
    chart.append(cols([[step++, 2.7]]));
    chart.setSmoothing(0.5);
    frame();
    assert.equal(seen.at(-1), step - 1);

    // However expensive a frame, new data is drawn at least every MAX_DATA_INTERVAL_MS.
    work = 400;
    for (let k = 0; k < 3; k++) {
      chart.append(cols([[step++, 2.8]]));
      advance(MAX_DATA_INTERVAL_MS);
      frame(); // drawn: however expensive, at most MAX_DATA_INTERVAL_MS after the previous one
    }
    assert.equal(chart.dataInterval, MAX_DATA_INTERVAL_MS); // 400 ms / 2.5% would be 16 s
    const before = seen.length;
    stream(10);
    assert.equal(seen.length, before, 'held back');
    advance(MAX_DATA_INTERVAL_MS);
    frame();
    assert.equal(seen.length, before + 1);
    assert.equal(seen.at(-1), step - 1);

    chart.append(cols([[step++, 2.6]]));
    chart.dispose();
    advance(2000);
    frame();
    assert.equal(seen.at(-1), step - 2, 'nothing after dispose');
  });
});

describe('run stats', () => {
  it('computes elapsed, steps/s and ETA from the metric timestamps', () => {
    const store = new MetricStore();
    store.append(
      cols(
        Array.from(
          { length: 11 },
          (_, i) => [i * 2, 1, null, null, 1_000_000 + i * 1000] as [number, number, null, null, number],
        ),
      ),
    );
    const s = runStats(
      {
        status: 'running',
        createdAt: '',
        startedAt: new Date(1_000_000).toISOString(),
        maxSteps: 120,
        step: 20,
      },
      store,
      1_000_000 + 12_000,
    );
    assert.equal(s.elapsedMs, 12_000);
    assert.equal(s.stepsPerSecond, 2);
    assert.equal(s.etaMs, 50_000);

    // A finished job replayed from history (no receive times): the average pace over the run.
    const replayed = new MetricStore();
    replayed.append(
      cols(
        Array.from({ length: 31 }, (_, i) => [i, 1, null, null, 0] as [number, number, null, null, number]),
      ),
    );
    // A job that ran 30 steps in 10 s.
    const finished = {
      status: 'completed',
      createdAt: '',
      startedAt: new Date(1_000_000).toISOString(),
      completedAt: new Date(1_000_000 + 10_000).toISOString(),
      maxSteps: 30,
    };
    const done = runStats(finished, replayed, 2_000_000);
    assert.equal(done.elapsedMs, 10_000);
    assert.equal(done.stepsPerSecond, 3);
    assert.equal(done.etaMs, undefined);
    // The same job opened after a reload: its history arrives in one burst, every row received within
    // milliseconds. Its pace is still the run's, not thousands of steps/s.
    const burst = new MetricStore();
    burst.append(
      cols(
        Array.from(
          { length: 31 },
          (_, i) => [i, 1, null, null, 2_000_000 + i * 0.4] as [number, number, null, null, number],
        ),
      ),
    );
    const reopened = runStats(finished, burst, 2_000_100);
    assert.equal(reopened.stepsPerSecond, 3);
    assert.equal(formatDuration(3_723_000), '1h 02m 03s');
    assert.equal(formatDuration(125_000), '2m 05s');
    assert.equal(formatDuration(undefined), '—');
  });
});

/** A noisy, decaying loss with a spike, nulls in eval, like a real run. */
function bigStore(n: number, smoothing = 0.6): MetricStore {
  const store = new MetricStore(smoothing);
  const step = Array.from({ length: n }, (_, i) => i * 2);
  store.reset(
    metricColumns({
      step,
      loss: step.map((s, i) => (i === 777 ? 9 : 2 * Math.exp(-s / n) + 0.3 * Math.sin(s * 12.9898))),
      evalLoss: step.map((s, i) => (i % 10 === 0 ? 2.1 * Math.exp(-s / n) : null)),
      learningRate: step.map(() => 2e-4),
      time: step.map((s) => 1.7e12 + s),
    }),
  );
  return store;
}

/** Min and max of ys over [a, b) ignoring nulls. */
function extent(ys: ArrayLike<number | null>, idx: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const i of idx) {
    const v = ys[i];
    if (v != null && !Number.isNaN(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return [lo, hi];
}

describe('decimation for drawing', () => {
  it('keeps, per bucket and series, the first, last, minimum and maximum point', () => {
    const store = bigStore(20_000);
    const x = store.step;
    const ys = [store.loss, store.smoothed, store.evalLoss];
    const buckets = 300;
    const kept = decimateIndices(x, ys, 0, x.length - 1, buckets);
    assert.ok(kept.length < x.length / 5, `${kept.length} points kept`);
    assert.ok(kept.length <= buckets * 4 * ys.length);
    for (let k = 1; k < kept.length; k++) assert.ok(kept[k]! > kept[k - 1]!, 'sorted and unique');
    // Recompute the buckets independently and compare every bucket's extremes and ends.
    const span = x[x.length - 1]! - x[0]!;
    const members = new Map<number, number[]>();
    x.forEach((v, i) => {
      const b = Math.min(buckets - 1, Math.floor(((v - x[0]!) / span) * buckets));
      members.set(b, [...(members.get(b) ?? []), i]);
    });
    const keptSet = new Set(kept);
    for (const [b, idx] of members) {
      const inBucket = idx.filter((i) => keptSet.has(i));
      for (const y of ys) {
        const nonNull = idx.filter((i) => y[i] != null);
        if (nonNull.length === 0) continue;
        assert.deepEqual(extent(y, inBucket), extent(y, idx), `bucket ${b}: min and max kept`);
        assert.ok(keptSet.has(nonNull[0]!) && keptSet.has(nonNull.at(-1)!), `bucket ${b}: ends kept`);
      }
    }
    assert.ok(keptSet.has(777), 'a one-point spike survives');
  });

  it('keeps a gap of a series drawn with gaps, and ignores inactive series', () => {
    const x = Array.from({ length: 1000 }, (_, i) => i);
    const y = x.map((i) => (i === 500 ? null : Math.sin(i)));
    const other = x.map((i) => i);
    const kept = decimateIndices(x, [y, other], 0, 999, 50, { gaps: [true, false], active: [true, false] });
    assert.ok(kept.includes(500), 'the null is kept, so the line breaks there');
    const withoutGap = decimateIndices(x, [y], 0, 999, 50);
    assert.ok(!withoutGap.includes(500));
  });

  it('copies small series as they are (null for missing) and reduces large ones, never losing the ends', () => {
    const small = bigStore(1000);
    const smallFull = buildChartData(small);
    const d = drawData(smallFull, { buckets: 800, logScale: false });
    assert.equal(d.reduced, false);
    assert.deepEqual(d.data[1], list(small.loss));
    assert.deepEqual(d.data[3], list(small.evalLoss), 'missing eval values are null (gaps for uPlot)');
    assert.ok(d.data[3]!.includes(null));

    const store = bigStore(100_000);
    const full = buildChartData(store);
    const r = drawData(full, { buckets: 800, logScale: false });
    assert.equal(r.reduced, true);
    assert.ok(r.data[0].length <= 800 * POINTS_PER_BUCKET * 4, `${r.data[0].length}`);
    assert.equal(r.data[0][0], store.step[0]);
    assert.equal(r.data[0].at(-1), store.step.at(-1));
    assert.equal(store.length, 100_000, 'the store keeps every point');
    assert.deepEqual(extent(r.data[1]!, [...r.data[0].keys()]), extent(store.loss, [...store.step.keys()]));
  });

  it('draws a means series through the mean of each bucket, keeping the other series exact', () => {
    const store = bigStore(100_000);
    const full = buildChartData(store);
    const buckets = 800;
    const plain = drawData(full, { buckets, logScale: false });
    const r = drawData(full, { buckets, logScale: false, means: [false, true, false, false] });
    assert.ok(r.data[0].length < plain.data[0].length, 'the means series adds no points of its own');
    // Raw loss keeps every bucket's extremes.
    assert.deepEqual(extent(r.data[1]!, [...r.data[0].keys()]), extent(store.loss, [...store.step.keys()]));
    // The smoothed line at each kept step is the mean of the smoothed values in that step's bucket.
    const xMin = store.step[0]!;
    const span = store.step.at(-1)! - xMin;
    const bucketOf = (x: number) => Math.min(buckets - 1, Math.floor(((x - xMin) * buckets) / span));
    const sums = new Map<number, [number, number]>();
    store.step.forEach((x, i) => {
      const b = bucketOf(x);
      const [sum, n] = sums.get(b) ?? [0, 0];
      sums.set(b, [sum + store.smoothed[i]!, n + 1]);
    });
    r.data[0].forEach((x, j) => {
      const [sum, n] = sums.get(bucketOf(x))!;
      assert.ok(Math.abs(r.data[2]![j]! - sum / n) < 1e-9, `step ${x}`);
    });
    // Far fewer vertical swings than the exact smoothed series drawn M4-style.
    const swings = (ys: readonly (number | null)[]) =>
      ys.reduce<number>((acc, v, i) => acc + Math.abs((v ?? 0) - (ys[i - 1] ?? v ?? 0)), 0);
    assert.ok(swings(r.data[2]!) < swings(plain.data[2]!) / 4, 'a trend line, not a zigzag');
    // Small series keep their exact values.
    const small = buildChartData(bigStore(1000));
    const s2 = drawData(small, { buckets, logScale: false, means: [false, true, false, false] });
    assert.deepEqual(s2.data[2], list(small[2]!), 'exact values');
  });

  it('zoomed: full resolution inside the range, plus the first and last point for the reset', () => {
    const store = bigStore(100_000);
    const full = buildChartData(store);
    const range = { min: 1000, max: 1400 }; // steps are i * 2: 201 rows inside
    const r = drawData(full, { buckets: 800, logScale: false, range });
    const xs = r.data[0];
    assert.equal(xs[0], 0);
    assert.equal(xs.at(-1), store.step.at(-1));
    const inside = xs.filter((s) => s >= range.min && s <= range.max);
    assert.equal(inside.length, 201, 'every row in view');
    assert.ok(xs.includes(998) && xs.includes(1402), 'one row beyond each edge');
  });

  it('log mode clamps only the drawn copies, never the store', () => {
    const store = new MetricStore(0);
    const n = 50_000;
    store.reset(
      metricColumns({
        step: Array.from({ length: n }, (_, i) => i),
        loss: Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? 0 : 1 + (i % 7))),
        evalLoss: Array.from({ length: n }, () => null),
        learningRate: Array.from({ length: n }, () => -1),
        time: Array.from({ length: n }, () => 1),
      }),
    );
    const full = buildChartData(store);
    const r = drawData(full, { buckets: 400, logScale: true });
    assert.equal(r.reduced, true);
    for (const v of r.data[1]!) assert.ok(v === null || v > 0, String(v));
    assert.equal(store.loss[0], 0, 'store untouched');
    assert.equal(r.data[4]![0], -1, 'learning rate is not clamped');
    const small = drawData(buildChartData(bigStore(100)), {
      buckets: 400,
      logScale: true,
    });
    assert.notEqual(small.data[1], full[1]);
  });

  it('gathers columns at indices', () => {
    const data = buildChartData(bigStore(10));
    const g = gather(data, [0, 3, 9]);
    assert.deepEqual(g[0], [0, 6, 18]);
    assert.deepEqual(g[3], [data[3]![0], null, null]);
  });
});

/** Deterministic pseudo-random numbers in [0, 1) (a 32-bit LCG), so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The fields a RangeSummary holds, sums to 1e-12 (block sums add in another order than a scan). */
function assertSameSummary(got: RangeSummary, want: RangeSummary, what: string): void {
  const { sum: gotSum, ...g } = got;
  const { sum: wantSum, ...w } = want;
  assert.deepEqual(g, w, what);
  assert.ok(Math.abs(gotSum - wantSum) <= 1e-12 * Math.max(1, Math.abs(wantSum)), `${what}: sum`);
}

/** drawData with and without the store's summaries: the same points, means to the last bits. */
function assertSameDraw(store: MetricStore, data: ReturnType<typeof buildChartData>, view: DrawView): void {
  const fast = drawData(data, { ...view, summary: (c) => store.summaryOf(c) });
  const slow = drawData(data, view);
  assert.deepEqual(fast.data[0], slow.data[0], 'the same kept rows');
  for (let s = 1; s < slow.data.length; s++) {
    const f = fast.data[s]!;
    const w = slow.data[s]!;
    assert.equal(f.length, w.length);
    for (let j = 0; j < w.length; j++) {
      if (w[j] === null || !view.means?.[s - 1]) assert.equal(f[j], w[j], `series ${s} at ${j}`);
      else assert.ok(Math.abs(f[j]! - w[j]!) <= 1e-12 * Math.abs(w[j]!), `series ${s} at ${j}`);
    }
  }
}

describe('range summaries (a million rows reduced without reading them)', () => {
  it('answer every range exactly as a scan of its rows does, through appends, rewrites and cuts', () => {
    const rnd = random(7);
    // Repeated values (ties), gaps, zeros and negatives: everything the tie and gap rules decide.
    const value = () => {
      const r = rnd();
      return r < 0.1 ? Number.NaN : r < 0.15 ? 0 : Math.round((r - 0.3) * 20) / 4;
    };
    let column = new Float32Array(0);
    let rows = 0;
    const index = new RangeIndex(() => column);
    const grow = (k: number) => {
      const next = new Float32Array(rows + k);
      next.set(column.subarray(0, rows));
      for (let i = rows; i < rows + k; i++) next[i] = value();
      column = next;
      rows += k;
    };
    const check = (what: string) => {
      index.ensure(rows);
      const got = new RangeSummary();
      const want = new RangeSummary();
      for (let q = 0; q < 300; q++) {
        const a = Math.floor(rnd() * (rows + 1));
        const b = a + Math.floor(rnd() * (rows + 1 - a));
        scanInto(want.reset(), column, a, b);
        assertSameSummary(index.query(a, b, got), want, `${what}: rows ${a}–${b}`);
      }
      scanInto(want.reset(), column, 0, rows);
      assertSameSummary(index.query(0, rows, got), want, `${what}: everything`);
    };
    for (const k of [1, 63, 1, 200, 5000, 3]) {
      grow(k);
      check(`${rows} rows`);
    }
    for (const at of [rows - 1, 4000, 10, 0]) {
      column[at] = 99;
      column[Math.min(rows - 1, at + 130)] = Number.NaN;
      index.invalidateFrom(at);
      check(`rewritten from ${at}`);
    }
    rows = 1000; // cut back, then grow again
    index.invalidateFrom(rows);
    check('cut to 1000');
    grow(700);
    check('grown after the cut');
  });

  it('read only the rows at a range’s ends and the rows appended since (no O(rows) work per frame)', () => {
    const n = 100_000;
    const values = Float64Array.from({ length: n + 10 }, (_, i) => Math.sin(i));
    let reads = 0;
    let rows = n;
    // The column as the index sees it, counting every row read.
    const counted = new Proxy(values, {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        const v = Reflect.get(target, key);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const index = new RangeIndex(() => counted as unknown as ArrayLike<number>);
    index.ensure(rows);
    // Every row once, plus each block's minimum and maximum when the level above combines them.
    assert.ok(reads <= n * (1 + 4 / BLOCK), `built with ${reads} reads`);
    reads = 0;
    index.query(0, rows);
    index.query(12_345, 87_654);
    assert.ok(reads < 1000, `two queries over most of ${n} rows read ${reads}`);
    reads = 0;
    rows += 10;
    index.ensure(rows);
    assert.ok(reads < 300, `10 appended rows cost ${reads} reads`);
  });

  it('draw the same points as a scan of every row, following, zoomed, log, through live changes', () => {
    const store = bigStore(20_000);
    const views: DrawView[] = [
      { buckets: 800, logScale: false, gaps: [true, true, false, true], means: [false, true, false, false] },
      { buckets: 1601, logScale: true, gaps: [true, true, false, true] },
      { buckets: 300, logScale: false, range: { min: 4000, max: 30_001 }, active: [true, true, true, false] },
      { buckets: 800, logScale: true, range: { min: 1000, max: 1400 } },
    ];
    const all = (what: string) => {
      for (const view of views) {
        assert.ok(store.summaryOf(store.loss), `${what}: the store's columns have summaries`);
        assertSameDraw(store, buildChartData(store), view);
      }
    };
    all('snapshot');
    const before = buildChartData(store);
    store.append(cols([[200_000, 0.5, null, 2e-4]]));
    all('appended');
    // A view from before the append (a zoom between data frames): still its rows, still summarised.
    assert.ok(store.summaryOf(before[1]!), 'an older view whose rows did not change');
    for (const view of views) assertSameDraw(store, before, view);
    store.replaceFrom(store.length - 1, cols([[200_000, 0.5, 0.7, 2e-4]]));
    assert.equal(store.summaryOf(before[3]!), undefined, 'an older view of a rewritten column');
    all('eval filled in on the last row');
    store.append(cols([[200_000, 0.01, null, 1e-4]]));
    all('the last row’s loss changed (resmoothed)');
    store.append(cols([[1001, 0.001, 0.002, 1e-4]]));
    all('a late row inserted');
    store.setSmoothing(0.9);
    all('smoothing changed');
    store.replaceFrom(8000, cols([[16_001, 3, null, 1e-4]]));
    all('rows replaced from 8,000');
  });
});

describe('crosshair readout', () => {
  it('reads the full data at the row nearest the cursor', () => {
    const store = bigStore(100_000);
    const full = buildChartData(store);
    assert.equal(nearestIndex(full[0], 1554.9), 777);
    assert.equal(nearestIndex(full[0], 1555.1), 778);
    assert.equal(nearestIndex(full[0], -5), 0);
    assert.equal(nearestIndex(full[0], 1e9), 99_999);
    const r = readoutAt(full, 777);
    assert.equal(r.step, '1554');
    assert.equal(r.values.length, SERIES.length);
    assert.equal(r.values[0], '9.0000', 'raw loss of the spike, not a decimated neighbour');
    assert.equal(r.values[3], '2.00e-4');
    assert.equal(readoutAt(full, 5).values[2], '—', 'no eval at that step');
    assert.deepEqual(readoutAt([[]], 0), { step: '—', values: SERIES.map(() => '—') });
  });

  it('the controller hands the plot the store arrays, linear (log clamping is the plot’s)', () => {
    const frames = new ManualFrames();
    const chart = new ChartController({ raf: frames.request, caf: frames.cancel });
    chart.snapshot(cols([[1, 0]]));
    const data = chart.data();
    assert.equal(data[0], chart.store.step);
    assert.equal(data[1], chart.store.loss);
    assert.equal(data[1]![0], 0);
  });
});

describe('loss statistics', () => {
  it("Student's t quantile matches the table for small n and is right above 30 degrees of freedom", () => {
    // Two-sided 95% critical values t(0.975, n − 1), from the standard table (3 decimals).
    for (const [n, t] of [
      [2, 12.706],
      [3, 4.303],
      [4, 3.182],
      [6, 2.571],
      [10, 2.262],
      [11, 2.228],
      [21, 2.086],
      [31, 2.042],
      [41, 2.021],
      [61, 2.0],
      [121, 1.98],
    ] as const) {
      assert.equal(tQuantile(0.975, n - 1).toFixed(3), t.toFixed(3), `n = ${n}`);
    }
    // Far more degrees of freedom: the normal quantile 1.95996…
    assert.ok(Math.abs(tQuantile(0.975, 1e6) - 1.959966) < 1e-5);
    // Other probabilities and the symmetry of the distribution.
    assert.equal(tQuantile(0.995, 5).toFixed(3), '4.032');
    assert.equal(tQuantile(0.9, 3).toFixed(3), '1.638');
    assert.equal(tQuantile(0.025, 9), -tQuantile(0.975, 9));
    assert.equal(tQuantile(0.5, 7), 0);
    assert.ok(Number.isNaN(tQuantile(0.975, 0)));
    // The incomplete beta function behind it, at known points: I_x(1, 1) = x, I_x(2, 1) = x².
    assert.ok(Math.abs(incompleteBeta(0.3, 1, 1) - 0.3) < 1e-12);
    assert.ok(Math.abs(incompleteBeta(0.7, 2, 1) - 0.49) < 1e-12);
  });

  it('percentiles interpolate linearly between order statistics (numpy "linear": rank q·(n − 1))', () => {
    const a = Float64Array.from([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
    // Sorted 1..10: rank 0.9·9 = 8.1 → 9 + 0.1·(10 − 9); rank 0.95·9 = 8.55 → 9.55.
    const [p90, p95] = percentiles(a, a.length, [0.9, 0.95]);
    assert.ok(Math.abs(p90! - 9.1) < 1e-12);
    assert.ok(Math.abs(p95! - 9.55) < 1e-12);
    assert.deepEqual(percentiles(Float64Array.from([4]), 1, [0.9, 0.95]), [4, 4]);
    // Selection gives what sorting gives, on random data of many sizes, ties and sorted input included.
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (const n of [2, 3, 5, 19, 20, 21, 100, 1001, 5000]) {
      for (const make of [rand, () => Math.round(rand() * 5), () => 0]) {
        const values = Float64Array.from({ length: n }, make);
        if (make === rand && n === 1001) values.sort(); // a steadily rising series
        const sorted = Float64Array.from(values).sort();
        const expect = [0.9, 0.95].map((q) => {
          const r = q * (n - 1);
          const k = Math.floor(r);
          return sorted[k]! + (r - k) * ((sorted[Math.min(n - 1, k + 1)] ?? 0) - sorted[k]!);
        });
        const got = percentiles(Float64Array.from(values), n, [0.9, 0.95]);
        assert.ok(Math.abs(got[0]! - expect[0]!) < 1e-12 && Math.abs(got[1]! - expect[1]!) < 1e-12, `n=${n}`);
      }
    }
  });

  it('describes a range of a series: count, mean ± 95% CI, sample variance, std dev, p90, p95', () => {
    const values = Float32Array.from([Number.NaN, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, Number.NaN, 100]);
    // Rows 0..11: the missing values are skipped, the 100 is outside the range.
    const s = seriesStats(values, 0, 12);
    assert.equal(s.count, 10);
    assert.equal(s.mean, 5.5);
    assert.ok(Math.abs(s.variance - 55 / 6) < 1e-12, 'divides by n − 1');
    assert.ok(Math.abs(s.stddev - Math.sqrt(55 / 6)) < 1e-12);
    assert.ok(Math.abs(s.ci95 - (2.2621571628 * Math.sqrt(55 / 6)) / Math.sqrt(10)) < 1e-9);
    assert.ok(Math.abs(s.p90 - 9.1) < 1e-12);
    assert.ok(Math.abs(s.p95 - 9.55) < 1e-12);
    // The input is never reordered (the store's columns are passed in).
    assert.equal(values[1], 1);
    assert.equal(values[10], 10);
    // One value: no spread; none: nothing to say.
    assert.deepEqual(seriesStats([3]), {
      count: 1,
      mean: 3,
      ci95: 0,
      variance: 0,
      stddev: 0,
      p90: 3,
      p95: 3,
    });
    const empty = seriesStats([Number.NaN]);
    assert.equal(empty.count, 0);
    assert.ok(Number.isNaN(empty.mean) && Number.isNaN(empty.p95));
  });
});
