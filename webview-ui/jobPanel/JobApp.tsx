import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { HostToJobPanel, JobDetail, JobPanelToHost, StreamView } from '../../src/protocol';
import { Card } from '../shared/Card';
import { type ColumnHeading, DataTable } from '../shared/DataTable';
import type { HostChannel } from '../shared/hostChannel';
import { Button } from '../shared/toolkit';
import { readPersisted, useHost, usePersisted } from '../shared/useHost';
import { ChartControls } from './ChartControls';
import { ChartController } from './chartController';
import { formatValue } from './chartData';
import { toCsv } from './csv';
import { LossChart, type XRange } from './LossChart';
import { isPinnedToBottom, LogFeed } from './logTail';
import type { MetricStore } from './metricStore';
import { formatDuration, runStats, type SeriesStats, seriesStats, tQuantile } from './stats';

export type JobPanelChannel = HostChannel<HostToJobPanel, JobPanelToHost>;

/** UI state kept across reloads with setState/getState (merged into whatever else is stored there). */
export interface JobPanelUiState {
  smoothing: number;
  logScale: boolean;
  showLearningRate: boolean;
  /** The Statistics section is open (collapsed by default, as Studio's Advanced switch is off). */
  showStatistics: boolean;
}

interface StoredState {
  jobId?: string;
  ui?: Partial<JobPanelUiState>;
}

const DEFAULT_UI: JobPanelUiState = {
  smoothing: 0.6,
  logScale: false,
  showLearningRate: false,
  showStatistics: false,
};

/**
 * The job panel (one per job). The host sends a `snapshot` after `ready`, then `job`, `metrics`,
 * `log` and `stream` deltas. Metrics and log lines live outside Preact state (ChartController,
 * LogFeed) and are drawn at most once per animation frame.
 */
