import type { MetricColumns } from '../../src/protocol';
import { FrameCoalescer } from '../shared/frameCoalescer';
import { buildChartData, type ChartData } from './chartData';
import { MetricStore } from './metricStore';

export type FrameListener = (data: ChartData, store: MetricStore) => void;

/**
 * Drawing new data may take at most this share of the main thread. After a data frame that cost
 * c ms (measured: the listeners, then that frame's style, layout, paint and canvas raster), new data
 * waits until c / REDRAW_BUDGET ms have passed since that frame: a cheap chart (a few hundred
 * points, a fast machine) still draws every frame, an expensive one (100k points on a software
 * canvas) backs off to a few frames a second instead of eating the panel's main thread while a fast
 * run streams. What the user does (zoom, toggles, smoothing, resize, theme) is drawn in the next frame.
 */
export const REDRAW_BUDGET = 0.025;

/** New data is drawn at least this often, whatever a frame costs. */
export const MAX_DATA_INTERVAL_MS = 1000;

/**
 * A data frame's cost is the median of the last this-many measurements: one slow frame (the first
 * after the plot is built compiles the update path; a garbage collection) does not hold new data
 * back for a second, while a lasting change in cost shows within a few frames.
 */
const COST_SAMPLES = 5;

/**
 * Glue between the host's `metrics` messages and whatever draws them. Messages go into the store
 * immediately (cheap appends); drawing is coalesced into one flush per animation frame, however fast
 * messages arrive, and new data is drawn within REDRAW_BUDGET. Listeners (the uPlot chart, the
 * header stats) run in that flush.
 *
 * A long run's snapshot is an overview (protocol.ts): the chart draws it while the rows load into a
 * second store, one chunk asked for per frame (so each chunk is taken in after a paint and the panel
 * stays responsive), and draws that store once the last chunk is in.
 */
