import type { MetricColumns } from '../../src/protocol';

type Column = readonly (number | null)[];

/** Metric columns as the host sends them (typed arrays, NaN for missing) from plain arrays (null for missing). */
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
    loss: Float64Array.from(c.loss, value),
    evalLoss: Float64Array.from(c.evalLoss, value),
    learningRate: Float64Array.from(c.learningRate, value),
    time: Float64Array.from(c.time, value),
  };
}
