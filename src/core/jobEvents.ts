/**
 * Following a job's event stream (docs/wire-protocol.md, "Job events" and "Reconnecting"): resume
 * with `Last-Event-ID`, reconnect with exponential backoff and jitter, stop on terminal events, give
 * up on auth/upgrade failures, and never hand the same event to the consumer twice even when the
 * server replays.
 *
 * The reconnect rules copy the SDK's `trainer.wait()` so the extension behaves like `arkor start`
 * against the same server.
 */
import {
  END_EVENT,
  type JobEvent,
  PERMANENT_STREAM_STATUSES,
  PING_EVENT,
  parseJobEventData,
  type Scope,
} from '../wire';
import { ArkorApiError } from './errors';
import { readSse, type SseFrame } from './sse';
import type { OpenStream, StreamTransport } from './transport';

export interface BackoffOptions {
  /** First retry delay and the fixed wait after a clean EOF. Default 1000 ms. */
  baseMs?: number;
  /** Upper bound for any delay. Default 60 000 ms. */
  capMs?: number;
  /** Relative jitter, default 0.25 (±25 %). */
  jitter?: number;
  /** Injectable randomness for tests; defaults to Math.random. */
  random?: () => number;
}

export type JobStreamStatus =
  | { state: 'connecting'; attempt: number; lastEventId: string | undefined }
  | { state: 'open' }
  /** Waiting before the next connection. `error` is set when the wait follows a failure. */
  | { state: 'waiting'; delayMs: number; attempt: number; error: ArkorApiError | undefined };

export interface JobEventStreamOptions {
  /** Called synchronously, in order, once per event. Throwing stops the stream (no reconnect). */
  onEvent: (event: JobEvent, id: string | undefined) => void;
  onStatus?: (status: JobStreamStatus) => void;
  signal?: AbortSignal;
  /** Resume point from an earlier run. */
  lastEventId?: string;
  /** Dedupe memory; pass the same instance to later runs for the same job. */
  seen?: SeenEventIds;
  backoff?: BackoffOptions;
  /** Consecutive failed connections tolerated before giving up. Default: unlimited (as the SDK). */
  maxReconnectAttempts?: number;
  /** Overrides the client's stream idle timeout. */
  idleTimeoutMs?: number;
  /** Receipt clock (epoch ms) for events that carry no `timestamp`. Default Date.now. */
  now?: () => number;
}

export interface JobEventStreamResult {
  /** Why the stream stopped: a terminal event type, or the caller's abort. */
  reason: 'training.completed' | 'training.failed' | 'end' | 'aborted';
  lastEventId: string | undefined;
  /** How many connections were opened in total (1 when nothing went wrong). */
  connections: number;
}

/**
 * Remembers which event ids were delivered.
 *
 * Ids are opaque, but most servers use increasing integers; while every id seen is a decimal integer
 * we keep only the largest (O(1) memory, a replay of 1..n is recognised). Any other id switches that
 * id family to an exact Set, which costs memory proportional to the events seen.
 */
export class SeenEventIds {
  private maxNumeric = -1;
  private readonly others = new Set<string>();

  /** True if `id` is new (and records it); false if it was delivered before. */
  add(id: string): boolean {
    if (isDecimalId(id)) {
      const n = Number(id);
      if (n <= this.maxNumeric) return false;
      this.maxNumeric = n;
      return true;
    }
    if (this.others.has(id)) return false;
    this.others.add(id);
    return true;
  }

  has(id: string): boolean {
    return isDecimalId(id) ? Number(id) <= this.maxNumeric : this.others.has(id);
  }
}

