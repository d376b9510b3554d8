import type { JobSummary } from '../../src/protocol';
import type { MetricStore } from './metricStore';

/** Elapsed time, throughput and ETA for the panel header, from the metric timestamps. */
export interface RunStats {
  elapsedMs?: number;
  stepsPerSecond?: number;
  etaMs?: number;
  step?: number;
}

/**
 * Steps/s of a running job is measured over the last `window` rows, so it follows the current pace;
 * a finished job's is its average over the run.
 */
export function runStats(
  job: Pick<JobSummary, 'status' | 'startedAt' | 'completedAt' | 'createdAt' | 'maxSteps' | 'step'>,
  store: Pick<MetricStore, 'step' | 'time'>,
  now: number,
  window = 50,
): RunStats {
  const n = store.step.length;
  const step = n > 0 ? store.step[n - 1] : job.step;
  const started = parseTime(job.startedAt) ?? firstFinite(store.time);
  const running = job.status === 'running' || job.status === 'queued';
  const end = running ? now : (parseTime(job.completedAt) ?? (n > 0 ? store.time[n - 1] : undefined));
  const elapsedMs = started != null && end != null && end >= started ? end - started : undefined;

  let stepsPerSecond: number | undefined;
  // A finished job: its average pace over the run (from its start and end, which every job has;
  // its rows may have no time, or times from before a resume).
  if (!running && elapsedMs && step != null && step > 0) stepsPerSecond = (step / elapsedMs) * 1000;
  else if (n >= 2) {
    // Rows without a time are skipped.
    let last = n - 1;
    while (last >= 0 && !Number.isFinite(store.time[last]!)) last--;
    let i0 = Math.max(0, last - window);
    while (i0 < last && !Number.isFinite(store.time[i0]!)) i0++;
    if (last > i0) {
      const dt = store.time[last]! - store.time[i0]!;
      const ds = store.step[last]! - store.step[i0]!;
      if (dt > 0 && ds > 0) stepsPerSecond = (ds / dt) * 1000;
    }
  }
  let etaMs: number | undefined;
  if (job.status === 'running' && stepsPerSecond && job.maxSteps && step != null && job.maxSteps > step) {
    etaMs = ((job.maxSteps - step) / stepsPerSecond) * 1000;
  }
  return { elapsedMs, stepsPerSecond, etaMs, step };
}

function firstFinite(a: ArrayLike<number>): number | undefined {
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) return a[i];
  return undefined;
}

