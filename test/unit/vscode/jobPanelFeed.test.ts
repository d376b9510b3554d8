import assert from 'node:assert/strict';
import {
  ArkorApiClient,
  clientJobSource,
  JobStore,
  type JobStoreOptions,
  type TrainingJob,
} from '../../../src/core';
import type { StreamView } from '../../../src/protocol';
import { openPanel as openTestPanel } from '../helpers/jobPanel';
import { jobReplay, lossAt, scriptedSse, TestServer, waitFor } from '../helpers/testServer';

/**
 * What the job panel host posts, from a real job store fed by a real SSE server: the panel host is
 * JobPanelFeed behind a WebviewChannel plus VS Code glue (jobPanel.ts), so these are its messages.
 */

const scope = { orgSlug: 'acme', projectSlug: 'demo' };
const JOB = 'job-panel';
const job = (id: string, status: string): TrainingJob => ({ id, name: `run-${id}`, status, config: {} });

const openPanel = (store: JobStore, jobId = JOB) => openTestPanel(store, jobId);

describe('job panel host: what it posts, from a real store and SSE server', () => {
  let server: TestServer;
  let store: JobStore;

  async function connect(options: Partial<JobStoreOptions> = {}) {
    const client = new ArkorApiClient({ baseUrl: server.url, getToken: () => 'tok', clientVersion: '0.0.3' });
    store = new JobStore({
      source: clientJobSource(client, scope),
      streamOptions: { backoff: { baseMs: 5, capMs: 40, jitter: 0 } },
      ...options,
    });
    await store.refresh();
  }

  beforeEach(async () => {
    server = new TestServer();
    await server.listen();
    server.json('GET', '/v1/jobs', 200, { jobs: [job(JOB, 'running')] });
  });
  afterEach(async () => {
    store?.dispose();
    await server.close();
  });

  it('posts a snapshot on ready, then deltas that tile the metrics and the real reconnect attempts', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 50, checkpointEvery: 10 });
    // Dropped after 20 frames, then refused twice: three reconnection attempts in a row.
    server.on(
      'GET',
      `/v1/jobs/${JOB}/events/stream`,
      scriptedSse(server, frames, [{ dropAfter: 20 }, { status: 503 }, { status: 503 }, {}]),
    );
    await connect();
    const panel = openPanel(store);
    assert.equal(panel.channel.ready(), true);
    const watch = store.watch(JOB);
    await waitFor(() => store.stream(JOB).state === 'ended', 5000, 'the stream to end');
    await Promise.resolve();

    const [first, ...rest] = panel.posted;
    assert.equal(first?.type, 'snapshot');
    assert.ok(
      rest.every((m) => m.type !== 'snapshot'),
      'one snapshot: the rest are deltas',
    );

    // Stream banner: connecting, live, then the attempt number of each reconnection, then live again and ended.
    const streams: StreamView[] = panel.of('stream').map((m) => m.stream);
    const reconnecting = streams.flatMap((s) => (s.kind === 'reconnecting' ? [s.attempt] : []));
    assert.deepEqual(reconnecting, [1, 2, 3]);
    assert.ok(streams.every((s) => s.kind !== 'reconnecting' || typeof s.error === 'string'));
    assert.deepEqual(
      streams.map((s) => s.kind).filter((k, i, all) => k !== all[i - 1]),
      ['connecting', 'live', 'reconnecting', 'live', 'ended'],
    );

    // Metric deltas tile [0, 50) and carry receive times.
    let next = 0;
    for (const m of panel.of('metrics')) {
      assert.equal(m.from, next);
      next += m.rows.step.length;
      assert.ok(
        m.rows.time.every((t) => t > 0),
        'each row has its receive time',
      );
    }
    assert.equal(next, 50);
    const lastRows = panel.of('metrics').at(-1)?.rows;
    assert.equal(lastRows?.step.at(-1), 50);
    assert.equal(lastRows?.loss.at(-1), Math.fround(lossAt(50)));

    // Header updates: the final one is completed, with every checkpoint and its loss.
    const lastJob = panel.of('job').at(-1)?.job;
    assert.equal(lastJob?.status, 'completed');
    assert.equal(lastJob?.step, 50);
    assert.deepEqual(
      lastJob?.checkpoints.map((c) => [c.step, c.loss]),
      [10, 20, 30, 40, 50].map((s) => [s, Math.fround(lossAt(s))]),
    );
    // Log deltas: every line once (started + 50 ticks + 5 checkpoints + completed), formatted.
    const lines = panel.of('log').flatMap((m) => m.lines);
    assert.equal(lines.length, 57);
    assert.match(lines.at(-1) ?? '', /training\.completed\s+1 artifact\(s\)$/);
    watch.dispose();
    panel.close();
  });

  it('shows the pending attempt in the snapshot of a panel opened while reconnecting', async () => {
    server.on('GET', `/v1/jobs/${JOB}/events/stream`, ({ res }) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'busy' }));
    });
    await connect({ streamOptions: { backoff: { baseMs: 60_000, jitter: 0 } } });
    const watch = store.watch(JOB);
    await waitFor(() => store.stream(JOB).state === 'reconnecting', 2000, 'a reconnect wait');
    const panel = openPanel(store);
    panel.channel.ready();
    const snapshot = panel.of('snapshot')[0];
    assert.equal(snapshot?.stream.kind, 'reconnecting');
    assert.equal(snapshot?.stream.kind === 'reconnecting' && snapshot.stream.attempt, 1);
    watch.dispose();
    panel.close();
  });

  it('posts nothing while hidden, and a reopened panel gets every row with the time it was received', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const frames = jobReplay({ jobId: JOB, steps: 30 });
    server.on('GET', `/v1/jobs/${JOB}/events/stream`, scriptedSse(server, frames, [{}]));
    await connect({ now: () => (clock += 1000) });
    const panel = openPanel(store);
    panel.channel.ready();
    const watch = store.watch(JOB);
    await waitFor(() => store.stream(JOB).state === 'ended', 5000, 'the stream to end');
    await Promise.resolve();
    const live = panel.of('metrics');
    const liveTimes = live.flatMap((m) => Array.from(m.rows.time));
    assert.equal(liveTimes.length, 30);
    assert.ok(
      liveTimes.every((t, i) => i === 0 || t > (liveTimes[i - 1] ?? 0)),
      'distinct receive times',
    );

    // Hidden (the webview is torn down): changes are not posted...
    panel.channel.setVisible(false);
    const before = panel.posted.length;
    store.ingest(JOB, { type: 'note', jobId: JOB, timestamp: 't', message: 'while hidden' });
    await Promise.resolve();
    assert.equal(panel.posted.length, before);
    // ...and shown again, the remounted app's `ready` gets a snapshot that includes them.
    panel.channel.setVisible(true);
    panel.channel.ready();
    const again = panel.of('snapshot').at(-1);
    assert.equal(panel.posted.length, before + 1);
    assert.match(again?.logTail.at(-1) ?? '', /while hidden$/);

    // Closed and opened again: the store kept each row's receive time.
    panel.close();
    const reopened = openPanel(store);
    reopened.channel.ready();
    const snapshot = reopened.of('snapshot')[0];
    assert.deepEqual(Array.from(snapshot?.metrics.time ?? []), liveTimes);
    assert.deepEqual(Array.from(store.metricTimes(JOB)), liveTimes);
    assert.equal(snapshot?.job.status, 'completed');
    watch.dispose();
    reopened.close();
  });
});
