/**
 * Streaming chat inference (docs/wire-protocol.md, "Chat"): `POST /v1/inference/chat` with
 * `stream: true`.
 *
 * The production framing is not fully pinned down, so chunks are read tolerantly, exactly as
 * Studio's Playground does (`parseChatChunk` in src/wire/chat.ts). Timing figures are measured here
 * so every UI reports them the same way.
 */
import {
  type AdapterRef,
  CHAT_DONE,
  type ChatMessage,
  type ChatRequestBody,
  END_EVENT,
  PING_EVENT,
  parseChatChunk,
  ROUTES,
  routePath,
  type Scope,
  scopeQuery,
} from '../wire';
import { ArkorApiError } from './errors';
import { readSse, type SseFrame } from './sse';
import type { OpenStream, StreamTransport } from './transport';

export { type ChunkInfo, parseChatChunk } from '../wire';

export type ChatModel =
  | { baseModel: string; adapter?: undefined }
  | { adapter: AdapterRef; baseModel?: undefined };

export type ChatRequest = ChatModel & {
  messages: ChatMessage[];
  /** Sent as a leading `system` message. */
  system?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
};

export interface StreamChatOptions {
  signal?: AbortSignal;
  /** Each non-empty text fragment, in order. */
  onDelta?: (text: string) => void;
  /** Monotonic clock in ms, injectable for tests. Defaults to performance.now. */
  now?: () => number;
  idleTimeoutMs?: number;
}

export interface ChatResult {
  text: string;
  /** `finish_reason` of the last chunk that had one (`stop`, `length`, `tool_calls`, …). */
  finishReason: string | undefined;
  /** True when the caller aborted; `text` then holds what arrived before. */
  aborted: boolean;
  /** Request start to first non-empty fragment, ms. */
  timeToFirstTokenMs: number | undefined;
  /** `usage.completion_tokens` if the server sent it, else the number of non-empty fragments. */
  tokens: number;
  /** (tokens − 1) / (last token time − first token time); undefined with fewer than 2 tokens. */
  tokensPerSecond: number | undefined;
  /** Request start to end of stream, ms. */
  totalMs: number;
  usage: Record<string, unknown> | undefined;
}

/** Build the wire body. Top-level fields are camelCase; OpenAI objects inside stay as they are. */
export function buildChatBody(request: ChatRequest): ChatRequestBody {
  const messages: ChatMessage[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const m of request.messages) messages.push(m);
  const body: ChatRequestBody = { messages, stream: true };
  if (request.adapter) body.adapter = request.adapter;
  else body.baseModel = request.baseModel;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.topP = request.topP;
  if (request.maxTokens !== undefined) body.maxTokens = request.maxTokens;
  return body;
}

/**
 * Stream a chat completion. Resolves when the stream ends (`[DONE]`, `event: end` or EOF) or the
 * signal aborts (then with `aborted: true` and the partial text). Rejects with `ArkorApiError` on
 * HTTP or transport failures; inference is not retried (as in the SDK).
 */
export async function streamChat(
  client: StreamTransport,
  scope: Scope,
  request: ChatRequest,
  opts: StreamChatOptions = {},
): Promise<ChatResult> {
  if (!request.adapter === !request.baseModel) {
    throw new ArkorApiError({
      kind: 'bad-request',
      message: 'Choose either a base model or an adapter for the chat request (not both, not neither).',
    });
  }
  return readChatStream(
    (signal) =>
      client.openStream({
        method: ROUTES.chat.method,
        path: routePath(ROUTES.chat),
        query: scopeQuery(scope),
        body: buildChatBody(request),
        headers: { Accept: 'text/event-stream' },
        signal,
      }),
    opts,
  );
}

/**
 * Reads one streamed chat reply, whoever serves it (`POST /v1/inference/chat`, or an endpoint's
 * OpenAI `…/v1/chat/completions`): the text as it arrives, timing and token figures, a caller's abort.
 */
export async function readChatStream(
  open: (signal: AbortSignal | undefined) => Promise<OpenStream>,
  opts: StreamChatOptions = {},
): Promise<ChatResult> {
  const now = opts.now ?? (() => performance.now());
  const start = now();
  let text = '';
  let chunks = 0;
  let firstTokenAt: number | undefined;
  let lastTokenAt: number | undefined;
  let finishReason: string | undefined;
  let completionTokens: number | undefined;
  let usage: Record<string, unknown> | undefined;
  let aborted = false;

  const onFrame = (frame: SseFrame): boolean | undefined => {
    if (frame.event === PING_EVENT) return undefined;
    if (frame.event === END_EVENT || frame.data === CHAT_DONE) return false;
    const info = parseChatChunk(frame.data);
    if (info.finishReason) finishReason = info.finishReason;
    if (info.usage) usage = info.usage;
    if (info.completionTokens !== undefined) completionTokens = info.completionTokens;
    if (info.text) {
      const t = now();
      firstTokenAt ??= t;
      lastTokenAt = t;
      chunks++;
      text += info.text;
      opts.onDelta?.(info.text);
    }
    return undefined;
  };

  let conn: OpenStream | undefined;
  try {
    conn = await open(opts.signal);
    await readSse(conn.body, onFrame, {
      signal: opts.signal,
      idleTimeoutMs: opts.idleTimeoutMs ?? conn.idleTimeoutMs,
      what: 'the chat stream',
    });
  } catch (err) {
    // Once the caller has aborted, whatever failed was caused by that abort: not an error.
    if (!opts.signal?.aborted) throw err;
    aborted = true;
  } finally {
    // Closing the fetch tears the socket down, so the server stops generating at once.
    conn?.close();
  }

  const end = now();
  const tokens = completionTokens ?? chunks;
  const window = firstTokenAt !== undefined && lastTokenAt !== undefined ? lastTokenAt - firstTokenAt : 0;
  return {
    text,
    finishReason,
    aborted,
    timeToFirstTokenMs: firstTokenAt === undefined ? undefined : firstTokenAt - start,
    tokens,
    tokensPerSecond: tokens >= 2 && window > 0 ? ((tokens - 1) * 1000) / window : undefined,
    totalMs: end - start,
    usage,
  };
}
