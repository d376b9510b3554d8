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
  /** The newest rows kept as they are (the header's steps/s reads the last rows' times). */
  tail: number;
}

/**
 * Indices (ascending, unique) of the first `n` rows (sorted by step, as the job store keeps them)
 * that make the overview. NaN values are missing and never picked as an extreme.
 */
export function overviewRows(columns: OverviewColumns, n: number, options: OverviewOptions): Uint32Array {
  if (n <= 0) return new Uint32Array(0);
  const keep = new RowMarks(n);
  const { evalLoss } = columns;
  const starts = bucketStarts(columns.step, n, options.buckets);
  // Each bucket's first and last row.
  for (let k = 0; k + 1 < starts.length; k++) {
    keep.mark(starts[k] as number);
    keep.mark((starts[k + 1] as number) - 1);
  }
  markExtremes(columns.loss, starts, keep);
  markExtremes(columns.learningRate, starts, keep);
  if (countFinite(evalLoss, n) > options.evalCap) markExtremes(evalLoss, starts, keep);
  else for (let i = 0; i < n; i++) if (Number.isFinite(evalLoss[i] as number)) keep.mark(i);
  for (let i = Math.max(0, n - options.tail); i < n; i++) keep.mark(i);
  return keep.rows();
}

/**
 * Where each non-empty step bucket starts (row indices, ascending), then `n`: bucket b holds the
 * steps in [s0 + b·w, s0 + (b + 1)·w), w the step range over `buckets`; the last step closes the last.
 */
function bucketStarts(step: ArrayLike<number>, n: number, buckets: number): Uint32Array {
  const s0 = step[0] as number;
  const span = (step[n - 1] as number) - s0;
  const scale = span > 0 ? buckets / span : 0;
  const starts: number[] = [];
  let bucket = -1;
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.floor(((step[i] as number) - s0) * scale));
    if (b !== bucket) {
      starts.push(i);
      bucket = b;
    }
  }
  starts.push(n);
  return Uint32Array.from(starts);
}

/** Marks the rows of each bucket's smallest and largest value (NaN: missing, never picked). */
function markExtremes(values: ArrayLike<number>, starts: Uint32Array, keep: RowMarks): void {
  for (let k = 0; k + 1 < starts.length; k++) {
    let min = -1;
    let max = -1;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = starts[k] as number, end = starts[k + 1] as number; i < end; i++) {
      const v = values[i] as number;
      if (v < lo) {
        lo = v;
        min = i;
      }
      if (v > hi) {
        hi = v;
        max = i;
      }
    }
    if (min >= 0) keep.mark(min);
    if (max >= 0) keep.mark(max);
  }
}

function countFinite(values: ArrayLike<number>, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(values[i] as number)) count++;
  return count;
}

/** A set of row indices, one bit per row (a million-row run: 125 kB beside its 27 MB of columns). */
class RowMarks {
  private readonly bits: Uint8Array;

  constructor(private readonly n: number) {
    this.bits = new Uint8Array((n + 7) >> 3);
  }

  mark(row: number): void {
    this.bits[row >> 3] = (this.bits[row >> 3] as number) | (1 << (row & 7));
  }

  /** The marked rows, ascending. */
  rows(): Uint32Array {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if ((this.bits[i >> 3] as number) & (1 << (i & 7))) out.push(i);
    return Uint32Array.from(out);
  }
}
