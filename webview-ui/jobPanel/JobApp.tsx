import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { HostToJobPanel, JobDetail, JobPanelToHost, StreamState } from '../../src/protocol';
import type { HostChannel } from '../shared/hostChannel';
import { Button } from '../shared/toolkit';
import { readPersisted, useHost, usePersisted } from '../shared/useHost';
import { ChartController } from './chartController';
import { toCsv } from './csv';
import { LossChart } from './LossChart';
import { isPinnedToBottom, LogFeed } from './logTail';
import { formatDuration, runStats } from './stats';

export type JobPanelChannel = HostChannel<HostToJobPanel, JobPanelToHost>;

/** UI state kept across reloads with setState/getState (merged into whatever else is stored there). */
export interface JobPanelUiState {
  smoothing: number;
  logScale: boolean;
  showLearningRate: boolean;
}

interface StoredState {
  jobId?: string;
  ui?: Partial<JobPanelUiState>;
}

const DEFAULT_UI: JobPanelUiState = { smoothing: 0.6, logScale: false, showLearningRate: false };

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
  const [stream, setStream] = useState<StreamState | undefined>(undefined);
  const [elsewhere, setElsewhere] = useState<Extract<HostToJobPanel, { type: 'elsewhere' }> | undefined>();
  const controller = useMemo(
    () =>
      new ChartController({
        smoothing: initialUi.smoothing,
        raf: raf?.request,
        caf: raf?.cancel,
      }),
    [initialUi, raf],
  );
  const logFeed = useMemo(() => new LogFeed(raf?.request, raf?.cancel), [raf]);

  const post = useHost(channel, (m) => {
    switch (m.type) {
      case 'snapshot':
        controller.snapshot(m.metrics);
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
        controller.replaceFrom(m.from, m.rows);
        return;
      case 'log':
        logFeed.push(m.lines);
        return;
      case 'stream':
        setStream(m.stream);
        return;
    }
  });
  useEffect(
    () => () => {
      controller.dispose();
      logFeed.dispose();
    },
    [controller, logFeed],
  );

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
      <header class="job-header">
        <div class="title-row">
          <h1 class="job-name">{job.name}</h1>
          <span class={`status-badge status-${statusClass(job.status)}`} data-testid="status-badge">
            {job.status}
          </span>
          <span class="spacer" />
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
        </div>
        {job.status === 'failed' && (
          <div class="banner error" role="alert" data-testid="job-error">
            <strong>Job failed: </strong>
            <span>{job.error || 'no error message was reported'}</span>
          </div>
        )}
        {job.warnings && job.warnings.length > 0 && (
          <div class="banner" role="status" data-testid="job-warnings">
            <strong>
              {job.warnings.length === 1
                ? 'This setting is not applied by the backend:'
                : `These ${job.warnings.length} settings are not applied by the backend:`}
            </strong>
            <ul class="warning-list">
              {job.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </div>
        )}
        <StreamBanner stream={stream} />
        <LiveStats job={job} controller={controller} />
        <ConfigGrid config={job.config} />
      </header>

      <section class="card" aria-labelledby="loss-heading">
        <div class="card-title">
          <h2 id="loss-heading">Loss</h2>
          <div class="chart-controls">
            <label class="control">
              Smoothing
              <input
                type="range"
                min="0"
                max="0.99"
                step="0.01"
                value={ui.smoothing}
                data-testid="smoothing"
                onInput={(e) =>
                  setUi((s) => ({ ...s, smoothing: Number((e.target as HTMLInputElement).value) }))
                }
              />
              <output class="num">{ui.smoothing.toFixed(2)}</output>
            </label>
            <label class="control">
              <input
                type="checkbox"
                checked={ui.logScale}
                data-testid="log-scale"
                onChange={(e) => setUi((s) => ({ ...s, logScale: (e.target as HTMLInputElement).checked }))}
              />
              Log scale
            </label>
            <label class="control">
              <input
                type="checkbox"
                checked={ui.showLearningRate}
                data-testid="show-lr"
                onChange={(e) =>
                  setUi((s) => ({ ...s, showLearningRate: (e.target as HTMLInputElement).checked }))
                }
              />
              Learning rate
            </label>
            <Button
              appearance="secondary"
              data-testid="export-csv"
              title="Save the chart data as CSV"
              onClick={() => post({ type: 'saveCsv', csv: toCsv(controller.store) })}
            >
              Export CSV
            </Button>
          </div>
        </div>
        <LossChart
          controller={controller}
          logScale={ui.logScale}
          showLearningRate={ui.showLearningRate}
          smoothing={ui.smoothing}
        />
        <ChartPlaceholder controller={controller} />
      </section>

      <CheckpointList
        job={job}
        controller={controller}
        onTry={(step) => post({ type: 'openPlayground', step })}
      />

      <section class="card" aria-labelledby="log-heading">
        <div class="card-title">
          <h2 id="log-heading">Log</h2>
          <Button
            appearance="secondary"
            data-testid="open-full-log"
            onClick={() => post({ type: 'openFullLog' })}
          >
            Open full log
          </Button>
        </div>
        <LogView feed={logFeed} />
      </section>
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

function StreamBanner({ stream }: { stream: StreamState | undefined }) {
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
      {job.model && <Stat label="Model" value={job.model} />}
      {job.dataset && <Stat label="Dataset" value={job.dataset} />}
      <Stat label="Step" value={s.step != null ? (max ? `${s.step} / ${max}` : String(s.step)) : '—'} />
      <Stat label="Elapsed" value={formatDuration(s.elapsedMs)} />
      {running && <Stat label="ETA" value={formatDuration(s.etaMs)} />}
      <Stat label="Steps/s" value={s.stepsPerSecond != null ? s.stepsPerSecond.toFixed(2) : '—'} />
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

function ChartPlaceholder({ controller }: { controller: ChartController }) {
  useFrameTick(controller);
  if (controller.store.length > 0) return null;
  return <p class="muted chart-empty">Waiting for training metrics…</p>;
}

function CheckpointList({
  job,
  controller,
  onTry,
}: {
  job: JobDetail;
  controller: ChartController;
  onTry: (step: number) => void;
}) {
  useFrameTick(controller);
  if (job.checkpoints.length === 0) return null;
  return (
    <section class="card" aria-labelledby="ckpt-heading">
      <div class="card-title">
        <h2 id="ckpt-heading">Checkpoints</h2>
      </div>
      <table class="checkpoints" data-testid="checkpoints">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Saved</th>
            <th scope="col">Loss</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {job.checkpoints.map((c) => {
            const loss = c.loss ?? controller.store.lossAt(c.step);
            return (
              <tr key={c.step}>
                <td class="num">{c.step}</td>
                <td>{formatTimestamp(c.savedAt)}</td>
                <td class="num">{loss != null ? loss.toFixed(4) : '—'}</td>
                <td class="actions">
                  <Button appearance="secondary" onClick={() => onTry(c.step)} data-step={String(c.step)}>
                    Try in Playground
                  </Button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
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
