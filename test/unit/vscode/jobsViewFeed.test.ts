import assert from 'node:assert/strict';
import { ArkorApiClient, clientJobSource, JobStore, type TrainingJob } from '../../../src/core';
import { DETAIL_ROWS, needsDetail, unpackJobRows } from '../../../src/jobRows';
import type { BackendInfo, HostToJobsView, JobSummary } from '../../../src/protocol';
import {
  JobsViewFeed,
  jobSummaries,
  jobSummary,
  mergeChanges,
  rowsTouched,
  runningJobs,
} from '../../../src/vscode/jobsViewFeed';
import { recordingChannel } from '../helpers/recordingChannel';
import { jobReplay, lossAt, scriptedSse, TestServer, waitFor } from '../helpers/testServer';

/**
 * What the jobs view host posts, from a real job store fed by a real SSE server: the view host is
 * JobsViewFeed behind a WebviewChannel plus VS Code glue (jobsView.ts), so these are its messages.
 */

const scope = { orgSlug: 'acme', projectSlug: 'demo' };
const job = (id: string, status: string): TrainingJob => ({
  id,
  name: `run-${id}`,
  status,
  createdAt: '2026-01-01T00:00:00.000Z',
  config: { maxSteps: 40 },
});

describe('jobs view host: what it posts, from a real store and SSE server', () => {
  let server: TestServer;
  let store: JobStore;
  afterEach(async () => {
    store?.dispose();
    await server.close();
  });

  it('posts nothing before ready or while hidden, a snapshot on each mount, and job deltas while shown', async () => {
    server = new TestServer();
    await server.listen();
    let listed = [job('a', 'running')];
    server.on('GET', '/v1/jobs', ({ res }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jobs: listed }));
    });
    server.on(
      'GET',
      '/v1/jobs/a/events/stream',
      scriptedSse(server, jobReplay({ jobId: 'a', steps: 40, checkpointEvery: 20 }), [{}]),
    );
    server.on(
      'GET',
      '/v1/jobs/b/events/stream',
      scriptedSse(server, jobReplay({ jobId: 'b', steps: 10 }), [{}]),
    );
    const client = new ArkorApiClient({ baseUrl: server.url, getToken: () => 'tok', clientVersion: '0.0.3' });
    store = new JobStore({
      source: clientJobSource(client, scope),
      streamOptions: { backoff: { baseMs: 5 } },
    });
    await store.refresh();

    const backend: BackendInfo = { kind: 'local', label: 'Local backend · 127.0.0.1' };
    let feed: JobsViewFeed | undefined;
    const { channel, posted } = recordingChannel<HostToJobsView>('the test jobs view', () =>
      feed?.snapshot(),
    );
    // How often the whole list is summarised: a live update must not (it costs O(jobs)).
    let listBuilds = 0;
    feed = new JobsViewFeed(
      {
        jobs: () => {
          listBuilds++;
          return jobSummaries(store);
        },
        job: (id) => jobSummary(store, id),
        backend: () => backend,
      },
      () => true,
      channel,
    );
    // As SessionJobsSource forwards the store (minus its throttle).
    store.onDidChange((change) => {
      if (change.kind === 'pollError') feed?.backendChanged();
      const touched = rowsTouched(change);
      if (touched) feed?.jobsChanged(touched);
    });
    channel.attach();

    // Not mounted yet: a whole run streams in and nothing is posted.
    const watchA = store.watch('a');
    await waitFor(() => store.stream('a').state === 'ended', 5000, 'job a to end');
    await Promise.resolve();
    assert.equal(posted.length, 0);

    channel.ready();
    assert.equal(posted.length, 1);
    const snapshot = posted[0];
    assert.equal(snapshot?.type, 'snapshot');
    if (snapshot?.type !== 'snapshot') return;
    assert.equal(snapshot.trusted, true);
    assert.deepEqual(snapshot.backend, backend);
    const listedRows = unpackJobRows(snapshot.rows);
    assert.equal(listedRows.length, 1);
    const row = listedRows[0];
    assert.equal(row?.status, 'completed', 'the live status, merged into the listed one');
    assert.equal(row?.step, 40);
    assert.equal(row?.maxSteps, 40);
    assert.equal(row?.lastLoss, Math.fround(lossAt(40)));
    assert.equal(row?.sparkline?.length, 40);
    assert.deepEqual(
      row?.checkpoints.map((c) => [c.step, c.loss]),
      [20, 40].map((s) => [s, Math.fround(lossAt(s))]),
    );

    // Shown: a new job in the list and its live progress arrive as `jobs` deltas.
    listed = [job('b', 'running'), job('a', 'completed')];
    await store.refresh();
    const watchB = store.watch('b');
    await waitFor(() => store.stream('b').state === 'ended', 5000, 'job b to end');
    await Promise.resolve();
    // A new id is the whole list; then only job b's live progress, as patches that never carry a.
    const deltas = posted.slice(1);
    assert.ok(deltas.length >= 2);
    assert.equal(deltas[0]?.type, 'jobs');
    const patches = deltas.filter((m) => m.type === 'jobsPatch');
    assert.ok(patches.length >= 1, 'live progress arrives as patches');
    assert.ok(patches.every((m) => m.jobs.every((j) => j.id === 'b')));
    assert.equal(
      listBuilds,
      1 + deltas.filter((m) => m.type === 'jobs').length,
      'the whole list is summarised for the snapshot and each list change only, never for live progress',
    );
    // What the view holds after applying the deltas in order.
    let view = listedRows;
    for (const m of deltas) {
      if (m.type === 'jobs') view = unpackJobRows(m.rows);
      else if (m.type === 'jobsPatch') view = view.map((j) => m.jobs.find((p) => p.id === j.id) ?? j);
    }
    assert.deepEqual(
      view.map((j) => [j.id, j.status, j.step]),
      [
        ['b', 'completed', 10],
        ['a', 'completed', 40],
      ],
    );
    assert.deepEqual(view, jobSummaries(store), 'the patched view equals the store');
    assert.equal(runningJobs(store), 0);

    // Hidden: torn down, nothing posted; shown and mounted again: one snapshot with the latest list.
    channel.setVisible(false);
    const count = posted.length;
    listed = [job('c', 'queued'), ...listed];
    await store.refresh();
    await Promise.resolve();
    channel.setVisible(true);
    assert.equal(posted.length, count);
    channel.ready();
    assert.equal(posted.length, count + 1);
    const remount = posted.at(-1);
    assert.deepEqual(remount?.type === 'snapshot' && unpackJobRows(remount.rows).map((j) => j.id), [
      'c',
      'b',
      'a',
    ]);
    watchA.dispose();
    watchB.dispose();
    channel.dispose();
  });
});

