// Wire shapes of the local backend: the Arkor wire format of src/wire (docs/wire-protocol.md), as
// this server builds them. Only what stays inside the backend is added here.
import type { z } from 'zod';
import type { JobEventPayload, ProjectSchema, TrainingJobSchema } from '../wire';

export type { AdapterRef, KnownJobStatus as JobStatus, Org } from '../wire';

/** A project as stored: the wire project plus the folder binding, which never leaves the backend. */
export type Project = z.output<typeof ProjectSchema> & {
  createdAt: string;
  /**
   * The folder on this machine the project belongs to (realpath), for projects the extension bound
   * with POST /v1/local/projects. Dataset paths of its jobs resolve against it and must lie inside it.
   * Not sent to clients (the cloud's Project has no such field).
   */
  root?: string;
};

/**
 * A job as stored and sent. `warnings` (a loose field the cloud does not send) lists settings the job
 * asked for that the local engine does not implement; they are also logged as `log` events.
 */
export type TrainingJob = z.output<typeof TrainingJobSchema>;

/** One job event as stored and as sent on the SSE stream (`id:`, `event:`, `data:`). */
export interface StoredEvent {
  /** Per-job, monotonically increasing from 1. */
  id: number;
  event: string;
  /** The JSON payload; always carries `type`, `jobId` and `timestamp`. */
  data: JobEventPayload | Record<string, never>;
}
