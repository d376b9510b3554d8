/**
 * The job event stream (docs/wire-protocol.md, "Job events"): `GET /v1/jobs/:id/events/stream`,
 * SSE frames `id:` / `event:` / `data:` where `data` is one JSON object carrying `type`, `jobId`,
 * `timestamp` and the fields of its type. `ping` and `end` frames have empty data.
 *
 * Two views of the same payloads live here:
 * - `*PayloadSchema`: what a server sends (the local backend builds its events with these types);
 * - `parseJobEventData`: how clients read a frame. As lenient as the SDK, which does not validate
 *   frames at all: it dispatches on the payload's `type` and reads the fields it needs. A missing
 *   `jobId` is the stream's job, a missing `timestamp` the receipt time, a metric of the wrong type
 *   counts as absent, unknown types are kept (as `other` events, for the log) and unusable frames
 *   become a `note` instead of vanishing. It is the only place frames are validated.
 */
import { z } from 'zod';
import { describeZodError } from './errors';

/** The five event types the protocol defines. `training.completed` and `training.failed` end a run. */
export const JOB_EVENT_TYPES = [
  'training.started',
  'training.log',
  'checkpoint.saved',
  'training.completed',
  'training.failed',
] as const;
export type JobEventName = (typeof JOB_EVENT_TYPES)[number];

/** Keepalive: ignored, and not progress. */
export const PING_EVENT = 'ping';
/** Server-side channel shutdown: terminal, no reconnect. */
export const END_EVENT = 'end';
/**
 * LOCAL-ONLY event type: a line for the job's log (`{level, line}`), e.g. the warnings about
 * settings the local engine does not implement. Clients show it as an `other` event.
 */
export const LOCAL_LOG_EVENT = 'log';

// ---- What a server sends ------------------------------------------------------------------------

const base = { jobId: z.string(), timestamp: z.string() };
const metric = z.number().nullable().optional();

export const TrainingStartedPayloadSchema = z.looseObject({
  type: z.literal('training.started'),
  ...base,
  metadata: z.unknown().optional(),
});
/** A metrics tick. Any metric may be missing or null (eval-only frames carry no `loss`). */
export const TrainingLogPayloadSchema = z.looseObject({
  type: z.literal('training.log'),
  ...base,
  step: z.number(),
  loss: metric,
  evalLoss: metric,
  learningRate: metric,
  epoch: metric,
  samplesPerSecond: metric,
});
/** From here on the checkpoint is an adapter: `{kind:'checkpoint', jobId, step}`. */
export const CheckpointSavedPayloadSchema = z.looseObject({
  type: z.literal('checkpoint.saved'),
  ...base,
  step: z.number(),
  artifacts: z.array(z.unknown()).optional(),
});
export const TrainingCompletedPayloadSchema = z.looseObject({
  type: z.literal('training.completed'),
  ...base,
  metrics: z.unknown().optional(),
  artifacts: z.array(z.unknown()).optional(),
});
export const TrainingFailedPayloadSchema = z.looseObject({
  type: z.literal('training.failed'),
  ...base,
  error: z.string(),
  step: z.number().optional(),
});
/** LOCAL-ONLY: see `LOCAL_LOG_EVENT`. */
export const LocalLogPayloadSchema = z.looseObject({
  type: z.literal(LOCAL_LOG_EVENT),
  ...base,
  level: z.string().optional(),
  line: z.string(),
});

/** Every payload a conforming server (the local backend included) sends, by type. */
export const JobEventPayloadSchema = z.discriminatedUnion('type', [
  TrainingStartedPayloadSchema,
  TrainingLogPayloadSchema,
  CheckpointSavedPayloadSchema,
  TrainingCompletedPayloadSchema,
  TrainingFailedPayloadSchema,
  LocalLogPayloadSchema,
]);
export type JobEventPayload = z.input<typeof JobEventPayloadSchema>;
/** `T` without its index signature (a loose object's named fields only). */
type NamedFields<T> = {
  [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
};
/** The fields of a payload of `type` besides `type`, `jobId` and `timestamp` (stamped on append). */
export type JobEventFields<T extends JobEventPayload['type']> = Omit<
  NamedFields<Extract<JobEventPayload, { type: T }>>,
  'type' | 'jobId' | 'timestamp'
>;

// ---- What clients see ----------------------------------------------------------------------------

/** A known event as clients read it: the read schema's output (see `JOB_EVENT_READ_SCHEMAS`). */
type ReadEvent<T extends JobEventName> = z.output<(typeof JOB_EVENT_READ_SCHEMAS)[T]>;

export type TrainingStartedEvent = ReadEvent<'training.started'>;
/** A metrics tick. Any metric may be missing or null (eval-only frames carry no `loss`). */
export type TrainingLogEvent = ReadEvent<'training.log'>;
export type CheckpointSavedEvent = ReadEvent<'checkpoint.saved'>;
export type TrainingCompletedEvent = ReadEvent<'training.completed'>;
/** `error` is always a non-empty string here, even when the server sent none. */
export type TrainingFailedEvent = ReadEvent<'training.failed'>;

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

/** Server-side channel shutdown. Carries no data on the wire; the client fills in `jobId`. */
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

/** `training.completed`, `training.failed` and the stream's `end` stop a stream for good. */
export function isTerminalEvent(event: JobEvent): boolean {
  return event.type === 'training.completed' || event.type === 'training.failed' || event.type === 'end';
}

// ---- Reading frames (lenient) ---------------------------------------------------------------------

/** A metric: a number, null, or absent. Anything else (a string, NaN) reads as absent. */
const lenientMetric = z
  .number()
  .refine((n) => Number.isFinite(n))
  .nullable()
  .optional()
  .catch(undefined);
/** A step: a finite number, or a numeric string (`"12"`). */
const lenientStep = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
  z.number().refine((n) => Number.isFinite(n)),
);
const lenientArtifacts = z.array(z.unknown()).optional().catch(undefined);

