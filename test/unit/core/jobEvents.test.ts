import assert from 'node:assert/strict';
import {
  type ArkorApiClient,
  ArkorApiError,
  backoffDelay,
  type JobEvent,
  type JobStreamStatus,
  SeenEventIds,
} from '../../../src/core';
import {
  encodeFrame,
  type Frame,
  jobReplay,
  scriptedSse,
  startSse,
  type TestServer,
  waitFor,
} from '../helpers/testServer';
import { listeningWithClient } from '../helpers/testServerClient';

const TOKEN = 'tok_secret_abcdef123456';
const scope = { orgSlug: 'org one', projectSlug: 'proj/1' };
const JOB = 'job-1';
const PATH = `/v1/jobs/${JOB}/events/stream`;
const fast = { baseMs: 5, capMs: 40 };

describe('job event stream', () => {
  let server: TestServer;
  let client: ArkorApiClient;

  beforeEach(async () => ({ server, client } = await listeningWithClient(TOKEN)));
  afterEach(() => server.close());

  /** Run the stream and collect what the consumer saw. */
  async function collect(
    opts: { maxReconnectAttempts?: number; idleTimeoutMs?: number; signal?: AbortSignal } = {},
  ) {
    const seen: Array<{ id: string | undefined; event: JobEvent }> = [];
    const statuses: JobStreamStatus[] = [];
    const result = await client.streamJobEvents(scope, JOB, {
      onEvent: (event, id) => seen.push({ id, event }),
      onStatus: (s) => statuses.push(s),
      backoff: fast,
      ...opts,
    });
    return { seen, statuses, result };
  }

  const ids = (seen: Array<{ id: string | undefined }>) => seen.map((s) => s.id);
  const frameIds = (frames: Frame[]) => frames.map((f) => f.id);

  it('delivers every event once, in order, and sends the protocol headers', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 5, checkpointEvery: 2 });
    server.on('GET', PATH, scriptedSse(server, frames, [{}]));
    const { seen, result } = await collect();
    assert.deepEqual(ids(seen), frameIds(frames));
    assert.deepEqual(
      seen.map((s) => s.event.type),
      [
        'training.started',
        ...Array(2).fill(['training.log', 'training.log', 'checkpoint.saved']).flat(),
        'training.log',
        'training.completed',
      ],
    );
    assert.equal(result.reason, 'training.completed');
    assert.equal(result.connections, 1);
    const req = server.requestsTo(PATH)[0];
    assert.equal(req?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req?.headers['x-arkor-client'], 'arkor/0.0.3-alpha.1');
    assert.equal(req?.headers.accept, 'text/event-stream');
    assert.equal(req?.headers['last-event-id'], undefined);
    assert.equal(req?.query.get('orgSlug'), 'org one');
    assert.equal(req?.query.get('projectSlug'), 'proj/1');
  });

  it('survives the connection dropping several times, resuming with Last-Event-ID', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 20 });
    server.on(
      'GET',
      PATH,
      scriptedSse(server, frames, [{ dropAfter: 3 }, { dropAfter: 5 }, { dropAfter: 1 }, {}]),
    );
    const { seen, result } = await collect();
    assert.deepEqual(ids(seen), frameIds(frames), 'no loss, no duplicates');
    assert.equal(result.connections, 4);
    assert.deepEqual(
      server.requestsTo(PATH).map((r) => r.headers['last-event-id']),
      [undefined, '3', '8', '9'],
    );
  });

  it('never delivers a replayed event, even when the server ignores Last-Event-ID', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 10, ids: 'iso' });
    server.on(
      'GET',
      PATH,
      scriptedSse(server, frames, [
        { dropAfter: 4 },
        { ignoreLastEventId: true, dropAfter: 7 },
        { ignoreLastEventId: true },
      ]),
    );
    const { seen } = await collect();
    assert.deepEqual(ids(seen), frameIds(frames));
  });

  it('reconnects after the server restarts on the same port', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 12 });
    // First connection: 4 frames then the whole server crashes and comes back; the reborn server
    // replays from the start (it lost its position), and drops once more.
    server.on(
      'GET',
      PATH,
      scriptedSse(server, frames, [{ restartAfter: 4 }, { ignoreLastEventId: true, restartAfter: 9 }, {}]),
    );
    const { seen, statuses, result } = await collect();
    assert.deepEqual(ids(seen), frameIds(frames));
    assert.equal(result.reason, 'training.completed');
    assert.ok(result.connections >= 3);
    assert.ok(statuses.some((s) => s.state === 'waiting'));
  });

  it('parses frames split at every byte boundary (including inside multi-byte characters)', async () => {
    const frames: Frame[] = [
      {
        id: '1',
        event: 'training.started',
        data: JSON.stringify({ type: 'training.started', jobId: JOB, timestamp: 't' }),
      },
      {
        id: '2',
        event: 'training.log',
        data: JSON.stringify({ type: 'training.log', jobId: JOB, timestamp: 't', step: 1, loss: 0.5 }),
      },
      {
        id: '3',
        event: 'training.failed',
        data: JSON.stringify({
          type: 'training.failed',
          jobId: JOB,
          timestamp: 't',
          error: 'données ✗ 失敗',
        }),
      },
    ];
    server.on('GET', PATH, scriptedSse(server, frames, [{ byteByByte: true }]));
    const { seen, result } = await collect();
    assert.deepEqual(ids(seen), ['1', '2', '3']);
    const failed = seen[2]?.event;
    assert.equal(failed?.type === 'training.failed' && failed.error, 'données ✗ 失敗');
    assert.equal(result.reason, 'training.failed');
  });

  it('skips pings and comments, and turns malformed JSON and unknown types into log events', async () => {
    const ev = (id: string, type: string, extra: object = {}) => ({
      id,
      event: type,
      data: JSON.stringify({ type, jobId: JOB, timestamp: 't', ...extra }),
    });
    server.on('GET', PATH, ({ res }) => {
      startSse(res);
      res.write(': keepalive comment\n\n');
      res.write(encodeFrame(ev('1', 'training.log', { step: 1, loss: 1 })));
      res.write(encodeFrame({ id: '2', event: 'training.log', data: '{"type":"training.log", broken' }));
      res.write(encodeFrame({ event: 'ping', data: '' }));
      res.write(encodeFrame(ev('3', 'training.paused')));
      res.write(encodeFrame(ev('4', 'status', { status: 'running' })));
      res.write(encodeFrame(ev('5', 'training.log', { loss: 2 }))); // known type, missing step
      res.write(encodeFrame(ev('6', 'training.log', { step: 2, loss: null, evalLoss: 0.4 })));
      res.write(encodeFrame(ev('7', 'training.completed', { artifacts: [] })));
      res.end();
    });
    const { seen, result } = await collect();
    // Nothing is silently lost: the unusable frames arrive as notes, unknown types as `other`.
    assert.deepEqual(
      seen.map((s) => [s.id, s.event.type]),
      [
        ['1', 'training.log'],
        ['2', 'note'],
        ['3', 'other'],
        ['4', 'other'],
        ['5', 'note'],
        ['6', 'training.log'],
        ['7', 'training.completed'],
      ],
    );
    const other = seen[2]?.event;
    assert.equal(other?.type === 'other' && other.name, 'training.paused');
    assert.match(seen[1]?.event.type === 'note' ? seen[1].event.message : '', /not a JSON object/);
    assert.match(seen[4]?.event.type === 'note' ? seen[4].event.message : '', /training\.log.*step/);
    assert.equal(result.lastEventId, '7');
  });

  it('retries a 500 and a 503, then recovers', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 3 });
    server.on(
      'GET',
      PATH,
      scriptedSse(server, frames, [{ status: 500, body: '{"error":"boom"}' }, { status: 503 }, {}]),
    );
    const { seen, statuses } = await collect();
    assert.deepEqual(ids(seen), frameIds(frames));
    const errors = statuses.flatMap((s) => (s.state === 'waiting' && s.error ? [s.error] : []));
    assert.deepEqual(
      errors.map((e) => [e.kind, e.status, e.retryable]),
      [
        ['server', 500, true],
        ['server', 503, true],
      ],
    );
    assert.match(errors[0]?.message ?? '', /server error \(HTTP 500: boom\)/);
  });

  it('retries a 404 (a job that was just created may not be visible yet)', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 2 });
    server.on(
      'GET',
      PATH,
      scriptedSse(server, frames, [{ status: 404, body: '{"error":"job not found"}' }, {}]),
    );
    const { seen } = await collect();
    assert.deepEqual(ids(seen), frameIds(frames));
  });

  it('gives up at once on 401 and never shows the token', async () => {
    server.on('GET', PATH, ({ res }) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `invalid token ${TOKEN}` }));
    });
    const err = await collect().then(
      () => assert.fail('expected rejection'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ArkorApiError);
    assert.equal(err.kind, 'auth');
    assert.equal(err.status, 401);
    assert.equal(err.retryable, false);
    assert.match(err.message, /Sign in again/);
    assert.ok(!err.message.includes(TOKEN), err.message);
    assert.ok(!JSON.stringify({ ...err, message: err.message }).includes(TOKEN));
    assert.equal(server.requestsTo(PATH).length, 1);
  });

  for (const [status, kind] of [
    [403, 'auth'],
    [410, 'not-found'],
  ] as const) {
    it(`gives up at once on ${status}`, async () => {
      server.on('GET', PATH, ({ res }) => {
        res.writeHead(status);
        res.end();
      });
      await assert.rejects(
        collect(),
        (e: unknown) => e instanceof ArkorApiError && e.kind === kind && e.status === status,
      );
      assert.equal(server.requestsTo(PATH).length, 1);
    });
  }

  it('gives up on 426 and shows the upgrade command from the JSON body', async () => {
    server.json('GET', PATH, 426, {
      error: 'sdk_version_unsupported',
      currentVersion: '0.0.3-alpha.1',
      supportedRange: '>=0.1.0',
      upgrade: 'npm i arkor@latest',
    });
    const err = await collect().catch((e: unknown) => e);
    assert.ok(err instanceof ArkorApiError);
    assert.equal(err.kind, 'upgrade');
    assert.equal(err.upgrade, 'npm i arkor@latest');
    assert.equal(
      err.message,
      'Arkor no longer accepts this client (arkor/0.0.3-alpha.1). Supported versions: >=0.1.0. Upgrade with `npm i arkor@latest`.',
    );
    assert.equal(server.requestsTo(PATH).length, 1);
  });

  it('gives up on 426 without a JSON body and still says to upgrade', async () => {
    server.on('GET', PATH, ({ res }) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('Upgrade Required');
    });
    const err = await collect().catch((e: unknown) => e);
    assert.ok(err instanceof ArkorApiError);
    assert.equal(err.kind, 'upgrade');
    assert.equal(
      err.message,
      'Arkor no longer accepts this client (arkor/0.0.3-alpha.1). Upgrade the arkor package in this workspace (npm i arkor@latest).',
    );
  });

  it('treats a stalled stream as a timeout and reconnects', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 6 });
    server.on('GET', PATH, scriptedSse(server, frames, [{ stallAfter: 3 }, {}]));
    const { seen, statuses } = await collect({ idleTimeoutMs: 150 });
    assert.deepEqual(ids(seen), frameIds(frames));
    const waiting = statuses.find((s) => s.state === 'waiting');
    assert.equal(waiting?.state === 'waiting' && waiting.error?.kind, 'timeout');
    assert.match(
      waiting?.state === 'waiting' ? (waiting.error?.message ?? '') : '',
      /sent nothing .* for 0 s|stalled/,
    );
    await waitFor(() => server.aborted.length === 1, 1000, 'stalled connection closed by the client');
  });

  it('stops at `end` without reconnecting', async () => {
    server.on('GET', PATH, ({ res }) => {
      startSse(res);
      res.write(
        encodeFrame({
          id: 'a',
          event: 'training.log',
          data: JSON.stringify({ type: 'training.log', jobId: JOB, timestamp: 't', step: 1 }),
        }),
      );
      res.write('event: end\ndata:\n\n');
      // The connection stays open: the client must stop on its own.
    });
    const { seen, result } = await collect();
    assert.deepEqual(
      seen.map((s) => s.event.type),
      ['training.log', 'end'],
    );
    assert.equal(result.reason, 'end');
    assert.equal(result.connections, 1);
    await waitFor(() => server.aborted.length === 1, 1000, 'client closing the stream');
  });

  it('counts an EOF before any event as a failure and honours maxReconnectAttempts', async () => {
    server.on('GET', PATH, ({ res }) => {
      startSse(res);
      res.end('event: ping\ndata:\n\n: only keepalives\n\n');
    });
    const statuses: JobStreamStatus[] = [];
    const err = await client
      .streamJobEvents(scope, JOB, {
        onEvent: () => assert.fail('no events expected'),
        onStatus: (s) => statuses.push(s),
        backoff: fast,
        maxReconnectAttempts: 2,
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ArkorApiError);
    assert.equal(err.kind, 'network');
    assert.match(err.message, /closed before sending any event/);
    assert.equal(server.requestsTo(PATH).length, 3);
  });

  it('waits exactly `base` after a clean EOF that followed data', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 4 });
    server.on('GET', PATH, scriptedSse(server, frames, [{ endAfter: 2 }, { endAfter: 2 }, {}]));
    const { seen, statuses } = await collect();
    assert.deepEqual(ids(seen), frameIds(frames));
    const waits = statuses.filter((s) => s.state === 'waiting');
    assert.deepEqual(
      waits.map((s) => s.state === 'waiting' && [s.delayMs, s.error]),
      [
        [5, undefined],
        [5, undefined],
      ],
    );
  });

  it('stops promptly when aborted and closes the connection', async () => {
    server.on('GET', PATH, ({ res }) => {
      startSse(res);
      res.write(
        encodeFrame({
          id: '1',
          event: 'training.log',
          data: JSON.stringify({ type: 'training.log', jobId: JOB, timestamp: 't', step: 1 }),
        }),
      );
    });
    const controller = new AbortController();
    const seen: JobEvent[] = [];
    const done = client.streamJobEvents(scope, JOB, {
      signal: controller.signal,
      onEvent: (e) => {
        seen.push(e);
        controller.abort();
      },
    });
    const result = await done;
    assert.equal(result.reason, 'aborted');
    assert.equal(seen.length, 1);
    await waitFor(() => server.aborted.length === 1, 1000, 'server seeing the socket close');
  });

  it('rejects without reconnecting when the consumer throws', async () => {
    const frames = jobReplay({ jobId: JOB, steps: 3 });
    server.on('GET', PATH, scriptedSse(server, frames, [{}]));
    await assert.rejects(
      client.streamJobEvents(scope, JOB, {
        onEvent: (e) => {
          if (e.type === 'training.log') throw new Error('consumer broke');
        },
        backoff: fast,
      }),
      /consumer broke/,
    );
    assert.equal(server.requestsTo(PATH).length, 1);
  });
});

