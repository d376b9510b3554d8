import type { MetricStore } from './metricStore';

/**
 * Canvas-free chart logic: which arrays the loss chart draws, log-scale clamping and the y range.
 * LossChart.tsx only hands these to uPlot, so everything here runs (and is tested) in jsdom.
 */

/** Series order of the uPlot data: x, then these. */
export const SERIES = ['loss (raw)', 'loss', 'eval loss', 'learning rate'] as const;
/**
 * The chart's full data: x (steps), then one column per series, as the store holds them (typed
 * arrays, NaN for missing). drawData (decimate.ts) turns what is drawn into DrawnData.
 */
export type ChartData = [ArrayLike<number>, ...ArrayLike<number | null>[]];
/** What uPlot is handed: plain arrays, null for missing (uPlot draws null as a gap, NaN as nothing sane). */
export type DrawnData = [number[], ...(number | null)[][]];

/** Smallest value a log axis shows; anything at or below it (including ≤ 0) is drawn at it. */
export const LOG_FLOOR = 1e-12;

/**
 * The chart's columns: [step, raw loss, smoothed loss, eval loss, learning rate], the store's arrays
 * as they are (no copy). Log-scale clamping happens in drawData, on the drawn points only.
 */
export function buildChartData(store: MetricStore): ChartData {
  return [store.step, store.loss, store.smoothed, store.evalLoss, store.learningRate];
}

/**
 * Floor for a log axis: a power of ten at most 6 decades below the smallest positive value (so a
 * loss that reaches exactly 0 does not stretch the axis over 300 decades), never below LOG_FLOOR.
 */
export function logFloor(store: {
  loss: ArrayLike<number | null>;
  smoothed: ArrayLike<number | null>;
  evalLoss: ArrayLike<number | null>;
}): number {
  let minPos = Number.POSITIVE_INFINITY;
  for (const a of [store.loss, store.smoothed, store.evalLoss]) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v != null && v > 0 && v < minPos) minPos = v;
    }
  }
  if (!Number.isFinite(minPos)) return 1e-3;
  const p = 10 ** Math.floor(Math.log10(minPos));
  return Math.max(LOG_FLOOR, Math.min(p, minPos));
}

/**
 * Y range for the loss axis. Log: whole decades around the data, both positive and distinct, whatever
 * comes in (null, NaN, ≤ 0, equal min and max). Linear: min–max with 5% padding, never zero-width.
 */
export function yRange(min: number | null, max: number | null, logScale: boolean): [number, number] {
  if (logScale) {
    let lo = min != null && Number.isFinite(min) && min > 0 ? min : LOG_FLOOR;
    let hi = max != null && Number.isFinite(max) && max > 0 ? max : lo;
    lo = Math.max(LOG_FLOOR, 10 ** Math.floor(Math.log10(lo)));
    hi = 10 ** Math.ceil(Math.log10(Math.max(hi, lo)));
    if (!(hi > lo)) hi = lo * 10;
    return [lo, hi];
  }
  if (min == null || max == null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const span = max - min;
  if (span <= 0) {
    const pad = Math.abs(min) * 0.05 || 0.5;
    return [min - pad, max + pad];
  }
  return [min - span * 0.05, max + span * 0.05];
}

/** Formats a readout value: 4 decimals, or 3 significant digits in exponent form when tiny. */
export function formatValue(v: number | null | undefined, digits = 4): string {
  return v == null || !Number.isFinite(v)
    ? '—'
    : Math.abs(v) >= 1e-3 || v === 0
      ? v.toFixed(digits)
      : v.toExponential(2);
}

/**
 * The crosshair readout at row `i` of the full (undecimated, unclamped) data: the step, then one
 * text per series in SERIES order (the learning rate in exponent form). Past the ends: the last row.
 */
export function readoutAt(full: ChartData, i: number): { step: string; values: string[] } {
  const n = full[0].length;
  if (n === 0) return { step: '—', values: SERIES.map(() => '—') };
  const k = Math.min(n - 1, Math.max(0, Math.floor(i)));
  return {
    step: String(full[0][k]),
    values: SERIES.map((name, s) => {
      const v = full[s + 1]?.[k];
      if (name === 'learning rate') return v == null || !Number.isFinite(v) ? '—' : v.toExponential(2);
      return formatValue(v);
    }),
  };
}
