import { type ChartData, type DrawnData, logFloor } from './chartData';
import { lowerBound } from './metricStore';

/**
 * What the loss chart hands to uPlot. The store keeps every point (CSV, the crosshair readout and
 * `data-points` read it); drawing more points than there are pixel columns only costs time, so when
 * the points in view exceed a few per column they are decimated M4-style: per pixel-column bucket
 * and per series, the first, last, minimum and maximum point are kept (plus the first gap, for series
 * drawn with gaps). A line through those points rasterises to the same pixels as the full series:
 * every column still reaches its true minimum and maximum, and the line enters and leaves each column
 * at the true values. All series share one x array, so the kept indices are the union over series.
 *
 * Canvas-free (runs and is tested in jsdom); lossPlot.ts calls `drawData` for every update, zoom
 * and resize.
 */

/** Above this many points per bucket (pixel column) in view, the view is decimated. */
export const POINTS_PER_BUCKET = 4;

/**
 * Sorted, unique indices in `[i0, i1]` (inclusive) to keep for drawing `ys` over `x` (ascending) in
 * `buckets` columns spanning `[xMin, xMax]` (default: the x values at i0 and i1; points outside the
 * span fall into the edge buckets). `gaps[s]` keeps the first null of series `s` in each bucket, so
 * a gap in a series drawn without `spanGaps` still shows as a gap. `active[s] === false` skips a
 * series (its values are still gathered at the kept indices).
 */
export function decimateIndices(
  x: ArrayLike<number>,
  ys: readonly ArrayLike<number | null>[],
  i0: number,
  i1: number,
  buckets: number,
  options: {
    xMin?: number;
    xMax?: number;
    gaps?: readonly boolean[];
    active?: readonly boolean[];
    /** bucketStarts of the same arguments, when the caller already has them. */
    starts?: Int32Array;
  } = {},
): number[] {
  const out: number[] = [];
  if (i1 < i0) return out;
  const xMin = options.xMin ?? x[i0]!;
  const xMax = options.xMax ?? x[i1]!;
  const nb = Math.max(1, Math.floor(buckets));
  const count = i1 - i0 + 1;
  if (!(xMax - xMin > 0) || count <= nb) {
    for (let i = i0; i <= i1; i++) out.push(i);
    return out;
  }
  const starts = options.starts ?? bucketStarts(x, i0, i1, nb, xMin, xMax);
  // Mark the kept points, series by series (one tight loop per series), then read them out in order.
  const keep = new Uint8Array(count);
  for (let s = 0; s < ys.length; s++) {
    if (options.active?.[s] === false) continue;
    markSeries(ys[s]!, starts, nb, i0, keep, options.gaps?.[s] ?? false);
  }
  for (let j = 0; j < count; j++) if (keep[j] === 1) out.push(i0 + j);
  return out;
}

/**
 * Bucket boundaries of `[i0, i1]` split into `nb` equal x ranges over `[xMin, xMax]` (x ascending;
 * points outside fall into the edge buckets): starts[b] = first index of bucket b, starts[nb] = i1 + 1.
 */
export function bucketStarts(
  x: ArrayLike<number>,
  i0: number,
  i1: number,
  nb: number,
  xMin: number,
  xMax: number,
): Int32Array {
  const starts = new Int32Array(nb + 1);
  const scale = nb / (xMax - xMin);
  let b = 0;
  starts[0] = i0;
  for (let i = i0; i <= i1; i++) {
    let k = Math.floor((x[i]! - xMin) * scale);
    if (k >= nb) k = nb - 1;
    while (b < k) starts[++b] = i;
  }
  while (b < nb) starts[++b] = i1 + 1;
  return starts;
}

/** Marks first, last, min and max (and the first null when `gap`) of `ys` in every bucket. */
function markSeries(
  ys: ArrayLike<number | null>,
  starts: Int32Array,
  nb: number,
  i0: number,
  keep: Uint8Array,
  gap: boolean,
): void {
  for (let b = 0; b < nb; b++) {
    const end = starts[b + 1]!;
    let first = -1;
    let last = -1;
    let minI = -1;
    let maxI = -1;
    let gapI = -1;
    let minV = 0;
    let maxV = 0;
    for (let i = starts[b]!; i < end; i++) {
      const v = ys[i];
      if (v == null || Number.isNaN(v)) {
        if (gapI === -1) gapI = i;
        continue;
      }
      if (first === -1) {
        first = minI = maxI = i;
        minV = maxV = v;
      } else if (v < minV) {
        minV = v;
        minI = i;
      } else if (v > maxV) {
        maxV = v;
        maxI = i;
      }
      last = i;
    }
    if (first !== -1) {
      keep[first - i0] = 1;
      keep[last - i0] = 1;
      keep[minI - i0] = 1;
      keep[maxI - i0] = 1;
    }
    if (gap && gapI !== -1) keep[gapI - i0] = 1;
  }
}

/** The columns of `data` at `indices` (fresh arrays, missing values as null), or all rows. */
export function gather(data: ChartData, indices?: readonly number[]): DrawnData {
  const xs = data[0];
  const k = indices ? indices.length : xs.length;
  const x = new Array<number>(k);
  for (let j = 0; j < k; j++) x[j] = xs[indices ? indices[j]! : j]!;
  const out: DrawnData = [x];
  for (let s = 1; s < data.length; s++) {
    const src = data[s]!;
    const col = new Array<number | null>(k);
    for (let j = 0; j < k; j++) {
      const v = src[indices ? indices[j]! : j];
      col[j] = v == null || Number.isNaN(v) ? null : v;
    }
    out.push(col);
  }
  return out;
}

