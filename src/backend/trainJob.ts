// One training run, from dataset file to saved adapters, reporting through callbacks. It runs inside
// the training worker thread (trainWorker.ts); kept free of worker plumbing so it reads top to bottom.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadBaseModel } from './engine/baseModel';
import { type Example, parseChatJsonl, toWindows } from './engine/data';
import { createLora, disposeLora, loadLora, saveLora } from './engine/lora';
import { TinyGpt } from './engine/model';
import { PRESETS, type PresetName } from './engine/presets';
import { mulberry32, shuffle } from './engine/rng';
import { initTf } from './engine/tf';
import { allowedBytesOf } from './engine/tokenizer';
import { type StepMetrics, train } from './engine/train';
import { type RunSettings, stepsFor } from './jobConfig';

export interface TrainInput {
  jobId: string;
  settings: RunSettings;
  preset: PresetName;
  /** adapters/<jobId>/ under the data directory. */
  adapterRoot: string;
  baseModelDir?: string;
  /** LOCAL-ONLY resume: go on from this checkpoint of an earlier job (see server.ts, resumeJob). */
  resume?: ResumePoint;
}

export interface ResumePoint {
  /** The checkpoint's directory (adapter_model.safetensors + adapter_config.json). */
  adapterDir: string;
  /** The checkpoint's step: the resumed run starts after it. */
  step: number;
  /** The interrupted run's total steps, as it resolved them: the resumed run ends there too. */
  maxSteps?: number;
}

export interface Artifact {
  pathname: string;
  kind: 'adapter' | 'adapter_config';
  bytes?: number;
}

export interface TrainCallbacks {
  started(metadata: Record<string, unknown>): void;
  log(m: StepMetrics): void;
  checkpoint(step: number, artifacts: Artifact[]): void;
  shouldStop(): boolean;
}

export type TrainOutcome =
  | { status: 'completed'; artifacts: Artifact[]; metrics: Record<string, unknown> }
  | { status: 'cancelled' };

export async function trainJob(input: TrainInput, cb: TrainCallbacks): Promise<TrainOutcome> {
  const s = input.settings;
  if (s.sourceError || !s.datasetPath) throw new Error(s.sourceError ?? 'no dataset');
  await initTf();
  const preset = PRESETS[input.preset];
  const base = loadBaseModel(preset, input.baseModelDir);
  const context = Math.min(s.maxLength ?? preset.model.context, preset.model.context);

  let examples: Example[] = parseChatJsonl(readFileSync(s.datasetPath, 'utf8'));
  // dryRun mirrors the cloud's smoke test: about 50 rows and at most 10 steps.
  if (s.dryRun) examples = examples.slice(0, 50);
  // Held-out split for evalLoss: 10% of the examples (at least one), chosen by the seed.
  const shuffled = shuffle(examples, mulberry32(s.seed));
  const nEval = s.evalSteps && examples.length >= 2 ? Math.max(1, Math.round(examples.length * 0.1)) : 0;
  const evalExamples = shuffled.slice(0, nEval);
  const trainExamples = shuffled.slice(nEval);
  const trainSet = toWindows(trainExamples, context, s.trainOnResponsesOnly);
  const evalSet = toWindows(evalExamples, context, s.trainOnResponsesOnly);
  if (trainSet.length === 0) throw new Error('the dataset has no assistant replies to train on');

  const batchSize = s.batchSize ?? preset.batchSize;
  let maxSteps =
    input.resume?.maxSteps ??
    s.maxSteps ??
    Math.max(1, Math.ceil((s.numTrainEpochs * trainSet.length) / batchSize));
  if (s.dryRun) maxSteps = Math.min(maxSteps, 10);
  // Fractions (Hugging Face style: 0.1 = a tenth of the run) become step counts now that the total is known.
  const evalSteps = stepsFor(s.evalSteps, maxSteps);
  const saveSteps = stepsFor(s.saveSteps, maxSteps);
  const loggingSteps = stepsFor(s.loggingSteps, maxSteps) ?? 1;
  const warmupSteps = stepsFor(s.warmupSteps, maxSteps) ?? 0;
  // A resumed run trains the checkpoint's adapter on (its rank and alpha are the ones it was saved with).
  const resumed = input.resume ? loadLora(input.resume.adapterDir, true).lora : undefined;
  const r = resumed?.r ?? Math.min(s.loraR, preset.model.d);
  const alpha = resumed?.alpha ?? s.loraAlpha ?? 2 * r;
  const allowedBytes = allowedBytesOf(examples.flatMap((e) => e.messages.map((m) => m.content)));

  const model = TinyGpt.fromWeights(preset.model, base.weights);
  const lora = resumed ?? createLora(preset.model, r, alpha, s.seed);
  const trainable = Object.values(lora.A)
    .concat(Object.values(lora.B))
    .reduce((n, v) => n + v.size, 0);
  cb.started({
    backend: 'local',
    requestedModel: s.requestedModel,
    baseModel: base.id,
    note: `The local backend trains a tiny byte-level GPT (${preset.name} preset) in place of "${s.requestedModel}".`,
    preset: preset.name,
    parameters: model.variables().reduce((n, v) => n + v.size, 0),
    trainableParameters: trainable,
    trainExamples: trainExamples.length,
    evalExamples: evalExamples.length,
    maxSteps,
    batchSize,
    learningRate: s.learningRate,
    loraR: r,
    loraAlpha: alpha,
    contextLength: context,
    seed: s.seed,
    dryRun: s.dryRun,
    // The step settings as run (fractions resolved), and the schedule the engine really uses.
    ...(evalSteps !== undefined ? { evalSteps } : {}),
    ...(saveSteps !== undefined ? { saveSteps } : {}),
    loggingSteps,
    warmupSteps,
    lrSchedulerType: s.lrSchedulerType,
    ...(input.resume ? { resumedFromStep: input.resume.step } : {}),
  });

  const adapterMeta = (step: number) => ({
    preset: preset.name,
    baseModel: base.id,
    allowedBytes,
    step,
  });
  const save = (dir: string, step: number): Artifact[] => {
    const { weightsFile, configFile, bytes } = saveLora(
      lora,
      path.join(input.adapterRoot, dir),
      adapterMeta(step),
    );
    return [
      {
        pathname: path.relative(input.adapterRoot, weightsFile).split(path.sep).join('/'),
        kind: 'adapter',
        bytes,
      },
      {
        pathname: path.relative(input.adapterRoot, configFile).split(path.sep).join('/'),
        kind: 'adapter_config',
      },
    ];
  };

  const started = Date.now();
  try {
    const result = train({
      model,
      lora,
      train: trainSet,
      evalSet,
      batchSize,
      maxSteps,
      learningRate: s.learningRate,
      warmupSteps,
      schedule:
        s.lrSchedulerType === 'constant' ? 'constant' : s.lrSchedulerType === 'cosine' ? 'cosine' : 'linear',
      seed: s.seed,
      loggingSteps,
      evalSteps,
      saveSteps,
      onLog: cb.log,
      onCheckpoint: (step) => cb.checkpoint(step, save(path.join('checkpoints', `step-${step}`), step)),
      shouldStop: cb.shouldStop,
      startStep: input.resume?.step,
    });
    if (result.stopped) return { status: 'cancelled' };
    const artifacts = save('final', result.steps);
    return {
      status: 'completed',
      artifacts,
      metrics: {
        steps: result.steps,
        trainLoss: result.lastLoss,
        evalLoss: result.lastEvalLoss,
        runtimeSeconds: (Date.now() - started) / 1000,
      },
    };
  } finally {
    disposeLora(lora);
    model.dispose();
  }
}
