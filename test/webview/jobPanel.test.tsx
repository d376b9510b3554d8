import * as assert from 'node:assert/strict';
import { act, cleanup, fireEvent, render } from '@testing-library/preact';
import type { HostToJobPanel, JobDetail, JobPanelToHost, MetricColumns } from '../../src/protocol';
import { JobApp } from '../../webview-ui/jobPanel/JobApp';
import { metricColumns } from './columns';
import { FakeHost } from './fakeChannel';
import { ManualFrames } from './frames';

const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);

function detail(over: Partial<JobDetail> = {}): JobDetail {
  return {
    id: 'job-1',
    name: 'captain-speak',
    label: 'captain-speak #3',
    status: 'running',
    createdAt: new Date(T0 - 60_000).toISOString(),
    startedAt: new Date(T0).toISOString(),
    model: 'unsloth/gemma-4-E4B-it',
    dataset: 'pirate-chat',
    maxSteps: 1000,
    checkpoints: [],
    config: { learningRate: 0.0002, loraRank: 16, packing: false, seed: null },
    ...over,
  };
}

function metrics(from: number, count: number): MetricColumns {
  const step = Array.from({ length: count }, (_, i) => from + i);
  return metricColumns({
    step,
    loss: step.map((s) => 3 / (1 + s / 50)),
    evalLoss: step.map((s) => (s % 10 === 0 ? 3.1 / (1 + s / 50) : null)),
    learningRate: step.map(() => 2e-4),
    time: step.map((s) => T0 + s * 500),
  });
}

async function mount(
  over: Partial<JobDetail> = {},
  extra: Partial<Extract<HostToJobPanel, { type: 'snapshot' }>> = {},
  host = new FakeHost<HostToJobPanel, JobPanelToHost>(),
) {
  const frames = new ManualFrames();
  const view = render(<JobApp channel={host} raf={frames} />);
  await act(() =>
    host.send({
      type: 'snapshot',
      job: detail(over),
      metrics: metrics(1, 100),
      logTail: ['booting'],
      stream: { kind: 'live' },
      ...extra,
    }),
  );
  await act(() => frames.frame());
  return { view, host, frames, chart: () => view.getByTestId('loss-chart') };
}

