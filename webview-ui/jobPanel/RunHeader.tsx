import { useEffect, useState } from 'preact/hooks';
import type { JobDetail, StreamView } from '../../src/protocol';
import type { ChartController } from './chartController';
import { formatDuration, runStats } from './stats';
import { useFrameTick } from './useFrameTick';

// What the panel says about the run around its chart: the stream's state, the live figures, where
// the run came from, its configuration.

const KNOWN = new Set(['queued', 'running', 'completed', 'failed', 'cancelled']);
/** The status badge's class: a status this panel does not know (a newer server's) draws as unknown. */
export function statusClass(status: string): string {
  return KNOWN.has(status) ? status : 'unknown';
}

export function StreamBanner({ stream }: { stream: StreamView | undefined }) {
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
export function LiveStats({ job, controller }: { job: JobDetail; controller: ChartController }) {
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
export function RunDetails({ job }: { job: JobDetail }) {
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

export function ConfigGrid({ config }: { config: JobDetail['config'] }) {
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
