// Wire shapes of the local backend, matching the Arkor Cloud API (docs/arkor-protocol.md §1-§3).

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export const TERMINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

export interface Org {
  id: string;
  slug: string;
  name: string;
}

export interface Project {
  id: string;
  slug: string;
  name: string;
  orgId: string;
  createdAt: string;
  /**
   * The folder on this machine the project belongs to (realpath), for projects the extension bound
   * with POST /v1/local/projects. Dataset paths of its jobs resolve against it and must lie inside it.
   * Not sent to clients (the cloud's Project has no such field).
   */
  root?: string;
}

export interface TrainingJob {
  id: string;
  orgId: string;
  projectId: string;
  name: string;
  status: JobStatus;
  config: Record<string, unknown>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /**
   * Local-backend extra (a loose field the cloud does not send): settings the job asked for that the
   * local engine does not implement. Also logged as `log` events when the job starts.
   */
  warnings?: string[];
}

/** One job event as stored and as sent on the SSE stream (`id:`, `event:`, `data:`). */
export interface StoredEvent {
  /** Per-job, monotonically increasing from 1. */
  id: number;
  event: string;
  /** The JSON payload; always carries `type`, `jobId` and `timestamp`. */
  data: Record<string, unknown>;
}

export type AdapterRef =
  | { kind: 'final'; jobId: string }
  | { kind: 'checkpoint'; jobId: string; step: number };
