/**
 * Plain data types shared by the core (cloud API client, event streams, job store).
 *
 * The wire shapes are defined once, in src/wire (docs/wire-protocol.md); this file re-exports the
 * types the core works with, as clients read them. Objects that come from the server are "loose":
 * the server may add fields at any time, so the types carry an index signature.
 */
import type { z } from 'zod';
import type { TrainingJobReadSchema } from '../wire';

export type {
  AdapterRef,
  AnonymousSignup,
  ChatMessage,
  ChatRole,
  CheckpointSavedEvent,
  Identity,
  JobEvent,
  JobEventType,
  JobStatus,
  KnownJobStatus,
  OtherJobEvent,
  Project,
  ProjectList,
  Scope,
  StreamEndEvent,
  StreamNoteEvent,
  TrainingCompletedEvent,
  TrainingFailedEvent,
  TrainingLogEvent,
  TrainingStartedEvent,
} from '../wire';
export {
  ACTIVE_JOB_STATUSES,
  isActiveStatus,
  isTerminalEvent,
  isTerminalStatus,
  JOB_STATUSES,
  TERMINAL_JOB_STATUSES,
} from '../wire';

/** A job as the client reads it (see `TrainingJobReadSchema`). */
export type TrainingJob = z.output<typeof TrainingJobReadSchema>;

/** A job's `config` as read back (`model` may be missing on list rows; everything else is open). */
export type JobConfig = TrainingJob['config'];

/** An event as delivered by the stream: the payload plus the SSE `id` it came with (if any). */
export interface DeliveredJobEvent {
  /** Opaque SSE id. Never parse it. */
  id: string | undefined;
  event: import('../wire').JobEvent;
}

/** Something that can be released. Same shape as `vscode.Disposable` without importing it. */
export interface Disposable {
  dispose(): void;
}
