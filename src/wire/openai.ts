/**
 * What a deployment's URL speaks (docs/wire-protocol.md, "Deployments"): the OpenAI Chat Completions
 * API, the subset we serve. Paths are relative to the deployment's base URL, which ends in `/v1`
 * (`https://<slug>.arkor.app/v1` on Arkor Cloud, `http://127.0.0.1:<port>/<slug>/v1` locally), so an
 * OpenAI client given that base URL finds `…/chat/completions` and `…/models`.
 *
 * Unlike the Arkor routes, these are called by any OpenAI client: no `X-Arkor-Client` header, no
 * query scope; the key (auth mode `fixed_api_key`) comes as `Authorization: Bearer <key>` or
 * `x-api-key: <key>`, and errors have OpenAI's shape `{error: {message, type, code}}`, which the
 * OpenAI SDKs turn into their error messages.
 */
import { z } from 'zod';
import { ChatCompletionChunkSchema, ChatCompletionSchema, ChatMessageSchema, openAiObject } from './chat';
import { CHAT_LIMITS } from './chatLimits';

/** The header a deployment key may come in instead of `Authorization: Bearer`. */
export const API_KEY_HEADER = 'x-api-key';

/**
 * `POST …/v1/chat/completions`, OpenAI's snake_case body. `model` is required by OpenAI clients but
 * ignored: the deployment pins its target. Fields we do not implement (tools, response_format, stop,
 * …) pass and are ignored; `n` other than 1 is refused, since only one choice is generated.
 */
const maxTokens = z
  .number()
  .int()
  .min(CHAT_LIMITS.maxTokens.min)
  .max(CHAT_LIMITS.maxTokens.max)
  .nullable()
  .optional();

export const OpenAiChatRequestSchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(ChatMessageSchema).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  temperature: z
    .number()
    .min(CHAT_LIMITS.temperature.min)
    .max(CHAT_LIMITS.temperature.max)
    .nullable()
    .optional(),
  top_p: z.number().min(CHAT_LIMITS.topP.min).max(CHAT_LIMITS.topP.max).nullable().optional(),
  max_tokens: maxTokens,
  /** OpenAI's newer name for `max_tokens`; wins when both are sent. */
  max_completion_tokens: maxTokens,
  seed: z.number().int().nullable().optional(),
  n: z.literal(1).nullable().optional(),
});
export type OpenAiChatRequest = z.input<typeof OpenAiChatRequestSchema>;

/** One entry of `GET …/v1/models`. */
export const OpenAiModelSchema = z.looseObject({ ...openAiObject('model'), owned_by: z.string() });
/** `GET …/v1/models`: the one model a deployment serves. */
export const OpenAiModelListSchema = z.looseObject({
  object: z.literal('list'),
  data: z.array(OpenAiModelSchema),
});
export type OpenAiModelList = z.input<typeof OpenAiModelListSchema>;

/** OpenAI's error body. `code` is machine-readable (`invalid_api_key`, `endpoint_disabled`, …). */
export const OpenAiErrorBodySchema = z.looseObject({
  error: z.looseObject({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable().optional(),
    code: z.string().nullable(),
  }),
});
export type OpenAiErrorBody = z.input<typeof OpenAiErrorBodySchema>;

/**
 * The statuses a deployment URL answers, and why (Arkor documents 404 for a disabled deployment; the
 * rest follow OpenAI's meanings):
 * 400 bad body · 401 no key or a wrong or revoked key (auth mode `fixed_api_key`) · 404 unknown slug,
 * disabled deployment, or a target whose job, adapter or checkpoint no longer exists · 405 wrong method.
 */
export const OPENAI_ERROR_CODES = {
  invalidRequest: 'invalid_request_error',
  invalidApiKey: 'invalid_api_key',
  unknownEndpoint: 'endpoint_not_found',
  disabled: 'endpoint_disabled',
  targetMissing: 'model_not_found',
} as const;

export interface OpenAiRouteSpec {
  readonly method: 'GET' | 'POST';
  /** Relative to the deployment's base URL (which ends in `/v1`). */
  readonly path: string;
  readonly status: number;
  readonly request?: z.ZodType;
  readonly response: z.ZodType;
  readonly stream?: z.ZodType;
}

/** The routes under a deployment's base URL. */
export const OPENAI_ROUTES = {
  /** `stream: true`: SSE `data:` chunks, then `data: [DONE]`; a usage chunk first when `stream_options.include_usage`. */
  chatCompletions: {
    method: 'POST',
    path: '/chat/completions',
    status: 200,
    request: OpenAiChatRequestSchema,
    response: ChatCompletionSchema,
    stream: ChatCompletionChunkSchema,
  },
  models: { method: 'GET', path: '/models', status: 200, response: OpenAiModelListSchema },
} as const satisfies Record<string, OpenAiRouteSpec>;

/** The local backend's endpoint listener: `/<slug>/v1/<route>`. */
export const LOCAL_ENDPOINT_PATH = /^\/([^/]+)\/v1(\/.*)?$/;
