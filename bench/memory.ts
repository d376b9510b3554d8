/**
 * Extension host memory benchmark: what the job store holds after a window has seen many long jobs,
 * and what the host allocates to post a million-row job panel snapshot.
 *
 * Run:  node --expose-gc --import tsx bench/memory.ts [jobs] [points]     (default 1000 × 10000)
 *
 * 1. Feeds `jobs` jobs of `points` training.log events each through the real JobStore (watch → its
 *    event stream → ingest → release, as a panel or a running job does), from an in-process source
 *    that speaks the store's `JobSource` interface (the SSE path itself is measured by ingest.ts).
 *    Prints heap after a forced GC with the default eviction (full metrics for watched jobs and a
 *    few recent ones) and with eviction off (the naive baseline: every job kept), and the ratio.
 *    Target: < 150 MB with eviction.
 * 2. Re-watches the first (evicted) job and checks the replay brings back every point.
 * 3. Posts a 1,000,000-point job panel with the real JobPanelFeed, as it does a long run: an overview
 *    snapshot, then every row in the chunks the webview asks for (`moreRows`). Prints the bytes the
 *    host allocates for their metric columns against the columns' own size (target 1.00x: the
 *    store's one copy of each row is what is posted, and nothing else is copied, not even the epoch
 *    column no view shows; the overview adds its own few thousand rows and a one-byte-per-row mark
 *    while picking them), and against the naive baseline of a second copy per column.
 */
import {
  type JobEvent,
  type JobEventStreamOptions,
  type JobEventStreamResult,
  type JobSource,
  JobStore,
  type ShownMetrics,
  WebviewChannel,
} from '../src/core';
import type { HostToJobPanel, MetricColumns } from '../src/protocol';
import { JobPanelFeed } from '../src/vscode/jobPanelFeed';

const JOBS = Number(process.argv[2] ?? 1000);
const POINTS = Number(process.argv[3] ?? 10_000);
const PANEL_POINTS = 1_000_000;
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const TIMESTAMP = '2026-01-01T00:00:00.000Z';
/** The JS heap plus typed-array backing stores (metric series live there, outside `heapUsed`). */
const jsMemory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/**
 * A backend in this process: every job is `points` training.log events with a checkpoint every
 * 1,000 steps, between training.started and training.completed, with increasing numeric ids; a
 * stream resumes after `lastEventId` as the real servers do, and replays from the start without one.
 */
function memorySource(points: (jobId: string) => number): JobSource & { streams: number } {
  const source = {
    streams: 0,
    async listJobs() {
      return [];
    },
    async streamJobEvents(jobId: string, opts: JobEventStreamOptions): Promise<JobEventStreamResult> {
      source.streams++;
      const n = points(jobId);
      const after = opts.lastEventId === undefined ? 0 : Number(opts.lastEventId);
      let id = 0;
      const send = (event: JobEvent) => {
        id++;
        if (id > after && !opts.signal?.aborted) opts.onEvent(event, String(id));
      };
      send({ type: 'training.started', jobId, timestamp: TIMESTAMP });
      for (let step = 1; step <= n; step++) {
        const loss = 2 / Math.sqrt(step) + 0.1;
        send({
          type: 'training.log',
          jobId,
          timestamp: TIMESTAMP,
          step,
          loss,
          learningRate: 2e-4,
          epoch: step / n,
          ...(step % 500 === 0 ? { evalLoss: loss + 0.05 } : {}),
        } as JobEvent);
        if (step % 1000 === 0) send({ type: 'checkpoint.saved', jobId, timestamp: TIMESTAMP, step });
      }
      send({ type: 'training.completed', jobId, timestamp: TIMESTAMP, artifacts: [] });
      return { reason: 'training.completed', lastEventId: String(id), connections: 1 };
    },
  };
  return source;
}

/** Watch each job until its stream ends, then release it (a panel closed, a run finished). */
async function seeJobs(store: JobStore, jobs: number): Promise<void> {
  for (let j = 0; j < jobs; j++) {
    const jobId = `job-${j}`;
    const ended = new Promise<void>((resolve) => {
      const sub = store.onDidChange((c) => {
        if (c.kind === 'stream' && c.jobId === jobId && c.state === 'ended') {
          sub.dispose();
          resolve();
        }
      });
    });
    const watch = store.watch(jobId);
    await ended;
    watch.dispose();
  }
}

