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

export const CreateJobBody = z.object({
  name: z.string().min(1).max(200),
  config: z.looseObject({
    model: z.string().min(1),
    datasetSource: z.looseObject({ type: z.string() }),
    maxSteps: positiveInt.max(100_000).optional(),
    numTrainEpochs: positiveNum.max(1000).optional(),
    learningRate: positiveNum.max(1).optional(),
    batchSize: positiveInt.max(256).optional(),
    loraR: positiveInt.max(256).optional(),
    loraAlpha: positiveNum.optional(),
    maxLength: positiveInt.optional(),
    saveSteps: positiveInt.optional(),
    loggingSteps: positiveInt.optional(),
    evalSteps: positiveInt.optional(),
    warmupSteps: z.number().int().nonnegative().optional(),
    lrSchedulerType: z.string().optional(),
    // Typed `unknown` by the SDK; only an explicit `false` turns it off.
    trainOnResponsesOnly: z.unknown().optional(),
    dryRun: z.boolean().optional(),
    seed: z.number().int().optional(),
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
    maxSteps: config.maxSteps,
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
    lrSchedulerType: config.lrSchedulerType ?? 'linear',
    trainOnResponsesOnly: config.trainOnResponsesOnly !== false,
    dryRun: config.dryRun ?? false,
    seed: config.seed ?? 42,
  };
}
