import type { MetricColumns } from '../../src/protocol';
import { buildChartData, type ChartData, FrameCoalescer } from './chartData';
import { MetricStore } from './metricStore';

/**
 * Glue between the host's `metrics` messages and whatever draws them. Messages go into the store
 * immediately (cheap appends); drawing is coalesced into one flush per animation frame, however fast
 * messages arrive. Listeners (the uPlot chart, the header stats) run in that flush.
 */
export type FrameListener = (data: ChartData, store: MetricStore) => void;

export class ChartController {
  readonly store: MetricStore;
  /** Persisted view flag; a change asks for a frame (the plot itself reads the prop). */
  logScale: boolean;
  /** Frames that delivered data to listeners (exposed for tests and the benchmark). */
  updates = 0;
  private readonly listeners = new Set<FrameListener>();
  private readonly coalescer: FrameCoalescer;

  constructor(
    options: {
      smoothing?: number;
      logScale?: boolean;
      raf?: (cb: () => void) => number;
      caf?: (id: number) => void;
    } = {},
  ) {
    this.store = new MetricStore(options.smoothing ?? 0);
    this.logScale = options.logScale ?? false;
    this.coalescer = new FrameCoalescer(() => this.flush(), options.raf, options.caf);
  }

  snapshot(columns: MetricColumns): void {
    this.store.reset(columns);
    this.coalescer.schedule();
  }

  append(columns: MetricColumns): void {
    this.store.append(columns);
    this.coalescer.schedule();
  }

  /** A `metrics` message: rows from row index `from` (an append, or a replacement of the tail). */
  replaceFrom(from: number, columns: MetricColumns): void {
    this.store.replaceFrom(from, columns);
    this.coalescer.schedule();
  }

  setSmoothing(weight: number): void {
    this.store.setSmoothing(weight);
    this.coalescer.schedule();
  }

  setLogScale(on: boolean): void {
    if (this.logScale === on) return;
    this.logScale = on;
    this.coalescer.schedule();
  }

  /**
   * The full, linear columns right now (the store's arrays, no copy). The plot reduces them to what
   * it draws (zoom range, decimation) and applies log clamping to those points only.
   */
  data(): ChartData {
    return buildChartData(this.store, { logScale: false });
  }

  /** Adds a listener (called once per flushed frame); returns an unsubscribe function. */
  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks for a frame even without new data (e.g. a listener attached late). */
  invalidate(): void {
    this.coalescer.schedule();
  }

  /** Runs the pending frame now (used by the benchmark's synchronous first paint). */
  flush(): void {
    const data = this.data();
    this.updates++;
    for (const l of this.listeners) l(data, this.store);
  }

  dispose(): void {
    this.coalescer.dispose();
    this.listeners.clear();
  }
}
