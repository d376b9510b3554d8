import uPlot from 'uplot';
import { type ChartData, yRange } from './chartData';
import { type ChartTheme, readTheme } from './theme';

/**
 * The uPlot instance behind LossChart (the only module that needs a canvas). Series: x = step,
 * 1 raw loss (faint, shown only while smoothing), 2 smoothed loss, 3 eval loss (dashed with points),
 * 4 learning rate on its own right-hand axis. Colours are callbacks reading `theme`, so a theme change
 * is `refreshTheme()` → `redraw(false)` (no path rebuild).
 *
 * Zoom: drag selects an x range, double-click resets (uPlot's defaults). While zoomed, new data is
 * applied with `setData(data, false)` so the view stays put; otherwise the x range follows the data.
 */
export interface LossPlotOptions {
  width: number;
  height: number;
  logScale: boolean;
  showLearningRate: boolean;
  smoothing: number;
  /** Restores a zoomed x range (after a toggle rebuilds the plot). */
  xRange?: { min: number; max: number };
}

export interface LossPlot {
  readonly u: uPlot;
  update(data: ChartData): void;
  setSize(width: number, height: number): void;
  setSmoothing(weight: number): void;
  refreshTheme(): void;
  /** The zoomed x range, or undefined when following the data. */
  zoomRange(): { min: number; max: number } | undefined;
  destroy(): void;
}

const fmt = (v: number | null | undefined, digits = 4) =>
  v == null || !Number.isFinite(v)
    ? '—'
    : Math.abs(v) >= 1e-3 || v === 0
      ? v.toFixed(digits)
      : v.toExponential(2);

export function canvasSupported(): boolean {
  try {
    return typeof document !== 'undefined' && !!document.createElement('canvas').getContext('2d');
  } catch {
    return false;
  }
}

export function createLossPlot(el: HTMLElement, data: ChartData, o: LossPlotOptions): LossPlot {
  const theme: ChartTheme = readTheme();
  let zoomed = false;

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
      { label: 'step', value: (_u, v) => (v == null ? '—' : String(v)) },
      {
        label: 'loss (raw)',
        scale: 'y',
        stroke: () => theme.loss,
        width: 1,
        alpha: 0.3,
        show: o.smoothing > 0,
        points: { show: false },
        value: (_u, v) => fmt(v),
      },
      {
        label: 'loss',
        scale: 'y',
        stroke: () => theme.loss,
        width: 2,
        points: { show: false },
        value: (_u, v) => fmt(v),
      },
      {
        label: 'eval loss',
        scale: 'y',
        stroke: () => theme.evalLoss,
        fill: undefined,
        width: 1.5,
        dash: [6, 4],
        spanGaps: true,
        // Point markers while they are distinguishable (< 1 per 4 px in view); a dense run is a line.
        points: {
          show: (u, si) => visibleCount(u, si) * 4 < u.bbox.width / devicePixelRatio,
          size: 5,
          stroke: () => theme.evalLoss,
          fill: () => theme.evalLoss,
        },
        value: (_u, v) => fmt(v),
      },
      {
        label: 'learning rate',
        scale: 'lr',
        stroke: () => theme.learningRate,
        width: 1,
        show: o.showLearningRate,
        points: { show: false },
        value: (_u, v) => (v == null ? '—' : v.toExponential(2)),
      },
    ],
    axes: [
      axis({ label: 'step', size: 40 }),
      axis({ scale: 'y', size: 60, values: (_u, splits) => splits.map((v) => tick(v)) }),
      axis({
        scale: 'lr',
        side: 1,
        show: o.showLearningRate,
        size: 60,
        grid: { show: false },
        values: (_u, splits) => splits.map((v) => (v === 0 ? '0' : v.toExponential(0))),
      }),
    ],
    cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 6 } },
    legend: { live: true },
    hooks: {
      setScale: [
        (u, key) => {
          if (key !== 'x') return;
          const xs = u.data[0];
          const n = xs.length;
          const { min, max } = u.scales.x ?? {};
          zoomed = n > 1 && min != null && max != null && (min > xs[0]! || max < xs[n - 1]!);
        },
      ],
    },
  };

  const u = new uPlot(opts, data as uPlot.AlignedData, el);
  if (o.xRange) u.setScale('x', o.xRange);
  paintLegendMarkers();

  function paintLegendMarkers() {
    const colours = [undefined, theme.loss, theme.loss, theme.evalLoss, theme.learningRate];
    u.root.querySelectorAll<HTMLElement>('.u-legend .u-series').forEach((row, i) => {
      const marker = row.querySelector<HTMLElement>('.u-marker');
      const c = colours[i];
      if (marker && c) {
        marker.style.borderColor = c;
        marker.style.background = 'transparent';
      }
    });
  }

  return {
    u,
    update(next) {
      if (zoomed) {
        u.setData(next as uPlot.AlignedData, false);
        u.redraw();
      } else {
        u.setData(next as uPlot.AlignedData, true);
      }
    },
    setSize(width, height) {
      if (width > 0 && height > 0 && (width !== u.width || height !== u.height)) u.setSize({ width, height });
    },
    setSmoothing(weight) {
      const show = weight > 0;
      if (u.series[1]?.show !== show) u.setSeries(1, { show });
    },
    refreshTheme() {
      Object.assign(theme, readTheme());
      paintLegendMarkers();
      u.redraw(false);
    },
    zoomRange() {
      const { min, max } = u.scales.x ?? {};
      return zoomed && min != null && max != null ? { min, max } : undefined;
    },
    destroy() {
      u.destroy();
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
  return String(Number(v.toPrecision(3)));
}
