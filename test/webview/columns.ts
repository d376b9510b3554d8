import type { MetricColumns } from '../../src/protocol';

type Column = readonly (number | null)[];

/**
 * Metric columns as the host sends them (typed arrays, 32-bit metrics, NaN for missing) from plain
 * arrays (null for missing).
 */
export function metricColumns(c: {
  step: Column;
  loss: Column;
  evalLoss: Column;
  learningRate: Column;
  time: Column;
}): MetricColumns {
  const value = (v: number | null) => (v === null ? Number.NaN : v);
  return {
    step: Float64Array.from(c.step, value),
    loss: Float32Array.from(c.loss, value),
    evalLoss: Float32Array.from(c.evalLoss, value),
    learningRate: Float32Array.from(c.learningRate, value),
    time: Float64Array.from(c.time, value),
  };
}
