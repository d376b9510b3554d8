/**
 * Job statuses: the one definition of which statuses exist, which are finished and which are still
 * moving. Imported by the client (src/core), the local backend (src/backend) and the host; plain data,
 * no zod, so anything may import it cheaply.
 *
 * Lifecycle (docs/wire-protocol.md, "Jobs"): queued → running → completed | failed | cancelled.
 */

/** The five statuses the protocol defines, in lifecycle order. */
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;

/** A status the protocol defines. What a server sends (the local backend only ever sends these). */
export type KnownJobStatus = (typeof JOB_STATUSES)[number];

/** A status as a client reads it: a server may invent new ones, so the type stays open. */
export type JobStatus = KnownJobStatus | (string & {});

/** Finished: the job will not change any more (and cannot be cancelled). */
export const TERMINAL_JOB_STATUSES: ReadonlySet<string> = new Set<KnownJobStatus>([
  'completed',
  'failed',
  'cancelled',
]);

/** Still moving: queued or running. The only statuses a cancel applies to. */
export const ACTIVE_JOB_STATUSES: ReadonlySet<string> = new Set<KnownJobStatus>(['queued', 'running']);

/** True for `completed`, `failed` and `cancelled`. */
export function isTerminalStatus(status: string | undefined): boolean {
  return status !== undefined && TERMINAL_JOB_STATUSES.has(status);
}

/** True for `queued` and `running`: the job is still moving and can be cancelled. */
export function isActiveStatus(status: string | undefined): boolean {
  return status !== undefined && ACTIVE_JOB_STATUSES.has(status);
}
