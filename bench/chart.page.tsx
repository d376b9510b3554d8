/**
 * Browser side of bench/chart.mjs (bundled by it with esbuild; not part of the product).
 *
 * Three ways to show N metric points, each measured the same way:
 *   panel  the whole job panel (JobApp with the toolkit registered) receiving what the host sends
 *          (src/vscode/jobPanelFeed.ts), structured-cloned as postMessage delivers it: the `snapshot`,
 *          which above PROGRESSIVE_SNAPSHOT.minRows carries an overview of the rows (metricOverview.ts, picked
 *          before t0: host work), then each chunk of rows the panel asks for with `moreRows`,
 *          delivered in a task of its own (chunks sliced before t0, as the host slices them in its
 *          own process). First paint is the frame showing the overview; `all` the frame showing
 *          every row;
 *   chart  the LossChart alone (ChartController.snapshot + render);
 *   svg    Studio's approach: one SVG <path> per series whose `d` is rebuilt from every point
 *          (min–max scaled, 240 px high), on first paint and on every update.
 * First paint = from handing the data over (t0, data already generated) until the frame that shows it
 * has been painted: a requestAnimationFrame callback, then a task posted from it (it runs after that
 * frame's style, layout, ResizeObserver callbacks and paint). Everything the page does in between —
 * store ingest, smoothing, Preact render, uPlot build and draw, SVG path parsing, layout — is inside.
 */
import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import type { HostToJobPanel, JobDetail, JobPanelToHost, MetricColumns } from '../src/protocol';
import '../webview-ui/shared/base.css';
import '../webview-ui/jobPanel/job.css';
import { overviewRows, PROGRESSIVE_SNAPSHOT } from '../src/core/metricOverview';
import { FakeHost } from '../test/webview/fakeChannel';
import { ChartController, MAX_DATA_INTERVAL_MS, REDRAW_BUDGET } from '../webview-ui/jobPanel/chartController';
import { buildChartData } from '../webview-ui/jobPanel/chartData';
import { drawData } from '../webview-ui/jobPanel/decimate';
import { JobApp } from '../webview-ui/jobPanel/JobApp';
import { LossChart } from '../webview-ui/jobPanel/LossChart';
import { MetricStore } from '../webview-ui/jobPanel/metricStore';
import { seriesStats } from '../webview-ui/jobPanel/stats';
import { registerToolkit } from '../webview-ui/shared/toolkitRegister';

export type Kind = 'panel' | 'chart' | 'svg';

const WIDTH = 800;

export function columns(from: number, n: number): MetricColumns {
  const c: MetricColumns = {
    step: new Float64Array(n),
    loss: new Float32Array(n),
    evalLoss: new Float32Array(n),
    learningRate: new Float32Array(n),
    time: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const s = from + i;
    c.step[i] = s;
    c.loss[i] = 2.5 * Math.exp(-s / 20000) + 0.3 + 0.15 * Math.sin(s * 12.9898) * Math.sin(s * 0.7);
    c.evalLoss[i] = s % 10 === 0 ? 2.6 * Math.exp(-s / 20000) + 0.35 : Number.NaN;
    c.learningRate[i] = 2e-4 * Math.min(1, s / 500);
    c.time[i] = 1.7e12 + s * 500;
  }
  return c;
}

function container(): HTMLElement {
  const el = document.createElement('div');
  el.style.width = `${WIDTH}px`;
  document.body.appendChild(el);
  return el;
}

/** Resolves after the next frame has been painted (rAF, then a task queued from it). */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve();
      ch.port2.postMessage(0);
    });
  });
}

interface Mounted {
  /** Feeds rows at row index `from` (live updates). */
  append(from: number, rows: MetricColumns): void;
  /** Points the chart says it holds (`data-points`). */
  points(): number;
  controller?: ChartController;
  dispose(): void;
}

// --- the whole panel -----------------------------------------------------------------------------
let toolkit = false;

function job(n: number): JobDetail {
  return {
    id: 'job-bench',
    name: 'bench-run',
    status: 'completed',
    createdAt: new Date(1.7e12 - 60_000).toISOString(),
    startedAt: new Date(1.7e12).toISOString(),
    completedAt: new Date(1.7e12 + n * 500).toISOString(),
    model: 'unsloth/gemma-4-E4B-it',
    dataset: 'pirate-chat',
    maxSteps: n,
    step: n,
    checkpoints: [1, 2, 3, 4].map((k) => ({
      step: Math.floor((n * k) / 4),
      savedAt: new Date(1.7e12 + n * k * 125).toISOString(),
    })),
    config: { learningRate: 2e-4, loraRank: 16, loraAlpha: 32, packing: false, seed: null, maxSteps: n },
  };
}

