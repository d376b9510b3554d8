/**
 * LOCAL-ONLY routes of the embedded backend about itself and about resuming a job. None of these
 * exist on Arkor Cloud (docs/wire-protocol.md): the cloud has no resume, so there clients offer a
 * re-run only.
 */
import { z } from 'zod';

/**
 * LOCAL-ONLY `GET /v1/local/backend`, host token only: who answers. A window that found a backend
 * through its discovery file proves with it that the URL is that backend and the token its own.
 */
export const LocalBackendInfoSchema = z.looseObject({
  pid: z.number().int(),
  /** The build of the backend that answers (a hash of its bundle), to spot a stale one. */
  buildId: z.string(),
  /** A job is queued or running. */
  busy: z.boolean(),
  /** It was asked to retire and exits as soon as it is idle. */
  retiring: z.boolean(),
});
export type LocalBackendInfo = z.output<typeof LocalBackendInfoSchema>;

/**
 * LOCAL-ONLY `POST /v1/local/backend/retire`, host token only: a newer build took over; exit as soon
 * as no job is queued or running (at once if none is). The answer says which.
 */
export const RetireResponseSchema = z.looseObject({ exiting: z.boolean(), busy: z.boolean() });

/**
 * LOCAL-ONLY `POST /v1/local/jobs/:id/resume?orgSlug&projectSlug` body: a new job with the same
 * config that starts from the adapter weights of a checkpoint of job `:id` (its last one when `step`
 * is left out) and trains from that step to the original total steps. 201 with the new job; 409 when
 * the job is still active, 404 when it has no such checkpoint.
 */
export const ResumeJobRequestSchema = z.object({ step: z.number().int().positive().optional() });
export type ResumeJobRequest = z.input<typeof ResumeJobRequestSchema>;

/** LOCAL-ONLY extra field of a resumed job: where it started from. */
export const ResumedFromSchema = z.looseObject({ jobId: z.string(), step: z.number().int() });
export type ResumedFrom = z.output<typeof ResumedFromSchema>;
