import type { MetricColumns } from '../../src/protocol';
import { buildChartData, type ChartData, FrameCoalescer } from './chartData';
import { MetricStore } from './metricStore';

export type FrameListener = (data: ChartData, store: MetricStore) => void;

/**
 * While the chart holds more than a few points per pixel column (`dense`: it draws them decimated), a
 * frame's worth of new points moves the picture by a fraction of a pixel, so new data alone is drawn
 * at most this often. Anything the user does (zoom, toggles, smoothing, resize, theme) still draws in
 * the next frame, and a sparse chart draws every frame that brings data.
 */
export const DENSE_DATA_INTERVAL_MS = 100;

/**
 * Glue between the host's `metrics` messages and whatever draws them. Messages go into the store
 * immediately (cheap appends); drawing is coalesced into one flush per animation frame, however fast
 * messages arrive (and at most every DENSE_DATA_INTERVAL_MS for new data on a dense chart).
 * Listeners (the uPlot chart, the header stats) run in that flush.
 */
export class ChartController {
  readonly store: MetricStore;
  /** Persisted view flag; a change asks for a frame (the plot itself reads the prop). */
  logScale: boolean;
  /** Frames that delivered data to listeners (exposed for tests and the benchmark). */
  updates = 0;
  /** Set by the chart after each draw: it is decimating (see DENSE_DATA_INTERVAL_MS). */
  dense = false;
  private readonly listeners = new Set<FrameListener>();
  private readonly coalescer: FrameCoalescer;
  private readonly now: () => number;
  private readonly setTimer: (cb: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  /** When the last frame was flushed (`now()`), -Infinity before the first. */
  private lastFlush = Number.NEGATIVE_INFINITY;
  /** A data frame deferred until the dense interval has passed. */
  private dataTimer: unknown;

  constructor(
    options: {
      smoothing?: number;
      logScale?: boolean;
      raf?: (cb: () => void) => number;
      caf?: (id: number) => void;
      /** Clock and timers, injectable for tests. */
      now?: () => number;
      setTimer?: (cb: () => void, ms: number) => unknown;
      clearTimer?: (timer: unknown) => void;
    } = {},
  ) {
    this.store = new MetricStore(options.smoothing ?? 0);
    this.logScale = options.logScale ?? false;
    this.coalescer = new FrameCoalescer(() => this.flush(), options.raf, options.caf);
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((cb, ms) => setTimeout(cb, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  snapshot(columns: MetricColumns): void {
    this.store.reset(columns);
    this.coalescer.schedule();
  }

  append(columns: MetricColumns): void {
    this.store.append(columns);
    this.scheduleData();
  }

  /** A `metrics` message: rows from row index `from` (an append, or a replacement of the tail). */
  replaceFrom(from: number, columns: MetricColumns): void {
    this.store.replaceFrom(from, columns);
    this.scheduleData();
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
    this.lastFlush = this.now();
    this.cancelDataTimer();
    const data = this.data();
    this.updates++;
    for (const l of this.listeners) l(data, this.store);
  }

  dispose(): void {
    this.coalescer.dispose();
    this.cancelDataTimer();
    this.listeners.clear();
  }

  private cancelDataTimer(): void {
    if (this.dataTimer !== undefined) this.clearTimer(this.dataTimer);
    this.dataTimer = undefined;
  }

  /** New data: the next frame, or once DENSE_DATA_INTERVAL_MS has passed since the last one. */
  private scheduleData(): void {
    if (this.coalescer.isScheduled || this.dataTimer !== undefined) return;
    const wait = this.dense ? this.lastFlush + DENSE_DATA_INTERVAL_MS - this.now() : 0;
    if (wait <= 0) {
      this.coalescer.schedule();
      return;
    }
    this.dataTimer = this.setTimer(() => {
      this.dataTimer = undefined;
      this.coalescer.schedule();
    }, wait);
  }
}
