/**
 * Training jobs (docs/wire-protocol.md, "Jobs"): the `POST /v1/jobs` body, the job object and the
 * envelopes of the job routes. Every job route is project-scoped (`?orgSlug=&projectSlug=`).
 */
import { z } from 'zod';
import { JOB_STATUSES } from './jobStatus';
import { ResumedFromSchema } from './localBackend';

// ---- The job-create body --------------------------------------------------------------------------

const positiveInt = z.number().int().positive();
const positiveNum = z.number().positive();

/**
 * An optional setting as the SDK forwards it: absent, or JSON `null` (the SDK forwards null, and a
 * NaN serialises to null), both meaning "not set"; otherwise `schema` decides.
 */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

/**
 * `warmupSteps`, `loggingSteps`, `saveSteps`, `evalSteps` (typed `unknown` by the SDK): a whole
 * number of steps (0 = none), or, as in Hugging Face Trainer, a fraction in (0, 1) of the total
 * training steps. Negative numbers and numbers above 1 with a fraction are refused.
 */
const stepsOrRatio = z
  .number({ error: 'must be a number of steps or a fraction in (0, 1) of the total steps' })
  .refine((n) => Number.isFinite(n) && n >= 0, 'must not be negative')
  .refine(
    (n) => n < 1 || Number.isInteger(n),
    'must be a whole number of steps or a fraction in (0, 1) of the total steps',
  );

/**
 * `config` of `POST /v1/jobs`: what the SDK builds from `createTrainer({...})`. Only `model` and
 * `datasetSource` are required; unknown keys are kept (and echoed back on the job). The upper
 * bounds are the local backend's sanity limits, far above anything its engine can train.
 */
export const JobConfigSchema = z.looseObject({
  model: z.string().min(1),
  /** `{type:'blob', url, token?}` or `{type:'huggingface', name, split?, subset?}`; opaque otherwise. */
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
  lrSchedulerType: optional(z.string()),
  optim: optional(z.string()),
  weightDecay: optional(z.number().nonnegative()),
  // Typed `unknown` by the SDK; only an explicit `false` turns it off.
  trainOnResponsesOnly: z.unknown().optional(),
  // Typed `unknown` by the SDK (templates send `{type:'chatml'}`).
  datasetFormat: z.unknown().optional(),
  datasetSplit: z.unknown().optional(),
  dryRun: optional(z.boolean()),
  seed: optional(z.number().int()),
});
/** A validated job config (nulls read as absent). */
export type JobConfigInput = z.output<typeof JobConfigSchema>;

/** `POST /v1/jobs` body. The job's `name` is the trainer's name. */
export const CreateJobRequestSchema = z.object({
  name: z.string().min(1).max(200),
  config: JobConfigSchema,
});
export type CreateJobRequest = z.input<typeof CreateJobRequestSchema>;

// ---- The job object ---------------------------------------------------------------------------------

/** A job as a server sends it. Loose: servers may add fields (the local backend adds `warnings`). */
export const TrainingJobSchema = z.looseObject({
  id: z.string(),
  orgId: z.string(),
  projectId: z.string(),
  name: z.string(),
  status: z.enum(JOB_STATUSES),
  /** The config as created; a server may echo it back verbatim. */
  config: z.looseObject({ model: z.string() }),
  error: z.string().nullable(),
  /** ISO times. */
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  /** LOCAL-ONLY extra: settings the job asked for that the local engine does not implement. */
  warnings: z.array(z.string()).optional(),
  /** LOCAL-ONLY extra: the checkpoint a resumed job started from (src/wire/localBackend.ts). */
  resumedFrom: ResumedFromSchema.optional(),
});

/**
 * A job as clients read it, more lenient than the SDK: any status string (a server may add
 * statuses), `config: {}` or no config at all on list rows (Studio tolerates both), and every field
 * but `id`, `name` and `status` optional.
 */
export const TrainingJobReadSchema = TrainingJobSchema.extend({
  status: z.string(),
  orgId: z.string().optional(),
  projectId: z.string().optional(),
  config: z.looseObject({ model: z.string().optional() }).optional().default({}),
  error: z.string().nullable().optional(),
  createdAt: z.string().optional(),
  startedAt: z.string().nullable().optional(),
  completedAt: z.string().nullable().optional(),
  // Whatever a server sends here is kept as it is.
  warnings: z.unknown().optional(),
  resumedFrom: ResumedFromSchema.optional().catch(undefined),
});

// ---- Envelopes ----------------------------------------------------------------------------------------

const jobList = <J extends z.ZodType>(job: J) => z.looseObject({ jobs: z.array(job) });
/** `GET /v1/jobs/:id` carries the job's events so far; create answers the bare envelope. */
const jobEnvelope = <J extends z.ZodType>(job: J) =>
  z.looseObject({ job, events: z.array(z.looseObject({})).optional() });

/** `GET /v1/jobs`: newest first. */
export const JobListResponseSchema = jobList(TrainingJobSchema);
export const JobListReadSchema = jobList(TrainingJobReadSchema);

/** `GET /v1/jobs/:id` (200) and `POST /v1/jobs` (201). */
export const JobResponseSchema = jobEnvelope(TrainingJobSchema);
export const JobReadSchema = z.looseObject({
  job: TrainingJobReadSchema,
  events: z.array(z.unknown()).optional(),
});

/**
 * `POST /v1/jobs/:id/cancel`: any 2xx is success and clients ignore the body. The local backend
 * answers `{ok: true, job}`; a cancel of a finished job is a 409.
 */
export const CancelJobResponseSchema = z.looseObject({
  ok: z.boolean().optional(),
  job: TrainingJobSchema.optional(),
});
