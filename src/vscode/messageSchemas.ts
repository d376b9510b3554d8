import { z } from 'zod';
import type { JobsViewToHost } from '../protocol';

/**
 * Runtime validation of messages arriving from webviews. A webview is a web page: whatever it sends
 * is untrusted input, so the host parses each message against these schemas and ignores (and logs)
 * anything that does not match. `satisfies` ties each schema to its type in protocol.ts.
 */

const jobId = z.string().min(1).max(200);

export const jobsViewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('runTraining') }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('openJob'), jobId }),
  z.object({ type: z.literal('cancelJob'), jobId }),
  z.object({
    type: z.literal('openPlayground'),
    jobId: jobId.optional(),
    step: z.number().int().nonnegative().optional(),
  }),
]) satisfies z.ZodType<JobsViewToHost>;

/** Parses a message or returns undefined; never throws. */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): T | undefined {
  const result = schema.safeParse(raw);
  return result.success ? result.data : undefined;
}
