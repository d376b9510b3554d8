// STAND-IN for the real `arkor` SDK (see ../README.md). The job event loop behind `wait()`:
// frames, Last-Event-ID resume, and the reconnect policy (docs/wire-protocol.md, "Reconnecting").
import { createParser } from 'eventsource-parser';
import { CloudApiError } from './http.js';

/** Open-time statuses that are never retried. */
const PERMANENT = new Set([401, 403, 410, 426]);

/** Carries a user callback's error out of the loop untouched (no reconnect, no wrapping). */
export class CallbackFailure {
  constructor(/** @type {unknown} */ error) {
    this.error = error;
  }
}

/** `min(initial·2^n, cap)` ± 25 % uniform jitter, clamped to [0, cap]. */
export function backoffDelay(
  /** @type {number} */ attempt,
  /** @type {number} */ initial,
  /** @type {number} */ cap,
) {
  const raw = Math.min(initial * 2 ** attempt, cap);
  const jittered = raw + raw * (Math.random() * 0.5 - 0.25);
  return Math.max(0, Math.min(cap, jittered));
}

function sleep(/** @type {number} */ ms, /** @type {AbortSignal | undefined} */ signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(undefined);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * SSE frames of one response body, in order. A read error propagates.
 * @param {ReadableStream<Uint8Array>} body
 * @returns {AsyncGenerator<{ id?: string, event?: string, data: string }>}
 */
async function* frames(body) {
  /** @type {{ id?: string, event?: string, data: string }[]} */
  const queue = [];
  const parser = createParser({ onEvent: (f) => queue.push(f) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (queue.length > 0)
      yield/** @type {{ id?: string, event?: string, data: string }} */ (queue.shift());
  }
}

/**
 * Stream until `onPayload` reports a terminal payload or an `end` frame arrives.
 *
 * @param {{
 *   client: import('./client.js').CloudApiClient,
 *   jobId: string,
 *   scope: { orgSlug: string, projectSlug: string },
 *   signal?: AbortSignal,
 *   reconnectDelayMs: number,
 *   maxReconnectDelayMs: number,
 *   maxReconnectAttempts?: number,
 *   onPayload: (payload: any) => Promise<boolean>,
 * }} o
 */
export async function runEventLoop(o) {
  /** @type {string | undefined} */
  let lastEventId;
  let attempt = 0;
  for (;;) {
    let sawData = false;
    try {
      const res = await o.client.openEventStream(o.jobId, o.scope, { lastEventId, signal: o.signal });
      if (!res.body) throw new Error('event stream response has no body');
      for await (const f of frames(res.body)) {
        if (f.id) lastEventId = f.id;
        if (f.event === 'ping') continue;
        if (f.event === 'end') return;
        let payload;
        try {
          payload = JSON.parse(f.data);
        } catch {
          continue; // unparseable data is skipped silently
        }
        sawData = true;
        attempt = 0;
        if (await o.onPayload(payload)) return;
      }
    } catch (err) {
      if (err instanceof CallbackFailure) throw err;
      if (err instanceof CloudApiError && PERMANENT.has(err.status)) throw err;
      await fail(err);
      continue;
    }
    // Clean end of the stream.
    if (sawData) {
      await sleep(o.reconnectDelayMs, o.signal);
      continue;
    }
    await fail(new Error('event stream ended without delivering any event'));
  }

  /** Count a failure: give up, or back off and let the loop reconnect. */
  async function fail(/** @type {unknown} */ err) {
    if (o.signal?.aborted) throw err;
    if (o.maxReconnectAttempts !== undefined && attempt >= o.maxReconnectAttempts) {
      throw new Error(`Trainer SSE stream failed ${attempt + 1} consecutive times; giving up.`, {
        cause: err,
      });
    }
    await sleep(backoffDelay(attempt, o.reconnectDelayMs, o.maxReconnectDelayMs), o.signal);
    attempt++;
  }
}
