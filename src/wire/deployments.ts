/**
 * Deployments, a.k.a. endpoints (docs/wire-protocol.md, "Deployments"): `/v1/endpoints/*`, all
 * project-scoped, served by Arkor Cloud and by the local backend alike. Rows are loose (unknown
 * fields pass through). What a deployment then serves (OpenAI chat completions) is in `openai.ts`.
 */
import { z } from 'zod';
import { AdapterRefSchema } from './chat';

/** Timestamps: ISO strings (a Date, as some decoders produce, is made one). */
const isoTime = z.union([z.string(), z.date().transform((d) => d.toISOString())]);

/** What a deployment's URL serves: a trained adapter, or a raw base model. */
export const DeploymentTargetSchema = z.union([
  z.looseObject({ kind: z.literal('adapter'), adapter: AdapterRefSchema }),
  z.looseObject({ kind: z.literal('base_model'), baseModel: z.string() }),
]);
export type DeploymentTarget = z.output<typeof DeploymentTargetSchema>;

/** `fixed_api_key`: callers send a key as `Authorization: Bearer <key>` or `x-api-key`. */
export const DEPLOYMENT_AUTH_MODES = ['none', 'fixed_api_key'] as const;
export const DeploymentAuthModeSchema = z.enum(DEPLOYMENT_AUTH_MODES);
export type DeploymentAuthMode = z.output<typeof DeploymentAuthModeSchema>;

/** Keep stored runs forever, not at all, or `runRetentionDays` days (server default: 7 days). */
export const RUN_RETENTION_MODES = ['unlimited', 'disabled', 'days'] as const;

/** Keep stored runs `runRetentionDays` days when neither field is sent (the documented default). */
export const DEFAULT_RUN_RETENTION_DAYS = 7;

/** A slug: 2–50 characters, lowercase letters, digits and hyphens, alphanumeric at both ends. */
export const DEPLOYMENT_SLUG = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
export const DEPLOYMENT_SLUG_MESSAGE =
  'slug must be 2-50 chars, lowercase letters / digits / hyphens, starting and ending with a letter or digit (e.g. "my-model")';
/**
 * Labels the server refuses with a 400 although they match the rule. Arkor documents `www`, `api`
 * and `admin` as examples; its full list is not published, so a client cannot know them all.
 */
export const RESERVED_DEPLOYMENT_SLUGS: readonly string[] = ['www', 'api', 'admin'];

/** The slug rule as one schema (length, then the pattern), so both report the documented message. */
export const DeploymentSlugSchema = z
  .string()
  .min(2, DEPLOYMENT_SLUG_MESSAGE)
  .max(50, DEPLOYMENT_SLUG_MESSAGE)
  .regex(DEPLOYMENT_SLUG, DEPLOYMENT_SLUG_MESSAGE);

export const DeploymentSchema = z.looseObject({
  id: z.string(),
  slug: z.string(),
  orgId: z.string(),
  projectId: z.string(),
  target: DeploymentTargetSchema,
  authMode: DeploymentAuthModeSchema,
  urlFormat: z.literal('openai_compat'),
  enabled: z.boolean(),
  customDomain: z.string().nullable(),
  /** Open enum when reading: a mode this client does not know is kept. */
  runRetentionMode: z.string().optional(),
  runRetentionDays: z.number().optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
  /**
   * LOCAL-ONLY extra field: the OpenAI base URL (ending in `/v1`) the local backend serves this
   * deployment at, e.g. `http://127.0.0.1:41234/my-model/v1`. Arkor Cloud does not send it; there the
   * URL is `https://<slug>.arkor.app/v1` (see `deploymentBaseUrl` in src/core/endpointSamples.ts).
   */
  baseUrl: z.string().optional(),
});
export type Deployment = z.output<typeof DeploymentSchema>;

/** A key row; never carries the secret. */
export const DeploymentKeySchema = z.looseObject({
  id: z.string(),
  label: z.string(),
  prefix: z.string(),
  enabled: z.boolean(),
  createdAt: isoTime,
  lastUsedAt: isoTime.nullable(),
});
export type DeploymentKey = z.output<typeof DeploymentKeySchema>;

/** Only the create-key answer carries `plaintext`, exactly once, with the key row's identity fields. */
export const CreatedDeploymentKeySchema = DeploymentKeySchema.pick({
  id: true,
  label: true,
  prefix: true,
  createdAt: true,
}).extend({ plaintext: z.string() });
export type CreatedDeploymentKey = z.output<typeof CreatedDeploymentKeySchema>;

