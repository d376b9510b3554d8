import type { ChartController } from './chartController';
import { useFrameTick } from './useFrameTick';

// What the chart area says instead of (or over) the chart.

/**
 * Over the chart while a long run's rows load: how far along, and what waits for every row. The
 * status text is announced once; the progress bar carries the count (not announced at every chunk).
 */
export function LoadingNote({ controller }: { controller: ChartController }) {
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
export function ChartPlaceholder({ controller, status }: { controller: ChartController; status: string }) {
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
