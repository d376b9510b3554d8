import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Button } from '../shared/toolkit';
import type { ChartController } from './chartController';
import { canvasSupported, createLossPlot, type LossPlot } from './lossPlot';
import { watchTheme } from './theme';

/** Plot height before its host has a size (and in jsdom); the host's CSS height decides after that. */
export const CHART_HEIGHT = 280;
/** The plot never gets shorter than this, however little room the panel has (job.css agrees). */
export const MIN_CHART_HEIGHT = 180;
const MIN_WIDTH = 200;

export type XRange = { min: number; max: number };

/** Keyboard zoom on the focused chart: key → [zoom factor, pan in spans]; 0 / Escape reset. */
const ZOOM_KEYS: Record<string, [number, number]> = {
  '+': [0.5, 0],
  '=': [0.5, 0],
  '-': [2, 0],
  _: [2, 0],
  ArrowLeft: [1, -0.25],
  ArrowRight: [1, 0.25],
};

/**
 * The loss chart. Data never goes through Preact: the controller calls this component's frame
 * listener at most once per animation frame, which hands the arrays to uPlot and stamps
 * `data-points` (how many steps the chart holds: the full count, whatever is drawn) and
 * `data-updates` (frames delivered) on the container. Without a canvas (jsdom) the uPlot instance is
 * skipped but the attributes still follow the data.
 *
 * First paint: the plot is built once, with the data, from the host's first ResizeObserver entry
 * (delivered after layout, before paint, in the same frame), so it is sized without a forced
 * synchronous layout and drawn once. Rebuilds (log scale or LR toggles) reuse the known size and
 * happen synchronously. A frame whose data the plot already drew (the store's version) is skipped.
 * The plot takes its host's CSS box, width and height: the panel's layout sizes the chart to the
 * room it has (job.css), and the plot follows every resize.
 *
 * Zoom: drag, or + / − / ← / → on the focused chart; double-click, 0, Escape or the Reset zoom button
 * (shown while zoomed) go back to the whole run. A caption says so. `onZoomChange` hears the range.
 */
export function LossChart({
  controller,
  logScale,
  showLearningRate,
  smoothing,
  onZoomChange,
}: {
  controller: ChartController;
  logScale: boolean;
  showLearningRate: boolean;
  smoothing: number;
  onZoomChange?: (range: XRange | undefined) => void;
}) {
  const ref = useRef<HTMLElement>(null);
  const plot = useRef<LossPlot | undefined>(undefined);
  /** store.version the plot shows. */
  const drawn = useRef(-1);
  /** Last size of the host seen by the ResizeObserver (CSS px), 0 before the first entry. */
  const width = useRef(0);
  const height = useRef(CHART_HEIGHT);
  const smoothingRef = useRef(smoothing);
  smoothingRef.current = smoothing;
  const [zoom, setZoom] = useState<XRange | undefined>(undefined);
  const onZoomRef = useRef(onZoomChange);
  onZoomRef.current = onZoomChange;
  /** Called by the plot on every x scale change: state only changes when the zoom does. */
  const zoomed = useRef<XRange | undefined>(undefined);
  const reportZoom = useRef((range: XRange | undefined) => {
    const was = zoomed.current;
    if (was === range || (was && range && was.min === range.min && was.max === range.max)) return;
    zoomed.current = range;
    setZoom(range);
    onZoomRef.current?.(range);
  }).current;

  // Layout effects, so the chart exists (and draws) in the same frame as the first render.
  // Frame listener: data → attributes (+ uPlot when present).
  useLayoutEffect(() => {
    const el = ref.current!;
    const stamp = () => {
      el.dataset.points = String(controller.store.length);
      el.dataset.updates = String(controller.updates);
    };
    stamp();
    return controller.subscribe((data, store) => {
      const p = plot.current;
      if (p && drawn.current !== store.version) {
        drawn.current = store.version;
        p.update(data);
      }
      stamp();
    });
  }, [controller]);

  // (Re)creates uPlot when the scale distribution or the LR axis changes; keeps a zoomed x range.
  useLayoutEffect(() => {
    const el = ref.current!;
    if (!canvasSupported()) return;
    const host = el.querySelector<HTMLElement>('.chart-host')!;
    const readout = el.querySelector<HTMLElement>('.chart-readout');
    const previous = plot.current?.zoomRange();
    plot.current?.destroy();
    plot.current = undefined;
    let p: LossPlot | undefined;
    const create = (w: number) => {
      drawn.current = controller.store.version;
      p = createLossPlot(host, controller.data(), {
        width: Math.max(MIN_WIDTH, w),
        height: height.current,
        logScale,
        showLearningRate,
        smoothing: smoothingRef.current,
        xRange: previous,
        readout,
        onZoom: reportZoom,
        summaryOf: (column) => controller.store.summaryOf(column),
      });
      plot.current = p;
    };
    if (width.current > 0) create(width.current);
    let ro: ResizeObserver | undefined;
    if (typeof ResizeObserver !== 'undefined') {
      ro = new ResizeObserver((entries) => {
        const box = entries[0]?.contentRect;
        const w = Math.floor(box?.width ?? 0);
        if (w <= 0) return; // hidden: wait until there is a size
        width.current = w;
        height.current = Math.max(MIN_CHART_HEIGHT, Math.floor(box?.height ?? 0) || CHART_HEIGHT);
        if (!p) create(w);
        else p.setSize(Math.max(MIN_WIDTH, w), height.current);
      });
      ro.observe(host);
    } else if (!p) {
      create(Math.floor(host.getBoundingClientRect().width) || 600);
    }
    const stopTheme = watchTheme(() => p?.refreshTheme());
    return () => {
      ro?.disconnect();
      stopTheme();
    };
  }, [controller, logScale, showLearningRate]);

  useEffect(() => {
    plot.current?.setSmoothing(smoothing);
  }, [smoothing]);

  useEffect(
    () => () => {
      plot.current?.destroy();
      plot.current = undefined;
    },
    [],
  );

  const onKeyDown = (e: KeyboardEvent) => {
    const p = plot.current;
    if (!p || e.target !== e.currentTarget || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '0' || (e.key === 'Escape' && zoomed.current)) {
      p.resetZoom();
    } else if (ZOOM_KEYS[e.key]) {
      const [factor, shift] = ZOOM_KEYS[e.key]!;
      if (shift !== 0 && !zoomed.current) return; // nothing to pan: let the panel scroll
      p.zoomBy(factor, shift);
    } else {
      return;
    }
    e.preventDefault();
  };

  return (
    <figure
      ref={ref}
      class="loss-chart"
      data-testid="loss-chart"
      data-zoom={zoom ? `${zoom.min}-${zoom.max}` : undefined}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the chart takes zoom keys when focused.
      tabIndex={0}
      aria-label="Training loss by step"
      aria-describedby="chart-hint"
      onKeyDown={onKeyDown}
    >
      <div class="chart-host" />
      <div class="chart-footer">
        <div class="chart-readout num" data-testid="chart-readout" />
        <span class="chart-hint" id="chart-hint" data-testid="chart-hint">
          Drag to zoom · double-click to reset
          <span class="chart-keys"> · keys: + − zoom, ← → pan, 0 reset</span>
        </span>
        {zoom && (
          <Button
            appearance="secondary"
            data-testid="reset-zoom"
            title={`Showing steps ${Math.ceil(zoom.min)}–${Math.floor(zoom.max)}: back to the whole run`}
            onClick={() => plot.current?.resetZoom()}
          >
            Reset zoom
          </Button>
        )}
      </div>
    </figure>
  );
}
