import * as assert from 'node:assert/strict';
import { act, cleanup, fireEvent, render } from '@testing-library/preact';
import type { HostToJobPanel, JobDetail, JobPanelToHost, MetricColumns } from '../../src/protocol';
import { JobApp } from '../../webview-ui/jobPanel/JobApp';
import { metricColumns } from './columns';
import { FakeHost } from './fakeChannel';
import { ManualFrames } from './frames';

/**
 * A long run's panel (an overview snapshot, then every row in chunks it asks for): what it shows
 * while loading, and that once loaded everything reads every row.
 */

const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);
const ROWS = 300;

const job: JobDetail = {
  id: 'job-long',
  name: 'long-run',
  label: 'long-run #1',
  status: 'completed',
  createdAt: new Date(T0 - 60_000).toISOString(),
  startedAt: new Date(T0).toISOString(),
  completedAt: new Date(T0 + ROWS * 500).toISOString(),
  maxSteps: ROWS,
  checkpoints: [{ step: 150, savedAt: new Date(T0 + 75_000).toISOString(), loss: 2 }],
  config: {},
};

/** Rows of steps `[from, to)`, as the host's store holds them. */
function rows(
  from: number,
  to: number,
  evalAt = (s: number): number | null => (s % 10 === 0 ? 2 : null),
): MetricColumns {
  const step = Array.from({ length: to - from }, (_, i) => from + i);
  return metricColumns({
    step,
    loss: step.map((s) => 3 / (1 + s / 50)),
    evalLoss: step.map(evalAt),
    learningRate: step.map(() => 2e-4),
    time: step.map((s) => T0 + s * 500),
  });
}

/** A few of the rows of `rows(1, ROWS + 1)`: what the host's overview would pick. */
function overview(): MetricColumns {
  const all = rows(1, ROWS + 1);
  const at = [0, 60, 119, 180, 240, ROWS - 1]; // 119: step 120, with an eval loss
  const pick = <T extends Float32Array | Float64Array>(c: T) => c.filter((_, i) => at.includes(i)) as T;
  return {
    step: pick(all.step),
    loss: pick(all.loss),
    evalLoss: pick(all.evalLoss),
    learningRate: pick(all.learningRate),
    time: pick(all.time),
  };
}

/** What the host sends first for a run of ROWS rows: the overview, and how many rows will follow. */
const overviewSnapshot = (): HostToJobPanel => ({
  type: 'snapshot',
  job,
  metrics: overview(),
  overview: { rows: ROWS },
  logTail: [],
  stream: { kind: 'ended' },
});

async function mountLoading() {
  const host = new FakeHost<HostToJobPanel, JobPanelToHost>();
  const frames = new ManualFrames();
  const view = render(<JobApp channel={host} raf={frames} />);
  await act(() => host.send(overviewSnapshot()));
  await act(() => frames.frame());
  const asks = () => host.posted.filter((m) => m.type === 'moreRows').length;
  const chunk = async (from: number, to: number, load?: 'more' | 'last') => {
    await act(() => host.send({ type: 'metrics', from: from - 1, rows: rows(from, to), load }));
    await act(() => frames.frame());
  };
  return {
    view,
    host,
    frames,
    asks,
    chunk,
    points: () => Number(view.getByTestId('loss-chart').dataset.points),
  };
}

async function openStatistics(view: ReturnType<typeof render>) {
  const section = view.getByTestId('statistics') as HTMLDetailsElement;
  section.open = true;
  const win = section.ownerDocument.defaultView as Window & typeof globalThis;
  await act(() => {
    section.dispatchEvent(new win.Event('toggle'));
  });
}

