// Validation of `POST /v1/jobs` bodies and the mapping from the SDK's JobConfig to what the local
// engine actually runs. The wire config is loose (unknown keys are kept and echoed back); only the
// fields the local engine uses are checked, so a bad value fails at creation with a 400, not later.
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
