/**
 * zod schemas: the one place where untrusted JSON from the server becomes typed data.
 *
 * All object schemas are `looseObject`, so fields the server adds later pass through untouched;
 * missing or mistyped required fields produce a readable error (see `describeZodError`).
 */
import { z } from 'zod';
import type { JobEvent } from './types';

export const JobConfigSchema = z.looseObject({
  model: z.string().optional(),
});

export const TrainingJobSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  orgId: z.string().optional(),
  projectId: z.string().optional(),
  // Studio tolerates `config: {}` and even a missing config on list rows.
  config: JobConfigSchema.optional().default({}),
  error: z.string().nullable().optional(),
  createdAt: z.string().optional(),
  startedAt: z.string().nullable().optional(),
  completedAt: z.string().nullable().optional(),
});

export const JobListResponseSchema = z.looseObject({ jobs: z.array(TrainingJobSchema) });
export const JobResponseSchema = z.looseObject({
  job: TrainingJobSchema,
  events: z.array(z.unknown()).optional(),
});

export const OrgSchema = z.looseObject({ id: z.string(), slug: z.string(), name: z.string() });
export const IdentitySchema = z.looseObject({
  user: z.looseObject({}),
  orgs: z.array(OrgSchema),
});

export const ProjectSchema = z.looseObject({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  orgId: z.string().optional(),
});
export const ProjectListResponseSchema = z.looseObject({
  org: z.looseObject({ slug: z.string() }),
  projects: z.array(ProjectSchema),
});
export const ProjectResponseSchema = z.looseObject({ project: ProjectSchema });
/** `POST /v1/local/projects` (local backend only). */
export const LocalProjectResponseSchema = z.looseObject({
  org: z.looseObject({ slug: z.string() }),
  project: ProjectSchema,
});

export const AnonymousSignupSchema = z.looseObject({
  token: z.string().min(1),
  anonymousId: z.string(),
  kind: z.string(),
  personalOrg: z.looseObject({ slug: z.string(), id: z.string(), name: z.string() }),
});

/** The usual JSON error body (§1.1) plus the 426 fields. Everything is optional: bodies vary. */
export const ErrorBodySchema = z.looseObject({
  error: z.string().optional(),
  message: z.string().optional(),
  currentVersion: z.string().optional(),
  supportedRange: z.string().optional(),
  upgrade: z.string().optional(),
  reason: z.string().optional(),
});

// ---- Job events (§2.2) --------------------------------------------------------------------------
//
// As lenient as the SDK, which does not validate frames at all: it dispatches on the payload's
// `type` and reads the fields it needs. Here a missing `jobId` is the stream's job, a missing
// `timestamp` is the receipt time, a metric of the wrong type counts as absent, unknown types are
// kept (as `other` events, for the log) and unusable frames become a `note` instead of vanishing.
// `parseJobEventData` is the only entry point; the stream (jobEvents.ts) does no validation itself.

/** A metric: a number, null, or absent. Anything else (a string, NaN) reads as absent. */
const lenientMetric = z
  .number()
  .refine((n) => Number.isFinite(n))
  .nullable()
  .optional()
  .catch(undefined);
/** A step: a finite number, or a numeric string (`"12"`). */
const lenientStep = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
  z.number().refine((n) => Number.isFinite(n)),
);
const lenientArtifacts = z.array(z.unknown()).optional().catch(undefined);

/** Filled in by `parseJobEventData` before these run, so always strings here. */
const eventBase = { jobId: z.string(), timestamp: z.string() };

export const TrainingStartedSchema = z.looseObject({
  type: z.literal('training.started'),
  ...eventBase,
  metadata: z.unknown().optional(),
});
export const TrainingLogSchema = z.looseObject({
  type: z.literal('training.log'),
  ...eventBase,
  step: lenientStep,
  loss: lenientMetric,
  evalLoss: lenientMetric,
  learningRate: lenientMetric,
  epoch: lenientMetric,
  samplesPerSecond: lenientMetric,
});
export const CheckpointSavedSchema = z.looseObject({
  type: z.literal('checkpoint.saved'),
  ...eventBase,
  step: lenientStep,
  artifacts: lenientArtifacts,
});
export const TrainingCompletedSchema = z.looseObject({
  type: z.literal('training.completed'),
  ...eventBase,
  metrics: z.unknown().optional(),
  artifacts: lenientArtifacts,
});
/** A failure is terminal: it is never dropped, even without an error text. */
export const TrainingFailedSchema = z.looseObject({
  type: z.literal('training.failed'),
  ...eventBase,
  error: z
    .unknown()
    .optional()
    .transform((e) =>
      typeof e === 'string' && e !== ''
        ? e
        : e === undefined || e === null || e === ''
          ? 'The backend reported a failure without an error message.'
          : JSON.stringify(e),
    ),
  step: lenientStep.optional().catch(undefined),
});

