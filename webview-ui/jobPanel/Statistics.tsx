import { useRef } from 'preact/hooks';
import type { ChartController } from './chartController';
import { formatValue } from './chartData';
import type { XRange } from './LossChart';
import type { MetricStore } from './metricStore';
import { type SeriesStats, seriesStats, tQuantile } from './stats';
import { useFrameTick } from './useFrameTick';

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
export function StatisticsSection({
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
