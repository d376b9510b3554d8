/**
 * Debiased exponential moving average, the TensorBoard / W&B "EMA" smoothing:
 *
 *   acc_n = w · acc_{n-1} + (1 − w) · y_n        (acc_0 = 0)
 *   s_n   = acc_n / (1 − w^k)                    (k = number of finite values seen so far)
 *
 * Dividing by (1 − w^k) removes the pull towards 0 at the start, so a constant series stays flat and
 * the first smoothed value equals the first raw value. `null` and non-finite values are skipped:
 * they produce `null` and leave the accumulator untouched. The weight is clamped to [0, 0.999].
 *
 * `EmaSmoother` is incremental: appending n points costs O(n), never O(series); only a change of
 * the weight recomputes the whole series (always on the full, undecimated series).
 */

export const MAX_SMOOTHING = 0.999;

export function clampWeight(weight: number): number {
  if (!Number.isFinite(weight) || weight <= 0) return 0;
  return Math.min(weight, MAX_SMOOTHING);
}

export class EmaSmoother {
  private acc = 0;
  private debiasPow = 1;
  readonly weight: number;

  constructor(weight: number) {
    this.weight = clampWeight(weight);
  }

  /** Feeds one raw value; returns its smoothed value (null for a missing value). */
  next(value: number | null | undefined): number | null {
    if (value == null || !Number.isFinite(value)) return null;
    const w = this.weight;
    if (w === 0) return value;
    this.acc = this.acc * w + (1 - w) * value;
    this.debiasPow *= w;
    return this.acc / (1 - this.debiasPow);
  }

  /**
   * `next` over `values[from, to)` into `out` (NaN where `next` gives null), as one loop with the
   * state in locals: a million-row snapshot is smoothed in milliseconds, not a call per row.
   */
  smoothInto(values: ArrayLike<number>, out: Float64Array, from: number, to: number): void {
    const w = this.weight;
    let acc = this.acc;
    let debiasPow = this.debiasPow;
    for (let i = from; i < to; i++) {
      const value = values[i]!;
      if (!Number.isFinite(value)) out[i] = Number.NaN;
      else if (w === 0) out[i] = value;
      else {
        acc = acc * w + (1 - w) * value;
        debiasPow *= w;
        out[i] = acc / (1 - debiasPow);
      }
    }
    this.acc = acc;
    this.debiasPow = debiasPow;
  }

  reset(): void {
    this.acc = 0;
    this.debiasPow = 1;
  }
}

/** Smooths a whole series (convenience over `EmaSmoother`). */
export function smoothSeries(values: readonly (number | null)[], weight: number): (number | null)[] {
  const s = new EmaSmoother(weight);
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = s.next(values[i]);
  return out;
}