describe('backoff and dedupe helpers', () => {
  it('doubles from base, caps, and jitters by at most 25 %', () => {
    const mid = () => 0.5;
    assert.deepEqual(
      [0, 1, 2, 3, 6, 7, 20].map((a) => backoffDelay(a, { random: mid })),
      [1000, 2000, 4000, 8000, 60000, 60000, 60000],
    );
    assert.equal(backoffDelay(0, { random: () => 0 }), 750);
    assert.equal(backoffDelay(0, { random: () => 1 }), 1250);
    assert.equal(backoffDelay(10, { random: () => 1 }), 60000, 'clamped to cap after jitter');
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(2);
      assert.ok(d >= 3000 && d <= 5000, String(d));
    }
  });

  it('remembers numeric ids by their maximum and other ids exactly', () => {
    const seen = new SeenEventIds();
    assert.equal(seen.add('1'), true);
    assert.equal(seen.add('2'), true);
    assert.equal(seen.add('2'), false);
    assert.equal(seen.add('1'), false);
    assert.equal(seen.add('2026-01-01T00:00:00Z'), true);
    assert.equal(seen.add('2026-01-01T00:00:00Z'), false);
    assert.equal(seen.add('3'), true);
    assert.equal(seen.has('3'), true);
    assert.equal(seen.has('4'), false);
  });
});