/** Rows `[from, to)` of `c`, copied (what the host's `store.metrics(from, to)` returns). */
function sliceRows(c: MetricColumns, from: number, to: number): MetricColumns {
  return {
    step: c.step.slice(from, to),
    loss: c.loss.slice(from, to),
    evalLoss: c.evalLoss.slice(from, to),
    learningRate: c.learningRate.slice(from, to),
    time: c.time.slice(from, to),
  };
}

/** The rows at `rows` of `c`, copied (the host's overview). */
function pickRows(c: MetricColumns, rows: Uint32Array): MetricColumns {
  const pick = <T extends Float32Array | Float64Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = a[rows[k]!]!;
    return out;
  };
  return {
    step: pick(c.step),
    loss: pick(c.loss),
    evalLoss: pick(c.evalLoss),
    learningRate: pick(c.learningRate),
    time: pick(c.time),
  };
}

/** What the host sends a panel of `cols`: the snapshot's metrics, and the chunks that follow it. */
interface HostMessages {
  metrics: MetricColumns;
  overview?: { rows: number };
  chunks: MetricColumns[];
}

function hostMessages(cols: MetricColumns): HostMessages {
  const n = cols.step.length;
  if (n <= PROGRESSIVE_SNAPSHOT.minRows) return { metrics: cols, chunks: [] };
  const chunks: MetricColumns[] = [];
  for (let from = 0; from < n; from += PROGRESSIVE_SNAPSHOT.chunkRows) {
    chunks.push(sliceRows(cols, from, Math.min(n, from + PROGRESSIVE_SNAPSHOT.chunkRows)));
  }
  return {
    metrics: pickRows(cols, overviewRows(cols, n, PROGRESSIVE_SNAPSHOT.overview)),
    overview: { rows: n },
    chunks,
  };
}

/** A task of its own, as each message from the host is (no timer clamping). */
function task(cb: () => void): void {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    ch.port1.close();
    cb();
  };
  ch.port2.postMessage(0);
}

/**
 * Mounts the panel and waits until it listens; returns a function that sends the snapshot and answers
 * each `moreRows` with the next chunk, in a task of its own.
 */
async function preparePanel(): Promise<{ send: (messages: HostMessages) => Mounted }> {
  if (!toolkit) {
    registerToolkit();
    toolkit = true;
  }
  const el = container();
  let chunks: MetricColumns[] = [];
  let sent = 0;
  const host = new FakeHost<HostToJobPanel, JobPanelToHost>();
  const post = host.post.bind(host);
  host.post = (message) => {
    post(message);
    const chunk = message.type === 'moreRows' ? chunks.shift() : undefined;
    if (!chunk) return;
    const from = sent;
    sent += chunk.step.length;
    const load = chunks.length > 0 ? 'more' : 'last';
    task(() => host.send({ type: 'metrics', from, rows: chunk, load }));
  };
  render(<JobApp channel={host} />, el);
  await afterPaint();
  await new Promise((r) => setTimeout(r, 0)); // Preact runs useEffect (the subscription) after paint
  const chartEl = () => el.querySelector<HTMLElement>('[data-testid="loss-chart"]');
  const logTail = Array.from({ length: 200 }, (_, i) => `step ${i}: loss 0.${i} lr 2e-4`);
  return {
    send(messages) {
      chunks = [...messages.chunks];
      sent = 0;
      host.send({
        type: 'snapshot',
        job: job(messages.overview?.rows ?? messages.metrics.step.length),
        metrics: messages.metrics,
        ...(messages.overview ? { overview: messages.overview } : {}),
        logTail,
        stream: { kind: 'ended' },
      });
      return {
        append(from, rows) {
          host.send({ type: 'metrics', from, rows });
        },
        points: () => Number(chartEl()?.dataset.points ?? -1),
        dispose() {
          render(null, el);
          el.remove();
        },
      };
    },
  };
}