function parseTime(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** "1h 02m 03s", "2m 05s", "7s". */
export function formatDuration(ms: number | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (v: number) => String(v).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(sec)}s`;
  if (m > 0) return `${m}m ${pad(sec)}s`;
  return `${sec}s`;
}

// ---- Loss statistics (the Statistics section: Studio's "Advanced" cards, for the zoomed range) ----

/** Statistics of one series over a step range; NaN where undefined (no values; the CI of one value). */
export interface SeriesStats {
  count: number;
  mean: number;
  /** Half-width of the 95% confidence interval of the mean: t(0.975, n − 1) · s / √n. */
  ci95: number;
  /** Sample variance (divides by n − 1). */
  variance: number;
  stddev: number;
  p90: number;
  p95: number;
}

/** Scratch buffer reused across calls (grown geometrically): statistics run every chart frame. */
let scratch = new Float64Array(0);

/**
 * Statistics of the finite values of `values[i0..i1)`. Two passes for the mean and the variance
 * (no cancellation), then the percentiles by selection, O(n) instead of a sort (see percentiles).
 * With one value the variance and CI are 0, as in Studio; with none everything but `count` is NaN.
 */
export function seriesStats(values: ArrayLike<number>, i0 = 0, i1 = values.length): SeriesStats {
  const need = Math.max(0, i1 - i0);
  if (scratch.length < need) scratch = new Float64Array(Math.max(need, 2 * scratch.length));
  const a = scratch;
  let n = 0;
  let sum = 0;
  for (let i = i0; i < i1; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      a[n++] = v;
      sum += v;
    }
  }
  if (n === 0) {
    const nan = Number.NaN;
    return { count: 0, mean: nan, ci95: nan, variance: nan, stddev: nan, p90: nan, p95: nan };
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - mean;
    ss += d * d;
  }
  const variance = n > 1 ? ss / (n - 1) : 0;
  const stddev = Math.sqrt(variance);
  const ci95 = n > 1 ? (tQuantile(0.975, n - 1) * stddev) / Math.sqrt(n) : 0;
  const [p90, p95] = percentiles(a, n, [0.9, 0.95]);
  return { count: n, mean, ci95, variance, stddev, p90: p90!, p95: p95! };
}

/**
 * Percentiles of `a[0..n)` by linear interpolation between order statistics: rank q·(n − 1), the
 * value between the order statistics below and above it (numpy's default "linear" method, Studio's
 * too). `qs` ascending. Reorders `a` in place: each rank is found by selection in what lies above the
 * previous one, so p90 and p95 of 100k values cost about one pass, not a sort.
 */
export function percentiles(a: Float64Array, n: number, qs: readonly number[]): number[] {
  const out: number[] = [];
  let from = 0;
  for (const q of qs) {
    const rank = Math.min(1, Math.max(0, q)) * (n - 1);
    const k = Math.floor(rank);
    select(a, k, from, n - 1);
    const lo = a[k]!;
    let hi = lo;
    if (rank > k) {
      // The next order statistic is the smallest value above position k (already partitioned).
      hi = a[k + 1]!;
      for (let i = k + 2; i < n; i++) if (a[i]! < hi) hi = a[i]!;
    }
    out.push(lo + (rank - k) * (hi - lo));
    from = k;
  }
  return out;
}

/**
 * Rearranges a[lo..hi] so a[k] is the value a sort would put there, everything before it ≤ and
 * everything after it ≥ (Hoare's selection with a median-of-three pivot).
 */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three to a[mid] as the pivot, so sorted input (a loss curve) stays linear.
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Quantiles already computed, by degrees of freedom (the live count changes one at a time). */
const tCache = new Map<string, number>();

/**
 * The p-quantile of Student's t distribution with `df` degrees of freedom (df > 0, 0 < p < 1), to
 * about 1e-12: exact forms for df 1 and 2, otherwise the CDF (through the regularized incomplete beta
 * function) inverted by safeguarded Newton steps. Unlike a table that falls back to 1.96 above 30 degrees of
 * freedom, it is right for every n: t(0.975, 40) is 2.021, not 1.96.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return Number.NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const key = `${p}:${df}`;
  const cached = tCache.get(key);
  if (cached !== undefined) return cached;
  // Upper tail probability 1 − p = ½ · I_{df/(df+t²)}(df/2, ½), decreasing in t; its derivative is
  // −2 · density(t). Newton steps, kept inside a bracket that bisection shrinks when Newton strays.
  const tail = 2 * (1 - p);
  const upper = (t: number) => incompleteBeta(df / (df + t * t), df / 2, 0.5);
  const lnC = lnGamma((df + 1) / 2) - lnGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  const density = (t: number) => Math.exp(lnC - ((df + 1) / 2) * Math.log1p((t * t) / df));
  let lo = 0;
  let hi = 2;
  while (upper(hi) > tail) {
    lo = hi;
    hi *= 2;
  }
  let t = (lo + hi) / 2;
  for (let i = 0; i < 100; i++) {
    const g = upper(t) - tail;
    if (g > 0) lo = t;
    else hi = t;
    const next = t + g / (2 * density(t));
    const step = next > lo && next < hi ? next : (lo + hi) / 2;
    const done = Math.abs(step - t) <= 1e-14 * t || hi - lo <= 1e-14 * hi;
    t = step;
    if (done) break;
  }
  if (tCache.size > 1000) tCache.clear();
  tCache.set(key, t);
  return t;
}

/** The regularized incomplete beta function I_x(a, b), by its continued fraction (modified Lentz). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // The continued fraction converges fast below the mean; above it, use I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 100_000; m++) {
    // Even step d_{2m}, then odd step d_{2m+1}.
    for (const num of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + num * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-15) break;
  }
  return (front * f) / a;
}

/** Lanczos coefficients (g = 7, n = 9). */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, ~15 significant digits). */
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
