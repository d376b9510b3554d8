import { z } from 'zod';
import { CONNECTION_ACTIONS } from '../core/connection';
import {
  type EndpointPanelToHost,
  type JobPanelToHost,
  type JobsViewToHost,
  KEY_LABEL_MAX,
  type PlaygroundToHost,
  RUN_RETENTION_DAYS_MAX,
} from '../protocol';

/**
 * Runtime validation of messages arriving from webviews. A webview is a web page: whatever it sends
 * is untrusted input, so the host parses each message against these schemas and ignores (and logs)
 * anything that does not match. `satisfies` ties each schema to its type in protocol.ts.
 */

const jobId = z.string().min(1).max(200);

export const jobsViewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('runTraining') }),
  z.object({ type: z.literal('refresh') }),
  z.object({
    type: z.literal('connectionAction'),
    action: z.enum(CONNECTION_ACTIONS),
  }),
  z.object({ type: z.literal('openJob'), jobId }),
  z.object({ type: z.literal('cancelJob'), jobId }),
  z.object({
    type: z.literal('openPlayground'),
    jobId: jobId.optional(),
    step: z.number().int().nonnegative().optional(),
  }),
  // A screenful of rows at a time; the cap bounds what one message can make the host build.
  z.object({ type: z.literal('details'), jobIds: z.array(jobId).min(1).max(500) }),
]) satisfies z.ZodType<JobsViewToHost>;

/** Parses a message or returns undefined; never throws. */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): T | undefined {
  const result = schema.safeParse(raw);
  return result.success ? result.data : undefined;
}

export const jobPanelMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('cancelJob') }),
  z.object({ type: z.literal('resumeJob') }),
  z.object({ type: z.literal('rerunJob') }),
  z.object({ type: z.literal('openPlayground'), step: z.number().int().nonnegative().optional() }),
  z.object({ type: z.literal('openFullLog') }),
  z.object({ type: z.literal('switchBackend') }),
  z.object({ type: z.literal('deploy'), step: z.number().int().nonnegative().optional() }),
  // Bounded: a webview must not make the host write an arbitrarily large file.
  z.object({ type: z.literal('saveCsv'), csv: z.string().max(64 * 1024 * 1024) }),
  z.object({ type: z.literal('pin') }),
  z.object({ type: z.literal('moreRows') }),
]) satisfies z.ZodType<JobPanelToHost>;

const modelRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('base'), model: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('final'), jobId }),
  z.object({ kind: z.literal('checkpoint'), jobId, step: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('endpoint'), endpointId: jobId, slug: z.string().min(1).max(50) }),
]);
const origin = z.object({
  backend: z.enum(['local', 'cloud']),
  baseUrl: z.string().max(2000).optional(),
  orgSlug: z.string().max(200).optional(),
  projectSlug: z.string().max(200).optional(),
  label: z.string().max(500),
});
const modelChoice = z.object({ ref: modelRef, label: z.string().max(500), origin: origin.optional() });
const samplingParams = z.object({
  temperature: z.number().min(0).max(5),
  topP: z.number().min(0).max(1),
  maxTokens: z.number().int().min(1).max(32_768),
});
const text = z.string().max(1_000_000);
const chatTurn = z.object({ role: z.enum(['user', 'assistant']), content: text });
const requestId = z.string().min(1).max(100);
const chatStats = z.object({
  ttftMs: z.number().optional(),
  tokensPerSecond: z.number().optional(),
  tokens: z.number().optional(),
  finishReason: z.string().max(100).optional(),
});
const conversation = z.object({
  id: z.string().min(1).max(100),
  title: z.string().max(500),
  updatedAt: z.string().max(100),
  systemPrompt: text,
  params: samplingParams,
  columns: z
    .array(
      z.object({
        model: modelRef,
        label: z.string().max(500).optional(),
        origin: origin.optional(),
        turns: z.array(
          chatTurn.extend({
            stats: chatStats.optional(),
            error: z.string().max(10_000).optional(),
            model: modelChoice.optional(),
          }),
        ),
      }),
    )
    .min(1)
    .max(2),
});

export const playgroundMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('chat'),
    requestId,
    model: modelRef,
    systemPrompt: text,
    messages: z.array(chatTurn).min(1).max(1000),
    params: samplingParams,
    origin: origin.optional(),
  }),
  z.object({ type: z.literal('stop'), requestId }),
  z.object({ type: z.literal('saveConversations'), conversations: z.array(conversation).max(500) }),
  z.object({
    type: z.literal('export'),
    format: z.enum(['jsonl', 'markdown']),
    content: z.string().max(64 * 1024 * 1024),
    suggestedName: z.string().min(1).max(200),
    note: z.string().max(1000).optional(),
  }),
  z.object({ type: z.literal('switchBackend'), backend: z.enum(['local', 'cloud']) }),
  z.object({ type: z.literal('deploy'), model: modelRef }),
]) satisfies z.ZodType<PlaygroundToHost>;

const endpointTarget = z.union([
  z.object({ kind: z.literal('adapter'), adapter: z.object({ kind: z.literal('final'), jobId }) }),
  z.object({
    kind: z.literal('adapter'),
    adapter: z.object({ kind: z.literal('checkpoint'), jobId, step: z.number().int().nonnegative() }),
  }),
  z.object({ kind: z.literal('base_model'), baseModel: z.string().min(1).max(200) }),
]);
const retention = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('unlimited') }),
  z.object({ mode: z.literal('disabled') }),
  z.object({ mode: z.literal('days'), days: z.number().int().min(1).max(RUN_RETENTION_DAYS_MAX) }),
]);

export const endpointPanelMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('update'),
    requestId,
    patch: z
      .object({
        enabled: z.boolean().optional(),
        authMode: z.enum(['none', 'fixed_api_key']).optional(),
        retention: retention.optional(),
        target: endpointTarget.optional(),
      })
      .refine((p) => Object.values(p).some((v) => v !== undefined), 'an empty change'),
  }),
  // The label rule of the wire (1-80 characters once trimmed); trimmed here as it is sent.
  z.object({ type: z.literal('issueKey'), requestId, label: z.string().trim().min(1).max(KEY_LABEL_MAX) }),
  z.object({ type: z.literal('revokeKey'), requestId, keyId: jobId }),
  z.object({ type: z.literal('deleteEndpoint'), requestId }),
  z.object({ type: z.literal('acknowledgeKey') }),
  z.object({
    type: z.literal('copy'),
    text: z.string().min(1).max(100_000),
    what: z.string().min(1).max(100),
  }),
  z.object({ type: z.literal('copyIssuedKey') }),
  z.object({ type: z.literal('tryInPlayground') }),
  z.object({ type: z.literal('refresh') }),
]) satisfies z.ZodType<EndpointPanelToHost>;
