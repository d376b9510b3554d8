/**
 * Event frames as lenient as the real SDK (docs/wire-protocol.md, "Job events"): it does not validate frames, it dispatches
 * on the payload's `type`. Frames without `jobId` or `timestamp` still count, unknown types reach the
 * job's log, and garbage is skipped with a note. Each test runs a real loopback SSE server into a
 * real job store.
 */
import assert from 'node:assert/strict';
import { ArkorApiClient, clientJobSource, JobStore, parseJobEventData } from '../../../src/core';
import { encodeFrame, startSse, TestServer, waitFor } from '../helpers/testServer';

const scope = { orgSlug: 'acme', projectSlug: 'demo' };
const JOB = 'job-lenient';
const PATH = `/v1/jobs/${JOB}/events/stream`;
const RECEIVED = Date.parse('2026-03-04T05:06:07.000Z');

describe('lenient job event frames', () => {
  let server: TestServer;
  let client: ArkorApiClient;
  let store: JobStore | undefined;

  beforeEach(async () => {
    server = new TestServer();
    await server.listen();
    client = new ArkorApiClient({
      baseUrl: server.url,
      getToken: () => 'tok_lenient_123456',
      clientVersion: '0.0.3',
    });
  });
  afterEach(async () => {
    store?.dispose();
    store = undefined;
    await server.close();
  });

  /** Serve `frames` (raw SSE text) on one connection, then run the store until the stream ends. */
  async function ingest(frames: string[]) {
    server.on('GET', PATH, ({ res }) => {
      startSse(res);
      for (const f of frames) res.write(f);
      res.end();
    });
    server.json('GET', '/v1/jobs', 200, {
      jobs: [{ id: JOB, name: 'lenient', status: 'running', config: {} }],
    });
    store = new JobStore({
      source: clientJobSource(client, scope),
      streamOptions: { backoff: { baseMs: 5, capMs: 40 } },
      now: () => RECEIVED,
    });
    await store.refresh();
    const watch = store.watch(JOB);
    await waitFor(() => store?.snapshot(JOB).stream.state === 'ended', 3000, 'stream end');
    await Promise.resolve();
    watch.dispose();
    return store.snapshot(JOB);
  }

  const frame = (id: string, event: string | undefined, data: unknown) =>
    encodeFrame({ id, event, data: typeof data === 'string' ? data : JSON.stringify(data) });

  it('uses frames without jobId and timestamp: metrics, checkpoints, status', async () => {
    const snap = await ingest([
      frame('1', 'training.started', { type: 'training.started' }),
      frame('2', 'training.log', { type: 'training.log', step: 1, loss: 2.5 }),
      frame('3', 'training.log', { type: 'training.log', step: 2, loss: 2.25, evalLoss: 2.4 }),
      frame('4', 'checkpoint.saved', { type: 'checkpoint.saved', step: 2 }),
      // No `type` in the payload: the SSE event name decides, as the browser SPA does.
      frame('5', 'training.log', { step: 3, loss: 2 }),
      frame('6', 'training.completed', { type: 'training.completed', artifacts: [{ pathname: 'a' }] }),
    ]);
    assert.deepEqual([...snap.metrics.step], [1, 2, 3]);
    assert.deepEqual([...snap.metrics.loss], [2.5, 2.25, 2]);
    assert.equal(snap.metrics.evalLoss[1], Math.fround(2.4));
    assert.deepEqual(snap.checkpoints, [
      { step: 2, timestamp: new Date(RECEIVED).toISOString(), artifacts: [] },
    ]);
    assert.equal(snap.status, 'completed');
    assert.equal(snap.artifacts, 1);
    assert.deepEqual(
      snap.log.map((l) => [l.type, l.text]),
      [
        [
          'training.started',
          JSON.stringify({
            type: 'training.started',
            jobId: JOB,
            timestamp: new Date(RECEIVED).toISOString(),
          }),
        ],
        ['training.log', 'step=1 loss=2.5000'],
        ['training.log', 'step=2 loss=2.2500 evalLoss=2.4000'],
        ['checkpoint.saved', 'step=2'],
        ['training.log', 'step=3 loss=2.0000'],
        ['training.completed', '1 artifact(s)'],
      ],
    );
  });

  it('keeps unknown event types in the log and skips unparseable data with a note', async () => {
    const snap = await ingest([
      frame('1', 'log', { type: 'log', line: 'warning: optim "adamw_8bit" is not implemented' }),
      frame('2', 'status', { type: 'status', status: 'running' }),
      frame('3', 'training.paused', { type: 'training.paused', jobId: JOB, timestamp: 't', reason: 'x' }),
      frame('4', 'training.log', '{"type":"training.log", broken'),
      frame('5', 'training.log', { type: 'training.log', step: 7, loss: 'n/a', learningRate: 0.001 }),
      frame('6', 'training.log', { type: 'training.log', loss: 1 }),
      frame('7', 'training.failed', { type: 'training.failed' }),
    ]);
    assert.deepEqual(
      snap.log.map((l) => [l.type, l.text]),
      [
        ['log', 'warning: optim "adamw_8bit" is not implemented'],
        ['status', '{"status":"running"}'],
        ['training.paused', '{"reason":"x"}'],
        [
          'note',
          'Skipped an event whose data is not a JSON object (event: training.log): {"type":"training.log", broken',
        ],
        ['training.log', 'step=7'],
        ['note', snap.log[5]?.text ?? ''],
        ['training.failed', 'The backend reported a failure without an error message.'],
      ],
    );
    assert.match(snap.log[5]?.text ?? '', /^Skipped a training\.log event \(step: .*\): \{"loss":1\}$/);
    // The string loss reads as missing; the learning rate of the same frame is kept.
    assert.deepEqual([...snap.metrics.step], [7]);
    assert.ok(Number.isNaN(snap.metrics.loss[0]));
    assert.equal(snap.metrics.learningRate[0], Math.fround(0.001));
    // A failure without an error text is still terminal.
    assert.equal(snap.status, 'failed');
    assert.equal(snap.error, 'The backend reported a failure without an error message.');
  });

  it('parses data on its own, filling what is missing from the stream', () => {
    const now = () => RECEIVED;
    const iso = new Date(RECEIVED).toISOString();
    assert.deepEqual(
      parseJobEventData('{"type":"training.log","step":"4","loss":null}', { jobId: JOB, now }),
      {
        parsed: true,
        event: { type: 'training.log', jobId: JOB, timestamp: iso, step: 4, loss: null },
      },
    );
    // An explicit jobId and a numeric (epoch ms) timestamp are honoured.
    const other = parseJobEventData(JSON.stringify({ type: 'x', jobId: 'j2', timestamp: 0, a: 1 }), {
      jobId: JOB,
      now,
    });
    assert.deepEqual(other, {
      parsed: true,
      event: {
        type: 'other',
        jobId: 'j2',
        timestamp: new Date(0).toISOString(),
        name: 'x',
        payload: { a: 1 },
      },
    });
    for (const data of ['', 'null', '42', '"str"', '[1]', '{']) {
      const r = parseJobEventData(data, { jobId: JOB, now });
      assert.equal(r.parsed, false, data);
      assert.equal(r.event.type, 'note', data);
    }
  });
});