/** Keyed by type so the stream can pick one schema with a single lookup (hot path). */
export const JOB_EVENT_SCHEMAS = {
  'training.started': TrainingStartedSchema,
  'training.log': TrainingLogSchema,
  'checkpoint.saved': CheckpointSavedSchema,
  'training.completed': TrainingCompletedSchema,
  'training.failed': TrainingFailedSchema,
} as const;

export interface JobEventParseContext {
  /** The job whose stream this is: the `jobId` of frames that carry none. */
  jobId: string;
  /** The SSE `event:` name, used as the type when the payload has no string `type`. */
  eventName?: string;
  /** Receipt time (epoch ms) for frames without a `timestamp`. Default Date.now. */
  now?: () => number;
}

export interface ParsedJobEventData {
  event: JobEvent;
  /** The data was a JSON object, so it counts as stream progress (even when it became a note). */
  parsed: boolean;
}

const MAX_NOTE_DATA = 200;

function clip(text: string): string {
  return text.length > MAX_NOTE_DATA ? `${text.slice(0, MAX_NOTE_DATA)}…` : text;
}

function timestampOf(value: unknown, now: () => number): string {
  if (typeof value === 'string' && value !== '') return value;
  // Epoch milliseconds (or seconds, as some servers send) are made ISO, like everything else here.
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value < 1e11 ? value * 1000 : value).toISOString();
  }
  return new Date(now()).toISOString();
}

/**
 * One SSE frame's `data` as a job event (pings and `end` are the stream's business, not this).
 * Never throws: whatever the server sent, the result is an event the job log can show.
 */
export function parseJobEventData(data: string, ctx: JobEventParseContext): ParsedJobEventData {
  const now = ctx.now ?? Date.now;
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    payload = undefined;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    const name = ctx.eventName ? ` (event: ${ctx.eventName})` : '';
    return {
      parsed: false,
      event: {
        type: 'note',
        jobId: ctx.jobId,
        timestamp: new Date(now()).toISOString(),
        message: `Skipped an event whose data is not a JSON object${name}: ${clip(data) || '(empty)'}`,
      },
    };
  }
  const {
    type: rawType,
    jobId: rawJobId,
    timestamp: rawTimestamp,
    ...rest
  } = payload as Record<string, unknown>;
  const type = typeof rawType === 'string' && rawType !== '' ? rawType : (ctx.eventName ?? 'message');
  const jobId = typeof rawJobId === 'string' && rawJobId !== '' ? rawJobId : ctx.jobId;
  const timestamp = timestampOf(rawTimestamp, now);
  const schema = Object.hasOwn(JOB_EVENT_SCHEMAS, type)
    ? JOB_EVENT_SCHEMAS[type as keyof typeof JOB_EVENT_SCHEMAS]
    : undefined;
  if (!schema) {
    return { parsed: true, event: { type: 'other', jobId, timestamp, name: type, payload: rest } };
  }
  const result = schema.safeParse({ ...rest, type, jobId, timestamp });
  if (result.success) return { parsed: true, event: result.data as JobEvent };
  return {
    parsed: true,
    event: {
      type: 'note',
      jobId,
      timestamp,
      message: `Skipped a ${type} event (${describeZodError(result.error)}): ${clip(JSON.stringify(rest))}`,
    },
  };
}

// ---- Credentials and project state (§4) ---------------------------------------------------------

export const AnonCredentialsSchema = z.looseObject({
  mode: z.literal('anon'),
  token: z.string().min(1),
  anonymousId: z.string(),
  orgSlug: z.string(),
  arkorCloudApiUrl: z.string().optional(),
});

/** `auth0` is the pre-rename spelling of `oauth` (§4.1); both are read, `oauth` is what we produce. */
export const OAuthCredentialsSchema = z.looseObject({
  mode: z.union([z.literal('oauth'), z.literal('auth0')]),
  accessToken: z.string().min(1),
  refreshToken: z.string().optional(),
  expiresAt: z.number().optional(),
  auth0Domain: z.string().optional(),
  audience: z.string().optional(),
  clientId: z.string().optional(),
  arkorCloudApiUrl: z.string().optional(),
});

export const CredentialsFileSchema = z.union([AnonCredentialsSchema, OAuthCredentialsSchema]);

export const ProjectStateSchema = z.looseObject({
  orgSlug: z.string(),
  projectSlug: z.string(),
  projectId: z.string(),
});

/** One line saying which fields were wrong, e.g. `jobs.0.id: expected string, received undefined`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
