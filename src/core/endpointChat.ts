/**
 * Chat through a deployed endpoint's own URL, as any OpenAI client would: `POST <baseUrl>/chat/completions`
 * with OpenAI's body and the endpoint's key as `Authorization: Bearer`. The Playground uses it for
 * "Try in Playground", so what the user sees is what callers of the URL get.
 */
import type { OpenAiChatRequest } from '../wire';
import { ArkorApiClient } from './apiClient';
import type { ChatRequest, ChatResult, StreamChatOptions } from './chatStream';
import { readChatStream } from './chatStream';
import type { ArkorErrorKind } from './errors';

export interface EndpointChatTarget {
  /** The OpenAI base URL, ending in `/v1` (`deploymentBaseUrl`). */
  baseUrl: string;
  slug: string;
  /** The endpoint's key, for auth mode `fixed_api_key`. */
  apiKey?: string;
  clientVersion: string;
}

/** The OpenAI body for a Playground request (snake_case; `model` is ignored by the endpoint). */
export function openAiChatBody(request: Omit<ChatRequest, 'baseModel' | 'adapter'>): OpenAiChatRequest {
  const messages: OpenAiChatRequest['messages'] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const m of request.messages) messages.push(m);
  const body: OpenAiChatRequest = { model: 'ignored', messages, stream: true };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  return body;
}

export function streamEndpointChat(
  target: EndpointChatTarget,
  request: Omit<ChatRequest, 'baseModel' | 'adapter'>,
  opts: StreamChatOptions = {},
): Promise<ChatResult> {
  const client = new ArkorApiClient({
    baseUrl: target.baseUrl,
    clientVersion: target.clientVersion,
    getToken: () => target.apiKey,
  });
  return readChatStream(
    (signal) =>
      client.openStream({
        method: 'POST',
        path: '/chat/completions',
        body: openAiChatBody(request),
        headers: { Accept: 'text/event-stream' },
        signal,
        errorMessage: (status, detail) => endpointChatError(target.slug, status, detail),
      }),
    opts,
  );
}

/** What a refused endpoint call means to the Playground user. OpenAI errors are `{error: {message}}`. */
function endpointChatError(
  slug: string,
  status: number,
  detail: string,
): { kind: ArkorErrorKind; message: string } | undefined {
  let said = detail;
  try {
    const parsed = JSON.parse(detail) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') said = parsed.error.message;
  } catch {
    // Not JSON: the text as it came.
  }
  const why = said ? `: ${said}` : '';
  if (status === 401 || status === 403) {
    return {
      kind: 'auth',
      message: `Endpoint ${slug} refused the API key (HTTP ${status}${why}). Enter a valid key of this endpoint.`,
    };
  }
  if (status === 404) {
    return {
      kind: 'not-found',
      message: `Endpoint ${slug} does not answer (HTTP 404${why}): it is disabled or was deleted.`,
    };
  }
  return undefined;
}
