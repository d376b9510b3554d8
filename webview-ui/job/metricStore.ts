import type { MetricColumns } from '../../src/protocol';
import { clampWeight, EmaSmoother } from './smoothing';

/**
 * The job panel's metric data, outside Preact state: `metrics` messages append here (O(rows)), and the
 * chart reads the arrays once per animation frame. Columns are plain growable arrays (amortised
 * geometric growth by the engine) that uPlot takes as-is, without copying.
 *
 * Rows are kept sorted by step and unique per step: a row for the last step (e.g. an eval frame after
 * the train frame of the same step) fills in the fields it carries, as Studio does; a late row for an
 * earlier step is inserted in order. The smoothed loss is maintained incrementally and recomputed in
 * full only when the weight changes or an earlier loss value changes.
 */
export class MetricStore {
  step: number[] = [];
  loss: (number | null)[] = [];
  evalLoss: (number | null)[] = [];
  learningRate: (number | null)[] = [];
  time: number[] = [];
  /** Debiased EMA of `loss`, index-aligned. */
  smoothed: (number | null)[] = [];
  /** Bumped on every change; the chart compares it to skip redundant frames. */
  version = 0;
  hasEval = false;
  hasLearningRate = false;

  private smoothing: number;
  private smoother: EmaSmoother;

  constructor(smoothing = 0) {
    this.smoothing = clampWeight(smoothing);
    this.smoother = new EmaSmoother(this.smoothing);
  }

  get length(): number {
    return this.step.length;
  }

  get smoothingWeight(): number {
    return this.smoothing;
  }

  /** Replaces everything with a snapshot's columns. */
  reset(columns?: MetricColumns): void {
    this.step = [];
    this.loss = [];
    this.evalLoss = [];
    this.learningRate = [];
    this.time = [];
    this.smoothed = [];
    this.hasEval = false;
    this.hasLearningRate = false;
    this.smoother.reset();
    this.version++;
    if (columns && !this.adopt(columns)) this.append(columns);
  }

  /**
   * Snapshot fast path: when the steps are strictly increasing and the columns aligned (the normal
   * case), convert each column in one pass (NaN and other non-finite values become null) instead of
   * pushing row by row.
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
    let prev = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const s = c.step[i]!;
      if (!(s > prev) || s === Number.POSITIVE_INFINITY) return false;
      prev = s;
    }
    const step = new Array<number>(n);
    const loss = new Array<number | null>(n);
    const evalLoss = new Array<number | null>(n);
    const learningRate = new Array<number | null>(n);
    const time = new Array<number>(n);
    const smoothed = new Array<number | null>(n);
    const smoother = this.smoother;
    let hasEval = false;
    let hasLr = false;
    for (let i = 0; i < n; i++) {
      step[i] = c.step[i]!;
      const l = finiteOrNull(c.loss[i]);
      loss[i] = l;
      smoothed[i] = smoother.next(l);
      const e = finiteOrNull(c.evalLoss[i]);
      evalLoss[i] = e;
      if (e !== null) hasEval = true;
      const r = finiteOrNull(c.learningRate[i]);
      learningRate[i] = r;
      if (r !== null) hasLr = true;
      time[i] = knownTime(c.time[i]);
    }
    this.step = step;
    this.loss = loss;
    this.evalLoss = evalLoss;
    this.learningRate = learningRate;
    this.time = time;
    this.smoothed = smoothed;
    this.hasEval = hasEval;
    this.hasLearningRate = hasLr;
    return true;
  }

  /**
   * Applies a `metrics` message: rows starting at row index `from`. `from` equal to the length is an
   * append; a smaller `from` replaces the rows from there on (the host filled in a value, such as the
   * eval loss of a step already shown). When the replaced rows keep their steps and training loss,
   * the smoothed series is kept as is; otherwise it is recomputed.
   */
  replaceFrom(from: number, columns: MetricColumns): void {
    const n = this.step.length;
    if (!(from >= 0) || from >= n) {
      this.append(columns);
      return;
    }
    const overlap = n - from;
    let unchanged = columns.step.length >= overlap;
    for (let k = 0; unchanged && k < overlap; k++) {
      unchanged =
        columns.step[k] === this.step[from + k] && finiteOrNull(columns.loss[k]) === this.loss[from + k];
    }
    if (unchanged) {
      for (let k = 0; k < overlap; k++) {
        const i = from + k;
        this.evalLoss[i] = finiteOrNull(columns.evalLoss[k]);
        this.learningRate[i] = finiteOrNull(columns.learningRate[k]);
        this.time[i] = knownTime(columns.time[k]);
        if (this.evalLoss[i] !== null) this.hasEval = true;
        if (this.learningRate[i] !== null) this.hasLearningRate = true;
      }
      this.append(sliceColumns(columns, overlap));
      return;
    }
    this.step.length = from;
    this.loss.length = from;
    this.evalLoss.length = from;
    this.learningRate.length = from;
    this.time.length = from;
    this.recomputeSmoothing();
    this.append(columns);
  }

