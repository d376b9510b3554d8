import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { HostToJobPanel, JobDetail, JobPanelToHost, StreamView } from '../../src/protocol';
import { Card } from '../shared/Card';
import type { HostChannel } from '../shared/hostChannel';
import { Button } from '../shared/toolkit';
import { readPersisted, useHost, usePersisted } from '../shared/useHost';
import { ChartControls } from './ChartControls';
import { ChartPlaceholder, LoadingNote } from './ChartNotes';
import { CheckpointList } from './Checkpoints';
import { ChartController } from './chartController';
import { toCsv } from './csv';
import { LogView } from './LogView';
import { LossChart, type XRange } from './LossChart';
import { LogFeed } from './logTail';
import { ConfigGrid, LiveStats, RunDetails, StreamBanner, statusClass } from './RunHeader';
import { StatisticsSection } from './Statistics';

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
