/**
 * Deployments, a.k.a. endpoints (docs/wire-protocol.md, "Deployments"): `/v1/endpoints/*`, all
 * project-scoped. Neither the client nor the local backend speaks these routes yet; the shapes are
 * here so the feature starts from them. Rows are loose (unknown fields pass through).
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

/** A slug: 2–50 characters, lowercase letters, digits and hyphens, alphanumeric at both ends. */
export const DEPLOYMENT_SLUG = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
export const DEPLOYMENT_SLUG_MESSAGE =
  'slug must be 2-50 chars, lowercase letters / digits / hyphens, starting and ending with a letter or digit (e.g. "my-model")';

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

/** Only the create-key answer carries `plaintext`, exactly once. */
export const CreatedDeploymentKeySchema = z.looseObject({
  id: z.string(),
  label: z.string(),
  plaintext: z.string(),
  prefix: z.string(),
  createdAt: isoTime,
});
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
    slug: z.string().min(2).max(50).regex(DEPLOYMENT_SLUG, DEPLOYMENT_SLUG_MESSAGE),
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

/** `POST /v1/endpoints/:id/keys` body: a label of 1–80 characters after trimming. */
export const CreateDeploymentKeyRequestSchema = z.object({ label: z.string().trim().min(1).max(80) });
export type CreateDeploymentKeyRequest = z.input<typeof CreateDeploymentKeyRequestSchema>;

/** `GET /v1/endpoints`. */
export const DeploymentListResponseSchema = z.looseObject({ deployments: z.array(DeploymentSchema) });
/** `GET`, `POST` (201) and `PATCH /v1/endpoints[/:id]`. */
export const DeploymentResponseSchema = z.looseObject({ deployment: DeploymentSchema });
/** `GET /v1/endpoints/:id/keys`. */
export const DeploymentKeyListResponseSchema = z.looseObject({ keys: z.array(DeploymentKeySchema) });
/** `POST /v1/endpoints/:id/keys` (201). */
export const CreatedDeploymentKeyResponseSchema = z.looseObject({ key: CreatedDeploymentKeySchema });
