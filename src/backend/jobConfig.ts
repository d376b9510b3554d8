// Validation of `POST /v1/jobs` bodies and the mapping from the SDK's JobConfig to what the local
// engine actually runs. The wire config is loose (unknown keys are kept and echoed back); only the
// fields the local engine uses are checked, so a bad value fails at creation with a 400, not later.
//
// Datasets. Arkor Cloud fetches `datasetSource` itself; the local backend reads a local file:
//   {type:'blob', url:'file:///abs/path/data.jsonl'}   or   {type:'blob', url:'data/train.jsonl'}
// A relative path is resolved against the project root: the extension-only config field
// `localProjectRoot` (absolute path) if the job has it, else the `--dataset-root` directories given
// on the server command line (the first that holds the file; the extension passes its workspace
// folders, so the real `arkor` SDK's relative `./data/x.jsonl` works unchanged).
// Either way the file, after realpath (so symlinks cannot escape), must lie inside
// `localProjectRoot` or one of the `--dataset-root` directories.
// `{type:'huggingface'}` is accepted but fails the job at start: there is no Hub offline.
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const positiveNum = z.number().positive();

/**
 * An optional field as the SDK forwards it: absent, or JSON `null` (the SDK forwards null, and a NaN
 * serialises to null), both meaning "not set"; otherwise `schema` decides.
 */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

/**
 * `warmupSteps`, `loggingSteps`, `saveSteps`, `evalSteps` (typed `unknown` by the SDK): a whole number
 * of steps (0 = none), or, as in Hugging Face Trainer, a fraction in (0, 1) of the total training
 * steps (see `stepsFor`). Negative numbers and numbers above 1 with a fraction are refused.
 */
const stepsOrRatio = z
  .number({ error: 'must be a number of steps or a fraction in (0, 1) of the total steps' })
  .refine((n) => Number.isFinite(n) && n >= 0, 'must not be negative')
  .refine(
    (n) => n < 1 || Number.isInteger(n),
    'must be a whole number of steps or a fraction in (0, 1) of the total steps',
  );

export const CreateJobBody = z.object({
  name: z.string().min(1).max(200),
  config: z.looseObject({
    model: z.string().min(1),
    datasetSource: z.looseObject({ type: z.string() }),
    // Hugging Face's "unset" (-1: train for numTrainEpochs) is accepted as well.
    maxSteps: optional(z.union([positiveInt.max(100_000), z.literal(-1)])),
    // Fractional epochs are fine (0.5 = half the data once).
    numTrainEpochs: optional(positiveNum.max(1000)),
    learningRate: optional(positiveNum.max(1)),
    batchSize: optional(positiveInt.max(256)),
    loraR: optional(positiveInt.max(256)),
    loraAlpha: optional(positiveNum),
    maxLength: optional(positiveInt),
    loadIn4bit: optional(z.boolean()),
    saveSteps: optional(stepsOrRatio),
    loggingSteps: optional(stepsOrRatio),
    evalSteps: optional(stepsOrRatio),
    warmupSteps: optional(stepsOrRatio),
    // Accepted whatever the name; the ones the engine lacks run as linear, with a warning.
    lrSchedulerType: optional(z.string()),
    optim: optional(z.string()),
    weightDecay: optional(z.number().nonnegative()),
    // Typed `unknown` by the SDK; only an explicit `false` turns it off.
    trainOnResponsesOnly: z.unknown().optional(),
    // Typed `unknown` by the SDK (templates send `{type:'chatml'}`); anything else gets a warning.
    datasetFormat: z.unknown().optional(),
    datasetSplit: z.unknown().optional(),
    dryRun: optional(z.boolean()),
    seed: optional(z.number().int()),
    localProjectRoot: z.string().optional(),
  }),
});

export type JobConfig = z.infer<typeof CreateJobBody>['config'];

/** The settings the worker runs with, after defaults. Everything here is plain JSON. */
export interface RunSettings {
  requestedModel: string;
  /** Absolute, realpath'd dataset file; undefined when the source cannot be used (see sourceError). */
  datasetPath?: string;
  sourceError?: string;
  maxSteps?: number;
  numTrainEpochs: number;
  learningRate: number;
  batchSize?: number;
  loraR: number;
  loraAlpha?: number;
  maxLength?: number;
  saveSteps?: number;
  loggingSteps: number;
  evalSteps?: number;
  warmupSteps: number;
  lrSchedulerType: string;
  trainOnResponsesOnly: boolean;
  dryRun: boolean;
  seed: number;
  /**
   * Settings the job asked for that the local engine does not implement (it runs without them).
   * Stored on the job and logged when it starts.
   */
  warnings: string[];
}

/**
 * A steps setting resolved against the run's total steps: a fraction in (0, 1) is that share of the
 * total, rounded up and at least 1 (Hugging Face Trainer's rule); a whole number is itself.
 */
export function stepsFor(value: number | undefined, totalSteps: number): number | undefined {
  if (value === undefined) return undefined;
  if (value > 0 && value < 1) return Math.max(1, Math.ceil(value * totalSteps));
  return value;
}

/** The schedules the engine implements; `constant_with_warmup` is its `constant` (warmup applies to all). */
const SCHEDULES: Record<string, 'linear' | 'constant' | 'cosine'> = {
  linear: 'linear',
  constant: 'constant',
  constant_with_warmup: 'constant',
  cosine: 'cosine',
};

/** Dataset formats the engine reads: OpenAI-style `{messages}` JSONL. */
const CHAT_FORMATS = new Set(['chatml', 'messages', 'openai', 'conversational']);

