// The job event stream with the SDK's resume rules (protocol §2.3), parsed with eventsource-parser.
import { createParser } from 'eventsource-parser';
import { ArkorApiError, CLIENT_HEADER, errorFromResponse, noteDeprecation, scopeQuery } from './http.js';

const PERMANENT = new Set([401, 403, 410, 426]);
const TERMINAL = new Set(['training.completed', 'training.failed']);

/** Stand-in-only knobs (tests use them to avoid waiting a real second); not part of the SDK. */
function envNumber(/** @type {string} */ name, /** @type {number} */ fallback) {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Raised around an exception from a user callback: it ends the loop with no reconnect. */
export class CallbackError extends Error {
  constructor(/** @type {unknown} */ cause) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'CallbackError';
  }
}

/**
 * `min(base·2^attempt, cap)` ± 25% jitter, clamped to `cap`.
 * @param {number} attempt
 * @param {number} base
 * @param {number} cap
 */
export function backoffDelay(attempt, base, cap) {
  const raw = Math.min(base * 2 ** attempt, cap);
  return Math.min(cap, raw * (0.75 + Math.random() * 0.5));
}

/** @param {number} ms @param {AbortSignal | undefined} signal */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(undefined);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Stream a job's events until `training.completed`, `training.failed` or `event: end`.
 *
 * - Reconnects with `Last-Event-ID` (the last non-empty id seen; pings may advance it).
 * - 401/403/410/426 on open: rejects at once. Anything else (404, 5xx, network, a drop): backoff.
 * - A clean EOF after at least one parsed data frame: reconnect after exactly `base`, uncounted.
 * - A clean EOF before any parsed data frame: a failure (backoff).
 * - The attempt counter resets after each parsed data frame (not pings or malformed frames).
 * - A throwing `onEvent` rejects at once (CallbackError) with no reconnect.
 * - No bytes for `idleTimeoutMs` (default 90 s; pings count): the connection is dropped and retried.
 *
 * @param {{
 *   baseUrl: string, token: string, scope: { orgSlug: string, projectSlug: string }, jobId: string,
 *   onEvent: (type: string, data: Record<string, any>) => unknown | Promise<unknown>,
 *   signal?: AbortSignal,
 * }} opts
 * @returns {Promise<{ terminal: 'training.completed' | 'training.failed' | 'end', data?: Record<string, any> }>}
 */
export async function streamJobEvents(opts) {
  const base = envNumber('ARKOR_STANDIN_BACKOFF_BASE_MS', 1000);
  const cap = envNumber('ARKOR_STANDIN_BACKOFF_CAP_MS', 60_000);
  const idleTimeoutMs = envNumber('ARKOR_STANDIN_IDLE_TIMEOUT_MS', 90_000);
  const url = `${opts.baseUrl}/v1/jobs/${encodeURIComponent(opts.jobId)}/events/stream?${scopeQuery(opts.scope)}`;
  /** @type {string | undefined} */
  let lastEventId;
  let attempt = 0;

  for (;;) {
    let parsedThisConnection = false;
    const ac = new AbortController();
    const onOuterAbort = () => ac.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let idle;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => ac.abort(new Error('event stream idle')), idleTimeoutMs);
    };
    try {
      /** @type {Record<string, string>} */
      const headers = {
        Accept: 'text/event-stream',
        Authorization: `Bearer ${opts.token}`,
        'X-Arkor-Client': CLIENT_HEADER,
      };
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      armIdle();
      const res = await fetch(url, { headers, signal: ac.signal });
      noteDeprecation(res);
      if (!res.ok) {
        const err = await errorFromResponse(res);
        if (PERMANENT.has(res.status)) throw err;
        throw Object.assign(err, { transient: true });
      }
      if (!res.body) throw Object.assign(new Error('event stream has no body'), { transient: true });

      /** @type {{ id?: string, event?: string, data: string }[]} */
      const queue = [];
      const parser = createParser({ onEvent: (msg) => queue.push(msg) });
      const decoder = new TextDecoder();
      for await (const chunk of res.body) {
        armIdle();
        parser.feed(decoder.decode(chunk, { stream: true }));
        while (queue.length > 0) {
          const msg = /** @type {{ id?: string, event?: string, data: string }} */ (queue.shift());
          if (msg.id) lastEventId = msg.id;
          if (msg.event === 'ping') continue;
          if (msg.event === 'end') return { terminal: 'end' };
          /** @type {any} */
          let data;
          try {
            data = JSON.parse(msg.data);
          } catch {
            continue; // a malformed frame is skipped silently
          }
          if (!data || typeof data !== 'object' || Array.isArray(data)) continue;
          parsedThisConnection = true;
          attempt = 0;
          // The SDK dispatches on the JSON `type`; fall back to the SSE event name.
          const type = typeof data.type === 'string' ? data.type : (msg.event ?? 'message');
          try {
            await opts.onEvent(type, data);
          } catch (err) {
            throw new CallbackError(err);
          }
          if (TERMINAL.has(type)) return { terminal: /** @type {any} */ (type), data };
        }
      }
      // Clean EOF.
      if (parsedThisConnection) {
        clearTimeout(idle);
        await sleep(base, opts.signal);
        continue;
      }
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      if (err instanceof CallbackError) throw err;
      if (err instanceof ArkorApiError && !(/** @type {any} */ (err).transient)) throw err;
      // Transient: network error, a drop mid-stream, idle timeout, 404/5xx… retried below.
    } finally {
      clearTimeout(idle);
      opts.signal?.removeEventListener('abort', onOuterAbort);
      ac.abort();
    }
    await sleep(backoffDelay(attempt, base, cap), opts.signal);
    attempt++;
  }
}
