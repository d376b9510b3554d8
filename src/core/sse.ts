/**
 * Reading a `text/event-stream` body. Framing is left entirely to `eventsource-parser` (the same
 * parser the Arkor SDK and Studio use), this file only adds the things a long-lived stream needs:
 * an idle timeout (pings keep a healthy stream busy) and prompt cancellation.
 */
import { createParser } from 'eventsource-parser';
import { ArkorApiError } from './errors';

export interface SseFrame {
  /** The frame's `id:` field, undefined when absent or empty. Opaque. */
  id: string | undefined;
  /** The frame's `event:` field, undefined when absent. */
  event: string | undefined;
  data: string;
}

export interface ReadSseOptions {
  signal?: AbortSignal;
  /** Fail with a `timeout` error when no byte arrives for this long. 0 disables. */
  idleTimeoutMs?: number;
  /** Used in the timeout message. */
  what?: string;
}

/**
 * Feed `body` through the parser and call `onFrame` for each frame, synchronously, in order.
 * `onFrame` returns `false` to stop reading (the body is then cancelled, closing the connection).
 *
 * Resolves `'eof'` when the server closed the stream, `'stopped'` when `onFrame` asked to stop.
 * Rejects with the signal's reason on abort, an `ArkorApiError` (`timeout` or `network`) on idle
 * timeout or a dropped connection, or whatever `onFrame` threw.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onFrame: (frame: SseFrame) => boolean | undefined,
  opts: ReadSseOptions = {},
): Promise<'eof' | 'stopped'> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let stopped = false;
  const parser = createParser({
    onEvent(msg) {
      if (stopped) return;
      const keepGoing = onFrame({ id: msg.id || undefined, event: msg.event, data: msg.data });
      if (keepGoing === false) stopped = true;
    },
  });

  // Idle timeout without re-arming a timer per chunk: remember the last activity and let one timer
  // re-schedule itself for the remaining time. Cheap at 100k+ events/s.
  const idleMs = opts.idleTimeoutMs ?? 0;
  let lastActivity = Date.now();
  let idleTimer: NodeJS.Timeout | undefined;
  let idleFired = false;
  const armIdle = (ms: number) => {
    idleTimer = setTimeout(() => {
      const quiet = Date.now() - lastActivity;
      if (quiet >= idleMs) {
        idleFired = true;
        reader.cancel().catch(() => {});
      } else armIdle(idleMs - quiet);
    }, ms);
  };
  if (idleMs > 0) armIdle(idleMs);

  const onAbort = () => {
    reader.cancel(opts.signal?.reason).catch(() => {});
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        if (idleFired) throw idleError(idleMs, opts.what);
        throw new ArkorApiError({
          kind: 'network',
          message: `The connection to Arkor dropped while reading ${opts.what ?? 'a stream'}.`,
          cause: err,
        });
      }
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (idleFired) throw idleError(idleMs, opts.what);
      if (chunk.done) {
        parser.feed(decoder.decode());
        return stopped ? 'stopped' : 'eof';
      }
      lastActivity = Date.now();
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      if (stopped) {
        await reader.cancel().catch(() => {});
        return 'stopped';
      }
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  } finally {
    if (idleTimer) clearTimeout(idleTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}

function idleError(ms: number, what: string | undefined): ArkorApiError {
  return new ArkorApiError({
    kind: 'timeout',
    message: `Arkor sent nothing on ${what ?? 'the stream'} for ${Math.round(ms / 1000)} s; the connection looks stalled.`,
  });
}