describe('job panel: a long run loading', () => {
  afterEach(cleanup);

  it('draws the overview at once, says it is loading, and asks for one chunk per frame', async () => {
    const { view, asks, chunk, frames, points } = await mountLoading();
    assert.equal(points(), 6, 'the overview is drawn');
    const note = view.getByTestId('chart-loading');
    assert.match(note.querySelector('[role="status"]')!.textContent!, /Loading 300 points…/);
    const progress = view.getByTestId('chart-loading-progress') as HTMLProgressElement;
    assert.equal(progress.getAttribute('aria-label'), 'Points loaded of 300');
    assert.equal(progress.value, 0);
    assert.match(note.textContent!, /0%/);
    assert.equal(asks(), 1, 'the first chunk is asked for once the overview is drawn');
    await act(() => frames.frame());
    assert.equal(asks(), 1, 'one chunk in flight');

    // What needs every row waits: CSV export, statistics, a checkpoint's eval loss.
    assert.equal(view.getByTestId('export-csv').getAttribute('disabled'), 'true');
    await openStatistics(view);
    assert.equal(view.queryByTestId('statistics-table'), null);
    assert.match(view.getByTestId('statistics-loading').textContent!, /once all are loaded/);
    assert.equal(view.getByTestId('checkpoints').querySelectorAll('td')[3]!.textContent, '—');

    await chunk(1, 129, 'more');
    assert.equal(asks(), 2);
    assert.equal(points(), 6, 'still the overview');
    assert.equal(progress.value, 128);
    assert.match(view.getByTestId('chart-loading').textContent!, /42%/);
  });

  it('draws every row once the last chunk is in, live rows during the load included', async () => {
    const { view, host, asks, chunk, points } = await mountLoading();
    await chunk(1, 129, 'more');
    // During the load the host resends rows it had sent that changed (an eval loss filled in).
    await act(() =>
      host.send({ type: 'metrics', from: 119, rows: rows(120, 129, (s) => (s === 125 ? 1.5 : null)) }),
    );
    await chunk(129, 257, 'more');
    // The last chunk ends at the rows the host has by then: one more arrived during the load.
    await chunk(257, ROWS + 2, 'last');
    assert.equal(asks(), 3, 'nothing asked for after the last chunk');
    assert.equal(points(), ROWS + 1);
    assert.equal(view.queryByTestId('chart-loading'), null);
    assert.equal(view.getByTestId('export-csv').getAttribute('disabled'), null);

    fireEvent.click(view.getByTestId('export-csv'));
    const csv = (host.posted.at(-1) as Extract<JobPanelToHost, { type: 'saveCsv' }>).csv.trim().split('\n');
    assert.equal(csv.length, ROWS + 2, 'the header and every row');
    assert.deepEqual(
      csv.slice(1).map((line) => Number(line.split(',')[0])),
      Array.from({ length: ROWS + 1 }, (_, i) => i + 1),
    );
    assert.match(csv[125]!, /^125,[\d.]+,1\.5,/, 'the filled-in eval loss');

    await openStatistics(view);
    const count = view.getByTestId('statistics-table').querySelector('tr[data-stat="Count"] td')!;
    assert.equal(count.textContent, String(ROWS + 1));
    // The checkpoint reads its eval loss from every row: the eval at step 150.
    assert.equal(view.getByTestId('checkpoints').querySelectorAll('td')[3]!.textContent, '2.0000');

    // Live rows after the load are appended as usual.
    await chunk(ROWS + 2, ROWS + 3);
    assert.equal(points(), ROWS + 2);
  });

  it('starts over on a new snapshot mid-load, and a snapshot of every row ends the load', async () => {
    const { view, host, frames, asks, chunk, points } = await mountLoading();
    await chunk(1, 129, 'more');
    await act(() => host.send(overviewSnapshot()));
    await act(() => frames.frame());
    assert.equal((view.getByTestId('chart-loading-progress') as HTMLProgressElement).value, 0);
    assert.equal(asks(), 3, 'the new load asks for its first chunk');
    await chunk(1, ROWS + 1, 'last');
    assert.equal(points(), ROWS);

    await act(() => host.send(overviewSnapshot()));
    await act(() =>
      host.send({ type: 'snapshot', job, metrics: rows(1, 11), logTail: [], stream: { kind: 'ended' } }),
    );
    await act(() => frames.frame());
    assert.equal(view.queryByTestId('chart-loading'), null);
    assert.equal(points(), 10);
    assert.equal(asks(), 3, 'nothing asked for: the snapshot has every row');
  });
});
