import assert from 'node:assert/strict';
import {
  ArkorApiClient,
  ArkorApiError,
  clientJobSource,
  type JobEventStreamOptions,
  type JobSource,
  JobStore,
  type JobStoreChange,
  type JobStreamStatus,
  lossAtStep,
  MetricSeries,
  RingBuffer,
  type Timers,
  type TrainingJob,
} from '../../../src/core';
import { openPanel } from '../helpers/jobPanel';
import { jobReplay, lossAt, scriptedSse, TestServer, waitFor } from '../helpers/testServer';

const scope = { orgSlug: 'acme', projectSlug: 'demo' };
const TOKEN = 'tok_store_123456789';
const fastStream = { backoff: { baseMs: 5, capMs: 40 } };

const job = (id: string, status: string): TrainingJob => ({ id, name: id, status, config: {} });

describe('job store', () => {
  let server: TestServer;
  let client: ArkorApiClient;
  let store: JobStore;

  beforeEach(async () => {
    server = new TestServer();
    await server.listen();
    client = new ArkorApiClient({ baseUrl: server.url, getToken: () => TOKEN, clientVersion: '0.0.3' });
  });
  afterEach(async () => {
    store?.dispose();
    await server.close();
  });

  it('ingests a realistic 5,000-step replay with drops into compact metrics, checkpoints and a bounded log', async () => {
    const JOB = 'job-5k';
    const frames = jobReplay({ jobId: JOB, steps: 5000, checkpointEvery: 500, evalEvery: 250 });
    server.on(
      'GET',
      `/v1/jobs/${JOB}/events/stream`,
      scriptedSse(server, frames, [{ dropAfter: 1234 }, { ignoreLastEventId: true, dropAfter: 3000 }, {}]),
    );
    server.json('GET', '/v1/jobs', 200, { jobs: [job(JOB, 'running')] });
    store = new JobStore({ source: clientJobSource(client, scope), streamOptions: fastStream });
    const changes: JobStoreChange[] = [];
    store.onDidChange((c) => changes.push(c));
    await store.refresh();
    const watch = store.watch(JOB);
    await waitFor(() => store.snapshot(JOB).stream.state === 'ended', 5000, 'stream end');
    await Promise.resolve();

    const snap = store.snapshot(JOB);
    assert.equal(snap.status, 'completed');
    assert.equal(snap.metrics.step.length, 5000);
    assert.ok(snap.metrics.step instanceof Float64Array);
    assert.ok(snap.metrics.loss instanceof Float32Array);
    for (let i = 0; i < 5000; i++) {
      assert.equal(snap.metrics.step[i], i + 1);
      assert.equal(snap.metrics.loss[i], Math.fround(lossAt(i + 1)));
      const evalExpected = (i + 1) % 250 === 0 ? Math.fround(lossAt(i + 1) + 0.05) : Number.NaN;
      assert.ok(Object.is(snap.metrics.evalLoss[i], evalExpected), `evalLoss[${i}]`);
    }
    assert.deepEqual(
      snap.checkpoints.map((c) => c.step),
      [500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000],
    );
    assert.deepEqual(snap.checkpoints[0]?.artifacts, [{ pathname: 'checkpoint-500/adapter.json' }]);
    assert.equal(snap.log.length, 500);
    assert.equal(snap.logTotal, 1 + 5000 + 10 + 1);
    assert.deepEqual(snap.log.at(-1), {
      time: snap.log.at(-1)?.time,
      type: 'training.completed',
      text: '1 artifact(s)',
    });
    assert.equal(snap.log.at(-2)?.text, 'step=5000');
    assert.equal(
      snap.log.at(-3)?.text,
      `step=5000 loss=${lossAt(5000).toFixed(4)} evalLoss=${(lossAt(5000) + 0.05).toFixed(4)}`,
    );
    assert.equal(snap.artifacts, 1);

    // Metric deltas tile [0, 5000) exactly: no gap, no overlap, so a panel can forward them as-is.
    const ranges = changes.flatMap((c) => (c.kind === 'metrics' ? [[c.from, c.to] as const] : []));
    let next = 0;
    for (const [from, to] of ranges) {
      assert.equal(from, next);
      next = to;
    }
    assert.equal(next, 5000);
    const logDelivered = changes.reduce((n, c) => n + (c.kind === 'log' ? c.lines.length : 0), 0);
    assert.ok(logDelivered <= snap.logTotal);
    assert.deepEqual(
      changes.filter((c) => c.kind === 'status').map((c) => (c.kind === 'status' ? c.status : '')),
      ['running', 'completed'],
    );
    assert.equal(store.jobs()[0]?.status, 'completed', 'list merges the live status');
    watch.dispose();
  });

  it('shares one stream per job among watchers and closes it with the last one', async () => {
    const JOB = 'job-w';
    server.on('GET', `/v1/jobs/${JOB}/events/stream`, ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `id: 1\nevent: training.started\ndata: ${JSON.stringify({ type: 'training.started', jobId: JOB, timestamp: 't' })}\n\n`,
      );
    });
    store = new JobStore({ source: clientJobSource(client, scope), streamOptions: fastStream });
    const a = store.watch(JOB);
    const b = store.watch(JOB);
    await waitFor(() => store.status(JOB) === 'running', 1000, 'training.started');
    assert.equal(server.requests.length, 1);
    assert.equal(store.openStreams, 1);
    a.dispose();
    a.dispose();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(server.aborted.length, 0, 'still watched by b');
    b.dispose();
    await waitFor(() => server.aborted.length === 1, 1000, 'stream closed');
    await waitFor(() => store.openStreams === 0, 1000, 'no open streams');
    // Re-watching resumes after the last id instead of replaying.
    const c = store.watch(JOB);
    await waitFor(() => server.requests.length === 2, 1000, 'reconnect');
    assert.equal(server.requests[1]?.headers['last-event-id'], '1');
    c.dispose();
  });

  it('keeps full metrics only for watched and recent jobs, and a panel on an evicted job replays its whole history', async function () {
    this.timeout(10_000); // five real streams: slow on a loaded machine
    const ids = ['job-0', 'job-1', 'job-2', 'job-live'];
    const STEPS = 300;
    for (const id of ids) {
      const frames = jobReplay({ jobId: id, steps: STEPS, checkpointEvery: 100, evalEvery: 50 });
      server.on('GET', `/v1/jobs/${id}/events/stream`, scriptedSse(server, frames, [{}]));
    }
    server.json('GET', '/v1/jobs', 200, { jobs: ids.map((id) => job(id, 'completed')) });
    store = new JobStore({
      source: clientJobSource(client, scope),
      streamOptions: fastStream,
      retainUnwatched: 1,
    });
    await store.refresh();
    const ended = (id: string) => waitFor(() => store.stream(id).state === 'ended', 5000, `${id} stream end`);
    // A job that stays watched all along (a running job, an open panel) is never evicted.
    const live = store.watch('job-live');
    await ended('job-live');
    for (const id of ['job-0', 'job-1', 'job-2']) {
      const w = store.watch(id);
      await ended(id);
      w.dispose();
    }
    // One unwatched job is retained (the last released); the two before it are evicted.
    assert.equal(store.jobsHeldInFull, 2);
    assert.equal(store.metricCount('job-live'), STEPS);
    assert.equal(store.metricCount('job-2'), STEPS);
    assert.equal(store.metricCount('job-0'), 0);
    assert.equal(store.snapshot('job-0').log.length, 0);

    // The evicted job keeps what its row in the jobs list shows.
    const row = store.rowData('job-0');
    assert.equal(row.status, 'completed');
    assert.equal(row.pointCount, STEPS);
    assert.deepEqual(
      Array.from(row.recent.step),
      Array.from({ length: 40 }, (_, i) => STEPS - 39 + i),
    );
    assert.equal(row.recent.loss.at(-1), Math.fround(lossAt(STEPS)));
    assert.deepEqual(
      row.checkpoints.map((c) => [c.step, c.loss]),
      [100, 200, 300].map((s) => [s, Math.fround(lossAt(s))]),
    );
    assert.equal(store.latestMetric('job-0')?.step, STEPS);
    assert.equal(store.jobs()[0]?.status, 'completed');

    // A panel opened on it (as jobPanel.ts does: watch, then the webview's ready takes a snapshot).
    const panelWatch = store.watch('job-0');
    const panel = openPanel(store, 'job-0');
    panel.channel.ready();
    const { posted } = panel;
    await ended('job-0');
    await Promise.resolve();

    // The job was streamed again from the start: no resume point was sent.
    const streams = server.requests.filter((r) => r.path === '/v1/jobs/job-0/events/stream');
    assert.equal(streams.length, 2);
    assert.equal(streams[1]?.headers['last-event-id'], undefined);
    // Snapshot plus deltas hold every row exactly once, in order, with the real values.
    const steps: number[] = [];
    const losses: number[] = [];
    const evals: number[] = [];
    for (const m of posted) {
      const cols = m.type === 'snapshot' ? m.metrics : m.type === 'metrics' ? m.rows : undefined;
      if (!cols) continue;
      if (m.type === 'metrics') assert.equal(m.from, steps.length, 'deltas continue where the panel is');
      steps.push(...cols.step);
      losses.push(...cols.loss);
      evals.push(...cols.evalLoss);
    }
    assert.deepEqual(
      steps,
      Array.from({ length: STEPS }, (_, i) => i + 1),
    );
    assert.deepEqual(
      losses,
      steps.map((s) => Math.fround(lossAt(s))),
    );
    assert.equal(evals.filter(Number.isFinite).length, STEPS / 50);
    const lastJob = [...posted].reverse().find((m) => m.type === 'job');
    assert.equal(lastJob?.type === 'job' && lastJob.job.status, 'completed');
    assert.deepEqual(
      lastJob?.type === 'job' && lastJob.job.checkpoints.map((c) => c.step),
      [100, 200, 300],
      'replayed checkpoints are not doubled',
    );
    const lines = posted.flatMap((m) =>
      m.type === 'snapshot' ? m.logTail : m.type === 'log' ? m.lines : [],
    );
    assert.equal(lines.length, 1 + STEPS + 3 + 1);
    assert.equal(store.metricCount('job-0'), STEPS);
    // Watching job-0 again let go of the least recent unwatched job instead.
    assert.equal(store.metricCount('job-2'), STEPS);
    panelWatch.dispose();
    assert.equal(store.metricCount('job-2'), 0, 'job-2 evicted once job-0 is the most recent release');
    assert.equal(store.metricCount('job-0'), STEPS);
    panel.close();
    live.dispose();
  });

  it('surfaces a permanent stream failure as a stream error without the token', async () => {
    server.on('GET', '/v1/jobs/j/events/stream', ({ res }) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `token ${TOKEN} expired` }));
    });
    store = new JobStore({
      source: clientJobSource(client, scope),
      streamOptions: fastStream,
      secrets: () => [TOKEN],
    });
    const changes: JobStoreChange[] = [];
    store.onDidChange((c) => changes.push(c));
    store.watch('j');
    await waitFor(() => store.snapshot('j').stream.state === 'error', 1000, 'stream error');
    const err = store.snapshot('j').stream.error ?? '';
    assert.match(err, /Sign in again/);
    assert.ok(!err.includes(TOKEN));
    assert.ok(!JSON.stringify(changes).includes(TOKEN));
  });
});