// --- the chart alone ------------------------------------------------------------------------------
function mountChart(cols: MetricColumns): Mounted {
  const el = container();
  const controller = new ChartController({ smoothing: 0.6 });
  controller.snapshot(cols);
  render(<LossChart controller={controller} logScale={false} showLearningRate={false} smoothing={0.6} />, el);
  const chartEl = el.querySelector<HTMLElement>('[data-testid="loss-chart"]')!;
  return {
    controller,
    append(from, rows) {
      controller.replaceFrom(from, rows);
    },
    points: () => Number(chartEl.dataset.points ?? -1),
    dispose() {
      render(null, el);
      controller.dispose();
      el.remove();
    },
  };
}

// --- no chart: what generating and delivering the events costs by itself (the live floor) ---------
function mountNone(n: number): Mounted {
  let held = n;
  return {
    append(_from, rows) {
      held += rows.step.length;
    },
    points: () => held,
    dispose() {},
  };
}

// --- Studio baseline: SVG paths rebuilt from all points on every update ----------------------------
function mountSvg(cols: MetricColumns): Mounted {
  const el = container();
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', String(WIDTH));
  svg.setAttribute('height', '240');
  svg.setAttribute('viewBox', `0 0 ${WIDTH} 240`);
  const train = document.createElementNS(NS, 'path');
  train.setAttribute('fill', 'none');
  train.setAttribute('stroke', 'teal');
  train.setAttribute('stroke-width', '2');
  const ev = document.createElementNS(NS, 'path');
  ev.setAttribute('fill', 'none');
  ev.setAttribute('stroke', 'hotpink');
  ev.setAttribute('stroke-dasharray', '4 3');
  svg.append(train, ev);
  el.appendChild(svg);
  const points: { step: number; loss: number | null; evalLoss: number | null }[] = [];
  const push = (c: MetricColumns) => {
    for (let i = 0; i < c.step.length; i++) {
      const loss = c.loss[i]!;
      const evalLoss = c.evalLoss[i]!;
      points.push({
        step: c.step[i]!,
        loss: Number.isFinite(loss) ? loss : null,
        evalLoss: Number.isFinite(evalLoss) ? evalLoss : null,
      });
    }
  };
  const draw = () => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const p of points) {
      if (p.loss != null) {
        if (p.loss < min) min = p.loss;
        if (p.loss > max) max = p.loss;
      }
      if (p.evalLoss != null) {
        if (p.evalLoss < min) min = p.evalLoss;
        if (p.evalLoss > max) max = p.evalLoss;
      }
    }
    const span = Math.max(max - min, 1e-4);
    const x0 = points[0]!.step;
    const xs = Math.max(1, points[points.length - 1]!.step - x0);
    const X = (s: number) => ((s - x0) / xs) * WIDTH;
    const Y = (v: number) => 240 - ((v - min) / span) * 240;
    let d = '';
    let e = '';
    for (const p of points) {
      if (p.loss != null) d += `${d ? 'L' : 'M'}${X(p.step).toFixed(2)},${Y(p.loss).toFixed(2)}`;
      if (p.evalLoss != null) e += `${e ? 'L' : 'M'}${X(p.step).toFixed(2)},${Y(p.evalLoss).toFixed(2)}`;
    }
    train.setAttribute('d', d);
    ev.setAttribute('d', e);
  };
  push(cols);
  draw();
  return {
    append(_from, rows) {
      push(rows);
      draw();
    },
    points: () => points.length,
    dispose() {
      el.remove();
    },
  };
}

export interface FirstPaint {
  /** Synchronous part: handing the data over until control returns (plus microtasks). */
  sync: number;
  /** Until the frame showing the data has been painted. */
  paint: number;
  points: number;
  /** Points uPlot was handed (chart kinds), for the record. */
  drawn?: number;
  /** The panel only: a structured clone of the snapshot's columns alone (ms). */
  deliver?: number | undefined;
  /** The panel only: points drawn in the first paint (the overview's rows above PROGRESSIVE_SNAPSHOT.minRows). */
  firstPoints?: number | undefined;
  /** The panel only: until the frame showing every row has been painted (ms). */
  all?: number | undefined;
  /** The panel only: the longest gap between two painted frames after the first, until every row is in (ms). */
  longestFrame?: number | undefined;
}