  /** Appends rows (same layout as the snapshot). */
  append(columns: MetricColumns): void {
    const n = columns.step.length;
    let resmooth = false;
    for (let i = 0; i < n; i++) {
      const step = columns.step[i]!;
      if (!Number.isFinite(step)) continue;
      const loss = finiteOrNull(columns.loss[i]);
      const evalLoss = finiteOrNull(columns.evalLoss[i]);
      const lr = finiteOrNull(columns.learningRate[i]);
      const time = knownTime(columns.time[i]);
      if (evalLoss !== null) this.hasEval = true;
      if (lr !== null) this.hasLearningRate = true;
      const last = this.step.length - 1;
      if (last < 0 || step > this.step[last]!) {
        this.step.push(step);
        this.loss.push(loss);
        this.evalLoss.push(evalLoss);
        this.learningRate.push(lr);
        this.time.push(time);
        this.smoothed.push(resmooth ? null : this.smoother.next(loss));
        continue;
      }
      const at = lowerBound(this.step, step);
      if (this.step[at] === step) {
        // Same step again: fill in what this row carries.
        if (loss !== null && this.loss[at] !== loss) {
          this.loss[at] = loss;
          resmooth = true;
        }
        if (evalLoss !== null) this.evalLoss[at] = evalLoss;
        if (lr !== null) this.learningRate[at] = lr;
        if (Number.isFinite(time)) this.time[at] = time;
      } else {
        // An earlier step arriving late (rare): insert in order.
        this.step.splice(at, 0, step);
        this.loss.splice(at, 0, loss);
        this.evalLoss.splice(at, 0, evalLoss);
        this.learningRate.splice(at, 0, lr);
        this.time.splice(at, 0, time);
        this.smoothed.splice(at, 0, null);
        resmooth = true;
      }
    }
    if (resmooth) this.recomputeSmoothing();
    this.version++;
  }

  /** Changes the smoothing weight (0..0.999) and recomputes the smoothed series in full. */
  setSmoothing(weight: number): void {
    const w = clampWeight(weight);
    if (w === this.smoothing) return;
    this.smoothing = w;
    this.smoother = new EmaSmoother(w);
    this.recomputeSmoothing();
    this.version++;
  }

  /** Training loss at `step`, or at the closest earlier step that has one. */
  lossAt(step: number): number | undefined {
    let i = lowerBound(this.step, step);
    if (i >= this.step.length || this.step[i]! > step) i--;
    for (; i >= 0; i--) {
      const v = this.loss[i];
      if (v != null) return v;
    }
    return undefined;
  }

  private recomputeSmoothing(): void {
    this.smoother.reset();
    const out = new Array<number | null>(this.loss.length);
    for (let i = 0; i < this.loss.length; i++) out[i] = this.smoother.next(this.loss[i]);
    this.smoothed = out;
  }
}

/** Receive times of 0 (unknown: replayed history) become NaN, which stats and CSV skip. */
function knownTime(t: number | undefined): number {
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : Number.NaN;
}

function sliceColumns(c: MetricColumns, start: number): MetricColumns {
  return {
    step: c.step.slice(start),
    loss: c.loss.slice(start),
    evalLoss: c.evalLoss.slice(start),
    learningRate: c.learningRate.slice(start),
    time: c.time.slice(start),
  };
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** First index whose value is ≥ `x` (array sorted ascending). */
export function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