export function JobApp({
  channel,
  raf,
}: {
  channel: JobPanelChannel;
  /** Frame source override (tests). */
  raf?: { request: (cb: () => void) => number; cancel: (id: number) => void };
}) {
  const stored = useMemo(() => readPersisted<StoredState>(channel), [channel]);
  const initialUi = useMemo(() => ({ ...DEFAULT_UI, ...stored.ui }), [stored]);
  const [ui, setUi] = useState<JobPanelUiState>(initialUi);
  const [job, setJob] = useState<JobDetail | undefined>(undefined);
  const [stream, setStream] = useState<StreamView | undefined>(undefined);
  const [elsewhere, setElsewhere] = useState<Extract<HostToJobPanel, { type: 'elsewhere' }> | undefined>();
  /** The chart's zoomed x range (undefined: the whole run), for the statistics. */
  const [zoom, setZoom] = useState<XRange | undefined>(undefined);
  /** A long run's rows are loading: the chart draws their overview (see `overview` in protocol.ts). */
  const [loading, setLoading] = useState(false);
  const requestRows = useRef(() => {});
  const controller = useMemo(
    () =>
      new ChartController({
        smoothing: initialUi.smoothing,
        raf: raf?.request,
        caf: raf?.cancel,
        requestRows: () => requestRows.current(),
      }),
    [initialUi, raf],
  );
  const logFeed = useMemo(() => new LogFeed(raf?.request, raf?.cancel), [raf]);

  const post = useHost(channel, (m) => {
    switch (m.type) {
      case 'snapshot':
        controller.snapshot(m.metrics, m.overview?.rows);
        setLoading(m.overview !== undefined);
        logFeed.reset(m.logTail);
        setElsewhere(undefined);
        setJob(m.job);
        setStream(m.stream);
        return;
      case 'elsewhere':
        setElsewhere(m);
        return;
      case 'job':
        setJob(m.job);
        return;
      case 'metrics':
        controller.replaceFrom(m.from, m.rows, m.load);
        if (m.load === 'last') setLoading(false);
        return;
      case 'log':
        logFeed.push(m.lines);
        return;
      case 'stream':
        setStream(m.stream);
        return;
    }
  });
  requestRows.current = () => post({ type: 'moreRows' });
  useEffect(
    () => () => {
      controller.dispose();
      logFeed.dispose();
    },
    [controller, logFeed],
  );

  // The first click or key press in the panel keeps it: the next run no longer replaces it.
  useEffect(() => {
    const pin = () => {
      window.removeEventListener('pointerdown', pin, true);
      window.removeEventListener('keydown', pin, true);
      post({ type: 'pin' });
    };
    window.addEventListener('pointerdown', pin, true);
    window.addEventListener('keydown', pin, true);
    return () => {
      window.removeEventListener('pointerdown', pin, true);
      window.removeEventListener('keydown', pin, true);
    };
  }, [post]);

  // Persist UI state (keeping anything else the panel stored, e.g. for restore after reload).
  usePersisted<StoredState>(channel, { jobId: job?.id ?? stored.jobId, ui });

  useEffect(() => controller.setSmoothing(ui.smoothing), [controller, ui.smoothing]);

  if (elsewhere) {
    // Never a false status or a Cancel that cannot work: the job lives on another backend.
    return (
      <main class="job-panel">
        <section class="banner" role="status" data-testid="job-elsewhere">
          <p>
            This job belongs to {elsewhere.belongsTo}. You are connected to {elsewhere.connectedTo}, which
            does not have it.
          </p>
          <div class="banner-actions">
            <Button onClick={() => post({ type: 'switchBackend' })} data-testid="switch-backend">
              Switch to {elsewhere.backend === 'local' ? 'the Local Backend' : 'Arkor Cloud'}
            </Button>
          </div>
        </section>
      </main>
    );
  }
  if (!job) return <p class="muted pad">Loading job…</p>;

  const active = job.status === 'running' || job.status === 'queued';
  return (
    <main class="job-panel">
      {/* The first screen: a compact header and the chart, which takes the rest of the panel's height
          (job.css); everything secondary follows below it. */}
      <div class="first-screen">
        <header class="job-header">
          <div class="title-row">
            <h1 class="job-name" title={job.name}>
              {job.label}
            </h1>
            <span class={`status-badge status-${statusClass(job.status)}`} data-testid="status-badge">
              {job.status}
            </span>
            <LiveStats job={job} controller={controller} />
            {/* One group: when the row wraps, the buttons move to the next line together, at the right. */}
            <span class="title-actions">
              {active && (
                <Button
                  appearance="secondary"
                  onClick={() => post({ type: 'cancelJob' })}
                  data-testid="cancel-job"
                >
                  Cancel
                </Button>
              )}
              {job.canResume && job.checkpoints.length > 0 && (
                <Button
                  onClick={() => post({ type: 'resumeJob' })}
                  data-testid="resume-job"
                  title={`Go on from the checkpoint at step ${job.checkpoints[job.checkpoints.length - 1]?.step} in a new job`}
                >
                  Resume from Checkpoint
                </Button>
              )}
              {(job.status === 'failed' || job.status === 'cancelled') && (
                <Button
                  appearance={job.canResume && job.checkpoints.length > 0 ? 'secondary' : 'primary'}
                  onClick={() => post({ type: 'rerunJob' })}
                  data-testid="rerun-job"
                  title="Run this project's trainer again"
                >
                  Re-run
                </Button>
              )}
              {job.status === 'completed' && (
                <Button onClick={() => post({ type: 'openPlayground' })} data-testid="open-playground">
                  Open in Playground
                </Button>
              )}
              {job.status === 'completed' && (
                <Button
                  appearance="secondary"
                  onClick={() => post({ type: 'deploy' })}
                  data-testid="deploy-job"
                >
                  Deploy…
                </Button>
              )}
            </span>
          </div>
          {job.standIn && (
            <p class="stand-in" data-testid="stand-in-note">
              <span class="mono">{job.model ?? 'The requested model'}</span> → {job.standIn}
            </p>
          )}
          {job.status === 'failed' && (
            <div class="banner error" role="alert" data-testid="job-error">
              <strong>Job failed: </strong>
              <span>{job.error || 'no error message was reported'}</span>
            </div>
          )}
          {job.warnings && job.warnings.length > 0 && (
            <div class="banner" role="status" data-testid="job-warnings">
              {/* One line until opened: the chart keeps its room. */}
              <details>
                <summary>
                  {job.warnings.length === 1
                    ? 'This setting is not applied by the backend'
                    : `These ${job.warnings.length} settings are not applied by the backend`}
                </summary>
                <ul class="warning-list">
                  {job.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              </details>
            </div>
          )}
          <StreamBanner stream={stream} />
        </header>

        <Card
          id="loss"
          title="Loss"
          class="chart-card"
          aside={
            <ChartControls
              ui={ui}
              setUi={setUi}
              loading={loading}
              onExportCsv={() => post({ type: 'saveCsv', csv: toCsv(controller.store) })}
            />
          }
        >
          {loading && <LoadingNote controller={controller} />}
          <LossChart
            controller={controller}
            logScale={ui.logScale}
            showLearningRate={ui.showLearningRate}
            smoothing={loading ? 0 : ui.smoothing}
            onZoomChange={setZoom}
          />
          <ChartPlaceholder controller={controller} status={job.status} />
        </Card>
      </div>

      <StatisticsSection
        controller={controller}
        range={zoom}
        loading={loading}
        open={ui.showStatistics}
        onToggle={(open) => setUi((s) => (s.showStatistics === open ? s : { ...s, showStatistics: open }))}
      />

      <CheckpointList
        job={job}
        controller={controller}
        loading={loading}
        onTry={(step) => post({ type: 'openPlayground', step })}
        onDeploy={(step) => post({ type: 'deploy', step })}
      />

      <Card id="details" title="Details">
        <RunDetails job={job} />
        <ConfigGrid config={job.config} />
      </Card>

      <Card
        id="log"
        title="Log"
        aside={
          <Button
            appearance="secondary"
            data-testid="open-full-log"
            onClick={() => post({ type: 'openFullLog' })}
          >
            Open full log
          </Button>
        }
      >
        <LogView feed={logFeed} />
      </Card>
    </main>
  );
}

const KNOWN = new Set(['queued', 'running', 'completed', 'failed', 'cancelled']);
export function statusClass(status: string): string {
  return KNOWN.has(status) ? status : 'unknown';
}

/** Re-renders the calling component once per chart frame. */
function useFrameTick(controller: ChartController): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => controller.subscribe(() => bump(undefined)), [controller]);
}

