import uPlot from 'uplot';
import { type ChartData, logTicks, readoutAt, SERIES, yRange } from './chartData';
import { type DrawData, drawData, nearestIndex, POINTS_PER_BUCKET } from './decimate';
import type { SummaryOf } from './rangeSummary';
import { type ChartTheme, readTheme } from './theme';

/**
 * The uPlot instance behind LossChart (the only module that needs a canvas). Series: x = step,
 * 1 raw loss (faint, shown only while smoothing), 2 smoothed loss, 3 eval loss (dashed with points),
 * 4 learning rate on its own right-hand axis. Colours are callbacks reading `theme`, so a theme change
 * is `refreshTheme()` → `redraw(false)` (no path rebuild).
 *
 * uPlot draws what `drawData` (decimate.ts) makes of the full data: the full arrays while they are
 * small, else the zoomed range decimated to a few points per pixel column, from the store's range
 * summaries (`summaryOf`), so a redraw of a million points reads a few rows per column, not every
 * row. The full arrays stay here for the crosshair readout, which shows the exact row nearest the
 * cursor (uPlot's DOM legend is off: it is the most expensive part of a first paint and would show
 * decimated rows).
 *
 * Zoom: drag selects an x range, double-click resets (uPlot's defaults). A zoom or reset re-reduces
 * the data for the new range (in a microtask, before the frame is painted). While zoomed, new data
 * keeps the view put; otherwise the x range follows the data.
 */
export interface LossPlotOptions {
  width: number;
  height: number;
  logScale: boolean;
  showLearningRate: boolean;
  smoothing: number;
  /** Restores a zoomed x range (after a toggle rebuilds the plot). */
  xRange?: { min: number; max: number } | undefined;
  /** Element the crosshair readout is rendered into (step and values at the cursor). */
  readout?: HTMLElement | null | undefined;
  /** Told the x range after every x scale change: the zoomed range, or undefined when following. */
  onZoom?: ((range: { min: number; max: number } | undefined) => void) | undefined;
  /** Range summaries of the data's columns (MetricStore.summaryOf): reductions without full scans. */
  summaryOf?: SummaryOf | undefined;
}

export interface LossPlot {
  readonly u: uPlot;
  /** CSS width the plot was last sized to. */
  readonly width: number;
  /** Points handed to uPlot in the last draw (≤ the full count). */
  readonly drawnPoints: number;
  update(data: ChartData): void;
  setSize(width: number, height: number): void;
  setSmoothing(weight: number): void;
  refreshTheme(): void;
  /** The zoomed x range, or undefined when following the data. */
  zoomRange(): { min: number; max: number } | undefined;
  /**
   * Zooms the x range by `factor` around its centre (< 1 in, > 1 out) and pans it by `shift` spans,
   * kept inside the data; a range covering all of it follows the data again (the keyboard's zoom).
   */
  zoomBy(factor: number, shift?: number): void;
  /** Back to the whole series, following new data (what a double-click does). */
  resetZoom(): void;
  destroy(): void;
}

let canvasOk: boolean | undefined;

/** Whether a 2D canvas is available (jsdom: no). Probed once. */
export function canvasSupported(): boolean {
  if (canvasOk === undefined) {
    try {
      canvasOk = typeof document !== 'undefined' && !!document.createElement('canvas').getContext('2d');
    } catch {
      canvasOk = false;
    }
  }
  return canvasOk;
}

/**
 * How the smoothed loss and eval loss lines are drawn: a 1 px line plus a copy shifted by this many
 * CSS px right and down, which reads as a ~2 px line.
 *
 * Why not `width: 2`: a canvas stroke wider than one device pixel goes through Skia's stroker (an
 * outline of every segment and join, then an anti-aliased fill of that self-overlapping shape). For
 * a wiggly 800-segment line that is ~1.5 ms per draw in software raster (VS Code without GPU, as in
 * our benchmark), the largest single cost of a live redraw; two hairline passes take ~0.15 ms
 * (measured in headless Chromium, 800×280 canvas).
 */
const DOUBLE_OFFSET = 0.7;

/** uPlot's linear path, stroked twice (see DOUBLE_OFFSET) in one path so it is one hairline draw. */
const DOUBLED_HAIRLINE: uPlot.Series.PathBuilder = (() => {
  const linear = uPlot.paths.linear!();
  return (u, si, i0, i1) => {
    const r = linear(u, si, i0, i1);
    const line = r?.stroke;
    if (!r || !(line instanceof Path2D)) return r;
    const d = DOUBLE_OFFSET * uPlot.pxRatio; // uPlot's paths are in canvas (device) pixels
    line.addPath(line, new DOMMatrix([1, 0, 0, 1, d, d])); // appends a shifted copy of itself
    return r;
  };
})();