function isDecimalId(id: string): boolean {
  // Up to 15 digits so Number() is exact.
  const len = id.length;
  if (len === 0 || len > 15) return false;
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `min(base·2^attempt, cap)` ± jitter, clamped to `cap` (the SDK's backoff). */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 1000;
  const cap = opts.capMs ?? 60_000;
  const jitter = opts.jitter ?? 0.25;
  const random = opts.random ?? Math.random;
  const raw = Math.min(base * 2 ** attempt, cap);
  const jittered = raw * (1 + (random() * 2 - 1) * jitter);
  return Math.max(0, Math.min(cap, Math.round(jittered)));
}

/** Marks an exception thrown by the consumer's callback, which must not trigger a reconnect. */
class CallbackError {
  constructor(readonly error: unknown) {}
}

/**
 * Follow `jobId`'s events until a terminal event (`training.completed`, `training.failed`, `end`)
 * or the signal aborts. Resolves with the reason; rejects with an `ArkorApiError` on a permanent
 * failure (401/403/410/426, or `maxReconnectAttempts` exhausted) or with whatever `onEvent` threw.
 */
export async function streamJobEvents(
  client: StreamTransport,
  scope: Scope,
  jobId: string,
  opts: JobEventStreamOptions,
): Promise<JobEventStreamResult> {
  const { signal, onStatus } = opts;
  const seen = opts.seen ?? new SeenEventIds();
  const baseMs = opts.backoff?.baseMs ?? 1000;
  const maxAttempts = opts.maxReconnectAttempts ?? Number.POSITIVE_INFINITY;
  const idleTimeoutMs = opts.idleTimeoutMs ?? client.streamIdleTimeoutMs;
  const now = opts.now ?? Date.now;

  let lastEventId = opts.lastEventId;
  let attempt = 0;
  let connections = 0;
  let terminal: JobEventStreamResult['reason'] | undefined;
  let parsedInConnection = false;

  const deliver = (event: JobEvent, id: string | undefined) => {
    try {
      opts.onEvent(event, id);
    } catch (err) {
      throw new CallbackError(err);
    }
  };

  const onFrame = (frame: SseFrame): boolean | undefined => {
    const id = frame.id;
    const name = frame.event;
    if (name === PING_EVENT) {
      // Keepalive: may advance the resume point, but is not progress.
      if (id) lastEventId = id;
      return undefined;
    }
    if (name === END_EVENT) {
      if (id) lastEventId = id;
      terminal = 'end';
      deliver({ type: 'end', jobId }, id);
      return false;
    }
    // Lenient, like the SDK: see parseJobEventData (the one place frames are validated).
    const { event, parsed } = parseJobEventData(frame.data, { jobId, eventName: name, now });
    if (id) lastEventId = id;
    if (event.type === 'other' && event.name === END_EVENT) {
      terminal = 'end';
      deliver({ type: 'end', jobId }, id);
      return false;
    }
    // A JSON object is progress even when its type is unknown to us; garbage is not.
    if (parsed) {
      parsedInConnection = true;
      attempt = 0;
    }
    // A replayed id was delivered before: skip it, but still honour a replayed terminal event.
    if (id === undefined || seen.add(id)) deliver(event, id);
    if (event.type === 'training.completed' || event.type === 'training.failed') {
      terminal = event.type;
      return false;
    }
    return undefined;
  };

  for (;;) {
    if (signal?.aborted) return { reason: 'aborted', lastEventId, connections };
    let failure: ArkorApiError | undefined;
    parsedInConnection = false;
    onStatus?.({ state: 'connecting', attempt, lastEventId });
    let conn: OpenStream | undefined;
    try {
      connections++;
      conn = await client.openJobEventStream(scope, jobId, { signal, lastEventId });
      onStatus?.({ state: 'open' });
      await readSse(conn.body, onFrame, { signal, idleTimeoutMs, what: `the event stream of job ${jobId}` });
      if (terminal) return { reason: terminal, lastEventId, connections };
      if (!parsedInConnection) {
        failure = new ArkorApiError({
          kind: 'network',
          message: `The event stream of job ${jobId} closed before sending any event.`,
        });
      }
    } catch (err) {
      if (err instanceof CallbackError) throw err.error;
      if (signal?.aborted) return { reason: 'aborted', lastEventId, connections };
      failure =
        err instanceof ArkorApiError
          ? err
          : new ArkorApiError({
              kind: 'network',
              message: `The event stream of job ${jobId} failed.`,
              cause: err,
            });
      if (failure.status !== undefined && PERMANENT_STREAM_STATUSES.has(failure.status)) throw failure;
    } finally {
      conn?.close();
    }

    let delayMs: number;
    if (failure) {
      if (attempt >= maxAttempts) throw failure;
      delayMs = backoffDelay(attempt, opts.backoff);
      attempt++;
    } else {
      // Clean EOF after real data: the server rotated the connection. Wait `base`, no backoff.
      delayMs = baseMs;
    }
    onStatus?.({ state: 'waiting', delayMs, attempt, error: failure });
    if (!(await sleep(delayMs, signal))) return { reason: 'aborted', lastEventId, connections };
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