export interface DrawView {
  /** Pixel columns available (plot width in device pixels, or an upper bound). */
  buckets: number;
  logScale: boolean;
  /** The zoomed x range; undefined while the chart follows the whole series. */
  range?: { min: number; max: number } | undefined;
  /** Series (uPlot index − 1) that take part in choosing points; default all. */
  active?: readonly boolean[];
  /** Series (uPlot index − 1) drawn with gaps at nulls (not `spanGaps`). */
  gaps?: readonly boolean[];
  /**
   * Series (uPlot index − 1) drawn, when decimated, through the mean of each bucket instead of its
   * extremes: a trend line (the smoothed loss) one pixel column cannot show more detail of, and that
   * a canvas strokes far faster without the per-column zigzag. The raw series keeps M4.
   */
  means?: readonly boolean[];
}

export interface DrawData {
  data: DrawnData;
  /** True when `data` holds fewer points than the store (decimated or cut to the zoomed range). */
  reduced: boolean;
  /** The x span the reduction was computed for (undefined when not reduced). */
  span?: { min: number; max: number };
}

/**
 * The arrays to draw for `full` (the store's columns: step, raw loss, smoothed loss, eval loss,
 * learning rate) in a view, as uPlot takes them (plain arrays, null for missing). Small series are
 * copied as they are (a few thousand values at most). Larger ones
 * are cut to the zoomed range (plus the first and last point, so uPlot's double-click reset still
 * spans everything) and decimated when still denser than POINTS_PER_BUCKET per column. Log mode
 * clamps the loss series after reducing, so only the drawn points are copied and clamped.
 */
export function drawData(full: ChartData, view: DrawView): DrawData {
  const x = full[0];
  const n = x.length;
  const buckets = Math.max(1, Math.floor(view.buckets));
  const limit = POINTS_PER_BUCKET * buckets;
  let data: DrawnData;
  let reduced = false;
  let span: { min: number; max: number } | undefined;
  if (n <= limit) {
    data = gather(full);
  } else {
    let i0 = 0;
    let i1 = n - 1;
    const min = view.range?.min ?? x[0]!;
    const max = view.range?.max ?? x[n - 1]!;
    if (view.range) {
      // One point beyond each edge, so the lines run to the plot's edges.
      i0 = Math.max(0, lowerBound(x, min) - 1);
      i1 = Math.min(n - 1, lowerBound(x, max) + (x[lowerBound(x, max)] === max ? 1 : 0));
    }
    const ys = full.slice(1);
    const decimated = i1 - i0 + 1 > limit;
    const means = decimated && max > min && view.means?.some(Boolean) ? view.means : undefined;
    const starts = means ? bucketStarts(x, i0, i1, buckets, min, max) : undefined;
    // A series drawn through bucket means needs no points of its own: any kept index carries its mean.
    const active = means ? ys.map((_, s) => view.active?.[s] !== false && !means[s]) : view.active;
    const inRange = decimateIndices(x, ys, i0, i1, decimated ? buckets : i1 - i0 + 1, {
      xMin: min,
      xMax: max,
      gaps: view.gaps,
      active,
      starts,
    });
    const indices = i0 > 0 ? [0, ...inRange] : inRange;
    if (i1 < n - 1) indices.push(n - 1);
    data = gather(full, indices);
    if (means && starts) {
      const first = i0 > 0 ? 1 : 0;
      for (let s = 0; s < ys.length; s++) {
        if (means[s]) replaceWithMeans(ys[s]!, starts, data[s + 1]!, indices, first, inRange.length);
      }
    }
    reduced = true;
    span = { min, max };
  }
  if (!view.logScale) return { data, reduced, span };
  const floor = logFloor({
    loss: full[1] ?? [],
    smoothed: full[2] ?? [],
    evalLoss: full[3] ?? [],
  });
  // `data` is always a fresh copy here, so the loss series are clamped in place.
  for (let s = 1; s <= 3 && s < data.length; s++) clampInPlace(data[s]!, floor);
  return { data, reduced, span };
}

/**
 * Sets `out[first + j]` (the value drawn at kept index `indices[first + j]`, j < count) to the mean
 * of `ys` over that index's bucket (`starts`, see bucketStarts), for non-null values. Kept indices are
 * ascending, so one walk over the buckets serves them all.
 */
function replaceWithMeans(
  ys: ArrayLike<number | null>,
  starts: Int32Array,
  out: (number | null)[],
  indices: readonly number[],
  first: number,
  count: number,
): void {
  const nb = starts.length - 1;
  let b = -1;
  let mean = Number.NaN;
  for (let j = first; j < first + count; j++) {
    const i = indices[j]!;
    if (b < nb - 1 && i >= starts[b + 1]!) {
      while (b < nb - 1 && i >= starts[b + 1]!) b++;
      let sum = 0;
      let n = 0;
      for (let k = starts[b]!; k < starts[b + 1]!; k++) {
        const v = ys[k];
        if (v != null && Number.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      mean = n > 0 ? sum / n : Number.NaN;
    }
    if (out[j] != null && !Number.isNaN(mean)) out[j] = mean;
  }
}

/**
 * Raises every value to at least `floor` (uPlot's log distribution cannot take values ≤ 0); null
 * stays null.
 */
function clampInPlace(values: (number | null)[], floor: number): (number | null)[] {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v != null) values[i] = Number.isFinite(v) ? Math.max(v, floor) : null;
  }
  return values;
}

/** Index of the point of `x` (ascending) closest to `value`, or -1 when empty. */
export function nearestIndex(x: ArrayLike<number>, value: number): number {
  const n = x.length;
  if (n === 0 || !Number.isFinite(value)) return n - 1;
  const i = lowerBound(x as readonly number[], value);
  if (i <= 0) return 0;
  if (i >= n) return n - 1;
  return value - x[i - 1]! <= x[i]! - value ? i - 1 : i;
}