/** What decides how the series are drawn and shown (changes with the panel's toggles). */
interface SeriesView {
  smoothing: number;
  showLearningRate: boolean;
}

/**
 * The four data series (uPlot index − 1, SERIES order), described once: uPlot options, colour, how
 * the readout marks it, how it is reduced (gaps at nulls or spanned; bucket means or extremes) and
 * when it is drawn.
 */
interface SeriesSpec {
  label: (typeof SERIES)[number];
  colour: (theme: ChartTheme) => string;
  swatch: string;
  /** Drawn with gaps at nulls (eval loss spans its gaps). */
  gaps: boolean;
  /** Reduced through bucket means (the smoothed line while smoothing is on), else min/max. */
  means: (v: SeriesView) => boolean;
  shown: (v: SeriesView) => boolean;
  options: (theme: ChartTheme, v: SeriesView, inView: (u: uPlot, si: number) => boolean) => uPlot.Series;
}

const always = () => true;
const never = () => false;
const smoothingOn = (v: SeriesView) => v.smoothing > 0;

const SERIES_SPECS: readonly SeriesSpec[] = [
  {
    // Raw loss: faint, shown only while smoothing (otherwise the smoothed line is the raw data).
    label: SERIES[0],
    colour: (t) => t.loss,
    swatch: 'swatch faint',
    gaps: true,
    means: never,
    shown: smoothingOn,
    options: (t, v) => ({ scale: 'y', stroke: () => t.loss, width: 1, alpha: 0.3, show: smoothingOn(v) }),
  },
  {
    label: SERIES[1],
    colour: (t) => t.loss,
    swatch: 'swatch',
    gaps: true,
    means: smoothingOn,
    shown: always,
    options: (t) => ({ scale: 'y', stroke: () => t.loss, width: 1, paths: DOUBLED_HAIRLINE }),
  },
  {
    label: SERIES[2],
    colour: (t) => t.evalLoss,
    swatch: 'swatch dashed',
    gaps: false,
    means: never,
    shown: always,
    options: (t, _v, sparse) => ({
      scale: 'y',
      stroke: () => t.evalLoss,
      fill: undefined,
      width: 1,
      paths: DOUBLED_HAIRLINE,
      dash: [6, 4],
      spanGaps: true,
      // Point markers while they are distinguishable (< 1 per 4 px in view); a dense run is a line.
      points: { show: sparse, size: 5, stroke: () => t.evalLoss, fill: () => t.evalLoss },
    }),
  },
  {
    label: SERIES[3],
    colour: (t) => t.learningRate,
    swatch: 'swatch',
    gaps: true,
    means: never,
    shown: (v) => v.showLearningRate,
    options: (t, v) => ({ scale: 'lr', stroke: () => t.learningRate, width: 1, show: v.showLearningRate }),
  },
];

const GAPS = SERIES_SPECS.map((s) => s.gaps);