function StreamBanner({ stream }: { stream: StreamView | undefined }) {
  if (!stream) return null;
  switch (stream.kind) {
    case 'reconnecting':
      return (
        <div class="banner" role="status" data-testid="stream-banner">
          Reconnecting… (attempt {stream.attempt}){stream.error ? `: ${stream.error}` : ''}
        </div>
      );
    case 'error':
      return (
        <div class="banner error" role="alert" data-testid="stream-banner">
          Event stream error: {stream.error}
        </div>
      );
    case 'connecting':
      return (
        <p class="muted stream-note" data-testid="stream-banner">
          Connecting to the event stream…
        </p>
      );
    default:
      return null;
  }
}

/** The header's one line of live figures: what a running job is watched for, next to its name. */
function LiveStats({ job, controller }: { job: JobDetail; controller: ChartController }) {
  useFrameTick(controller);
  const running = job.status === 'running';
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [running]);
  const s = runStats(job, controller.store, running ? Math.max(now, Date.now()) : now);
  const max = job.maxSteps;
  return (
    <dl class="stats" data-testid="job-stats">
      <Stat label="Step" value={s.step != null ? (max ? `${s.step} / ${max}` : String(s.step)) : '—'} />
      <Stat label="Elapsed" value={formatDuration(s.elapsedMs)} />
      {running && <Stat label="ETA" value={formatDuration(s.etaMs)} />}
      <Stat label="Steps/s" value={s.stepsPerSecond != null ? s.stepsPerSecond.toFixed(2) : '—'} />
      {job.model && <Stat label="Model" value={job.model} />}
    </dl>
  );
}

/** Where the run came from and when: below the chart, with the configuration. */
function RunDetails({ job }: { job: JobDetail }) {
  return (
    <dl class="details" data-testid="job-details">
      {job.dataset && <Stat label="Dataset" value={job.dataset} />}
      <Stat label="Created" value={formatTimestamp(job.createdAt)} />
      {job.startedAt && <Stat label="Started" value={formatTimestamp(job.startedAt)} />}
      {job.completedAt && <Stat label="Finished" value={formatTimestamp(job.completedAt)} />}
      <Stat label="Job ID" value={job.id} mono />
    </dl>
  );
}

function Stat({ label, value, mono }: { label: string; value: string; mono?: boolean }) {
  return (
    <div class="stat">
      <dt>{label}</dt>
      <dd class={mono ? 'mono' : undefined}>{value}</dd>
    </div>
  );
}

