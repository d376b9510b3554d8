/**
 * zod schemas: the one place where untrusted JSON from the server becomes typed data.
 *
 * All object schemas are `looseObject`, so fields the server adds later pass through untouched;
 * missing or mistyped required fields produce a readable error (see `describeZodError`).
 */
import { z } from 'zod';

const nullableNumber = z.number().nullable().optional();

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

const eventBase = { jobId: z.string(), timestamp: z.string() };

export const TrainingStartedSchema = z.looseObject({
  type: z.literal('training.started'),
  ...eventBase,
  metadata: z.unknown().optional(),
});
export const TrainingLogSchema = z.looseObject({
  type: z.literal('training.log'),
  ...eventBase,
  step: z.number(),
  loss: nullableNumber,
  evalLoss: nullableNumber,
  learningRate: nullableNumber,
  epoch: nullableNumber,
  samplesPerSecond: nullableNumber,
});
export const CheckpointSavedSchema = z.looseObject({
  type: z.literal('checkpoint.saved'),
  ...eventBase,
  step: z.number(),
  artifacts: z.array(z.unknown()).optional(),
});
export const TrainingCompletedSchema = z.looseObject({
  type: z.literal('training.completed'),
  ...eventBase,
  metrics: z.unknown().optional(),
  artifacts: z.array(z.unknown()).optional(),
});
export const TrainingFailedSchema = z.looseObject({
  type: z.literal('training.failed'),
  ...eventBase,
  error: z.string(),
  step: z.number().optional(),
});

/** Keyed by type so the stream can pick one schema with a single lookup (hot path). */
export const JOB_EVENT_SCHEMAS = {
  'training.started': TrainingStartedSchema,
  'training.log': TrainingLogSchema,
  'checkpoint.saved': CheckpointSavedSchema,
  'training.completed': TrainingCompletedSchema,
  'training.failed': TrainingFailedSchema,
} as const;

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
