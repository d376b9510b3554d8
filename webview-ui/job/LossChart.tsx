import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { ChartController } from './chartController';
import { canvasSupported, createLossPlot, type LossPlot } from './lossPlot';
import { watchTheme } from './theme';

export const CHART_HEIGHT = 280;

/**
 * The loss chart. Data never goes through Preact: the controller calls this component's frame
 * listener at most once per animation frame, which hands the arrays to uPlot and stamps
 * `data-points` (how many steps the chart holds) and `data-updates` (frames drawn) on the container.
 * Without a canvas (jsdom) the uPlot instance is skipped but the attributes still follow the data.
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
    return controller.subscribe((data) => {
      plot.current?.update(data);
      stamp();
    });
  }, [controller]);

  // (Re)creates uPlot when the scale distribution or the LR axis changes; keeps a zoomed x range.
  useLayoutEffect(() => {
    const el = ref.current!;
    if (!canvasSupported()) return;
    const host = el.querySelector<HTMLElement>('.chart-host')!;
    const width = Math.max(200, Math.floor(host.getBoundingClientRect().width) || 600);
    const previous = plot.current?.zoomRange();
    plot.current?.destroy();
    const p = createLossPlot(host, controller.data(), {
      width,
      height: CHART_HEIGHT,
      logScale,
      showLearningRate,
      smoothing: smoothingRef.current,
      xRange: previous,
    });
    plot.current = p;
    const stopTheme = watchTheme(() => p.refreshTheme());
    let ro: ResizeObserver | undefined;
    if (typeof ResizeObserver !== 'undefined') {
      ro = new ResizeObserver((entries) => {
        const w = Math.floor(entries[0]?.contentRect.width ?? 0);
        if (w > 0) p.setSize(w, CHART_HEIGHT);
      });
      ro.observe(host);
    }
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
    </figure>
  );
}