describe('jobs view host: which rows a change touches', () => {
  it('names the job of a status, metrics or checkpoints change, any row for a list, none for logs', () => {
    assert.deepEqual(rowsTouched({ kind: 'metrics', jobId: 'a', from: 0, to: 1 }), {
      jobIds: new Set(['a']),
    });
    assert.deepEqual(rowsTouched({ kind: 'checkpoints', jobId: 'a', checkpoints: [] }), {
      jobIds: new Set(['a']),
    });
    assert.deepEqual(rowsTouched({ kind: 'jobs', jobs: [] }), {});
    assert.deepEqual(rowsTouched({ kind: 'pollOk' }), {});
    assert.equal(rowsTouched({ kind: 'log', jobId: 'a', lines: [], total: 0 }), undefined);
  });

  it('merges the changes waiting for one update: ids add up, a change of any row wins', () => {
    const a = { jobIds: new Set(['a']) };
    const b = { jobIds: new Set(['b', 'a']) };
    assert.deepEqual(mergeChanges(undefined, a), a);
    assert.deepEqual(mergeChanges(a, b), { jobIds: new Set(['a', 'b']) });
    assert.deepEqual(mergeChanges(a, {}), {});
    assert.deepEqual(mergeChanges({}, b), {});
  });
});

describe('jobs view host: the detail of rows the view shows', () => {
  const summary = (i: number): JobSummary => ({
    id: `j${i}`,
    name: 'poet',
    label: `poet #${i}`,
    status: 'completed',
    createdAt: '2026-01-01T00:00:00.000Z',
    sparkline: [3, 2, 1],
    checkpoints: [{ step: 10, savedAt: '2026-01-01T00:01:00.000Z', loss: 1 }],
  });

  it('sends the top rows whole and any other listed row whole when the view asks for it', () => {
    const jobs = Array.from({ length: DETAIL_ROWS + 10 }, (_, i) => summary(i));
    let feed: JobsViewFeed | undefined;
    const { channel, posted } = recordingChannel<HostToJobsView>('the test jobs view', () =>
      feed?.snapshot(),
    );
    feed = new JobsViewFeed(
      {
        jobs: () => jobs,
        job: (id) => jobs.find((j) => j.id === id),
        backend: () => ({ kind: 'local', label: 'Local backend' }),
      },
      () => true,
      channel,
    );
    channel.attach();
    channel.ready();
    const snapshot = posted[0];
    assert.ok(snapshot?.type === 'snapshot');
    const listed = unpackJobRows(snapshot.rows);
    assert.deepEqual(
      listed.map((j) => needsDetail(j)),
      jobs.map((_, i) => i >= DETAIL_ROWS),
    );
    const last = `j${DETAIL_ROWS + 9}`;
    feed.details([last, 'not-listed']);
    assert.deepEqual(posted.slice(1), [{ type: 'jobsPatch', jobs: [jobs.at(-1)] }]);
    channel.dispose();
  });
});
