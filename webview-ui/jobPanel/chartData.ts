import type { MetricStore } from './metricStore';
import { RangeSummary, type SummaryOf, scanInto } from './rangeSummary';

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
 * `summary` gives a column's smallest positive value from its RangeIndex instead of a pass over it.
 */
export function logFloor(
  store: {
    loss: ArrayLike<number | null>;
    smoothed: ArrayLike<number | null>;
    evalLoss: ArrayLike<number | null>;
  },
  summary?: SummaryOf,
): number {
  let minPos = Number.POSITIVE_INFINITY;
  const acc = new RangeSummary();
  for (const a of [store.loss, store.smoothed, store.evalLoss]) {
    const index = summary?.(a);
    if (index) index.query(0, a.length, acc);
    else scanInto(acc.reset(), a, 0, a.length);
    if (acc.minPos < minPos) minPos = acc.minPos;
  }
  if (!Number.isFinite(minPos)) return 1e-3;
  const p = 10 ** Math.floor(Math.log10(minPos));
  return Math.max(LOG_FLOOR, Math.min(p, minPos));
}

/**
 * Y range for the loss axis. Log: the data's range with 5% padding in log space (a loss of 1.5–3
 * fills the plot instead of sitting in the 1–10 decade), both ends positive and distinct whatever
 * comes in (null, NaN, ≤ 0, equal min and max). Linear: min–max with 5% padding, never zero-width.
 */
export function yRange(min: number | null, max: number | null, logScale: boolean): [number, number] {
  if (logScale) {
    const lo = min != null && Number.isFinite(min) && min > 0 ? Math.max(LOG_FLOOR, min) : LOG_FLOOR;
    const hi = max != null && Number.isFinite(max) && max > lo ? max : lo;
    const pad = hi > lo ? (hi / lo) ** 0.05 : 1.05;
    return [Math.max(LOG_FLOOR, lo / pad), hi * pad];
  }
  if (min == null || max == null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const span = max - min;
  if (span <= 0) {
    const pad = Math.abs(min) * 0.05 || 0.5;
    return [min - pad, max + pad];
  }
  return [min - span * 0.05, max + span * 0.05];
}

/** Most labelled ticks a log axis gets (fewer when the steps below give fewer). */
const MAX_LOG_TICKS = 8;

/**
 * Ticks for a log axis over [lo, hi] that fit the data instead of whole decades. Within a factor of
 * 3, evenly spaced round values (1.5, 2, 2.5, 3 for a loss of 1.5–3), as a linear axis would label
 * them; over a few decades 1, 2 and 5 times each power of ten; over many, every power of ten (or
 * every k-th, so at most MAX_LOG_TICKS). Always at least two ticks inside the range when lo < hi.
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > lo) || !Number.isFinite(hi)) return [];
  const ratio = hi / lo;
  if (ratio <= 3) {
    for (const step of niceSteps(hi - lo)) {
      const ticks = stepTicks(lo, hi, step);
      if (ticks.length >= 3 && ticks.length <= 6) return ticks;
    }
    return [lo, hi].map((v) => Number(v.toPrecision(3)));
  }
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.ceil(Math.log10(hi));
  const decades = e1 - e0;
  const mults = decades <= 2 ? [1, 2, 5] : decades <= 4 ? [1, 3] : [1];
  const every = Math.max(1, Math.ceil(decades / MAX_LOG_TICKS));
  const ticks: number[] = [];
  for (let e = e0; e <= e1; e++) {
    if ((e - e0) % every !== 0) continue; // only when mults is [1]: many decades
    for (const m of mults) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks.length >= 2 ? ticks : [lo, hi].map((v) => Number(v.toPrecision(3)));
}

/** Candidate tick steps for a span, largest first: 5, 2, 1 × powers of ten around span / 4. */
function niceSteps(span: number): number[] {
  const e = Math.floor(Math.log10(span / 4));
  const out: number[] = [];
  for (let k = e + 1; k >= e - 1; k--) {
    for (const m of [5, 2, 1]) out.push(m * 10 ** k);
  }
  return out;
}

/** Multiples of `step` inside [lo, hi], rounded so they print as written (1.5, not 1.5000000000000002). */
function stepTicks(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi * (1 + 1e-12); k++) {
    out.push(Number((k * step).toPrecision(12)));
  }
  return out;
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