/** Full GCs with turns of the event loop between: array buffer backing stores are freed behind. */
async function settledGc(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function heapAfterJobs(retainUnwatched: number | undefined): Promise<{ heap: number; ms: number }> {
  await settledGc();
  const before = jsMemory();
  const source = memorySource(() => POINTS);
  const store = new JobStore({ source, ...(retainUnwatched === undefined ? {} : { retainUnwatched }) });
  const t = performance.now();
  await seeJobs(store, JOBS);
  const ms = performance.now() - t;
  await settledGc();
  const heap = jsMemory() - before;
  const held = store.jobsHeldInFull;
  const row = store.rowData('job-0');
  console.log(
    `  ${retainUnwatched === undefined ? 'eviction (default)' : 'no eviction (naive)'}: ` +
      `heap + array buffers +${mb(heap)} after GC, ${held} job(s) held in full, job-0 row: ${row.pointCount} points, ` +
      `${row.recent.step.length} recent, status ${row.status} (${(ms / 1000).toFixed(1)} s)`,
  );
  if (retainUnwatched === undefined) {
    // An evicted job watched again replays its whole history.
    const streams = source.streams;
    await seeJobs(store, 1);
    const points = store.metricCount('job-0');
    console.log(
      `  job-0 watched again: ${points} points back after ${source.streams - streams} replay stream`,
    );
    if (points !== POINTS) throw new Error(`replay brought ${points} points, expected ${POINTS}`);
  }
  store.dispose();
  return { heap, ms };
}

/** What the host did before: a second copy of every column (and a time loop) after the store's copy. */
function naiveColumns(metrics: ShownMetrics, times: Float64Array): MetricColumns {
  const n = metrics.step.length;
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) time[i] = times[i] ?? 0;
  return {
    step: new Float64Array(metrics.step),
    loss: new Float32Array(metrics.loss),
    evalLoss: new Float32Array(metrics.evalLoss),
    learningRate: new Float32Array(metrics.learningRate),
    time,
  };
}

async function panelSnapshot(): Promise<void> {
  const store = new JobStore({ source: memorySource(() => PANEL_POINTS) });
  await seeJobs(store, 1);
  const jobId = 'job-0';
  // Kept until measured: what the host posted is what it holds at once.
  let posted: HostToJobPanel[] = [];
  let feed: JobPanelFeed | undefined;
  const channel = new WebviewChannel<HostToJobPanel>({
    name: 'bench panel',
    post: (m) => {
      posted.push(m);
      return true;
    },
    snapshot: () => feed?.snapshot(),
    onError: (e) => {
      throw e;
    },
  });
  feed = new JobPanelFeed(jobId, () => store, channel);
  channel.attach();
  const bytesOf = (c: MetricColumns) => Object.values(c).reduce((n, a) => n + a.byteLength, 0);
  // Typed-array memory only: the columns' bytes, not the log lines and header built beside them.
  const allocated = () => process.memoryUsage().arrayBuffers;
  // Allocation while building (no GC in between: what the host holds at once).
  await settledGc();
  let start = allocated();
  let t = performance.now();
  channel.ready();
  const ms = performance.now() - t;
  t = performance.now();
  while (posted.length < 100 && lastLoad(posted) !== 'last') feed.moreRows();
  const chunksMs = performance.now() - t;
  const builtBytes = allocated() - start;
  const [snap, ...chunks] = posted;
  if (snap?.type !== 'snapshot' || snap.overview?.rows !== PANEL_POINTS)
    throw new Error('no overview posted');
  let next = 0;
  for (const m of chunks) {
    if (m.type !== 'metrics' || m.from !== next) throw new Error('chunks do not tile the rows');
    next += m.rows.step.length;
  }
  if (next !== PANEL_POINTS) throw new Error(`chunks carried ${next} rows`);
  const postedBytes = posted.reduce(
    (n, m) => n + (m.type === 'snapshot' ? bytesOf(m.metrics) : m.type === 'metrics' ? bytesOf(m.rows) : 0),
    0,
  );
  posted = [];
  await settledGc();
  start = allocated();
  t = performance.now();
  const s = store.snapshot(jobId);
  const naive = naiveColumns(s.metrics, s.metricTimes);
  const naiveMs = performance.now() - t;
  const naiveBytes = allocated() - start;
  console.log(
    `panel of ${PANEL_POINTS.toLocaleString('en-US')} points: an overview of ${snap.metrics.step.length.toLocaleString('en-US')} ` +
      `rows, then ${chunks.length} chunks (columns ${mb(postedBytes)} posted in all):`,
  );
  console.log(
    `  JobPanelFeed: snapshot ${ms.toFixed(0)} ms, chunks ${chunksMs.toFixed(0)} ms, host allocated ${mb(builtBytes)}`,
  );
  console.log(
    `  naive (store copy + column copy): ${naiveMs.toFixed(0)} ms, host allocated ${mb(naiveBytes)}`,
  );
  console.log(
    `  ratio allocated / posted columns: ${(builtBytes / postedBytes).toFixed(2)}x (target 1.00x: one copy)`,
  );
  console.log(`  ratio allocated / naive:          ${(builtBytes / naiveBytes).toFixed(2)}x`);
  if (naive.step.length !== PANEL_POINTS) throw new Error('naive copy lost rows');
  channel.dispose();
  store.dispose();
}

/** The `load` mark of the last message posted, if it is a chunk of rows. */
function lastLoad(posted: HostToJobPanel[]): 'more' | 'last' | undefined {
  const m = posted.at(-1);
  return m?.type === 'metrics' ? m.load : undefined;
}

async function main(): Promise<void> {
  if (!gc) console.log('run with `node --expose-gc --import tsx bench/memory.ts` for GC-accurate figures');
  console.log(`${JOBS} jobs × ${POINTS.toLocaleString('en-US')} points seen through the job store:`);
  const evicting = await heapAfterJobs(undefined);
  const naive = await heapAfterJobs(Number.POSITIVE_INFINITY);
  console.log(`  ratio heap evicting / naive: ${(evicting.heap / naive.heap).toFixed(3)}x`);
  console.log(`  target < 150 MB with eviction: ${evicting.heap < 150 * 1024 * 1024 ? 'met' : 'NOT met'}`);
  await panelSnapshot();
}

void main();