describe('job store status and polling (fake source and timers)', () => {
  class FakeTimers implements Timers {
    pending: Array<{ fn: () => void; ms: number; id: number }> = [];
    private nextId = 0;
    setTimeout(fn: () => void, ms: number): unknown {
      const id = ++this.nextId;
      this.pending.push({ fn, ms, id });
      return id;
    }
    clearTimeout(handle: unknown): void {
      this.pending = this.pending.filter((t) => t.id !== handle);
    }
    /** Run the single pending timer and return its delay. */
    async fire(): Promise<number> {
      assert.equal(this.pending.length, 1, 'exactly one poll scheduled');
      const t = this.pending.shift();
      t?.fn();
      await settle();
      return t?.ms ?? -1;
    }
  }
  const settle = () => new Promise((r) => setImmediate(r));

  function fakeSource(responses: Array<TrainingJob[] | Error>): JobSource & { calls: number } {
    const source = {
      calls: 0,
      async listJobs() {
        const r = responses[Math.min(source.calls++, responses.length - 1)];
        if (r instanceof Error) throw r;
        return r ?? [];
      },
      streamJobEvents: () => new Promise<never>(() => {}),
    };
    return source;
  }

  it('polls fast while a job is active, slowly otherwise, and backs off on errors up to the cap', async () => {
    const timers = new FakeTimers();
    const boom = new Error('offline');
    const source = fakeSource([
      [job('a', 'queued')],
      [job('a', 'running')],
      [job('a', 'completed')],
      boom,
      boom,
      boom,
      boom,
      [job('a', 'completed')],
    ]);
    const store = new JobStore({
      source,
      timers,
      pollIntervalMs: 5000,
      activePollIntervalMs: 1000,
      maxPollBackoffMs: 30000,
    });
    const errors: string[] = [];
    store.onDidChange((c) => {
      if (c.kind === 'pollError') errors.push(`${c.message}@${c.retryInMs}`);
    });
    store.start();
    await settle();
    const delays = [];
    for (let i = 0; i < 7; i++) delays.push(await timers.fire());
    assert.deepEqual(delays, [1000, 1000, 5000, 5000, 10000, 20000, 30000]);
    assert.deepEqual(errors, ['offline@5000', 'offline@10000', 'offline@20000', 'offline@30000']);
    assert.equal(timers.pending[0]?.ms, 5000, 'back to normal after recovery');
    store.setPollInterval(60000);
    assert.equal(timers.pending[0]?.ms, 60000);
    store.dispose();
    assert.equal(timers.pending.length, 0);
  });

  it('gives list rows the recent points and checkpoint losses without copying the series', async () => {
    const timers = new FakeTimers();
    const store = new JobStore({ source: fakeSource([[job('a', 'running')]]), timers });
    await store.refresh();
    for (let step = 1; step <= 500; step++) {
      store.ingest('a', { type: 'training.log', jobId: 'a', timestamp: 't', step, loss: 1000 - step });
      if (step === 200)
        store.ingest('a', { type: 'training.log', jobId: 'a', timestamp: 't', step, evalLoss: 7 });
      if (step % 100 === 0) store.ingest('a', { type: 'checkpoint.saved', jobId: 'a', timestamp: 't', step });
    }
    const row = store.rowData('a', 40);
    assert.equal(row.pointCount, 500);
    assert.equal(row.recent.step.length, 40);
    assert.equal(row.recent.step[39], 500);
    assert.equal(row.recent.loss[0], 1000 - 461);
    assert.deepEqual(
      row.checkpoints.map((c) => [c.step, c.loss]),
      [100, 200, 300, 400, 500].map((s) => [s, 1000 - s]),
    );
    assert.equal(lossAtStep(new MetricSeries(), 10), undefined);
    store.dispose();
  });

  it('applies Studio status precedence', async () => {
    const timers = new FakeTimers();
    const source = fakeSource([[job('a', 'queued'), job('b', 'running'), job('c', 'completed')]]);
    const store = new JobStore({ source, timers });
    await store.refresh();
    assert.equal(store.status('a'), 'queued');
    store.ingest('a', { type: 'training.started', jobId: 'a', timestamp: 't' });
    assert.equal(store.status('a'), 'running', 'started beats polled queued');
    store.ingest('b', { type: 'training.failed', jobId: 'b', timestamp: 't', error: 'OOM' });
    assert.equal(store.status('b'), 'failed', 'terminal SSE beats polled running');
    assert.equal(store.snapshot('b').error, 'OOM');
    store.ingest('c', { type: 'training.started', jobId: 'c', timestamp: 't' });
    assert.equal(store.status('c'), 'completed', 'terminal polled beats started');
    assert.deepEqual(
      store.jobs().map((j) => j.status),
      ['running', 'failed', 'completed'],
    );
    store.dispose();
  });

  it('times metric rows and log lines by their events, so a history arriving in one burst keeps its pace', () => {
    let clock = 50_000;
    const store = new JobStore({
      source: fakeSource([[job('a', 'running')]]),
      timers: new FakeTimers(),
      now: () => clock,
    });
    // A panel opened after a reload: the run's history replays within one millisecond.
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    for (let step = 1; step <= 3; step++)
      store.ingest('a', { type: 'training.log', jobId: 'a', timestamp: at(step * 2), step, loss: 1 / step });
    clock = 50_001;
    store.ingest('a', { type: 'training.log', jobId: 'a', timestamp: 'not a time', step: 4, loss: 0.2 });
    const t0 = Date.UTC(2026, 0, 1);
    assert.deepEqual(Array.from(store.metricTimes('a')), [t0 + 2000, t0 + 4000, t0 + 6000, 50_001]);
    assert.deepEqual(
      store.log('a').lines.map((l) => l.time),
      [t0 + 2000, t0 + 4000, t0 + 6000, 50_001],
      'the log reads the same times',
    );
    store.dispose();
  });

  it('serves single values cheaply: job, error, latest point, checkpoints, receive times, stream attempt', async () => {
    const timers = new FakeTimers();
    let clock = 1000;
    const statuses: Array<(s: JobStreamStatus) => void> = [];
    const source = {
      ...fakeSource([[job('a', 'running')]]),
      streamJobEvents: (_id: string, opts: JobEventStreamOptions) => {
        if (opts.onStatus) statuses.push(opts.onStatus);
        return new Promise<never>(() => {});
      },
    };
    const store = new JobStore({ source, timers, now: () => clock });
    await store.refresh();
    assert.equal(store.job('a')?.status, 'running');
    assert.equal(store.job('nope'), undefined);
    assert.equal(store.metricCount('a'), 0);
    assert.equal(store.latestMetric('a'), undefined);
    assert.deepEqual(store.stream('a'), { state: 'idle', error: undefined, attempt: 0 });

    store.ingest('a', { type: 'training.log', jobId: 'a', timestamp: 't', step: 1, loss: 2 });
    clock = 2000;
    store.ingest('a', { type: 'training.log', jobId: 'a', timestamp: 't', step: 2, loss: 1.5 });
    clock = 3000;
    store.ingest('a', { type: 'training.log', jobId: 'a', timestamp: 't', step: 2, evalLoss: 1.7 });
    store.ingest('a', { type: 'checkpoint.saved', jobId: 'a', timestamp: 't', step: 2 });
    store.ingest('a', { type: 'training.failed', jobId: 'a', timestamp: 't', error: 'OOM' });
    assert.equal(store.metricCount('a'), 2);
    assert.deepEqual(
      store.latestMetric('a') && [store.latestMetric('a')?.step, store.latestMetric('a')?.loss],
      [2, 1.5],
    );
    assert.deepEqual(
      Array.from(store.metricTimes('a')),
      [1000, 2000],
      'a filled-in row keeps its first time',
    );
    assert.deepEqual(Array.from(store.snapshot('a').metricTimes), [1000, 2000]);
    assert.deepEqual(
      store.checkpoints('a').map((c) => c.step),
      [2],
    );
    assert.equal(store.error('a'), 'OOM');
    assert.equal(store.job('a')?.status, 'failed', 'merged like jobs()');
    assert.equal(store.log('a').total, 5);

    const changes: JobStoreChange[] = [];
    store.onDidChange((c) => changes.push(c));
    store.watch('b');
    const error = new ArkorApiError({ kind: 'network', message: 'reset' });
    statuses[0]?.({ state: 'waiting', delayMs: 10, attempt: 1, error });
    statuses[0]?.({ state: 'waiting', delayMs: 20, attempt: 2, error });
    assert.deepEqual(store.stream('b'), { state: 'reconnecting', error: 'reset', attempt: 2 });
    assert.deepEqual(
      changes.flatMap((c) => (c.kind === 'stream' ? [`${c.state}:${c.attempt}`] : [])),
      ['connecting:0', 'reconnecting:1', 'reconnecting:2'],
      'each attempt is announced, even with the same error',
    );
    store.dispose();
  });

  it('coalesces a refresh requested during a poll into exactly one more poll', async () => {
    const timers = new FakeTimers();
    const source = fakeSource([[job('a', 'completed')]]);
    const store = new JobStore({ source, timers });
    const p1 = store.refresh();
    const p2 = store.refresh();
    const p3 = store.refresh();
    await Promise.all([p1, p2, p3]);
    assert.equal(source.calls, 2);
    store.dispose();
  });
});

describe('metric series and ring buffer', () => {
  it('grows typed arrays, uses NaN for missing values and merges a repeated step', () => {
    const m = new MetricSeries();
    for (let s = 1; s <= 1000; s++) m.add({ step: s, loss: s / 1000 });
    m.add({ step: 1000, evalLoss: 0.5 });
    m.add({ step: 1001, loss: null, learningRate: 1e-4 });
    assert.equal(m.length, 1001);
    const p = m.point(999);
    assert.equal(p.loss, 1);
    assert.equal(p.evalLoss, 0.5);
    assert.ok(Number.isNaN(m.point(1000).loss));
    assert.equal(m.point(1000).learningRate, Math.fround(1e-4));
    const slice = m.slice(998, 1001);
    assert.deepEqual(Array.from(slice.step), [999, 1000, 1001]);
  });

  it('keeps the newest items', () => {
    const r = new RingBuffer<number>(3);
    for (let i = 1; i <= 7; i++) r.push(i);
    assert.deepEqual(r.toArray(), [5, 6, 7]);
    assert.deepEqual(r.last(2), [6, 7]);
    assert.equal(r.total, 7);
    assert.equal(r.length, 3);
  });
});
