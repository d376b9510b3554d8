/**
 * What the stream modules (jobEvents.ts, chatStream.ts) need from the HTTP client, as interfaces, so
 * they do not import the client (which imports them to offer `streamJobEvents`/`streamChat`).
 */
import type { Scope } from '../wire';
import type { ArkorErrorKind } from './errors';

export type Query = Record<string, string | undefined>;

export interface RawRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  /** Skip the Authorization header (bootstrap routes). */
  anonymous?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Route-specific wording of a non-2xx answer (`detail` is the server's `error` text, possibly
   * empty); `undefined` keeps the generic message. Used by the endpoint routes.
   */
  errorMessage?: (status: number, detail: string) => { kind: ArkorErrorKind; message: string } | undefined;
}

/** An open streaming response. */
export interface OpenStream {
  response: Response;
  body: ReadableStream<Uint8Array>;
  idleTimeoutMs: number;
  /** Secrets to scrub from any message derived from this stream. */
  secrets: string[];
  /** Abort the underlying fetch (closes the socket). Safe to call more than once. */
  close(): void;
}

/** Opens streaming responses; implemented by `ArkorApiClient`. */
export interface StreamTransport {
  /** Idle timeout for streaming routes. */
  readonly streamIdleTimeoutMs: number;
  /** Open a streaming response; rejects with `ArkorApiError` on a non-2xx status. */
  openStream(req: RawRequest): Promise<OpenStream>;
  /** Open ONE connection to a job's event stream (no reconnect). */
  openJobEventStream(
    scope: Scope,
    jobId: string,
    opts?: { signal?: AbortSignal; lastEventId?: string },
  ): Promise<OpenStream>;
}
