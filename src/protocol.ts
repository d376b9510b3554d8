/**
 * Every message between the extension host and a webview, as discriminated unions on `type`.
 * Both sides import this file (the host for `postMessage`, the Preact apps for their handlers), so a
 * renamed field is a compile error on both sides. Everything here is plain JSON: no tokens, no
 * functions, nothing a webview must not see. The host validates what webviews send
 * (src/vscode/messageSchemas.ts); webviews trust what the host sends.
 *
 * Lifecycle shared by all views: the webview posts `ready` once mounted; the host answers with a
 * `snapshot` (and again whenever the view is re-shown), then pushes deltas.
 */

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export interface CheckpointSummary {
  step: number;
  /** ISO time the checkpoint event was received or stamped. */
  savedAt: string;
  /** Training loss at (or just before) that step, when known. */
  loss?: number;
}

/** One job as the jobs view and job panel header show it. */
export interface JobSummary {
  id: string;
  name: string;
  status: JobStatus | string;
  createdAt: string;
  startedAt?: string | null;
  completedAt?: string | null;
  model?: string;
  dataset?: string;
  error?: string | null;
  /** Latest step seen on the event stream, and the run's planned total when known. */
  step?: number;
  maxSteps?: number;
  lastLoss?: number;
  /** A few dozen recent loss values for the row sparkline. */
  sparkline?: number[];
  checkpoints: CheckpointSummary[];
}

export interface BackendInfo {
  kind: 'local' | 'cloud';
  /** Human label, e.g. "Local backend" or "api.arkor.ai". */
  label: string;
  /** A problem reaching the backend, shown as a banner; undefined when healthy. */
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// Jobs view (sidebar webview view `arkor.jobs`)

export type JobsViewToHost =
  | { type: 'ready' }
  | { type: 'runTraining' }
  | { type: 'refresh' }
  | { type: 'openJob'; jobId: string }
  | { type: 'cancelJob'; jobId: string }
  | { type: 'openPlayground'; jobId?: string; step?: number };

export type HostToJobsView =
  | { type: 'snapshot'; jobs: JobSummary[]; backend: BackendInfo; trusted: boolean }
  | { type: 'jobs'; jobs: JobSummary[] }
  | { type: 'backend'; backend: BackendInfo };