export function createLossPlot(el: HTMLElement, data: ChartData, o: LossPlotOptions): LossPlot {
  const theme: ChartTheme = readTheme();
  const view: SeriesView = { smoothing: o.smoothing, showLearningRate: o.showLearningRate };
  /** The data and how it was last handed to uPlot. */
  const state = {
    full: data,
    width: o.width,
    /** The x scale is narrower than the data (set by uPlot's setScale hook). */
    zoomed: false,
    /** Range the current reduction was made for (undefined: the whole series). */
    reducedFor: undefined as { min: number; max: number } | undefined,
    drawnPoints: 0,
  };
  const active = SERIES_SPECS.map((s) => s.label !== SERIES[3] || o.showLearningRate);

  const pixelRatio = () =>
    typeof devicePixelRatio === 'number' && devicePixelRatio > 0 ? devicePixelRatio : 1;
  // The whole canvas width is an upper bound for the plot area's columns: slightly more points than
  // needed, never fewer.
  const buckets = () => Math.ceil(state.width * pixelRatio());
  const needsReduction = () => state.full[0].length > POINTS_PER_BUCKET * buckets();

  function compute(range: { min: number; max: number } | undefined): uPlot.AlignedData {
    const r: DrawData = drawData(state.full, {
      buckets: buckets(),
      logScale: o.logScale,
      range,
      active,
      gaps: GAPS,
      means: SERIES_SPECS.map((s) => s.means(view)),
      summary: o.summaryOf,
    });
    state.reducedFor = r.reduced ? range : undefined;
    state.drawnPoints = r.data[0].length;
    return r.data as uPlot.AlignedData;
  }

  const countInView = inViewCounter();
  const sparse = (u: uPlot, si: number) => countInView(u, si) * 4 < u.bbox.width / pixelRatio();

  const axis = (extra: Partial<uPlot.Axis>): uPlot.Axis => ({
    stroke: () => theme.foreground,
    font: theme.font,
    labelFont: theme.font,
    grid: { stroke: () => theme.grid, width: 1 },
    ticks: { stroke: () => theme.grid, width: 1 },
    ...extra,
  });

  const opts: uPlot.Options = {
    width: o.width,
    height: o.height,
    pxAlign: 0,
    scales: {
      x: { time: false },
      y: o.logScale
        ? { distr: 3, range: (_u, min, max) => yRange(min, max, true) }
        : { distr: 1, range: (_u, min, max) => yRange(min, max, false) },
      lr: { distr: 1 },
    },
    series: [
      { label: 'step' },
      ...SERIES_SPECS.map((spec) => ({
        label: spec.label,
        points: { show: false },
        ...spec.options(theme, view, sparse),
      })),
    ],
    axes: [
      axis({ label: 'step', size: 40 }),
      axis({
        scale: 'y',
        size: 60,
        values: (_u, splits) => splits.map((v) => (v == null ? '' : tick(v))),
        // Log: ticks that fit the data (1.5, 2, 2.5, 3), all labelled, instead of uPlot's decades.
        ...(o.logScale
          ? {
              splits: (u: uPlot) => logTicks(u.scales.y?.min ?? 0, u.scales.y?.max ?? 0),
              filter: (_u: uPlot, splits: number[]) => splits,
            }
          : {}),
      }),
      axis({
        scale: 'lr',
        side: 1,
        show: o.showLearningRate,
        size: 60,
        grid: { show: false },
        values: (_u, splits) => splits.map((v) => (v == null ? '' : v === 0 ? '0' : v.toExponential(0))),
      }),
    ],
    cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 6 } },
    legend: { show: false },
    hooks: {
      setScale: [
        (u, key) => {
          if (key !== 'x') return;
          const xs = u.data[0];
          const n = xs.length;
          const { min, max } = u.scales.x ?? {};
          state.zoomed = n > 1 && min != null && max != null && (min > xs[0]! || max < xs[n - 1]!);
          o.onZoom?.(state.zoomed ? { min: min!, max: max! } : undefined);
          if (reapply.applying || !needsReduction()) return;
          const want = state.zoomed ? { min: min!, max: max! } : undefined;
          if (want?.min !== state.reducedFor?.min || want?.max !== state.reducedFor?.max) reapply.queue();
        },
      ],
      setCursor: [(u) => readout.at(u.cursor.left)],
    },
  };

  const readout = createReadout(
    o.readout,
    theme,
    () => state.full,
    (left) => u.posToVal(left, 'x'),
  );
  const u = new uPlot(opts, compute(o.xRange), el);
  if (o.xRange) u.setScale('x', o.xRange);
  readout.setShown(SERIES_SPECS.map((s) => s.shown(view)));
  readout.at(-1);

  const zoomRange = () => {
    const { min, max } = u.scales.x ?? {};
    return state.zoomed && min != null && max != null ? { min, max } : undefined;
  };

  /** Hands uPlot the reduction for the current view (zoomed range or whole series). */
  const reapply = createReapplier((sync) => {
    const range = zoomRange();
    const run = () => {
      u.setData(compute(range), !range);
      if (range) u.setScale('x', range);
    };
    if (sync) u.batch(run);
    else run();
  });

  return {
    u,
    get width() {
      return state.width;
    },
    get drawnPoints() {
      return state.drawnPoints;
    },
    update(next) {
      state.full = next;
      reapply.now();
      readout.refresh();
    },
    setSize(w, height) {
      if (!(w > 0 && height > 0) || (w === u.width && height === u.height)) return;
      const before = buckets();
      state.width = w;
      u.batch(() => {
        u.setSize({ width: w, height });
        if (buckets() !== before && (needsReduction() || state.drawnPoints < state.full[0].length)) {
          reapply.now();
        }
      });
    },
    setSmoothing(weight) {
      const before = SERIES_SPECS.map((s) => s.means(view));
      view.smoothing = weight;
      const meansChanged = SERIES_SPECS.some((s, i) => s.means(view) !== before[i]);
      if (meansChanged && state.drawnPoints < state.full[0].length) reapply.now();
      const show = SERIES_SPECS[0]!.shown(view);
      if (u.series[1]?.show !== show) u.setSeries(1, { show });
      readout.setShown(SERIES_SPECS.map((s) => s.shown(view)));
    },
    refreshTheme() {
      Object.assign(theme, readTheme());
      readout.paint();
      u.redraw(false);
    },
    zoomRange,
    zoomBy(factor, shift = 0) {
      const xs = state.full[0];
      const n = xs.length;
      if (n < 2) return;
      const first = xs[0]!;
      const last = xs[n - 1]!;
      const { min = first, max = last } = zoomRange() ?? {};
      const span = Math.min(last - first, Math.max((max - min) * factor, Math.min(2, last - first)));
      if (span >= last - first) {
        this.resetZoom();
        return;
      }
      const centre = (min + max) / 2 + shift * (max - min);
      const lo = Math.min(last - span, Math.max(first, centre - span / 2));
      u.setScale('x', { min: lo, max: lo + span });
    },
    resetZoom() {
      const xs = u.data[0];
      if (xs.length > 1) u.setScale('x', { min: xs[0]!, max: xs[xs.length - 1]! });
    },
    destroy() {
      reapply.destroy();
      u.destroy();
      readout.clear();
    },
  };
}

