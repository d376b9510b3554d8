import type { MetricStore } from './metricStore';

/**
 * CSV of the chart's data, built in the webview from what it holds (no server round trip):
 * `step,loss,evalLoss,learningRate,time`, one row per step, `time` as ISO 8601 UTC, missing values
 * empty. Numbers use JavaScript's shortest round-trip form, so nothing is rounded away.
 */
export const CSV_HEADER = 'step,loss,evalLoss,learningRate,time';

export function toCsv(
  store: Pick<MetricStore, 'step' | 'loss' | 'evalLoss' | 'learningRate' | 'time'>,
): string {
  const rows = [CSV_HEADER];
  for (let i = 0; i < store.step.length; i++) {
    const t = store.time[i];
    rows.push(
      [
        num(store.step[i]),
        num(store.loss[i]),
        num(store.evalLoss[i]),
        num(store.learningRate[i]),
        t != null && Number.isFinite(t) ? new Date(t).toISOString() : '',
      ].join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

function num(v: number | null | undefined): string {
  return v != null && Number.isFinite(v) ? String(v) : '';
}
