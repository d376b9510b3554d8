import type { MetricColumns } from '../../src/protocol';
import { RangeIndex } from './rangeSummary';
import { clampWeight, EmaSmoother } from './smoothing';

const NAMES = ['step', 'loss', 'evalLoss', 'learningRate', 'time', 'smoothed'] as const;
/** The columns the chart draws as series, which get a RangeIndex when asked for one. */
const DRAWN = ['loss', 'smoothed', 'evalLoss', 'learningRate'] as const;
type Drawn = (typeof DRAWN)[number];

/**
 * Appends of at least this many rows copy whole columns (`appendAfter`); fewer go row by row. A live
 * row is cheaper row by row: in Chromium the column path (five `set` calls, three subarrays per row)
 * made a 1M-row chart's data frames at 200 rows/s measurably slower.
 */
const COLUMN_APPEND_ROWS = 64;

/** The columns' storage: steps, times and the smoothed loss in 64 bits, the metrics in 32 as sent. */
interface Buffers {
  step: Float64Array;
  loss: Float32Array;
  evalLoss: Float32Array;
  learningRate: Float32Array;
  time: Float64Array;
  smoothed: Float64Array;
}

/**
 * The job panel's metric data, outside Preact state: `metrics` messages append here (O(rows)), and the
 * chart reads the arrays once per animation frame.
 *
 * Columns are typed arrays with NaN for a missing value, the layout the host sends: a snapshot is
 * taken over as received (no conversion pass, no per-value boxing), appends write into buffers that
 * grow geometrically. The public columns are exact-length views, replaced whenever rows change; read
 * them anew after a change. Whatever hands them to uPlot turns NaN into null (decimate.ts).
 *
 * Rows are kept sorted by step and unique per step: a row for the last step (e.g. an eval frame after
 * the train frame of the same step) fills in the fields it carries, as Studio does; a late row for an
 * earlier step is inserted in order. The smoothed loss is maintained incrementally and recomputed in
 * full only when the weight changes or an earlier loss value changes.
 *
 * The drawn columns have range summaries (`summaryOf`, rangeSummary.ts) so the chart reduces a
 * million rows per frame without reading them: the store tells each index which rows changed, and an
 * append costs the index only its new rows.
 */
export class MetricStore {
  step: Float64Array = new Float64Array(0);
  loss: Float32Array = new Float32Array(0);
  evalLoss: Float32Array = new Float32Array(0);
  learningRate: Float32Array = new Float32Array(0);
  /** Epoch ms of the row's event; NaN when unknown. */
  time: Float64Array = new Float64Array(0);
  /** Debiased EMA of `loss`, index-aligned. */
  smoothed: Float64Array = new Float64Array(0);
  /** Bumped on every change; the chart compares it to skip redundant frames. */
  version = 0;
  /** Full recomputations of the smoothed series (a test hook: appends must not need one). */
  smoothingPasses = 0;
  hasEval = false;
  hasLearningRate = false;

  private smoothing: number;
  private smoother: EmaSmoother;
  private n = 0;
  /** Backing storage (capacity ≥ n) behind the public views. */
  private buf: Buffers = emptyBuffers(0);
  /** Range summaries of the drawn columns, made on first request. */
  private readonly indexes: Partial<Record<Drawn, RangeIndex>> = {};
  /** Per drawn column, how many times rows it already had were changed (appends do not count). */
  private readonly rewrites: Record<Drawn, number> = { loss: 0, smoothed: 0, evalLoss: 0, learningRate: 0 };
  /**
   * Every view of a drawn column handed out, with its column's rewrite count then. The chart may
   * reduce a view a few events old (a zoom between data frames): while no row of it was rewritten,
   * its values are the current column's first rows, so the current index answers for it.
   */
  private readonly views = new WeakMap<object, { name: Drawn; rewrites: number }>();

  constructor(smoothing = 0) {
    this.smoothing = clampWeight(smoothing);
    this.smoother = new EmaSmoother(this.smoothing);
  }

  get length(): number {
    return this.n;
  }

  get smoothingWeight(): number {
    return this.smoothing;
  }