describe('job panel', () => {
  afterEach(cleanup);

  it('on another backend says where the job is and offers to switch, never a false status or Cancel', async () => {
    const { view, host, frames } = await mount();
    await act(() =>
      host.send({
        type: 'elsewhere',
        belongsTo: 'the local backend',
        connectedTo: 'Arkor Cloud (acme on api.arkor.ai)',
        backend: 'local',
      }),
    );
    const notice = view.getByTestId('job-elsewhere');
    assert.match(notice.textContent ?? '', /belongs to the local backend/);
    assert.match(notice.textContent ?? '', /connected to Arkor Cloud \(acme/);
    assert.equal(view.queryByTestId('status-badge'), null);
    assert.equal(view.queryByText('Cancel'), null);
    fireEvent.click(view.getByTestId('switch-backend'));
    assert.deepEqual(host.posted.at(-1), { type: 'switchBackend' });
    // Back on its backend, the host sends the job again and the panel shows it.
    await act(() =>
      host.send({
        type: 'snapshot',
        job: detail(),
        metrics: metrics(1, 10),
        logTail: [],
        stream: { kind: 'live' },
      }),
    );
    await act(() => frames.frame());
    assert.equal(view.queryByTestId('job-elsewhere'), null);
    assert.equal(view.getByTestId('status-badge').textContent, 'running');
  });

  it('says beside the model name when the local backend trained a tiny stand-in instead', async () => {
    const standIn =
      'trained locally as a tiny 118k-parameter stand-in model in its place; expect gibberish-like replies';
    const { view, host } = await mount({ standIn });
    assert.equal(view.getByTestId('stand-in-note').textContent, `unsloth/gemma-4-E4B-it → ${standIn}`);
    await act(() => host.send({ type: 'job', job: detail() }));
    assert.equal(view.queryByTestId('stand-in-note'), null, 'a job on a real model gets no note');
  });

  it('asks to be kept (pinned) on the first click or key press in it, once', async () => {
    const { view, host } = await mount();
    const pins = () => host.posted.filter((m) => m.type === 'pin').length;
    assert.equal(pins(), 0, 'an untouched panel stays a preview');
    await act(() => {
      fireEvent.pointerDown(view.getByTestId('log-tail'));
    });
    await act(() => {
      fireEvent.keyDown(view.getByTestId('log-tail'), { key: 'ArrowDown' });
    });
    assert.equal(pins(), 1);
  });

  it('posts ready, then shows the header, stats and resolved config', async () => {
    const { view, host } = await mount();
    assert.deepEqual(host.posted[0], { type: 'ready' });
    assert.ok(view.getByText('captain-speak #3'), 'the header names the run by its label');
    assert.equal(view.getByTestId('status-badge').textContent, 'running');
    // The header's one line: live figures and the model, in the title row beside the name.
    const stats = view.getByTestId('job-stats');
    assert.ok(stats.closest('.title-row'));
    assert.match(stats.textContent!, /unsloth\/gemma-4-E4B-it/);
    assert.match(stats.textContent!, /100 \/ 1000/);
    assert.match(stats.textContent!, /Steps\/s2\.00/);
    assert.match(stats.textContent!, /ETA/);
    // Secondary facts come after the chart, with the configuration.
    const details = view.getByTestId('job-details');
    assert.match(details.textContent!, /pirate-chat/);
    assert.match(details.textContent!, /Job IDjob-1/);
    const order = [...view.container.querySelectorAll('[data-testid]')].map((e) =>
      e.getAttribute('data-testid'),
    );
    assert.ok(order.indexOf('loss-chart') < order.indexOf('job-details'), 'the chart comes first');
    assert.ok(order.indexOf('loss-chart') < order.indexOf('config'));
    assert.ok(order.indexOf('loss-chart') < order.indexOf('statistics'));
    const config = view.getByTestId('config').textContent!;
    assert.match(config, /learningRate0\.0002/);
    assert.match(config, /loraRank16/);
    assert.match(config, /packingfalse/);
    assert.match(config, /seednone/);
  });

  it('holds a snapshot plus appended metric rows, drawn on the next frame', async () => {
    const { host, frames, chart } = await mount();
    assert.equal(chart().dataset.points, '100');
    await act(() => host.send({ type: 'metrics', from: 100, rows: metrics(101, 25) }));
    assert.equal(chart().dataset.points, '100', 'not drawn before the frame');
    await act(() => frames.frame());
    assert.equal(chart().dataset.points, '125');
    // The host fills in the eval loss of step 125: the row is replaced, no point is added.
    await act(() =>
      host.send({
        type: 'metrics',
        from: 124,
        rows: metricColumns({
          step: [125],
          loss: [3 / (1 + 125 / 50)],
          evalLoss: [0.9],
          learningRate: [2e-4],
          time: [T0],
        }),
      }),
    );
    await act(() => frames.frame());
    assert.equal(chart().dataset.points, '125');
  });

  it('reports the full number of points held in data-points, however many are drawn', async () => {
    const { host, frames, chart } = await mount({}, { metrics: metrics(1, 120_000) });
    assert.equal(chart().dataset.points, '120000');
    await act(() => host.send({ type: 'metrics', from: 120_000, rows: metrics(120_001, 5) }));
    await act(() => frames.frame());
    assert.equal(chart().dataset.points, '120005');
    assert.ok(chart().querySelector('[data-testid="chart-readout"]'), 'the readout container is rendered');
  });

  it('coalesces many metrics messages in one frame into one chart update', async () => {
    const { host, frames, chart } = await mount();
    const before = Number(chart().dataset.updates);
    const requested = frames.requested;
    await act(() => {
      for (let i = 0; i < 200; i++) host.send({ type: 'metrics', from: 100 + i, rows: metrics(101 + i, 1) });
    });
    assert.equal(frames.requested - requested, 1, 'one animation frame requested for 200 messages');
    await act(() => frames.frame());
    assert.equal(Number(chart().dataset.updates), before + 1);
    assert.equal(chart().dataset.points, '300');
  });

  it('replaces everything on a new snapshot (the view was re-shown)', async () => {
    const { host, frames, chart, view } = await mount();
    await act(() =>
      host.send({
        type: 'snapshot',
        job: detail({ status: 'completed' }),
        metrics: metrics(1, 10),
        logTail: ['fresh'],
        stream: { kind: 'ended' },
      }),
    );
    await act(() => frames.frame());
    assert.equal(chart().dataset.points, '10');
    assert.equal(view.getByTestId('log-tail').textContent, 'fresh');
  });

  it('offers Cancel while running and Open in Playground when completed', async () => {
    const { view, host } = await mount();
    fireEvent.click(view.getByTestId('cancel-job'));
    assert.deepEqual(host.posted.at(-1), { type: 'cancelJob' });
    assert.equal(view.queryByTestId('open-playground'), null);
    await act(() =>
      host.send({
        type: 'job',
        job: detail({ status: 'completed', completedAt: new Date(T0 + 60_000).toISOString() }),
      }),
    );
    assert.equal(view.queryByTestId('cancel-job'), null);
    fireEvent.click(view.getByTestId('open-playground'));
    assert.deepEqual(host.posted.at(-1), { type: 'openPlayground' });
    assert.match(view.getByTestId('job-stats').textContent!, /Elapsed1m 00s/);
  });

  it('offers Resume from Checkpoint and Re-run for an interrupted job, Re-run only without a checkpoint', async () => {
    const checkpoints = [{ step: 40, savedAt: new Date(T0).toISOString() }];
    const { view, host } = await mount({
      status: 'failed',
      error: 'backend stopped',
      canResume: true,
      checkpoints,
    });
    assert.equal(view.queryByTestId('cancel-job'), null);
    assert.match(view.getByTestId('resume-job').getAttribute('title')!, /step 40/);
    fireEvent.click(view.getByTestId('resume-job'));
    assert.deepEqual(host.posted.at(-1), { type: 'resumeJob' });
    fireEvent.click(view.getByTestId('rerun-job'));
    assert.deepEqual(host.posted.at(-1), { type: 'rerunJob' });
    // Arkor Cloud (no resume), or no checkpoint saved: Re-run alone.
    await act(() =>
      host.send({ type: 'job', job: detail({ status: 'cancelled', canResume: false, checkpoints }) }),
    );
    assert.equal(view.queryByTestId('resume-job'), null);
    assert.ok(view.getByTestId('rerun-job'));
    await act(() =>
      host.send({ type: 'job', job: detail({ status: 'failed', canResume: true, checkpoints: [] }) }),
    );
    assert.equal(view.queryByTestId('resume-job'), null);
    // Running or completed: neither.
    await act(() => host.send({ type: 'job', job: detail({ status: 'running', canResume: false }) }));
    assert.equal(view.queryByTestId('rerun-job'), null);
  });

  it('lists checkpoints with the loss at their step and opens them in the Playground', async () => {
    const { view, host } = await mount({
      checkpoints: [
        { step: 50, savedAt: new Date(T0 + 25_000).toISOString() },
        { step: 100, savedAt: new Date(T0 + 50_000).toISOString(), loss: 1.2345 },
      ],
    });
    const table = view.getByTestId('checkpoints');
    const rows = table.querySelectorAll('tbody tr');
    assert.equal(rows.length, 2);
    assert.match(rows[0]!.textContent!, /^50.*1\.5000/); // 3 / (1 + 50/50)
    assert.match(rows[1]!.textContent!, /1\.2345/);
    fireEvent.click(rows[1]!.querySelector('[data-step="100"]')!);
    assert.deepEqual(host.posted.at(-1), { type: 'openPlayground', step: 100 });
  });

  it("shows each checkpoint's eval loss (at or before its step) and marks the best one", async () => {
    // Eval loss every 10 steps: 3.1 / (1 + s/50), falling, so the latest checkpoint with one is best.
    const { view, host, frames } = await mount({
      checkpoints: [
        { step: 20, savedAt: new Date(T0 + 10_000).toISOString() },
        { step: 45, savedAt: new Date(T0 + 22_000).toISOString() },
        { step: 90, savedAt: new Date(T0 + 45_000).toISOString() },
      ],
    });
    const cells = () =>
      [...view.getByTestId('checkpoints').querySelectorAll('tbody tr')].map((r) =>
        [...r.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent),
      );
    const headers = [...view.getByTestId('checkpoints').querySelectorAll('thead th')].map(
      (t) => t.textContent,
    );
    assert.deepEqual(headers.slice(0, 4), ['Step', 'Saved', 'Loss', 'Eval loss']);
    const rows = cells();
    assert.equal(rows[0]![3], (3.1 / (1 + 20 / 50)).toFixed(4), 'eval loss logged at the step');
    assert.equal(rows[1]![3], (3.1 / (1 + 40 / 50)).toFixed(4), 'step 45: the eval of step 40, before it');
    assert.equal(rows[2]![3], (3.1 / (1 + 90 / 50)).toFixed(4));
    const best = () => view.getAllByTestId('best-checkpoint');
    assert.equal(best().length, 1);
    assert.equal(best()[0]!.closest('tr')!.querySelector('td')!.textContent, '90best');
    assert.match(best()[0]!.title, /Lowest eval loss/);
    // A worse eval at step 90 (the host fills it in): the best moves to step 45.
    const fix = metrics(90, 1);
    fix.evalLoss[0] = 9;
    await act(() => host.send({ type: 'metrics', from: 89, rows: fix }));
    await act(() => frames.frame());
    assert.equal(cells()[2]![3], '9.0000');
    assert.equal(best()[0]!.closest('tr')!.querySelector('td')!.textContent, '45best');
    cleanup();

    // No eval loss at all: the lowest train loss is best, and the eval column says so with a dash.
    const noEval = metrics(1, 100);
    noEval.evalLoss.fill(Number.NaN);
    const again = await mount(
      {
        checkpoints: [
          { step: 30, savedAt: new Date(T0).toISOString(), loss: 0.5 },
          { step: 60, savedAt: new Date(T0).toISOString(), loss: 0.9 },
        ],
      },
      { metrics: noEval },
    );
    const r2 = [...again.view.getByTestId('checkpoints').querySelectorAll('tbody tr')];
    assert.equal(r2[0]!.querySelectorAll('td')[3]!.textContent, '—');
    assert.equal(r2[0]!.getAttribute('data-best'), 'true');
    assert.match(again.view.getByTestId('best-checkpoint').title, /Lowest train loss/);
  });

  it('shows loss statistics of the whole run live, collapsed until opened, the state persisted', async () => {
    const { view, host, frames } = await mount();
    const section = () => view.getByTestId('statistics') as HTMLDetailsElement;
    assert.equal(section().open, false, 'collapsed by default');
    assert.equal(view.queryByTestId('statistics-table'), null, 'nothing computed while collapsed');
    section().open = true;
    // What the browser does when the summary is clicked: open, then a toggle event.
    const win = section().ownerDocument.defaultView as Window & typeof globalThis;
    await act(() => {
      section().dispatchEvent(new win.Event('toggle'));
    });
    const cell = (stat: string, col: number) =>
      view.getByTestId('statistics-table').querySelector(`tr[data-stat="${stat}"]`)!.querySelectorAll('td')[
        col
      ]!.textContent;
    // Train loss 3 / (1 + s/50) for s = 1..100 (32-bit, as sent); eval every 10 steps.
    const train = Array.from({ length: 100 }, (_, i) => Math.fround(3 / (1 + (i + 1) / 50)));
    const mean = train.reduce((a, b) => a + b, 0) / 100;
    const variance = train.reduce((a, b) => a + (b - mean) ** 2, 0) / 99;
    const sorted = [...train].sort((a, b) => a - b);
    assert.equal(cell('Count', 0), '100');
    assert.equal(cell('Count', 1), '10');
    const ci = (1.984217 * Math.sqrt(variance)) / 10; // t(0.975, 99)
    assert.equal(cell('Mean ± 95% CI', 0), `${mean.toFixed(4)} ± ${ci.toFixed(4)}`);
    assert.equal(cell('Variance', 0), variance.toFixed(4));
    assert.equal(cell('Std dev', 0), Math.sqrt(variance).toFixed(4));
    assert.equal(cell('p90', 0), (sorted[89]! + 0.1 * (sorted[90]! - sorted[89]!)).toFixed(4));
    assert.equal(cell('p95', 0), (sorted[94]! + 0.05 * (sorted[95]! - sorted[94]!)).toFixed(4));
    assert.match(section().textContent!, /steps 1–100/);
    assert.deepEqual((host.getState() as { ui: { showStatistics: boolean } }).ui.showStatistics, true);
    // Live: new rows are counted in the next chart frame.
    await act(() => host.send({ type: 'metrics', from: 100, rows: metrics(101, 10) }));
    await act(() => frames.frame());
    assert.equal(cell('Count', 0), '110');
    assert.equal(cell('Count', 1), '11');
    assert.match(section().textContent!, /steps 1–110/);
    // Reopened later, the section is open again.
    cleanup();
    const again = await mount({}, {}, host);
    assert.equal((again.view.getByTestId('statistics') as HTMLDetailsElement).open, true);
    assert.ok(again.view.getByTestId('statistics-table'));
  });

  it('a job that failed or was cancelled before its first step says so instead of waiting for metrics', async () => {
    const empty = metrics(1, 0);
    const { view, host } = await mount(
      { status: 'failed', error: 'dataset ./data/missing.jsonl not found', startedAt: null },
      { metrics: empty },
    );
    assert.match(view.getByTestId('job-error').textContent!, /dataset \.\/data\/missing\.jsonl not found/);
    assert.doesNotMatch(view.container.textContent!, /Waiting for training metrics/);
    assert.match(view.getByTestId('chart-empty').textContent!, /failed before its first training step/);
    await act(() => host.send({ type: 'job', job: detail({ status: 'cancelled', startedAt: null }) }));
    assert.match(view.getByTestId('chart-empty').textContent!, /cancelled before its first training step/);
    // A queued job is waited for.
    await act(() => host.send({ type: 'job', job: detail({ status: 'queued', startedAt: null }) }));
    assert.match(view.getByTestId('chart-empty').textContent!, /Waiting for training metrics/);
  });

  it('exports the chart data as CSV', async () => {
    const { view, host } = await mount({}, { metrics: metrics(1, 2) });
    fireEvent.click(view.getByTestId('export-csv'));
    const msg = host.posted.at(-1) as Extract<JobPanelToHost, { type: 'saveCsv' }>;
    assert.equal(msg.type, 'saveCsv');
    assert.equal(
      msg.csv,
      'step,loss,evalLoss,learningRate,time\n' +
        // 3 / (1 + 1/50) and 3 / (1 + 2/50) as the 32-bit floats the host sends, shortest form
        '1,2.9411764,,0.0002,2025-01-01T10:00:00.500Z\n' +
        '2,2.8846154,,0.0002,2025-01-01T10:00:01.000Z\n',
    );
  });

  it('shows the failure prominently and stream problems as banners', async () => {
    const { view, host } = await mount({ status: 'failed', error: 'CUDA out of memory' });
    assert.match(view.getByTestId('job-error').textContent!, /Job failed: CUDA out of memory/);
    assert.equal(view.getByTestId('job-error').getAttribute('role'), 'alert');
    await act(() =>
      host.send({ type: 'stream', stream: { kind: 'reconnecting', attempt: 3, error: 'ECONNRESET' } }),
    );
    assert.equal(view.getByTestId('stream-banner').textContent, 'Reconnecting… (attempt 3): ECONNRESET');
    await act(() => host.send({ type: 'stream', stream: { kind: 'error', error: 'HTTP 500' } }));
    assert.match(view.getByTestId('stream-banner').textContent!, /HTTP 500/);
    await act(() => host.send({ type: 'stream', stream: { kind: 'live' } }));
    assert.equal(view.queryByTestId('stream-banner'), null);
  });

  it('shows the settings the backend does not apply under the header, and none when there are none', async () => {
    const warnings = [
      'optim "adamw_8bit" is not implemented by the local engine; it trains with Adam.',
      'weightDecay 0.01 is not implemented by the local engine; it trains without weight decay.',
    ];
    const { view, host } = await mount({ warnings });
    const banner = view.getByTestId('job-warnings');
    assert.equal(banner.getAttribute('role'), 'status');
    assert.match(banner.textContent!, /These 2 settings are not applied by the backend/);
    assert.deepEqual(
      [...banner.querySelectorAll('li')].map((li) => li.textContent),
      warnings,
    );
    // Inside the header, above the stats.
    assert.ok(banner.closest('header.job-header'));
    // A job update keeps them; a job without warnings shows no banner.
    await act(() => host.send({ type: 'job', job: detail({ status: 'completed', warnings }) }));
    assert.equal(view.getByTestId('job-warnings').querySelectorAll('li').length, 2);
    await act(() => host.send({ type: 'job', job: detail({ warnings: [] }) }));
    assert.equal(view.queryByTestId('job-warnings'), null);
    cleanup();
    const plain = await mount();
    assert.equal(plain.view.queryByTestId('job-warnings'), null);
  });

  it('tails the log: collapses progress lines, caps at 500, one render per frame', async () => {
    const { view, host, frames } = await mount();
    const log = () => view.getByTestId('log-tail');
    await act(() => {
      host.send({ type: 'log', lines: ['step 1\r', '\rstep 2\r', '\rstep 3'] });
      host.send({ type: 'log', lines: Array.from({ length: 600 }, (_, i) => `l${i}`) });
    });
    await act(() => frames.frame());
    const lines = [...log().querySelectorAll('.log-line')].map((l) => l.textContent);
    assert.equal(lines.length, 500);
    assert.equal(lines[0], 'l100');
    assert.equal(lines.at(-1), 'l599');
    await act(() => host.send({ type: 'log', lines: ['epoch 10%\r', '\repoch 90%'] }));
    await act(() => frames.frame());
    const after = [...log().querySelectorAll('.log-line')].map((l) => l.textContent);
    assert.equal(after.at(-1), 'epoch 90%');
    assert.equal(after.length, 500);
    fireEvent.click(view.getByTestId('open-full-log'));
    assert.deepEqual(host.posted.at(-1), { type: 'openFullLog' });
  });

  it('persists smoothing, log scale and the LR toggle, and restores them', async () => {
    const host = new FakeHost<HostToJobPanel, JobPanelToHost>();
    host.setState({ somethingElse: 1 });
    const first = await mount({}, {}, host);
    await act(() => {
      fireEvent.input(first.view.getByTestId('smoothing'), { target: { value: '0.9' } });
      fireEvent.click(first.view.getByTestId('log-scale'));
      fireEvent.click(first.view.getByTestId('show-lr'));
    });
    assert.deepEqual(host.getState(), {
      somethingElse: 1,
      jobId: 'job-1',
      ui: { smoothing: 0.9, logScale: true, showLearningRate: true, showStatistics: false },
    });
    cleanup();
    const second = await mount({}, {}, host);
    assert.equal((second.view.getByTestId('smoothing') as HTMLInputElement).value, '0.9');
    assert.equal((second.view.getByTestId('log-scale') as HTMLInputElement).checked, true);
    assert.equal((second.view.getByTestId('show-lr') as HTMLInputElement).checked, true);
  });

  it('renders malicious job names, errors, config values and log lines as inert text', async () => {
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const { view, host, frames } = await mount(
      {
        name: evil,
        label: `${evil} #1`,
        status: 'failed',
        error: evil,
        model: evil,
        config: { [evil]: evil },
        standIn: evil,
      },
      { logTail: [evil, `progress\r${evil}`], stream: { kind: 'error', error: evil } },
    );
    await act(() => host.send({ type: 'log', lines: [evil] }));
    await act(() => frames.frame());
    assert.equal(view.container.querySelector('img'), null);
    assert.equal(view.container.querySelector('script'), null);
    assert.equal(view.getByRole('heading', { level: 1 }).textContent, `${evil} #1`);
    assert.equal(view.getByTestId('stand-in-note').textContent, `${evil} → ${evil}`);
    assert.match(view.getByTestId('job-error').textContent!, /<img src=x/);
    assert.ok(view.getByTestId('config').textContent!.includes(evil));
    const logLines = [...view.getByTestId('log-tail').querySelectorAll('.log-line')].map(
      (l) => l.textContent,
    );
    assert.deepEqual(logLines, [evil, evil, evil]);
    assert.equal((globalThis as { pwned?: number }).pwned, undefined);
  });
});
