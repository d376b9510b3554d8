// One chat completion written as OpenAI writes it: SSE `chat.completion.chunk` frames ending with
// `data: [DONE]`, or one `chat.completion` object. Shared by the Arkor route
// (`POST /v1/inference/chat`) and the OpenAI-compatible endpoint URLs (endpointServer.ts).
// Tokens are the tiny model's: it reads and writes bytes, so a token is a byte.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { CHAT_DONE, type ChatCompletion, type ChatCompletionChunk, type ChatMessageSchema } from '../wire';
import type { ChatMessage } from './engine/tokenizer';
import { sendJson, sseFrame, startSse } from './http';
import type { Inference } from './inference';

export interface CompletionParams {
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
}

export interface CompletionOptions {
  inference: Inference;
  params: CompletionParams;
  /** The adapter to apply, resolved by the caller; none = the base model. */
  adapterDir: string | undefined;
  /** The `model` named in every answer. */
  model: string;
  stream: boolean;
  /** OpenAI's `stream_options.include_usage`: a last chunk with `usage` and no choices. */
  includeUsage?: boolean;
}

export interface CompletionResult {
  text: string;
  finishReason: string | null;
  promptTokens: number;
  completionTokens: number;
  /** The client went away (or the server stopped) before the reply was complete. */
  aborted: boolean;
}

/** Messages as the engine reads them: content parts are joined to their text. */
export function plainMessages(messages: z.output<typeof ChatMessageSchema>[]): ChatMessage[] {
  return messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join(''),
  }));
}

/** Prompt tokens as the model sees them: each message's bytes plus its role and separator. */
function promptTokensOf(messages: ChatMessage[]): number {
  return messages.reduce((n, m) => n + Buffer.byteLength(m.content) + 2, 1);
}

/** Writes the completion to `res` and says what was sent. Generation stops when the client leaves. */
export async function serveChatCompletion(
  res: ServerResponse,
  o: CompletionOptions,
): Promise<CompletionResult> {
  const abort = new AbortController();
  // The response closing before we finish means the client went away: stop generating.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const promptTokens = promptTokensOf(o.params.messages);
  const gen = o.inference.chat({ ...o.params, signal: abort.signal }, o.adapterDir);
  const result = (text: string, finishReason: string | null): CompletionResult => ({
    text,
    finishReason,
    promptTokens,
    completionTokens: Buffer.byteLength(text),
    aborted: abort.signal.aborted,
  });
  const usage = (text: string) => {
    const completionTokens = Buffer.byteLength(text);
    return {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
  };
  const chunk = (delta: { role?: string; content?: string }, finish: string | null) => {
    const data: ChatCompletionChunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: o.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
    return sseFrame({ data: JSON.stringify(data) });
  };

  let text = '';
  if (o.stream) {
    startSse(res);
    res.write(chunk({ role: 'assistant', content: '' }, null));
    let r = await gen.next();
    while (!r.done) {
      if (abort.signal.aborted) return result(text, null);
      text += r.value;
      res.write(chunk({ content: r.value }, null));
      r = await gen.next();
    }
    if (abort.signal.aborted) return result(text, null);
    res.write(chunk({}, r.value));
    if (o.includeUsage) {
      const last: ChatCompletionChunk = {
        id,
        object: 'chat.completion.chunk',
        created,
        model: o.model,
        choices: [],
        usage: usage(text),
      };
      res.write(sseFrame({ data: JSON.stringify(last) }));
    }
    res.end(sseFrame({ data: CHAT_DONE }));
    return result(text, r.value);
  }
  let r = await gen.next();
  while (!r.done) {
    text += r.value;
    r = await gen.next();
  }
  if (abort.signal.aborted) return result(text, null);
  const answer: ChatCompletion = {
    id,
    object: 'chat.completion',
    created,
    model: o.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: r.value }],
    usage: usage(text),
  };
  sendJson(res, 200, answer);
  return result(text, r.value);
}