  /**
   * Replaces everything with a snapshot's columns. The store takes the arrays over (and normalises
   * them in place): a message received through postMessage is the receiver's own copy.
   */
  reset(columns?: MetricColumns): void {
    this.buf = emptyBuffers(0);
    this.n = 0;
    for (const name of DRAWN) this.rewritten(name, 0);
    this.hasEval = false;
    this.hasLearningRate = false;
    this.smoother.reset();
    if (!(columns && this.adopt(columns))) {
      this.refreshViews();
      if (columns) this.append(columns);
    }
    this.version++;
  }

  /**
   * Snapshot fast path: when the steps are strictly increasing and the columns aligned (the normal
   * case), keep the arrays and fix up missing values in one pass instead of inserting row by row.
   */
  private adopt(c: MetricColumns): boolean {
    const n = c.step.length;
    if (
      c.loss.length !== n ||
      c.evalLoss.length !== n ||
      c.learningRate.length !== n ||
      c.time.length !== n
    ) {
      return false;
    }
    const step = c.step;
    let prev = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const s = step[i]!;
      if (!(s > prev) || s === Number.POSITIVE_INFINITY) return false;
      prev = s;
    }
    const { loss, evalLoss, learningRate, time } = c;
    // One tight loop per column (a million rows each): faster than one loop doing everything per row.
    missingAsNaN(loss);
    const smoothed = new Float64Array(n);
    this.smoother.smoothInto(loss, smoothed, 0, n);
    const hasEval = missingAsNaN(evalLoss);
    const hasLr = missingAsNaN(learningRate);
    for (let i = 0; i < n; i++) time[i] = knownTime(time[i]);
    this.buf = { step, loss, evalLoss, learningRate, time, smoothed };
    this.n = n;
    this.hasEval = hasEval;
    this.hasLearningRate = hasLr;
    this.refreshViews();
    return true;
  }

  /**
   * Applies a `metrics` message: rows starting at row index `from`. `from` equal to the length is an
   * append; a smaller `from` replaces the rows from there on (the host filled in a value, such as the
   * eval loss of a step already shown). When the replaced rows keep their steps and training loss,
   * the smoothed series is kept as is; otherwise it is recomputed.
   */
  replaceFrom(from: number, columns: MetricColumns): void {
    const n = this.n;
    if (!(from >= 0) || from >= n) {
      this.append(columns);
      return;
    }
    const b = this.buf;
    const overlap = n - from;
    let unchanged = columns.step.length >= overlap;
    for (let k = 0; unchanged && k < overlap; k++) {
      unchanged =
        columns.step[k] === b.step[from + k] && sameValue(finite(columns.loss[k]), b.loss[from + k]!);
    }
    if (unchanged) {
      this.rewritten('evalLoss', from);
      this.rewritten('learningRate', from);
      for (let k = 0; k < overlap; k++) {
        const i = from + k;
        b.evalLoss[i] = finite(columns.evalLoss[k]);
        b.learningRate[i] = finite(columns.learningRate[k]);
        b.time[i] = knownTime(columns.time[k]);
        if (!Number.isNaN(b.evalLoss[i])) this.hasEval = true;
        if (!Number.isNaN(b.learningRate[i])) this.hasLearningRate = true;
      }
      this.append(sliceColumns(columns, overlap));
      return;
    }
    this.n = from;
    for (const name of DRAWN) this.rewritten(name, from);
    this.recomputeSmoothing();
    this.append(columns);
  }

  /** Appends rows (same layout as the snapshot). */
  append(columns: MetricColumns): void {
    if (columns.step.length >= COLUMN_APPEND_ROWS && this.appendAfter(columns)) {
      this.refreshViews();
      this.version++;
      return;
    }
    const rows = columns.step.length;
    this.reserve(this.n + rows);
    let resmooth = false;
    for (let i = 0; i < rows; i++) {
      const step = columns.step[i]!;
      if (!Number.isFinite(step)) continue;
      const loss = finite(columns.loss[i]);
      const evalLoss = finite(columns.evalLoss[i]);
      const lr = finite(columns.learningRate[i]);
      const time = knownTime(columns.time[i]);
      if (!Number.isNaN(evalLoss)) this.hasEval = true;
      if (!Number.isNaN(lr)) this.hasLearningRate = true;
      const b = this.buf;
      const last = this.n - 1;
      if (last < 0 || step > b.step[last]!) {
        const at = this.n++;
        b.step[at] = step;
        b.loss[at] = loss;
        b.evalLoss[at] = evalLoss;
        b.learningRate[at] = lr;
        b.time[at] = time;
        b.smoothed[at] = resmooth ? Number.NaN : (this.smoother.next(loss) ?? Number.NaN);
        continue;
      }
      const at = lowerBound(b.step.subarray(0, this.n), step);
      if (b.step[at] === step) {
        // Same step again: fill in what this row carries.
        if (!Number.isNaN(loss) && b.loss[at] !== loss) {
          b.loss[at] = loss;
          this.rewritten('loss', at);
          resmooth = true;
        }
        if (!Number.isNaN(evalLoss)) {
          b.evalLoss[at] = evalLoss;
          this.rewritten('evalLoss', at);
        }
        if (!Number.isNaN(lr)) {
          b.learningRate[at] = lr;
          this.rewritten('learningRate', at);
        }
        if (!Number.isNaN(time)) b.time[at] = time;
      } else {
        // An earlier step arriving late (rare): shift the tail and insert in order.
        for (const name of NAMES) b[name].copyWithin(at + 1, at, this.n);
        for (const name of DRAWN) this.rewritten(name, at);
        this.n++;
        b.step[at] = step;
        b.loss[at] = loss;
        b.evalLoss[at] = evalLoss;
        b.learningRate[at] = lr;
        b.time[at] = time;
        resmooth = true;
      }
    }
    if (resmooth) this.recomputeSmoothing();
    this.refreshViews();
    this.version++;
  }

  /**
   * Fast path of `append` for many rows whose steps all come after the last one, in order (a chunk of
   * a loading run): each column copied whole and normalised in one tight loop, as `adopt`
   * does, instead of row by row. False, with nothing changed, for anything else.
   */
  private appendAfter(c: MetricColumns): boolean {
    const rows = c.step.length;
    if (c.loss.length !== rows || c.evalLoss.length !== rows || c.learningRate.length !== rows) return false;
    if (c.time.length !== rows) return false;
    let prev = this.n > 0 ? this.buf.step[this.n - 1]! : Number.NEGATIVE_INFINITY;
    for (let i = 0; i < rows; i++) {
      const s = c.step[i]!;
      if (!(s > prev) || s === Number.POSITIVE_INFINITY) return false;
      prev = s;
    }
    const at = this.n;
    const end = at + rows;
    this.reserve(end);
    const b = this.buf;
    b.step.set(c.step, at);
    b.loss.set(c.loss, at);
    b.evalLoss.set(c.evalLoss, at);
    b.learningRate.set(c.learningRate, at);
    b.time.set(c.time, at);
    missingAsNaN(b.loss.subarray(at, end));
    if (missingAsNaN(b.evalLoss.subarray(at, end))) this.hasEval = true;
    if (missingAsNaN(b.learningRate.subarray(at, end))) this.hasLearningRate = true;
    for (let i = at; i < end; i++) b.time[i] = knownTime(b.time[i]);
    this.smoother.smoothInto(b.loss, b.smoothed, at, end);
    this.n = end;
    return true;
  }

  /**
   * Brings the drawn columns' range summaries up to the current rows. A store filled in chunks while
   * another is drawn (a loading run) does it per chunk, so its first frame does not read every row.
   */
  summarise(): void {
    for (const name of DRAWN) this.index(name).ensure(this.n);
  }

  /** Changes the smoothing weight (0..0.999) and recomputes the smoothed series in full. */
  setSmoothing(weight: number): void {
    const w = clampWeight(weight);
    if (w === this.smoothing) return;
    this.smoothing = w;
    this.smoother = new EmaSmoother(w);
    this.recomputeSmoothing();
    this.refreshViews();
    this.version++;
  }

  /** Training loss at `step`, or at the closest earlier step that has one. */
  lossAt(step: number): number | undefined {
    return this.latestAt(this.loss, step);
  }

  /** Eval loss logged at `step`, or at the closest earlier step that logged one. */
  evalLossAt(step: number): number | undefined {
    return this.latestAt(this.evalLoss, step);
  }

  /**
   * The RangeIndex holding `column`'s values, summarised up to now, when `column` is a view of a
   * drawn column this store handed out and none of its rows has been rewritten since; else undefined.
   */
  summaryOf(column: ArrayLike<number | null>): RangeIndex | undefined {
    const seen = this.views.get(column);
    if (!seen || seen.rewrites !== this.rewrites[seen.name]) return undefined;
    const index = this.index(seen.name);
    index.ensure(this.n);
    return index;
  }

  private index(name: Drawn): RangeIndex {
    let index = this.indexes[name];
    if (!index) {
      index = new RangeIndex(() => this.buf[name]);
      this.indexes[name] = index;
    }
    return index;
  }

  /** Rows `[i0, i1)` whose steps lie in `[min, max]` (the whole store without a range). */
  rowsIn(range: { min: number; max: number } | undefined): [number, number] {
    if (!range) return [0, this.n];
    return [lowerBound(this.step, range.min), upperBound(this.step, range.max)];
  }

  private latestAt(column: Float32Array, step: number): number | undefined {
    for (let i = upperBound(this.step, step) - 1; i >= 0; i--) {
      const v = column[i]!;
      if (!Number.isNaN(v)) return v;
    }
    return undefined;
  }

  /** Room for `rows` rows: grows every buffer (doubling) when needed. */
  reserve(rows: number): void {
    if (rows <= this.buf.step.length) return;
    const next = emptyBuffers(Math.max(rows, 2 * this.buf.step.length, 256));
    for (const name of NAMES) next[name].set(this.buf[name].subarray(0, this.n));
    this.buf = next;
  }

  /** Rows of `name` from `row` on changed: older views no longer match, its index re-reads them. */
  private rewritten(name: Drawn, row: number): void {
    this.rewrites[name]++;
    this.indexes[name]?.invalidateFrom(row);
  }

  /** Recomputes the smoothed series in place (the old view is replaced by refreshViews). */
  private recomputeSmoothing(): void {
    this.smoothingPasses++;
    this.rewritten('smoothed', 0);
    this.smoother.reset();
    this.smoother.smoothInto(this.buf.loss, this.buf.smoothed, 0, this.n);
  }

  private refreshViews(): void {
    const b = this.buf;
    const n = this.n;
    this.step = b.step.subarray(0, n);
    this.loss = b.loss.subarray(0, n);
    this.evalLoss = b.evalLoss.subarray(0, n);
    this.learningRate = b.learningRate.subarray(0, n);
    this.time = b.time.subarray(0, n);
    this.smoothed = b.smoothed.subarray(0, n);
    for (const name of DRAWN) this.views.set(this[name], { name, rewrites: this.rewrites[name] });
  }
}

