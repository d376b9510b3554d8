// The mapping from the SDK's JobConfig to what the local engine actually runs. Bodies of
// `POST /v1/jobs` are validated with the wire schema (`CreateJobRequestSchema`, src/wire/jobs.ts):
// the config is loose (unknown keys are kept and echoed back); only the fields the local engine uses
// are checked, so a bad value fails at creation with a 400, not later.
//
// Datasets. Arkor Cloud fetches `datasetSource` itself; the local backend reads a local file:
//   {type:'blob', url:'./data/train.jsonl'}   (what the real SDK sends, verbatim)
//   {type:'blob', url:'file:///abs/path/data.jsonl'}   or an absolute path
// Paths resolve against the folder of the job's project (Project.root): the extension binds each
// project it runs to its folder (POST /v1/local/projects), so a job always reads its own project's
// file, never another workspace folder's. After realpath (symlinks cannot escape) the file must lie
// inside that folder. A project without a folder cannot use file datasets.
// `{type:'huggingface'}` is accepted but fails the job at start: there is no Hub offline.
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobConfigInput } from '../wire';

/** A validated job config: `config` of the wire's `CreateJobRequestSchema` (src/wire/jobs.ts). */
export type JobConfig = JobConfigInput;

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

/**
 * Resolves and confines the dataset file of a job in the project whose folder is `projectRoot`;
 * throws BadRequest with a message for the client (naming the path and where it was looked for).
 */
export function resolveDataset(
  config: JobConfig,
  projectRoot: string | undefined,
): { path?: string; error?: string } {
  const src = config.datasetSource as { type: string; url?: unknown; name?: unknown };
  if (src.type === 'huggingface') {
    const name = typeof src.name === 'string' ? src.name : '?';
    return {
      error: `Hugging Face datasets are not available in the offline local backend (dataset "${name}"). Use a JSONL file in the project: {type:'blob', url:'./data/train.jsonl'}.`,
    };
  }
  if (src.type !== 'blob') throw new BadRequest(`unsupported datasetSource.type "${src.type}"`);
  if (typeof src.url !== 'string' || !src.url) throw new BadRequest('datasetSource.url must be a string');
  const url = src.url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^file:/i.test(url)) {
    throw new BadRequest(
      `the local backend works offline and cannot fetch ${url.split(':')[0]} URLs; use a path inside the project, like ./data/train.jsonl`,
    );
  }
  if (!projectRoot) {
    throw new BadRequest(
      `dataset ${url}: this project has no folder on this machine to read it from (projects get one when the Arkor extension runs a trainer from them)`,
    );
  }
  let file: string;
  try {
    file = /^file:/i.test(url) ? fileURLToPath(url) : path.resolve(projectRoot, url);
  } catch {
    throw new BadRequest(`dataset ${url} is not a valid file URL`);
  }
  // Outside the project is refused before looking: the answer must not tell which paths exist.
  if (!isInside(path.resolve(file), projectRoot)) {
    throw new BadRequest(`dataset file must be inside the project folder ${projectRoot}: ${url}`);
  }
  if (!existsSync(file)) {
    throw new BadRequest(
      `dataset file not found: ${url} (looked for ${file}, in the project folder ${projectRoot})`,
    );
  }
  const real = realpathSync(file);
  if (!isInside(real, projectRoot)) {
    throw new BadRequest(`dataset file must be inside the project folder ${projectRoot}: ${url}`);
  }
  if (!statSync(real).isFile()) throw new BadRequest(`dataset is not a file: ${url}`);
  return { path: real };
}

export function runSettings(config: JobConfig, projectRoot: string | undefined): RunSettings {
  const ds = resolveDataset(config, projectRoot);
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