/** `runRetentionDays` is required with mode `days` and refused with any other mode. */
const retentionRule = (
  body: { runRetentionMode?: string | undefined; runRetentionDays?: number | undefined },
  ctx: z.RefinementCtx,
) => {
  if (body.runRetentionMode === 'days' && body.runRetentionDays === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['runRetentionDays'],
      message: 'runRetentionMode "days" requires a positive integer runRetentionDays.',
    });
  }
  if (body.runRetentionMode !== 'days' && body.runRetentionDays !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['runRetentionDays'],
      message: 'runRetentionDays is only valid when runRetentionMode is "days".',
    });
  }
};

/** `POST /v1/endpoints` body. 409 when the slug is taken; 400 for a reserved or invalid slug. */
export const CreateDeploymentRequestSchema = z
  .looseObject({
    slug: DeploymentSlugSchema,
    target: DeploymentTargetSchema,
    authMode: DeploymentAuthModeSchema,
    runRetentionMode: z.enum(RUN_RETENTION_MODES).optional(),
    runRetentionDays: z.number().int().positive().optional(),
  })
  .superRefine(retentionRule);
export type CreateDeploymentRequest = z.input<typeof CreateDeploymentRequestSchema>;

/** `PATCH /v1/endpoints/:id` body: partial; omitted fields stay. The slug cannot change. */
export const UpdateDeploymentRequestSchema = z.looseObject({
  target: DeploymentTargetSchema.optional(),
  authMode: DeploymentAuthModeSchema.optional(),
  enabled: z.boolean().optional(),
  runRetentionMode: z.enum(RUN_RETENTION_MODES).optional(),
  runRetentionDays: z.number().int().positive().optional(),
});
export type UpdateDeploymentRequest = z.input<typeof UpdateDeploymentRequestSchema>;

export const DEPLOYMENT_KEY_LABEL_MESSAGE = 'label must be 1-80 characters after trimming spaces';
/** `POST /v1/endpoints/:id/keys` body: a label of 1–80 characters after trimming (the trimmed one is kept). */
export const CreateDeploymentKeyRequestSchema = z.object({
  label: z
    .string(DEPLOYMENT_KEY_LABEL_MESSAGE)
    .trim()
    .min(1, DEPLOYMENT_KEY_LABEL_MESSAGE)
    .max(80, DEPLOYMENT_KEY_LABEL_MESSAGE),
});
export type CreateDeploymentKeyRequest = z.input<typeof CreateDeploymentKeyRequestSchema>;

/** `GET /v1/endpoints`. */
export const DeploymentListResponseSchema = z.looseObject({ deployments: z.array(DeploymentSchema) });
/** `GET`, `POST` (201) and `PATCH /v1/endpoints[/:id]`. */
export const DeploymentResponseSchema = z.looseObject({ deployment: DeploymentSchema });
/** `GET /v1/endpoints/:id/keys`. */
export const DeploymentKeyListResponseSchema = z.looseObject({ keys: z.array(DeploymentKeySchema) });
/** How clients read the key list: a `plaintext` a server should never list is dropped, as the SDK does. */
export const DeploymentKeyListReadSchema = DeploymentKeyListResponseSchema.transform((body) => ({
  ...body,
  keys: body.keys.map(({ plaintext: _secret, ...key }) => key as DeploymentKey),
}));
/** `POST /v1/endpoints/:id/keys` (201). */
export const CreatedDeploymentKeyResponseSchema = z.looseObject({ key: CreatedDeploymentKeySchema });

/**
 * LOCAL-ONLY: one recorded call of a deployment's OpenAI URL ("stored run"), kept only while the
 * deployment's run retention allows it. Arkor Cloud stores runs too but publishes no route to read
 * them, so this row and its route exist on the local backend alone.
 */
export const DeploymentRequestSchema = z.looseObject({
  id: z.string(),
  /** When the request arrived (ISO). */
  at: isoTime,
  method: z.string(),
  /** The path under the base URL, e.g. `/chat/completions`. */
  path: z.string(),
  status: z.number(),
  /** From arrival to the last byte sent. */
  latencyMs: z.number(),
  stream: z.boolean(),
  promptTokens: z.number().nullable(),
  completionTokens: z.number().nullable(),
  /** The start of the last user message and of the reply (null when the request was refused). */
  preview: z.looseObject({ prompt: z.string(), reply: z.string() }).nullable(),
  /** Why the request failed, as the caller was told. */
  error: z.string().nullable(),
});
export type DeploymentRequest = z.output<typeof DeploymentRequestSchema>;

/** LOCAL-ONLY `GET /v1/endpoints/:id/requests`: newest first, at most `limit` (default 50, max 500). */
export const DeploymentRequestListResponseSchema = z.looseObject({
  requests: z.array(DeploymentRequestSchema),
});
export const DEPLOYMENT_REQUESTS_DEFAULT_LIMIT = 50;
export const DEPLOYMENT_REQUESTS_MAX_LIMIT = 500;