function emptyBuffers(capacity: number): Buffers {
  return {
    step: new Float64Array(capacity),
    loss: new Float32Array(capacity),
    evalLoss: new Float32Array(capacity),
    learningRate: new Float32Array(capacity),
    time: new Float64Array(capacity),
    smoothed: new Float64Array(capacity),
  };
}

/** Sets every non-finite value (±Infinity too) to NaN; whether any value is left. */
function missingAsNaN(column: Float32Array): boolean {
  let any = false;
  for (let i = 0; i < column.length; i++) {
    if (!Number.isFinite(column[i])) column[i] = Number.NaN;
    else any = true;
  }
  return any;
}

/** NaN-aware equality (two missing values are the same). */
function sameValue(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Times of 0 (unknown) become NaN, which stats and CSV skip. */
function knownTime(t: number | undefined): number {
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : Number.NaN;
}

function sliceColumns(c: MetricColumns, start: number): MetricColumns {
  return {
    step: c.step.subarray(start),
    loss: c.loss.subarray(start),
    evalLoss: c.evalLoss.subarray(start),
    learningRate: c.learningRate.subarray(start),
    time: c.time.subarray(start),
  };
}

/** The value, or NaN when missing or not finite. */
function finite(v: number | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}

/** First index whose value is ≥ `x` (array sorted ascending). */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > `x` (array sorted ascending). */
export function upperBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
