/**
 * Streaming chat inference (protocol §1.5): `POST /v1/inference/chat` with `stream: true`.
 *
 * The production framing is not fully pinned down (§11.1), so parsing is deliberately tolerant and
 * follows Studio's Playground exactly: OpenAI chunks first, then `content`, `text`, a bare JSON
 * string, and finally raw non-JSON text. Timing figures are measured here so every UI reports them
 * the same way.
 */
import type { ArkorApiClient } from './apiClient';
import { scopeQuery } from './apiClient';
import { ArkorApiError } from './errors';
import { readSse, type SseFrame } from './sse';
import type { AdapterRef, ChatMessage, Scope } from './types';

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
export function buildChatBody(request: ChatRequest): Record<string, unknown> {
  const messages: ChatMessage[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const m of request.messages) messages.push(m);
  const body: Record<string, unknown> = { messages, stream: true };
  if (request.adapter) body.adapter = request.adapter;
  else body.baseModel = request.baseModel;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.topP = request.topP;
  if (request.maxTokens !== undefined) body.maxTokens = request.maxTokens;
  return body;
}

export interface ChunkInfo {
  text: string | undefined;
  finishReason: string | undefined;
  completionTokens: number | undefined;
  usage: Record<string, unknown> | undefined;
}

/**
 * Extract what one `data:` payload carries. Order as Studio (§1.5): `choices[0].delta.content`,
 * `content`, `text`, a bare JSON string, raw non-JSON. JSON with none of these yields no text.
 */
export function parseChatChunk(data: string): ChunkInfo {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { text: data, finishReason: undefined, completionTokens: undefined, usage: undefined };
  }
  if (typeof json === 'string')
    return { text: json, finishReason: undefined, completionTokens: undefined, usage: undefined };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { text: undefined, finishReason: undefined, completionTokens: undefined, usage: undefined };
  }
  const obj = json as Record<string, unknown>;
  const choice = Array.isArray(obj.choices) ? asRecord(obj.choices[0]) : undefined;
  const delta = asRecord(choice?.delta);
  let text: string | undefined;
  if (typeof delta?.content === 'string') text = delta.content;
  else if (typeof obj.content === 'string') text = obj.content;
  else if (typeof obj.text === 'string') text = obj.text;
  const finishReason = typeof choice?.finish_reason === 'string' ? choice.finish_reason : undefined;
  const usage = asRecord(obj.usage);
  const completionTokens = typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : undefined;
  return { text, finishReason, completionTokens, usage };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/**
 * Stream a chat completion. Resolves when the stream ends (`[DONE]`, `event: end` or EOF) or the
 * signal aborts (then with `aborted: true` and the partial text). Rejects with `ArkorApiError` on
 * HTTP or transport failures; inference is not retried (as in the SDK).
 */
export async function streamChat(
  client: ArkorApiClient,
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
    if (frame.event === 'ping') return undefined;
    if (frame.event === 'end' || frame.data === '[DONE]') return false;
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

  let conn: Awaited<ReturnType<ArkorApiClient['openStream']>> | undefined;
  try {
    conn = await client.openStream({
      method: 'POST',
      path: '/v1/inference/chat',
      query: scopeQuery(scope),
      body: buildChatBody(request),
      headers: { Accept: 'text/event-stream' },
      signal: opts.signal,
    });
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