/**
 * Runs `apply` now (`now()`: inside the caller's update) or once in a microtask however often
 * `queue()` is called (a zoom or reset re-reduces before the frame is painted); `applying` is set
 * while it runs so the scale hook can tell its own scale changes from the user's.
 */
function createReapplier(apply: (sync: boolean) => void) {
  let queued = false;
  let destroyed = false;
  const r = {
    applying: false,
    now(sync = false) {
      r.applying = true;
      try {
        apply(sync);
      } finally {
        r.applying = false;
      }
    },
    queue() {
      if (queued) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        if (!destroyed) r.now(true);
      });
    },
    destroy() {
      destroyed = true;
    },
  };
  return r;
}

/** Eval points in view, cached per (drawn array, visible index range): `points.show` runs every draw. */
function inViewCounter() {
  let counted: { ys: unknown; i0: number; i1: number; n: number } | undefined;
  return (u: uPlot, si: number): number => {
    const ys = u.data[si];
    const i0 = u.series[0]?.idxs?.[0] ?? 0;
    const i1 = u.series[0]?.idxs?.[1] ?? (ys?.length ?? 0) - 1;
    const c = counted;
    if (c && c.ys === ys && c.i0 === i0 && c.i1 === i1) return c.n;
    counted = { ys, i0, i1, n: visibleCount(u, si) };
    return counted.n;
  };
}

/**
 * The crosshair readout: "step N · loss (raw) … · loss … · eval loss … · learning rate …", built
 * once, then only text nodes change. Shows the row nearest the cursor, or the last row when the
 * cursor is outside the plot.
 */
function createReadout(
  host: HTMLElement | null | undefined,
  theme: ChartTheme,
  data: () => ChartData,
  posToVal: (left: number) => number,
) {
  let stepText: Text | undefined;
  const values: Text[] = [];
  const items: HTMLElement[] = [];
  const swatches: HTMLElement[] = [];
  let left = -1;
  if (host) {
    host.textContent = '';
    const step = document.createElement('span');
    step.className = 'readout-item';
    step.append('step ');
    const b = document.createElement('b');
    stepText = document.createTextNode('—');
    b.append(stepText);
    step.append(b);
    host.append(step);
    SERIES.forEach((label, s) => {
      const item = document.createElement('span');
      item.className = 'readout-item';
      item.dataset.series = label;
      const sw = document.createElement('i');
      sw.className = SERIES_SPECS[s]!.swatch;
      const v = document.createElement('b');
      const t = document.createTextNode('—');
      v.append(t);
      item.append(sw, `${label} `, v);
      host.append(item);
      items.push(item);
      swatches.push(sw);
      values.push(t);
    });
  }
  const paint = () => {
    swatches.forEach((sw, s) => {
      sw.style.borderColor = SERIES_SPECS[s]!.colour(theme);
    });
  };
  paint();
  const show = (i: number) => {
    if (!stepText) return;
    const r = readoutAt(data(), i);
    if (stepText.data !== r.step) stepText.data = r.step;
    r.values.forEach((v, s) => {
      const t = values[s]!;
      if (t.data !== v) t.data = v;
    });
  };
  return {
    at(cursorLeft: number | undefined) {
      left = cursorLeft ?? -1;
      const x = data()[0];
      show(left >= 0 ? nearestIndex(x, posToVal(left)) : x.length - 1);
    },
    refresh() {
      this.at(left);
    },
    setShown(shown: readonly boolean[]) {
      items.forEach((item, s) => {
        item.hidden = !shown[s];
      });
    },
    paint,
    clear() {
      if (host) host.textContent = '';
    },
  };
}

/** Non-null values of series `si` inside the current x range. */
function visibleCount(u: uPlot, si: number): number {
  const ys = u.data[si];
  if (!ys) return 0;
  const i0 = u.series[0]?.idxs?.[0] ?? 0;
  const i1 = u.series[0]?.idxs?.[1] ?? ys.length - 1;
  let n = 0;
  for (let i = i0; i <= i1; i++) if (ys[i] != null) n++;
  return n;
}

function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(6))); // ticks are round values: this only drops float noise
}
