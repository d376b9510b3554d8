import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { ChartController } from './chartController';
import { canvasSupported, createLossPlot, type LossPlot } from './lossPlot';
import { watchTheme } from './theme';

export const CHART_HEIGHT = 280;
const MIN_WIDTH = 200;

/**
 * The loss chart. Data never goes through Preact: the controller calls this component's frame
 * listener at most once per animation frame, which hands the arrays to uPlot and stamps
 * `data-points` (how many steps the chart holds: the full count, whatever is drawn) and
 * `data-updates` (frames delivered) on the container. Without a canvas (jsdom) the uPlot instance is
 * skipped but the attributes still follow the data.
 *
 * First paint: the plot is built once, with the data, from the host's first ResizeObserver entry
 * (delivered after layout, before paint, in the same frame), so it is sized without a forced
 * synchronous layout and drawn once. Rebuilds (log scale or LR toggles) reuse the known width and
 * happen synchronously. A frame whose data the plot already drew (the store's version) is skipped.
 */
export function LossChart({
  controller,
  logScale,
  showLearningRate,
  smoothing,
}: {
  controller: ChartController;
  logScale: boolean;
  showLearningRate: boolean;
  smoothing: number;
}) {
  const ref = useRef<HTMLElement>(null);
  const plot = useRef<LossPlot | undefined>(undefined);
  /** store.version the plot shows. */
  const drawn = useRef(-1);
  /** Last width of the host seen by the ResizeObserver (CSS px), 0 before the first entry. */
  const width = useRef(0);
  const smoothingRef = useRef(smoothing);
  smoothingRef.current = smoothing;

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
        height: CHART_HEIGHT,
        logScale,
        showLearningRate,
        smoothing: smoothingRef.current,
        xRange: previous,
        readout,
      });
      plot.current = p;
    };
    if (width.current > 0) create(width.current);
    let ro: ResizeObserver | undefined;
    if (typeof ResizeObserver !== 'undefined') {
      ro = new ResizeObserver((entries) => {
        const w = Math.floor(entries[0]?.contentRect.width ?? 0);
        if (w <= 0) return; // hidden: wait until there is a size
        width.current = w;
        if (!p) create(w);
        else p.setSize(Math.max(MIN_WIDTH, w), CHART_HEIGHT);
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

  return (
    <figure
      ref={ref}
      class="loss-chart"
      data-testid="loss-chart"
      aria-label="Training loss by step. Drag to zoom, double-click to reset."
    >
      <div class="chart-host" />
      <div class="chart-readout num" data-testid="chart-readout" />
    </figure>
  );
}
