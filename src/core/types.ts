/**
 * Plain data types shared by the core (cloud API client, event streams, job store).
 *
 * Everything here mirrors the Arkor wire protocol (docs/arkor-protocol.md §1-§3). Objects that come
 * from the server are "loose": the server may add fields at any time, so the types carry an index
 * signature and the zod schemas in `schemas.ts` let unknown keys through.
 */

/** The five statuses the protocol defines. The server may invent new ones, so keep `string` open. */
export type KnownJobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type JobStatus = KnownJobStatus | (string & {});

export const TERMINAL_JOB_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

export function isTerminalStatus(status: string | undefined): boolean {
  return status !== undefined && TERMINAL_JOB_STATUSES.has(status);
}

/** Project scope: the query parameters every project-scoped route takes (§1.1). */
export interface Scope {
  orgSlug: string;
  projectSlug: string;
}

/**
 * The body of `POST /v1/jobs` `config` (§3). Only `model` and `datasetSource` are required by the
 * server; everything else is forwarded as-is, so we keep it open.
 */
export interface JobConfig {
  model?: string;
  datasetSource?: unknown;
  datasetFormat?: unknown;
  maxSteps?: number;
  numTrainEpochs?: number;
  learningRate?: number;
  batchSize?: number;
  loraR?: number;
  loraAlpha?: number;
  maxLength?: number;
  loadIn4bit?: boolean;
  dryRun?: boolean;
  [key: string]: unknown;
}

export interface TrainingJob {
  id: string;
  name: string;
  status: JobStatus;
  orgId?: string;
  projectId?: string;
  /** Studio tolerates `config: {}` on list rows, so `model` is optional when reading. */
  config: JobConfig;
  error?: string | null;
  createdAt?: string;
  startedAt?: string | null;
  completedAt?: string | null;
  [key: string]: unknown;
}

/** How inference names a trained adapter (§3). */
export type AdapterRef =
  | { kind: 'final'; jobId: string }
  | { kind: 'checkpoint'; jobId: string; step: number };

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** OpenAI-shaped chat message. Send plain `{role, content}`; the extras are for tool use. */
export interface ChatMessage {
  role: ChatRole;
  content: string | null;
  tool_calls?: unknown[];
  tool_call_id?: string;
}

export interface Identity {
  user: Record<string, unknown>;
  orgs: Array<{ id: string; slug: string; name: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface Project {
  id: string;
  slug: string;
  name: string;
  orgId?: string;
  [key: string]: unknown;
}

export interface ProjectList {
  org: { slug: string; [key: string]: unknown };
  projects: Project[];
  [key: string]: unknown;
}

export interface AnonymousSignup {
  token: string;
  anonymousId: string;
  kind: 'cli' | 'web' | (string & {});
  personalOrg: { slug: string; id: string; name: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Fields every job event carries (§2.1). `timestamp` is an ISO string. */
interface JobEventBase {
  jobId: string;
  timestamp: string;
  [key: string]: unknown;
}

export interface TrainingStartedEvent extends JobEventBase {
  type: 'training.started';
  metadata?: unknown;
}

/** A metrics tick. Any metric may be missing or null (eval-only frames carry no `loss`). */
export interface TrainingLogEvent extends JobEventBase {
  type: 'training.log';
  step: number;
  loss?: number | null;
  evalLoss?: number | null;
  learningRate?: number | null;
  epoch?: number | null;
  samplesPerSecond?: number | null;
}

export interface CheckpointSavedEvent extends JobEventBase {
  type: 'checkpoint.saved';
  step: number;
  artifacts?: unknown[];
}

export interface TrainingCompletedEvent extends JobEventBase {
  type: 'training.completed';
  metrics?: unknown;
  artifacts?: unknown[];
}

export interface TrainingFailedEvent extends JobEventBase {
  type: 'training.failed';
  error: string;
  step?: number;
}

/**
 * An event whose `type` this client does not model (the server may add types at any time; the
 * local backend sends `log` lines). Kept so the job's log can show it; it changes no state.
 */
export interface OtherJobEvent {
  type: 'other';
  jobId: string;
  timestamp: string;
  /** The payload's own `type` (or the SSE event name when the payload has none). */
  name: string;
  /** The payload without `type`, `jobId` and `timestamp`. */
  payload: Record<string, unknown>;
}

/**
 * A frame the stream could not use (data that is not a JSON object, or a known event without a field
 * it cannot do without, e.g. a `training.log` without `step`). It is skipped; this note says so in
 * the job's log.
 */
export interface StreamNoteEvent {
  type: 'note';
  jobId: string;
  timestamp: string;
  message: string;
}

/** Server-side channel shutdown. Carries no data on the wire; we fill in `jobId`. */
export interface StreamEndEvent {
  type: 'end';
  jobId: string;
}

/**
 * Every event the consumer of a job event stream can see. Keepalives never surface; unknown types
 * arrive as `other`, unusable frames as `note`.
 */
export type JobEvent =
  | TrainingStartedEvent
  | TrainingLogEvent
  | CheckpointSavedEvent
  | TrainingCompletedEvent
  | TrainingFailedEvent
  | OtherJobEvent
  | StreamNoteEvent
  | StreamEndEvent;

export type JobEventType = JobEvent['type'];

/** An event as delivered by the stream: the payload plus the SSE `id` it came with (if any). */
export interface DeliveredJobEvent {
  /** Opaque SSE id. Never parse it. */
  id: string | undefined;
  event: JobEvent;
}

export function isTerminalEvent(event: JobEvent): boolean {
  return event.type === 'training.completed' || event.type === 'training.failed' || event.type === 'end';
}

/** Something that can be released. Same shape as `vscode.Disposable` without importing it. */
export interface Disposable {
  dispose(): void;
}