/** Read schemas: the payload schemas with lenient fields. `jobId`/`timestamp` are filled in first. */
const JOB_EVENT_READ_SCHEMAS = {
  'training.started': TrainingStartedPayloadSchema,
  'training.log': TrainingLogPayloadSchema.extend({
    step: lenientStep,
    loss: lenientMetric,
    evalLoss: lenientMetric,
    learningRate: lenientMetric,
    epoch: lenientMetric,
    samplesPerSecond: lenientMetric,
  }),
  'checkpoint.saved': CheckpointSavedPayloadSchema.extend({ step: lenientStep, artifacts: lenientArtifacts }),
  'training.completed': TrainingCompletedPayloadSchema.extend({ artifacts: lenientArtifacts }),
  /** A failure is terminal: it is never dropped, even without an error text. */
  'training.failed': TrainingFailedPayloadSchema.extend({
    error: z
      .unknown()
      .optional()
      .transform((e) =>
        typeof e === 'string' && e !== ''
          ? e
          : e === undefined || e === null || e === ''
            ? 'The backend reported a failure without an error message.'
            : JSON.stringify(e),
      ),
    step: lenientStep.optional().catch(undefined),
  }),
} as const satisfies Record<JobEventName, z.ZodType>;

export interface JobEventParseContext {
  /** The job whose stream this is: the `jobId` of frames that carry none. */
  jobId: string;
  /** The SSE `event:` name, used as the type when the payload has no string `type`. */
  eventName?: string;
  /** Receipt time (epoch ms) for frames without a `timestamp`. Default Date.now. */
  now?: () => number;
}

export interface ParsedJobEventData {
  event: JobEvent;
  /** The data was a JSON object, so it counts as stream progress (even when it became a note). */
  parsed: boolean;
}

const MAX_NOTE_DATA = 200;

function clip(text: string): string {
  return text.length > MAX_NOTE_DATA ? `${text.slice(0, MAX_NOTE_DATA)}…` : text;
}

function timestampOf(value: unknown, now: () => number): string {
  if (typeof value === 'string' && value !== '') return value;
  // Epoch milliseconds (or seconds, as some servers send) are made ISO, like everything else here.
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value < 1e11 ? value * 1000 : value).toISOString();
  }
  return new Date(now()).toISOString();
}

/**
 * One SSE frame's `data` as a job event (pings and `end` are the stream's business, not this).
 * Never throws: whatever the server sent, the result is an event the job log can show.
 */
export function parseJobEventData(data: string, ctx: JobEventParseContext): ParsedJobEventData {
  const now = ctx.now ?? Date.now;
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    payload = undefined;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    const name = ctx.eventName ? ` (event: ${ctx.eventName})` : '';
    return {
      parsed: false,
      event: {
        type: 'note',
        jobId: ctx.jobId,
        timestamp: new Date(now()).toISOString(),
        message: `Skipped an event whose data is not a JSON object${name}: ${clip(data) || '(empty)'}`,
      },
    };
  }
  const {
    type: rawType,
    jobId: rawJobId,
    timestamp: rawTimestamp,
    ...rest
  } = payload as Record<string, unknown>;
  const type = typeof rawType === 'string' && rawType !== '' ? rawType : (ctx.eventName ?? 'message');
  const jobId = typeof rawJobId === 'string' && rawJobId !== '' ? rawJobId : ctx.jobId;
  const timestamp = timestampOf(rawTimestamp, now);
  const schema = Object.hasOwn(JOB_EVENT_READ_SCHEMAS, type)
    ? JOB_EVENT_READ_SCHEMAS[type as JobEventName]
    : undefined;
  if (!schema) {
    return { parsed: true, event: { type: 'other', jobId, timestamp, name: type, payload: rest } };
  }
  const result = schema.safeParse({ ...rest, type, jobId, timestamp });
  if (result.success) return { parsed: true, event: result.data as JobEvent };
  return {
    parsed: true,
    event: {
      type: 'note',
      jobId,
      timestamp,
      message: `Skipped a ${type} event (${describeZodError(result.error)}): ${clip(JSON.stringify(rest))}`,
    },
  };
}
