import { type ChartData, type DrawnData, logFloor } from './chartData';
import { lowerBound } from './metricStore';
import { type RangeIndex, RangeSummary, type SummaryOf, scanInto } from './rangeSummary';

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
 * series (its values are still gathered at the kept indices). `summary` answers a bucket from a
 * column's RangeIndex instead of reading its rows (same indices, in O(buckets) instead of O(rows)).
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
    summary?: SummaryOf | undefined;
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
  const series: number[] = [];
  for (let s = 0; s < ys.length; s++) if (options.active?.[s] !== false) series.push(s);
  const indexes = series.map((s) => options.summary?.(ys[s]!));
  const gaps = series.map((s) => options.gaps?.[s] ?? false);
  const acc = new RangeSummary();
  // One bucket's kept rows: first, last, min and max (and a gap) per series, sorted in place.
  const kept = new Int32Array(5 * series.length);
  for (let b = 0; b < nb; b++) {
    const start = starts[b]!;
    const end = starts[b + 1]!;
    if (start === end) continue;
    let k = 0;
    for (let j = 0; j < series.length; j++) {
      summarise(acc, ys[series[j]!]!, indexes[j], start, end);
      if (acc.first !== -1) {
        kept[k++] = acc.first;
        kept[k++] = acc.last;
        kept[k++] = acc.minI;
        kept[k++] = acc.maxI;
      }
      if (gaps[j] && acc.gap !== -1) kept[k++] = acc.gap;
    }
    // Insertion sort of a handful of rows, then append each once.
    for (let a = 1; a < k; a++) {
      const v = kept[a]!;
      let c = a - 1;
      while (c >= 0 && kept[c]! > v) {
        kept[c + 1] = kept[c]!;
        c--;
      }
      kept[c + 1] = v;
    }
    for (let a = 0; a < k; a++) if (a === 0 || kept[a] !== kept[a - 1]) out.push(kept[a]!);
  }
  return out;
}

/** Rows `[start, end)` of `values` summarised into `acc`, from its RangeIndex when it has one. */
function summarise(
  acc: RangeSummary,
  values: ArrayLike<number | null>,
  index: RangeIndex | undefined,
  start: number,
  end: number,
): RangeSummary {
  if (index) return index.query(start, end, acc);
  scanInto(acc.reset(), values, start, end);
  return acc;
}

/**
 * Bucket boundaries of `[i0, i1]` split into `nb` equal x ranges over `[xMin, xMax]` (x ascending;
 * points outside fall into the edge buckets): starts[b] = first index of bucket b, starts[nb] = i1 + 1.
 * Each boundary is found by binary search (a point's bucket only grows with its x): O(nb log rows),
 * not a pass over every row.
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
  starts[0] = i0;
  let lo = i0;
  for (let b = 1; b < nb; b++) {
    let hi = i1 + 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Math.floor((x[mid]! - xMin) * scale) < b) lo = mid + 1;
      else hi = mid;
    }
    starts[b] = lo;
  }
  starts[nb] = i1 + 1;
  return starts;
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
  /** Range summaries of the columns (a million rows are reduced without reading them all). */
  summary?: SummaryOf | undefined;
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
    const starts = decimated && max > min ? bucketStarts(x, i0, i1, buckets, min, max) : undefined;
    // A series drawn through bucket means needs no points of its own: any kept index carries its mean.
    const active = means ? ys.map((_, s) => view.active?.[s] !== false && !means[s]) : view.active;
    const inRange = decimateIndices(x, ys, i0, i1, decimated ? buckets : i1 - i0 + 1, {
      xMin: min,
      xMax: max,
      gaps: view.gaps,
      active,
      starts,
      summary: view.summary,
    });
    const indices = i0 > 0 ? [0, ...inRange] : inRange;
    if (i1 < n - 1) indices.push(n - 1);
    data = gather(full, indices);
    if (means && starts) {
      const first = i0 > 0 ? 1 : 0;
      for (let s = 0; s < ys.length; s++) {
        if (means[s]) {
          const index = view.summary?.(ys[s]!);
          replaceWithMeans(ys[s]!, index, starts, data[s + 1]!, indices, first, inRange.length);
        }
      }
    }
    reduced = true;
    span = { min, max };
  }
  if (!view.logScale) return { data, reduced, span };
  const floor = logFloor(
    {
      loss: full[1] ?? [],
      smoothed: full[2] ?? [],
      evalLoss: full[3] ?? [],
    },
    view.summary,
  );
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
  index: RangeIndex | undefined,
  starts: Int32Array,
  out: (number | null)[],
  indices: readonly number[],
  first: number,
  count: number,
): void {
  const nb = starts.length - 1;
  const acc = new RangeSummary();
  let b = -1;
  let mean = Number.NaN;
  for (let j = first; j < first + count; j++) {
    const i = indices[j]!;
    if (b < nb - 1 && i >= starts[b + 1]!) {
      while (b < nb - 1 && i >= starts[b + 1]!) b++;
      summarise(acc, ys, index, starts[b]!, starts[b + 1]!);
      mean = acc.count > 0 ? acc.sum / acc.count : Number.NaN;
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
