import assert from 'node:assert/strict';
import {
  ArkorApiClient,
  clientJobSource,
  JobHistoryLoader,
  JobStore,
  type TrainingJob,
} from '../../../src/core';
import { jobSummaries } from '../../../src/vscode/jobsViewFeed';
import { jobReplay, lossAt, scriptedSse, TestServer, waitFor } from '../helpers/testServer';

const scope = { orgSlug: 'acme', projectSlug: 'demo' };
const listed = (id: string, minute: number, status = 'completed'): TrainingJob => ({
  id,
  name: 'captain-speak',
  status,
  createdAt: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
  config: { maxSteps: 30 },
});

/**
 * After a window reload the store knows finished jobs only from the list: their rows had no
 * progress, sparkline or checkpoints. The loader reads each one's recorded events once, from a real
 * SSE server, a few at a time.
 */
describe('job history loader', () => {
  let server: TestServer;
  let store: JobStore;
  let loader: JobHistoryLoader | undefined;
  afterEach(async () => {
    loader?.dispose();
    store?.dispose();
    await server.close();
  });

  it('fills the rows of finished jobs nobody streamed, two streams at a time, and closes them', async () => {
    server = new TestServer();
    await server.listen();
    const ids = ['j5', 'j4', 'j3', 'j2', 'j1'];
    server.json('GET', '/v1/jobs', 200, { jobs: ids.map((id, i) => listed(id, 10 - i)) });
    let open = 0;
    let maxOpen = 0;
    for (const id of ids) {
      const replay = scriptedSse(server, jobReplay({ jobId: id, steps: 30, checkpointEvery: 10 }), [{}]);
      server.on('GET', `/v1/jobs/${id}/events/stream`, async (ctx) => {
        open++;
        maxOpen = Math.max(maxOpen, open);
        // Slow enough that the loader's limit, not the server's speed, decides how many are open.
        await new Promise((r) => setTimeout(r, 30));
        await replay(ctx);
        open--;
      });
    }
    const client = new ArkorApiClient({ baseUrl: server.url, getToken: () => 'tok', clientVersion: '0.0.3' });
    store = new JobStore({
      source: clientJobSource(client, scope),
      streamOptions: { backoff: { baseMs: 5 } },
    });
    await store.refresh();

    const before = jobSummaries(store);
    assert.ok(before.every((row) => row.step === undefined && row.checkpoints.length === 0));

    loader = new JobHistoryLoader(store);
    loader.request(ids);
    await waitFor(() => ids.every((id) => store.hasHistory(id)), 5000, 'every history to be read');

    assert.equal(maxOpen, 2, 'two streams at a time');
    assert.equal(store.openStreams, 0, 'no stream stays open for a finished job');
    assert.equal(loader.reading, 0);
    const rows = jobSummaries(store);
    for (const row of rows) {
      assert.equal(row.step, 30, `${row.label}: progress`);
      assert.equal(row.sparkline?.length, 30, `${row.label}: sparkline`);
      assert.deepEqual(
        row.checkpoints.map((c) => [c.step, c.loss]),
        [10, 20, 30].map((s) => [s, Math.fround(lossAt(s))]),
      );
    }
    assert.deepEqual(
      rows.map((r) => r.label),
      ['captain-speak #5', 'captain-speak #4', 'captain-speak #3', 'captain-speak #2', 'captain-speak #1'],
      'each run has its own label in every row',
    );

    // Asked again (the list changed): nothing is read twice.
    const streamed = server.requests.filter((r) => r.path.includes('/events/stream')).length;
    loader.request(ids);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.requests.filter((r) => r.path.includes('/events/stream')).length, streamed);
  });

  it('gives up a history that cannot be read, and goes on with the next', async () => {
    server = new TestServer();
    await server.listen();
    server.json('GET', '/v1/jobs', 200, { jobs: [listed('bad', 2), listed('good', 1)] });
    server.json('GET', '/v1/jobs/bad/events/stream', 503, { error: 'unavailable' });
    server.on(
      'GET',
      '/v1/jobs/good/events/stream',
      scriptedSse(server, jobReplay({ jobId: 'good', steps: 5 }), [{}]),
    );
    const client = new ArkorApiClient({ baseUrl: server.url, getToken: () => 'tok', clientVersion: '0.0.3' });
    store = new JobStore({
      source: clientJobSource(client, scope),
      streamOptions: { backoff: { baseMs: 5 } },
    });
    await store.refresh();
    loader = new JobHistoryLoader(store, 1);
    loader.request(['bad', 'good']);
    await waitFor(() => store.hasHistory('good'), 5000, 'the good job after the bad one');
    assert.equal(store.openStreams, 0, 'the failing stream was given up, not left retrying');
    assert.equal(
      jobSummaries(store).find((r) => r.id === 'bad')?.status,
      'completed',
      'its row keeps the list status',
    );
  });
});