export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function ConfigGrid({ config }: { config: JobDetail['config'] }) {
  const entries = Object.entries(config ?? {});
  if (entries.length === 0) return null;
  return (
    // Collapsed: the chart is what a running job is watched for; the settings are one click away.
    <details class="config">
      <summary>Configuration</summary>
      <dl class="config-grid" data-testid="config">
        {entries.map(([k, v]) => (
          <div class="kv" key={k}>
            <dt>{k}</dt>
            <dd class="mono">{v === null ? 'none' : String(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/**
 * Over the chart while a long run's rows load: how far along, and what waits for every row. The
 * status text is announced once; the progress bar carries the count (not announced at every chunk).
 */
function LoadingNote({ controller }: { controller: ChartController }) {
  useFrameTick(controller);
  const loading = controller.loading;
  if (!loading) return null;
  const total = loading.of.toLocaleString('en');
  const percent = Math.min(100, Math.floor((loading.rows / Math.max(1, loading.of)) * 100));
  return (
    <div class="chart-loading" data-testid="chart-loading">
      <p class="muted" role="status">
        Loading {total} points… The chart shows an overview until every point is in; smoothing, zoomed detail,
        statistics and CSV export follow.
      </p>
      <progress
        max={loading.of}
        value={Math.min(loading.rows, loading.of)}
        aria-label={`Points loaded of ${total}`}
        data-testid="chart-loading-progress"
      />
      <span class="muted num" aria-hidden="true">
        {percent}%
      </span>
    </div>
  );
}

/**
 * Over the empty chart: waiting while the job can still log, else why there is nothing to wait for
 * (a job that failed or was cancelled before its first step never logs one).
 */
function ChartPlaceholder({ controller, status }: { controller: ChartController; status: string }) {
  useFrameTick(controller);
  if (controller.store.length > 0) return null;
  const text =
    status === 'queued' || status === 'running'
      ? 'Waiting for training metrics…'
      : status === 'failed'
        ? 'No training metrics: the job failed before its first training step.'
        : status === 'cancelled'
          ? 'No training metrics: the job was cancelled before its first training step.'
          : 'This job logged no training metrics.';
  return (
    <p class="muted chart-empty" data-testid="chart-empty">
      {text}
    </p>
  );
}

const STAT_ROWS: { label: string; value: (s: SeriesStats) => string }[] = [
  { label: 'Count', value: (s) => String(s.count) },
  {
    label: 'Mean ± 95% CI',
    value: (s) => (s.count === 0 ? '—' : `${formatValue(s.mean)} ± ${formatValue(s.ci95)}`),
  },
  { label: 'Variance', value: (s) => formatValue(s.variance) },
  { label: 'Std dev', value: (s) => formatValue(s.stddev) },
  { label: 'p90', value: (s) => formatValue(s.p90) },
  { label: 'p95', value: (s) => formatValue(s.p95) },
];

/** Train and eval loss statistics over the chart's x range, computed once per store version and range. */
function useRangeStats(store: MetricStore, range: XRange | undefined, enabled: boolean) {
  const memo = useRef<{ version: number; range: XRange | undefined; result: RangeStats } | undefined>(
    undefined,
  );
  if (!enabled) return undefined;
  const m = memo.current;
  if (m && m.version === store.version && m.range === range) return m.result;
  const [i0, i1] = store.rowsIn(range);
  const result: RangeStats = {
    rows: i1 - i0,
    first: i1 > i0 ? store.step[i0] : undefined,
    last: i1 > i0 ? store.step[i1 - 1] : undefined,
    train: seriesStats(store.loss, i0, i1),
    eval: seriesStats(store.evalLoss, i0, i1),
  };
  memo.current = { version: store.version, range, result };
  return result;
}

interface RangeStats {
  rows: number;
  first: number | undefined;
  last: number | undefined;
  train: SeriesStats;
  eval: SeriesStats;
}

/**
 * Studio's "Advanced" statistics, for what the chart shows: the zoomed range, or the whole run. Live
 * (recomputed in the chart's frame, only while open) and collapsible, its state kept with setState.
 */
function StatisticsSection({
  controller,
  range,
  loading,
  open,
  onToggle,
}: {
  controller: ChartController;
  range: XRange | undefined;
  /** Every row is needed: while they load, the section says so instead of describing the overview. */
  loading: boolean;
  open: boolean;
  onToggle: (open: boolean) => void;
}) {
  useFrameTick(controller);
  const stats = useRangeStats(controller.store, range, open && !loading);
  const scope = !stats
    ? ''
    : stats.rows === 0
      ? range
        ? 'no step in the zoomed range'
        : 'no steps yet'
      : `${range ? 'zoomed: ' : ''}steps ${stats.first}–${stats.last}`;
  return (
    <details
      class="card stats-card"
      open={open}
      data-testid="statistics"
      onToggle={(e) => onToggle((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        <h2>Statistics</h2>
        {stats && <span class="muted stats-scope">{scope}</span>}
      </summary>
      {open && loading && (
        <p class="muted" data-testid="statistics-loading">
          The statistics cover every point: they follow once all are loaded.
        </p>
      )}
      {stats && (
        <>
          <table class="stats-table num" data-testid="statistics-table">
            <thead>
              <tr>
                <th scope="col">
                  <span class="visually-hidden">Statistic</span>
                </th>
                <th scope="col">Train loss</th>
                <th scope="col">Eval loss</th>
              </tr>
            </thead>
            <tbody>
              {STAT_ROWS.map((row) => (
                <tr key={row.label} data-stat={row.label}>
                  <th scope="row">{row.label}</th>
                  <td>{row.value(stats.train)}</td>
                  <td>{row.value(stats.eval)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted stats-note">
            Over the chart's {range ? 'zoomed range' : 'whole run'} (drag to zoom). 95% CI: mean ± t·s/√n,
            Student's t with n − 1 degrees of freedom
            {stats.train.count > 1
              ? ` (t = ${tQuantile(0.975, stats.train.count - 1).toFixed(3)} for train loss)`
              : ''}
            . Variance and std dev are the sample ones (n − 1). p90 and p95 interpolate linearly between the
            sorted values at rank q·(n − 1), as numpy does by default.
          </p>
        </>
      )}
    </details>
  );
}

/**
 * The best checkpoint: lowest eval loss among those with one, else (no eval at all) lowest train
 * loss; the earliest on a tie. -1 when no checkpoint has either.
 */
export function bestCheckpoint(
  rows: readonly { loss?: number | undefined; evalLoss?: number | undefined }[],
): {
  index: number;
  by: 'eval loss' | 'train loss';
} {
  const byEval = rows.some((r) => r.evalLoss != null);
  const key = (r: (typeof rows)[number]) => (byEval ? r.evalLoss : r.loss);
  let index = -1;
  rows.forEach((r, i) => {
    const v = key(r);
    if (v != null && Number.isFinite(v) && (index === -1 || v < key(rows[index]!)!)) index = i;
  });
  return { index, by: byEval ? 'eval loss' : 'train loss' };
}

const CHECKPOINT_COLUMNS: ColumnHeading[] = [
  'Step',
  'Saved',
  'Loss',
  {
    label: 'Eval loss',
    title: "The eval loss logged at the checkpoint's step or the nearest step before it",
  },
  { label: 'Actions', visuallyHidden: true },
];

function CheckpointList({
  job,
  controller,
  loading,
  onTry,
  onDeploy,
}: {
  job: JobDetail;
  controller: ChartController;
  /** The store holds an overview, whose nearest rows are not a checkpoint's: its losses wait. */
  loading: boolean;
  onTry: (step: number) => void;
  onDeploy: (step: number) => void;
}) {
  useFrameTick(controller);
  if (job.checkpoints.length === 0) return null;
  const store = loading ? undefined : controller.store;
  const rows = job.checkpoints.map((c) => ({
    ...c,
    loss: c.loss ?? store?.lossAt(c.step),
    evalLoss: store?.evalLossAt(c.step),
  }));
  const best = bestCheckpoint(rows);
  return (
    <Card id="ckpt" title="Checkpoints">
      <DataTable class="checkpoints" testId="checkpoints" columns={CHECKPOINT_COLUMNS} rows={rows}>
        {(c, i) => (
          <tr key={c.step} data-best={i === best.index ? 'true' : undefined}>
            <td class="num">
              {c.step}
              {i === best.index && (
                <span
                  class="best-badge"
                  title={`Lowest ${best.by} of the checkpoints`}
                  data-testid="best-checkpoint"
                >
                  best
                </span>
              )}
            </td>
            <td>{formatTimestamp(c.savedAt)}</td>
            <td class="num">{c.loss != null ? c.loss.toFixed(4) : '—'}</td>
            <td class="num">{c.evalLoss != null ? c.evalLoss.toFixed(4) : '—'}</td>
            <td class="actions">
              <Button appearance="secondary" onClick={() => onTry(c.step)} data-step={String(c.step)}>
                Try in Playground
              </Button>{' '}
              <Button
                appearance="secondary"
                onClick={() => onDeploy(c.step)}
                data-testid="deploy-checkpoint"
                data-deploy-step={String(c.step)}
              >
                Deploy…
              </Button>
            </td>
          </tr>
        )}
      </DataTable>
    </Card>
  );
}

function LogView({ feed }: { feed: LogFeed }) {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => feed.subscribe(() => bump(undefined)), [feed]);
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  });
  const lines = feed.tail.lines;
  return (
    <div
      ref={ref}
      class="log"
      role="log"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable log must be focusable to scroll by keyboard.
      tabIndex={0}
      aria-label="Training log (last 500 lines)"
      data-testid="log-tail"
      onScroll={(e) => {
        pinned.current = isPinnedToBottom(e.currentTarget as HTMLDivElement);
      }}
    >
      {lines.length === 0 ? (
        <span class="muted">No log output yet.</span>
      ) : (
        lines.map((l) => (
          <div key={l.id} class="log-line">
            {l.text || '\u00a0'}
          </div>
        ))
      )}
    </div>
  );
}
