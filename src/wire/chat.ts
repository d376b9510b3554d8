/**
 * Chat inference (docs/wire-protocol.md, "Chat"): `POST /v1/inference/chat?orgSlug=&projectSlug=`.
 * Top-level fields are camelCase; the OpenAI-shaped objects inside keep snake_case. With
 * `stream: true` (the default) the answer is SSE `data:` frames of OpenAI `chat.completion.chunk`
 * objects ending with `data: [DONE]`; with `stream: false` one OpenAI `chat.completion` object.
 */
import { z } from 'zod';
import { CHAT_LIMITS } from './chatLimits';

/** How inference names a trained adapter: a job's final adapter or one of its checkpoints. */
export const AdapterRefSchema = z.union([
  z.object({ kind: z.literal('final'), jobId: z.string().min(1) }),
  z.object({
    kind: z.literal('checkpoint'),
    jobId: z.string().min(1),
    step: z.number().int().nonnegative(),
  }),
]);
export type AdapterRef = z.output<typeof AdapterRefSchema>;

export const CHAT_ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** OpenAI-shaped chat message. Send plain `{role, content}`; the extras are for tool use. */
export type ChatMessage = {
  role: ChatRole;
  content: string | null;
  tool_calls?: unknown[];
  tool_call_id?: string;
};

/** A message as servers accept it: content may also be OpenAI content parts. Extra keys pass. */
export const ChatMessageSchema = z.looseObject({
  role: z.string(),
  content: z.union([
    z.string(),
    z.null(),
    z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  ]),
});

/**
 * The request body. Either `adapter` or `baseModel` (the local backend refuses both with a 400).
 * The sampling bounds are the local backend's. `tools`, `toolChoice`, `responseFormat` and
 * `structuredOutputs` pass through untouched (the local backend ignores them).
 */
export const ChatRequestSchema = z.looseObject({
  messages: z.array(ChatMessageSchema).min(1),
  adapter: AdapterRefSchema.optional(),
  baseModel: z.string().optional(),
  temperature: z.number().min(0).max(5).optional(),
  topP: z.number().gt(0).max(CHAT_LIMITS.topP.max).optional(),
  maxTokens: z.number().int().min(CHAT_LIMITS.maxTokens.min).max(CHAT_LIMITS.maxTokens.max).optional(),
  stream: z.boolean().optional(),
  seed: z.number().int().optional(),
});
export type ChatRequestBody = z.input<typeof ChatRequestSchema>;

/** The data of the frame that ends a chat stream. */
export const CHAT_DONE = '[DONE]';

const usage = z.looseObject({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
});

/** The fields every OpenAI object opens with: its id, its kind (`object`) and its Unix creation time. */
export function openAiObject<K extends string>(object: K) {
  return { id: z.string(), object: z.literal(object), created: z.number() };
}

/** An OpenAI chat completion object: its choices carry `content` (a `delta` or a `message`). */
function completionSchema<K extends string, C extends z.core.$ZodLooseShape>(object: K, content: C) {
  return z.looseObject({
    ...openAiObject(object),
    model: z.string(),
    choices: z.array(z.looseObject({ index: z.number(), ...content, finish_reason: z.string().nullable() })),
    usage: usage.optional(),
  });
}

/** One streamed chunk as a server sends it. */
export const ChatCompletionChunkSchema = completionSchema('chat.completion.chunk', {
  delta: z.looseObject({ role: z.string().optional(), content: z.string().optional() }),
});
export type ChatCompletionChunk = z.input<typeof ChatCompletionChunkSchema>;

/** The `stream: false` answer. */
export const ChatCompletionSchema = completionSchema('chat.completion', {
  message: z.looseObject({ role: z.literal('assistant'), content: z.string().nullable() }),
});
export type ChatCompletion = z.input<typeof ChatCompletionSchema>;

// ---- Reading chunks (lenient) ----------------------------------------------------------------------

export interface ChunkInfo {
  text: string | undefined;
  finishReason: string | undefined;
  completionTokens: number | undefined;
  usage: Record<string, unknown> | undefined;
}

/**
 * What one `data:` payload carries, read as tolerantly as Studio's Playground (the production
 * framing is not pinned down): the text is `choices[0].delta.content`, else `content`, else `text`,
 * else a bare JSON string, else the raw non-JSON data. JSON with none of these yields no text.
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
