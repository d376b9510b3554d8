// The training loop shared by LoRA fine-tuning (jobs) and full pretraining (scripts/pretrain-base.ts).
// Synchronous on purpose: it runs in a worker thread (or a script), and cancellation is a flag the
// loop polls between steps, so stopping takes at most one step.
import { packBatch, type Window } from './data';
import { type Lora, loraVariables } from './lora';
import type { TinyGpt } from './model';
import { mulberry32, shuffle } from './rng';
import { tf } from './tf';

export type LrSchedule = 'linear' | 'constant' | 'cosine';

export interface TrainOptions {
  model: TinyGpt;
  /** When set, only the adapter is trained and the base stays frozen; otherwise the whole model. */
  lora?: Lora;
  train: Window[];
  evalSet?: Window[];
  batchSize: number;
  maxSteps: number;
  learningRate: number;
  warmupSteps?: number;
  schedule?: LrSchedule;
  seed: number;
  loggingSteps?: number;
  evalSteps?: number;
  saveSteps?: number;
  onLog?: (m: StepMetrics) => void;
  onCheckpoint?: (step: number) => void;
  /** Polled before each step; returning true stops the run. */
  shouldStop?: () => boolean;
  /**
   * Resume: the steps already done (by the run whose checkpoint `lora` was loaded from). The data
   * order is replayed up to here, so step `startStep + 1` sees the batch it would have seen, and the
   * learning-rate schedule goes on from here. Adam's moments are not in a checkpoint: they restart.
   */
  startStep?: number;
}

export interface StepMetrics {
  step: number;
  loss: number | null;
  evalLoss: number | null;
  learningRate: number;
  epoch: number;
  samplesPerSecond: number;
}

export interface TrainResult {
  steps: number;
  stopped: boolean;
  lastLoss: number | null;
  lastEvalLoss: number | null;
}

export function learningRateAt(step: number, o: TrainOptions): number {
  const warm = o.warmupSteps ?? 0;
  if (warm > 0 && step <= warm) return (o.learningRate * step) / warm;
  const progress = Math.min(1, (step - warm) / Math.max(1, o.maxSteps - warm));
  if (o.schedule === 'constant') return o.learningRate;
  if (o.schedule === 'cosine') return o.learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
  // Linear decay, floored at 10% so the last steps still move the weights.
  return o.learningRate * Math.max(0.1, 1 - progress);
}

/** Token-weighted mean loss over `windows` (no gradients). */
export function evaluate(model: TinyGpt, windows: Window[], batchSize: number, lora?: Lora): number {
  const T = model.config.context;
  let total = 0;
  let count = 0;
  for (let i = 0; i < windows.length; i += batchSize) {
    const { ids, targets, weights, B } = packBatch(windows.slice(i, i + batchSize), T);
    const loss = tf.tidy(() =>
      model.loss(tf.tensor2d(ids, [B, T]), tf.tensor2d(targets, [B, T]), tf.tensor2d(weights, [B, T]), lora),
    );
    const w = weights.reduce((a, b) => a + b, 0);
    total += (loss.dataSync()[0] as number) * w;
    count += w;
    loss.dispose();
  }
  return count > 0 ? total / count : Number.NaN;
}

export function train(o: TrainOptions): TrainResult {
  if (o.train.length === 0) throw new Error('no training windows (dataset has no assistant tokens?)');
  const T = o.model.config.context;
  const rng = mulberry32(o.seed);
  const vars = o.lora ? loraVariables(o.lora) : o.model.variables();
  const opt = tf.train.adam(o.learningRate);
  const logEvery = Math.max(1, o.loggingSteps ?? 1);
  let order = shuffle(o.train, rng);
  let cursor = 0;
  let seen = 0;
  let lastLoss: number | null = null;
  let lastEvalLoss: number | null = null;
  let step = 0;
  let stopped = false;
  let windowStart = Date.now();
  let windowSamples = 0;
  const nextBatch = (): Window[] => {
    const batch: Window[] = [];
    while (batch.length < o.batchSize) {
      if (cursor >= order.length) {
        order = shuffle(o.train, rng);
        cursor = 0;
      }
      batch.push(order[cursor++] as Window);
    }
    return batch;
  };
  // Replaying the sampling alone is cheap: no forward pass, only the shuffles and the cursor.
  for (; step < (o.startStep ?? 0); step++) seen += nextBatch().length;

  const evalNow = () => (o.evalSet?.length ? evaluate(o.model, o.evalSet, o.batchSize, o.lora) : null);
  // Step 0 eval: with a fresh adapter (B = 0) this is the base model's held-out loss, the baseline
  // the adapter's later evalLoss values are compared with.
  if (o.evalSteps && o.evalSet?.length && step === 0) {
    lastEvalLoss = evalNow();
    o.onLog?.({
      step: 0,
      loss: null,
      evalLoss: lastEvalLoss,
      learningRate: 0,
      epoch: 0,
      samplesPerSecond: 0,
    });
  }

  try {
    while (step < o.maxSteps) {
      if (o.shouldStop?.()) {
        stopped = true;
        break;
      }
      const batch = nextBatch();
      step++;
      seen += batch.length;
      windowSamples += batch.length;
      const lr = learningRateAt(step, o);
      // AdamOptimizer reads `learningRate` on every applyGradients call, so a schedule is a field write.
      (opt as unknown as { learningRate: number }).learningRate = lr;
      const { ids, targets, weights, B } = packBatch(batch, T);
      const cost = tf.tidy((): tf.Scalar => {
        const c = opt.minimize(
          () =>
            o.model.loss(
              tf.tensor2d(ids, [B, T]),
              tf.tensor2d(targets, [B, T]),
              tf.tensor2d(weights, [B, T]),
              o.lora,
            ),
          true,
          vars,
        );
        if (!c) throw new Error('optimizer returned no cost');
        return c;
      });
      lastLoss = cost.dataSync()[0] as number;
      cost.dispose();
      if (lastLoss !== null && !Number.isFinite(lastLoss)) throw new Error(`loss diverged at step ${step}`);

      const isEval = !!o.evalSteps && (step % o.evalSteps === 0 || step === o.maxSteps);
      if (isEval) lastEvalLoss = evalNow();
      if (step % logEvery === 0 || isEval || step === o.maxSteps) {
        const secs = (Date.now() - windowStart) / 1000;
        o.onLog?.({
          step,
          loss: lastLoss,
          evalLoss: isEval ? lastEvalLoss : null,
          learningRate: lr,
          epoch: seen / o.train.length,
          samplesPerSecond: secs > 0 ? windowSamples / secs : 0,
        });
        windowStart = Date.now();
        windowSamples = 0;
      }
      if (o.saveSteps && step % o.saveSteps === 0 && step < o.maxSteps) o.onCheckpoint?.(step);
    }
  } finally {
    opt.dispose();
  }
  return { steps: step, stopped, lastLoss, lastEvalLoss };
}