async function firstPaint(kind: Kind, n: number): Promise<FirstPaint> {
  const cols = columns(0, n);
  const panel = kind === 'panel' ? await preparePanel() : undefined;
  const messages = panel ? hostMessages(cols) : undefined;
  await afterPaint();
  const t0 = performance.now();
  const m = panel && messages ? panel.send(messages) : kind === 'chart' ? mountChart(cols) : mountSvg(cols);
  await Promise.resolve();
  const tSync = performance.now();
  await afterPaint();
  const t1 = performance.now();
  const firstPoints = m.points();
  // The panel: frames until the one showing every row has been painted.
  let all: number | undefined;
  let longestFrame: number | undefined;
  if (panel) {
    let last = t1;
    longestFrame = 0;
    while (m.points() !== n && performance.now() - t0 < 30_000) {
      await afterPaint();
      const t = performance.now();
      longestFrame = Math.max(longestFrame, t - last);
      last = t;
    }
    all = last - t0;
  }
  const points = m.points();
  m.dispose();
  // What delivering the snapshot costs by itself (the structured clone postMessage makes, inside
  // `paint` for the panel): a floor no webview code can go below.
  let deliver: number | undefined;
  if (messages) {
    const t = performance.now();
    structuredClone(messages.metrics);
    deliver = performance.now() - t;
  }
  return { sync: tSync - t0, paint: t1 - t0, points, deliver, firstPoints, all, longestFrame };
}

export interface Live {
  events: number;
  eventsPerSecond: number;
  frames: number;
  frameMean: number;
  frameP95: number;
  frameMax: number;
  busyPerSecond: number;
  updatesPerSecond: number;
  points: number;
  /** The controller's measure of a data frame's cost (ms), its budget share and longest wait, our chart only. */
  frameCost?: number | undefined;
  budget?: number | undefined;
  maxInterval?: number | undefined;
}

/**
 * `rate` metrics events per second for `seconds` on top of n points. Busy time = main-thread time in
 * the event handlers plus, for our chart, the coalesced per-frame flush including uPlot's draw (which
 * uPlot commits in a microtask: timed up to a microtask queued after the flush). For the SVG the
 * path's re-parse happens in setAttribute (timed); its re-paint is not (it shows in the frame times).
 */
let prepared: { m: Mounted; n: number } | undefined;

/** Mounts `kind` with n points for `live` and waits until it has been painted. */
async function prepareLive(kind: Exclude<Kind, 'panel'> | 'none', n: number): Promise<{ firstRow: number }> {
  const m =
    kind === 'chart' ? mountChart(columns(0, n)) : kind === 'svg' ? mountSvg(columns(0, n)) : mountNone(n);
  await afterPaint();
  // The first row after a snapshot is a one-off: the store took the snapshot's exact-length arrays
  // over and now copies them into buffers with room to grow. Timed here, and kept out of the live
  // figures, which are about the steady state.
  const t = performance.now();
  m.append(n, columns(n, 1));
  const firstRow = performance.now() - t;
  prepared = { m, n: n + 1 };
  await afterPaint();
  await afterPaint();
  return { firstRow };
}

/** `rate` metrics events per second for `seconds` into what prepareLive mounted. */
async function live(seconds: number, rate: number): Promise<Live> {
  if (!prepared) throw new Error('prepareLive first');
  const { m, n } = prepared;
  prepared = undefined;
  let next = n;
  let busy = 0;
  let events = 0;
  let flushes = 0;
  const frames: number[] = [];
  let last = performance.now();
  let running = true;
  const loop = (t: number) => {
    frames.push(t - last);
    last = t;
    if (running) requestAnimationFrame(loop);
  };
  requestAnimationFrame((t) => {
    last = t;
    requestAnimationFrame(loop);
  });
  const controller = m.controller;
  if (controller) {
    const flush = controller.flush.bind(controller);
    controller.flush = () => {
      const a = performance.now();
      flush();
      flushes++;
      queueMicrotask(() => {
        busy += performance.now() - a;
      });
    };
  }
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const id = setInterval(() => {
      const now = performance.now();
      const due = Math.floor(((now - start) / 1000) * rate) - events;
      for (let k = 0; k < due; k++) {
        const row = columns(next, 1);
        const a = performance.now();
        m.append(next, row);
        busy += performance.now() - a;
        next++;
        events++;
      }
      if (now - start >= seconds * 1000) {
        clearInterval(id);
        resolve();
      }
    }, 1000 / rate);
  });
  running = false;
  await afterPaint();
  const elapsed = (performance.now() - start) / 1000;
  const points = m.points();
  m.dispose();
  const f = frames.slice(2).sort((a, b) => a - b);
  const pct = (p: number) => f[Math.min(f.length - 1, Math.floor(p * f.length))] ?? 0;
  return {
    events,
    eventsPerSecond: events / elapsed,
    frames: f.length,
    frameMean: f.reduce((s, x) => s + x, 0) / Math.max(1, f.length),
    frameP95: pct(0.95),
    frameMax: f[f.length - 1] ?? 0,
    busyPerSecond: busy / elapsed,
    updatesPerSecond: (controller ? flushes : events) / elapsed,
    points,
    frameCost: controller?.frameCost,
    budget: controller ? REDRAW_BUDGET : undefined,
    maxInterval: controller ? MAX_DATA_INTERVAL_MS : undefined,
  };
}

