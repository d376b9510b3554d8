/**
 * Compact per-job metric storage. A long run can log hundreds of thousands of steps, so series
 * live in growable typed arrays (8 or 4 bytes per value, no per-point objects) and the log is a
 * fixed-size ring buffer.
 */

type FloatArray = Float64Array | Float32Array;
type FloatArrayCtor = Float64ArrayConstructor | Float32ArrayConstructor;

/** A growable typed array: amortised O(1) append, capacity doubles. */
export class GrowableSeries<T extends FloatArray = FloatArray> {
  private data: T;
  private len = 0;

  constructor(
    private readonly ctor: FloatArrayCtor,
    initialCapacity = 256,
  ) {
    this.data = new ctor(Math.max(1, initialCapacity)) as T;
  }

  get length(): number {
    return this.len;
  }

  push(value: number): void {
    if (this.len === this.data.length) this.grow();
    this.data[this.len++] = value;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  get(index: number): number {
    return index < this.len ? (this.data[index] as number) : Number.NaN;
  }

  /** A copy of `[from, to)` (defaults to everything); safe to hand to a webview. */
  slice(from = 0, to = this.len): T {
    return this.data.slice(from, Math.min(to, this.len)) as T;
  }

  /** A copy of the values at `rows` (indices below the length), in that order. */
  pick(rows: ArrayLike<number>): T {
    const out = new this.ctor(rows.length) as T;
    for (let k = 0; k < rows.length; k++) out[k] = this.data[rows[k] as number] as number;
    return out;
  }

  /**
   * The values as they are now, without a copy: for reading within one synchronous pass only (a push
   * may move them), and never to hand out.
   */
  view(): T {
    return this.data.subarray(0, this.len) as T;
  }

  private grow(): void {
    const next = new this.ctor(this.data.length * 2) as T;
    next.set(this.data);
    this.data = next;
  }
}

/** One `training.log` tick as stored. `NaN` marks a missing value. */
export interface MetricPoint {
  step: number;
  loss: number;
  evalLoss: number;
  learningRate: number;
  epoch: number;
}

/** Plain typed-array copies of the series, all of the same length. */
export interface MetricsArrays {
  step: Float64Array;
  loss: Float32Array;
  evalLoss: Float32Array;
  learningRate: Float32Array;
  epoch: Float32Array;
}

/**
 * The series the views show (job panel chart and CSV, a Jobs view row): all but the epoch, which
 * none shows. A million-row panel snapshot copies 4 MB less without it.
 */
export type ShownMetrics = Omit<MetricsArrays, 'epoch'>;

const num = (v: number | null | undefined): number => (typeof v === 'number' ? v : Number.NaN);

/**
 * Step-indexed metric series. Step (and nothing else) is Float64 so large step numbers stay exact;
 * the metrics are Float32, which is ample for plotting and halves the memory.
 */
export class MetricSeries {
  readonly step = new GrowableSeries<Float64Array>(Float64Array);
  readonly loss = new GrowableSeries<Float32Array>(Float32Array);
  readonly evalLoss = new GrowableSeries<Float32Array>(Float32Array);
  readonly learningRate = new GrowableSeries<Float32Array>(Float32Array);
  readonly epoch = new GrowableSeries<Float32Array>(Float32Array);

  get length(): number {
    return this.step.length;
  }

  /**
   * Record one tick and return the index written. A tick with the same step as the previous one
   * (e.g. an eval-only frame right after the train frame) fills that point's missing fields instead
   * of adding a point, as Studio's chart does.
   */
  add(tick: {
    step: number;
    loss?: number | null;
    evalLoss?: number | null;
    learningRate?: number | null;
    epoch?: number | null;
  }): number {
    const last = this.step.length - 1;
    if (last >= 0 && this.step.get(last) === tick.step) {
      this.merge(this.loss, last, tick.loss);
      this.merge(this.evalLoss, last, tick.evalLoss);
      this.merge(this.learningRate, last, tick.learningRate);
      this.merge(this.epoch, last, tick.epoch);
      return last;
    }
    this.step.push(tick.step);
    this.loss.push(num(tick.loss));
    this.evalLoss.push(num(tick.evalLoss));
    this.learningRate.push(num(tick.learningRate));
    this.epoch.push(num(tick.epoch));
    return last + 1;
  }

  point(index: number): MetricPoint {
    return {
      step: this.step.get(index),
      loss: this.loss.get(index),
      evalLoss: this.evalLoss.get(index),
      learningRate: this.learningRate.get(index),
      epoch: this.epoch.get(index),
    };
  }

  slice(from = 0, to = this.length): MetricsArrays {
    return { ...this.shownSlice(from, to), epoch: this.epoch.slice(from, to) };
  }

  /** Copies of `[from, to)` of the series views show (ShownMetrics: no epoch). */
  shownSlice(from = 0, to = this.length): ShownMetrics {
    return {
      step: this.step.slice(from, to),
      loss: this.loss.slice(from, to),
      evalLoss: this.evalLoss.slice(from, to),
      learningRate: this.learningRate.slice(from, to),
    };
  }

  /** Copies of the rows at `rows` (ascending indices) of the series views show. */
  shownRows(rows: ArrayLike<number>): ShownMetrics {
    return {
      step: this.step.pick(rows),
      loss: this.loss.pick(rows),
      evalLoss: this.evalLoss.pick(rows),
      learningRate: this.learningRate.pick(rows),
    };
  }

  private merge(series: GrowableSeries, index: number, value: number | null | undefined): void {
    if (typeof value === 'number') series.set(index, value);
  }
}

/** Fixed-capacity ring buffer keeping the newest `capacity` items. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;
  /** Items ever pushed, including evicted ones. */
  total = 0;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new RangeError('RingBuffer capacity must be at least 1');
    this.items = new Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    this.total++;
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.capacity] as T;
    return out;
  }

  /** The newest `n` items, oldest first. */
  last(n: number): T[] {
    const k = Math.min(n, this.count);
    const out: T[] = new Array(k);
    for (let i = 0; i < k; i++) out[i] = this.items[(this.start + this.count - k + i) % this.capacity] as T;
    return out;
  }
}

/** A column of a series: a live `GrowableSeries` or a copied typed array. */
type Column = GrowableSeries | ArrayLike<number>;

function reader(column: Column): (index: number) => number {
  if (column instanceof GrowableSeries) return (index) => column.get(index);
  return (index) => column[index] ?? Number.NaN;
}

/**
 * The loss at (or just before) `step`: the last finite training loss at a step ≤ `step`, in a live
 * series or a copied snapshot (`MetricsArrays`). A binary search over the (ascending) step column,
 * then a short walk back past eval-only points; no copy of the series.
 */
export function lossAtStep(series: { step: Column; loss: Column }, step: number): number | undefined {
  const stepAt = reader(series.step);
  const lossAt = reader(series.loss);
  let lo = 0;
  let hi = series.step.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (stepAt(mid) <= step) {
      at = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  for (let i = at; i >= 0 && i > at - 64; i--) {
    const loss = lossAt(i);
    if (Number.isFinite(loss)) return loss;
  }
  return undefined;
}