/** What the job asked for that the local engine cannot do, one sentence each. */
export function configWarnings(config: JobConfig): string[] {
  const warnings: string[] = [];
  if (config.optim !== undefined) {
    warnings.push(`optim "${config.optim}" is not implemented by the local engine; it trains with Adam.`);
  }
  if (config.weightDecay !== undefined && config.weightDecay !== 0) {
    warnings.push(
      `weightDecay ${config.weightDecay} is not implemented by the local engine; it trains without weight decay.`,
    );
  }
  if (config.lrSchedulerType !== undefined && !Object.hasOwn(SCHEDULES, config.lrSchedulerType)) {
    warnings.push(
      `lrSchedulerType "${config.lrSchedulerType}" is not implemented by the local engine; it uses "linear" (supported: linear, constant, constant_with_warmup, cosine).`,
    );
  }
  if (config.loadIn4bit === true) {
    warnings.push('loadIn4bit is not implemented by the local engine; the model is not quantised.');
  }
  if (config.datasetSplit !== undefined && config.datasetSplit !== null) {
    warnings.push(
      `datasetSplit ${JSON.stringify(config.datasetSplit)} is not implemented by the local engine; it trains on the whole file (holding out 10% for eval when evalSteps is set).`,
    );
  }
  const format = config.datasetFormat;
  if (format !== undefined && format !== null) {
    const type =
      typeof format === 'string'
        ? format
        : typeof format === 'object' && typeof (format as { type?: unknown }).type === 'string'
          ? (format as { type: string }).type
          : undefined;
    if (type === undefined || !CHAT_FORMATS.has(type)) {
      warnings.push(
        `datasetFormat ${JSON.stringify(format)} is not implemented by the local engine; it reads chat JSONL ({messages:[{role, content}]}).`,
      );
    }
  }
  return warnings;
}

export class BadRequest extends Error {}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Resolves and confines the dataset file; throws BadRequest with a message for the client. */
export function resolveDataset(config: JobConfig, datasetRoots: string[]): { path?: string; error?: string } {
  const src = config.datasetSource as { type: string; url?: unknown; name?: unknown };
  if (src.type === 'huggingface') {
    const name = typeof src.name === 'string' ? src.name : '?';
    return {
      error: `Hugging Face datasets are not available in the offline local backend (dataset "${name}"). Use {type:'blob', url:'file:///…/data.jsonl'} or a path inside the project.`,
    };
  }
  if (src.type !== 'blob') throw new BadRequest(`unsupported datasetSource.type "${src.type}"`);
  if (typeof src.url !== 'string' || !src.url) throw new BadRequest('datasetSource.url must be a string');
  const roots: string[] = [];
  if (config.localProjectRoot !== undefined) {
    if (!path.isAbsolute(config.localProjectRoot))
      throw new BadRequest('localProjectRoot must be an absolute path');
    roots.push(config.localProjectRoot);
  }
  roots.push(...datasetRoots);
  let file: string;
  if (/^file:/i.test(src.url)) file = fileURLToPath(src.url);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src.url)) {
    throw new BadRequest(
      `the local backend works offline and cannot fetch ${src.url.split(':')[0]} URLs; use a file:// URL or a path inside the project`,
    );
  } else if (path.isAbsolute(src.url)) file = src.url;
  else {
    if (roots.length === 0)
      throw new BadRequest('a relative dataset path needs localProjectRoot in the job config');
    // Several workspace folders may be roots: the first one holding the file wins.
    const candidates = roots.map((r) => path.resolve(r, src.url as string));
    file = candidates.find((c) => existsSync(c)) ?? (candidates[0] as string);
  }
  if (roots.length === 0) {
    throw new BadRequest('no project root is known: set localProjectRoot in the job config');
  }
  if (!existsSync(file)) throw new BadRequest(`dataset file not found: ${src.url}`);
  const real = realpathSync(file);
  const inside = roots.some((r) => existsSync(r) && isInside(real, realpathSync(r)));
  if (!inside) throw new BadRequest(`dataset file must be inside the project directory: ${src.url}`);
  if (!statSync(real).isFile()) throw new BadRequest(`dataset is not a file: ${src.url}`);
  return { path: real };
}

export function runSettings(config: JobConfig, datasetRoots: string[]): RunSettings {
  const ds = resolveDataset(config, datasetRoots);
  return {
    requestedModel: config.model,
    datasetPath: ds.path,
    sourceError: ds.error,
    maxSteps: config.maxSteps === -1 ? undefined : config.maxSteps,
    numTrainEpochs: config.numTrainEpochs ?? 3,
    // Tiny models want a far higher rate than the 2e-4 typical for billion-parameter LoRA.
    learningRate: config.learningRate ?? 1e-2,
    batchSize: config.batchSize,
    loraR: config.loraR ?? 8,
    loraAlpha: config.loraAlpha,
    maxLength: config.maxLength,
    saveSteps: config.saveSteps,
    loggingSteps: config.loggingSteps ?? 1,
    evalSteps: config.evalSteps,
    warmupSteps: config.warmupSteps ?? 0,
    lrSchedulerType:
      config.lrSchedulerType !== undefined && Object.hasOwn(SCHEDULES, config.lrSchedulerType)
        ? (SCHEDULES[config.lrSchedulerType] as string)
        : 'linear',
    trainOnResponsesOnly: config.trainOnResponsesOnly !== false,
    dryRun: config.dryRun ?? false,
    seed: config.seed ?? 42,
    warnings: configWarnings(config),
  };
}