export class ChartController {
  /** Frames that delivered data to listeners (exposed for tests and the benchmark). */
  updates = 0;
  /** A data frame's typical main-thread cost in ms (see COST_SAMPLES; undefined before the first). */
  frameCost: number | undefined;
  private readonly costs: number[] = [];
  private readonly listeners = new Set<FrameListener>();
  private readonly coalescer: FrameCoalescer;
  private readonly now: () => number;
  private readonly setTimer: (cb: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private readonly afterFrame: (cb: () => void) => void;
  /** When the last frame was flushed (`now()`), -Infinity before the first. */
  private lastFlush = Number.NEGATIVE_INFINITY;
  /** A data frame deferred by the budget. */
  private dataTimer: unknown;
  /** The pending frame was asked for by something other than new data (its cost is not a data frame's). */
  private otherFrame = false;
  /** What the chart draws: every row, or while `pending` loads, an overview of them. */
  private current: MetricStore;
  private smoothing: number;
  /** A long run's rows loading (an overview snapshot): where they go, and how many there are. */
  private pending: { store: MetricStore; rows: number } | undefined;
  /** The next frame asks for the next chunk of `pending`'s rows (after drawing what came). */
  private rowsWanted = false;
  private readonly requestRows: () => void;

  constructor(
    options: {
      smoothing?: number;
      raf?: (cb: () => void) => number;
      caf?: (id: number) => void;
      /** Clock and timers, injectable for tests. */
      now?: () => number;
      setTimer?: (cb: () => void, ms: number) => unknown;
      clearTimer?: (timer: unknown) => void;
      /** Runs `cb` after the current frame has been painted (default: a MessageChannel task). */
      afterFrame?: (cb: () => void) => void;
      /** Asks the host for the next chunk of a loading run's rows (`moreRows`). */
      requestRows?: () => void;
    } = {},
  ) {
    this.smoothing = options.smoothing ?? 0;
    this.current = new MetricStore(this.smoothing);
    this.requestRows = options.requestRows ?? (() => {});
    this.coalescer = new FrameCoalescer(() => this.flush(), options.raf, options.caf);
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((cb, ms) => setTimeout(cb, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
    this.afterFrame = options.afterFrame ?? taskAfterFrame();
  }

  /** The metric rows the chart draws (an overview while `loading`); replaced by a snapshot. */
  get store(): MetricStore {
    return this.current;
  }

  /** While a long run's rows load: how many are in, of how many. */
  get loading(): { rows: number; of: number } | undefined {
    return this.pending && { rows: this.pending.store.length, of: this.pending.rows };
  }

  /**
   * A snapshot: every row, or with `overviewOf`, an overview of that many rows, which then come
   * through `replaceFrom`, one chunk asked for per frame. The overview is drawn unsmoothed: an
   * average of a few rows per pixel is not the run's smoothed loss.
   */
  snapshot(columns: MetricColumns, overviewOf?: number): void {
    const store = new MetricStore(overviewOf === undefined ? this.smoothing : 0);
    store.reset(columns);
    this.install(store);
    this.pending = undefined;
    this.rowsWanted = overviewOf !== undefined;
    if (overviewOf !== undefined) this.pending = { store: new MetricStore(this.smoothing), rows: overviewOf };
    this.scheduleOther();
  }

  /** Appends rows (to the loading rows while a long run loads). */
  append(columns: MetricColumns): void {
    this.replaceFrom((this.pending?.store ?? this.current).length, columns);
  }

  /**
   * A `metrics` message: rows from row index `from` (an append, or a replacement of the tail). While
   * loading they go to the loading rows; `load` is the message's: 'more' asks for the next chunk in
   * the next frame, 'last' draws every row in place of the overview.
   */
  replaceFrom(from: number, columns: MetricColumns, load?: 'more' | 'last'): void {
    const pending = this.pending;
    if (!pending) {
      this.current.replaceFrom(from, columns);
      this.scheduleData();
      return;
    }
    // Room for every row and the live ones after (growing a million-row store copies 40 MB), made
    // with the first chunk: allocating it is no part of the overview's first paint.
    if (pending.store.length === 0) pending.store.reserve(pending.rows + Math.max(4096, pending.rows >> 3));
    pending.store.replaceFrom(from, columns);
    pending.store.summarise();
    if (load === 'last') {
      this.install(pending.store);
      this.pending = undefined;
    }
    if (load === 'more') this.rowsWanted = true;
    this.scheduleOther();
  }

  setSmoothing(weight: number): void {
    this.smoothing = weight;
    (this.pending?.store ?? this.current).setSmoothing(weight);
    this.scheduleOther();
  }

  /**
   * The full, linear columns right now (the store's arrays, no copy). The plot reduces them to what
   * it draws (zoom range, decimation) and applies log clamping to those points only.
   */
  data(): ChartData {
    return buildChartData(this.current);
  }

  /** Adds a listener (called once per flushed frame); returns an unsubscribe function. */
  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks for a frame even without new data (e.g. a listener attached late). */
  invalidate(): void {
    this.scheduleOther();
  }

  /** Runs the pending frame now (used by the benchmark's synchronous first paint). */
  flush(): void {
    const start = this.now();
    const dataFrame = !this.otherFrame;
    this.otherFrame = false;
    this.lastFlush = start;
    this.cancelDataTimer();
    const data = this.data();
    this.updates++;
    for (const l of this.listeners) l(data, this.current);
    if (this.rowsWanted && this.pending) this.requestRows();
    this.rowsWanted = false;
    if (dataFrame && this.listeners.size > 0) {
      this.afterFrame(() => {
        this.costs.push(this.now() - start);
        if (this.costs.length > COST_SAMPLES) this.costs.shift();
        const sorted = [...this.costs].sort((a, b) => a - b);
        this.frameCost = sorted[(sorted.length - 1) >> 1]; // the lower median
      });
    }
  }

  /** How long after a frame new data waits (REDRAW_BUDGET). */
  get dataInterval(): number {
    return Math.min(MAX_DATA_INTERVAL_MS, (this.frameCost ?? 0) / REDRAW_BUDGET);
  }

  dispose(): void {
    this.coalescer.dispose();
    this.cancelDataTimer();
    this.listeners.clear();
  }

  /** Draws `store` from now on; its version continues this controller's (frames compare versions). */
  private install(store: MetricStore): void {
    store.version = Math.max(store.version, this.current.version + 1);
    this.current = store;
  }

  private cancelDataTimer(): void {
    if (this.dataTimer !== undefined) this.clearTimer(this.dataTimer);
    this.dataTimer = undefined;
  }

  /** Anything but new data: the next frame. */
  private scheduleOther(): void {
    this.otherFrame = true;
    this.coalescer.schedule();
  }

  /** New data: the next frame, or once `dataInterval` has passed since the last one. */
  private scheduleData(): void {
    if (this.coalescer.isScheduled || this.dataTimer !== undefined) return;
    const wait = this.lastFlush + this.dataInterval - this.now();
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

/**
 * A task queued from inside an animation-frame callback runs after that frame's style, layout,
 * paint and commit (where a software canvas is rasterised), so its start time bounds the frame's
 * main-thread cost. The channel is closed once used, so nothing is left listening.
 */
function taskAfterFrame(): (cb: () => void) => void {
  if (typeof MessageChannel === 'undefined') return (cb) => setTimeout(cb, 0);
  return (cb) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      cb();
    };
    channel.port2.postMessage(null);
  };
}
