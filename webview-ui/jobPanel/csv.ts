import type { MetricStore } from './metricStore';

/**
 * CSV of the chart's data, built in the webview from what it holds (no server round trip):
 * `step,loss,evalLoss,learningRate,time`, one row per step, `time` as ISO 8601 UTC, missing values
 * empty. Steps use JavaScript's shortest round-trip form. The metrics are 32-bit floats (as the job
 * store keeps them), each written as the shortest decimal that reads back as the same 32-bit value:
 * a loss logged as 2.234 is written 2.234, not its widened 2.2339999675750732.
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
        num32(store.loss[i]),
        num32(store.evalLoss[i]),
        num32(store.learningRate[i]),
        t != null && Number.isFinite(t) ? new Date(t).toISOString() : '',
      ].join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

function num(v: number | null | undefined): string {
  return v != null && Number.isFinite(v) ? String(v) : '';
}

/** The shortest decimal that is the same 32-bit float as `v` (at most 9 significant digits do). */
export function num32(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '';
  const f = Math.fround(v);
  const fits = (digits: number) => Math.fround(Number(f.toPrecision(digits))) === f;
  // Measured losses mostly need 7–8 digits, values typed by people (2e-4, 2.234) few: start between.
  let digits = 6;
  if (fits(digits)) {
    digits = 1;
    while (!fits(digits)) digits++;
  } else {
    digits = 7;
    while (digits < 9 && !fits(digits)) digits++;
  }
  return String(Number(f.toPrecision(digits)));
}
