/**
 * Error bodies and the statuses with a fixed meaning (docs/wire-protocol.md, "Errors").
 *
 * A server answers every failure with JSON `{ error: string, ...extra }`; the 426 of the version gate
 * adds the fields of `UpgradeRequiredBodySchema`. Clients read error bodies leniently
 * (`ErrorBodyReadSchema`): any field may be missing and a body may not be JSON at all.
 */
import { z } from 'zod';

/** The `error` of a 426 from the version gate. */
export const SDK_VERSION_UNSUPPORTED = 'sdk_version_unsupported';

/** What a server sends on any non-2xx: `{ error }` plus route-specific extras. */
export const ErrorBodySchema = z.looseObject({ error: z.string() });
export type ErrorBody = z.output<typeof ErrorBodySchema>;

/** The 426 body of the `X-Arkor-Client` version gate. */
export const UpgradeRequiredBodySchema = ErrorBodySchema.extend({
  error: z.literal(SDK_VERSION_UNSUPPORTED),
  /** The version the client sent, or null when the header was missing or malformed. */
  currentVersion: z.string().nullable(),
  supportedRange: z.string(),
  /** A command that upgrades the client, e.g. `npm install arkor@latest`. */
  upgrade: z.string(),
  reason: z.enum(['missing', 'malformed']).optional(),
});
export type UpgradeRequiredBody = z.input<typeof UpgradeRequiredBodySchema>;

/**
 * How clients read an error body: every field optional (bodies vary between servers and proxies),
 * `message` accepted as a fallback for `error`. `currentVersion` may be null in a 426.
 */
export const ErrorBodyReadSchema = z.looseObject({
  error: z.string().optional(),
  message: z.string().optional(),
  currentVersion: z.string().nullable().optional(),
  supportedRange: z.string().optional(),
  upgrade: z.string().optional(),
  reason: z.string().optional(),
});
export type ErrorBodyRead = z.output<typeof ErrorBodyReadSchema>;

/**
 * Statuses after which reopening a job's event stream cannot help: bad credentials (401, 403), a
 * job that is gone for good (410) and the version gate (426). Everything else (404 included:
 * a just-created job may not have replicated yet) is retried with backoff.
 */
export const PERMANENT_STREAM_STATUSES: ReadonlySet<number> = new Set([401, 403, 410, 426]);

/** One line saying which fields were wrong, e.g. `jobs.0.id: expected string, received undefined`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
