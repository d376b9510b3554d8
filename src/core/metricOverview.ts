/**
 * The overview of a long run's metrics: a few thousand of its real rows that, drawn at chart width,
 * look the same as all of them. The job panel's chart min/max-decimates per pixel column, so per
 * step bucket (at least as fine as a pixel) the rows that decide what is drawn are the first and
 * last (where the line enters and leaves) and those holding each series' smallest and largest
 * value. A panel opening on a million rows draws these at once while every row follows in chunks.
 */

/**
 * A job with more metric rows than `minRows` gets an overview snapshot, its rows following in chunks
 * of `chunkRows` (JobPanelFeed; see `overview` in protocol.ts): cloning a million rows (28 MB) before the first
 * paint costs the webview most of a second, a 2,048-bucket overview a few milliseconds. A chunk is
 * 1.8 MB, a short task for the webview to take in.
 */
export const PROGRESSIVE_SNAPSHOT = {
  minRows: 100_000,
  chunkRows: 65_536,
  overview: { buckets: 2048, evalCap: 10_000, tail: 64 } satisfies OverviewOptions,
};

export interface OverviewColumns {
  step: ArrayLike<number>;
  loss: ArrayLike<number>;
  evalLoss: ArrayLike<number>;
  learningRate: ArrayLike<number>;
}

export interface OverviewOptions {
  /** Step buckets over the run's step range: at least the chart's width in pixels. */
  buckets: number;
  /** Every eval row is kept while there are at most this many; beyond, each bucket's extremes. */
  evalCap: number;
  /** The newest rows kept as they are (the header's steps/s reads the last rows' receive times). */
  tail: number;
}

/**
 * Indices (ascending, unique) of the first `n` rows (sorted by step, as the job store keeps them)
 * that make the overview. NaN values are missing and never picked as an extreme.
 */
export function overviewRows(columns: OverviewColumns, n: number, options: OverviewOptions): Uint32Array {
  if (n <= 0) return new Uint32Array(0);
  const keep = new Uint8Array(n);
  const { step, loss, evalLoss, learningRate } = columns;
  const s0 = step[0] as number;
  const span = (step[n - 1] as number) - s0;
  const scale = span > 0 ? options.buckets / span : 0;
  const allEval = countFinite(evalLoss, n) <= options.evalCap;
  const extremes = [loss, ...(allEval ? [] : [evalLoss]), learningRate].map((values) => new Extremes(values));
  let bucket = -1;
  for (let i = 0; i < n; i++) {
    const b = Math.min(options.buckets - 1, Math.floor(((step[i] as number) - s0) * scale));
    if (b !== bucket) {
      if (i > 0) {
        keep[i - 1] = 1; // the previous bucket's last row
        for (const e of extremes) e.markInto(keep);
      }
      bucket = b;
      keep[i] = 1; // this bucket's first row
    }
    for (const e of extremes) e.see(i);
    if (allEval && Number.isFinite(evalLoss[i] as number)) keep[i] = 1;
  }
  keep[n - 1] = 1;
  for (const e of extremes) e.markInto(keep);
  for (let i = Math.max(0, n - options.tail); i < n; i++) keep[i] = 1;
  return indicesOf(keep);
}

/** The rows of one series' smallest and largest value in the current bucket. */
class Extremes {
  private min = -1;
  private max = -1;

  constructor(private readonly values: ArrayLike<number>) {}

  see(i: number): void {
    const v = this.values[i] as number;
    if (!Number.isFinite(v)) return;
    if (this.min < 0 || v < (this.values[this.min] as number)) this.min = i;
    if (this.max < 0 || v > (this.values[this.max] as number)) this.max = i;
  }

  /** Marks the bucket's extremes and starts the next bucket. */
  markInto(keep: Uint8Array): void {
    if (this.min >= 0) keep[this.min] = 1;
    if (this.max >= 0) keep[this.max] = 1;
    this.min = this.max = -1;
  }
}

function countFinite(values: ArrayLike<number>, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(values[i] as number)) count++;
  return count;
}

function indicesOf(keep: Uint8Array): Uint32Array {
  let count = 0;
  for (let i = 0; i < keep.length; i++) count += keep[i] as number;
  const out = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) out[k++] = i;
  return out;
}