/** The page idle for `seconds` with the same animation-frame loop as `live` (its baseline). */
async function idle(seconds: number): Promise<void> {
  const end = performance.now() + seconds * 1000;
  await new Promise<void>((resolve) => {
    const loop = () => (performance.now() < end ? requestAnimationFrame(loop) : resolve());
    requestAnimationFrame(loop);
  });
}

/**
 * The Statistics section's work per data frame while open: train and eval loss statistics over every
 * row of an N-point store (seriesStats: two passes and a selection for p90/p95), median of `reps`.
 * Baseline in the same run: the same statistics with the percentiles read from a full sort.
 */
function statsCost(n: number, reps: number): { stats: number; sorted: number } {
  const store = new MetricStore(0.6);
  store.reset(columns(0, n));
  const time = (f: () => void) => {
    const samples: number[] = [];
    for (let r = 0; r < reps + 2; r++) {
      const t = performance.now();
      f();
      samples.push(performance.now() - t);
    }
    return samples.slice(2).sort((a, b) => a - b)[reps >> 1]!;
  };
  const sortedStats = (values: Float32Array) => {
    const a = Float64Array.from(values).filter(Number.isFinite).sort();
    const at = (q: number) => {
      const r = q * (a.length - 1);
      const k = Math.floor(r);
      return a[k]! + (r - k) * (a[Math.min(a.length - 1, k + 1)]! - a[k]!);
    };
    return [seriesStats(values).mean, at(0.9), at(0.95)];
  };
  return {
    stats: time(() => {
      seriesStats(store.loss);
      seriesStats(store.evalLoss);
    }),
    sorted: time(() => {
      sortedStats(store.loss);
      sortedStats(store.evalLoss);
    }),
  };
}

/**
 * Reducing one data frame of the chart alone (drawData, as lossPlot asks: WIDTH columns, smoothing on,
 * no learning rate) right after a new row, N points: from the store's range summaries, and, as the
 * baseline in the same run, by reading every row (drawData without them, what every frame did before
 * the summaries; it is still the path for data without a store). Medians of `reps` frames.
 */
function reduceCost(n: number, reps: number): { summaries: number; scan: number } {
  const store = new MetricStore(0.6);
  store.reset(columns(0, n));
  const view = {
    buckets: WIDTH,
    logScale: false,
    active: [true, true, true, false],
    gaps: [true, true, false, true],
    means: [false, true, false, false],
  };
  const summaries: number[] = [];
  const scan: number[] = [];
  for (let r = 0; r < reps + 2; r++) {
    store.append(columns(n + r, 1));
    const data = buildChartData(store);
    let t = performance.now();
    drawData(data, { ...view, summary: (c) => store.summaryOf(c) });
    summaries.push(performance.now() - t);
    t = performance.now();
    drawData(data, view);
    scan.push(performance.now() - t);
  }
  const med = (v: number[]) => v.slice(2).sort((a, b) => a - b)[reps >> 1]!;
  return { summaries: med(summaries), scan: med(scan) };
}

declare global {
  interface Window {
    bench: {
      firstPaint: typeof firstPaint;
      prepareLive: typeof prepareLive;
      live: typeof live;
      idle: typeof idle;
      statsCost: typeof statsCost;
      reduceCost: typeof reduceCost;
    };
    benchReady: boolean;
  }
}

window.bench = { firstPaint, prepareLive, live, idle, statsCost, reduceCost };
window.benchReady = true;
