// The OpenAI-compatible URLs of local deployments: ONE listener on 127.0.0.1 that routes by the
// first path segment, so a deployment's base URL is `http://127.0.0.1:<port>/<slug>/v1`, a URL the
// OpenAI SDKs take as `baseURL` / `base_url` and append `/chat/completions` or `/models` to.
//
// Why one listener and a path, rather than one port per deployment or `<slug>.localhost`: a
// `<slug>.localhost` name resolves only where the system resolver special-cases `.localhost`
// (systemd-resolved, browsers, recent curl), not in Node's or Python's getaddrinfo on every Linux;
// a port per deployment multiplies the ports to keep stable across restarts. One port, persisted in
// deployments.json, keeps every URL stable. It is separate from the Arkor API listener because that
// one's port is chosen by whoever starts the backend and its gates (X-Arkor-Client, host token) are
// not what an OpenAI client sends.
//
// Each request: loopback Host (403, against DNS rebinding) → known slug (404) → enabled (404, as
// Arkor documents for a disabled deployment) → key when the auth mode is `fixed_api_key` (401) →
// route → the target resolved now, so a re-target applies to the next request and a deleted job is
// a 404 with its reason. Errors are OpenAI's `{error: {message, type, code}}`.

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  API_KEY_HEADER,
  type DeploymentTarget,
  LOCAL_ENDPOINT_PATH,
  OPENAI_ERROR_CODES,
  OPENAI_ROUTES,
  OpenAiChatRequestSchema,
  type OpenAiErrorBody,
  type OpenAiModelList,
} from '../wire';
import { plainMessages, serveChatCompletion } from './chatCompletion';
import type { DeploymentStore, StoredDeployment } from './deploymentStore';
import { HttpError, readJson, sendJson } from './http';
import type { Inference } from './inference';
import { zodMessage } from './routing';
import type { Store } from './store';

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost)(:\d+)?$/i;
const PREVIEW_CHARS = 200;

export interface EndpointServerOptions {
  store: Store;
  deployments: DeploymentStore;
  inference: Inference;
}

/** A failure told to an OpenAI client. */
class OpenAiError extends HttpError {
  constructor(
    status: number,
    message: string,
    readonly code: string,
  ) {
    super(status, message);
  }
}

/** What one request did, for the deployment's recorded requests. */
interface Outcome {
  stream: boolean;
  promptTokens: number | null;
  completionTokens: number | null;
  preview: { prompt: string; reply: string } | null;
  error: string | null;
}

export interface EndpointServer {
  server: Server;
  /**
   * Ends every request in progress, recording each as interrupted first (synchronously: the
   * process may exit right after), then closes the connections.
   */
  stop(): void;
}

export function createEndpointServer(o: EndpointServerOptions): EndpointServer {
  const { store, deployments, inference } = o;
  /** Records of requests in progress, by whoever comes first: the response closing, or stop(). */
  const inFlight = new Set<(error?: string) => void>();

  /** The `model` a deployment answers with: what it serves, named like the Arkor chat route names it. */
  const modelOf = (target: DeploymentTarget): string =>
    target.kind === 'base_model'
      ? inference.baseModelId
      : `${inference.baseModelId}+${target.adapter.kind}:${target.adapter.jobId}${target.adapter.kind === 'checkpoint' ? `@${target.adapter.step}` : ''}`;

  /** The adapter folder of the target as of now; a 404 naming what is gone. */
  const resolveTarget = (d: StoredDeployment): string | undefined => {
    if (d.target.kind !== 'adapter') return undefined;
    const ref = d.target.adapter;
    const job = store.getJob(ref.jobId);
    const what =
      ref.kind === 'final'
        ? `the final adapter of job ${ref.jobId}`
        : `checkpoint step ${ref.step} of job ${ref.jobId}`;
    if (!job || job.projectId !== d.projectId) {
      throw new OpenAiError(
        404,
        `The target of endpoint ${d.slug}, ${what}, no longer exists: the job was deleted. Re-target the endpoint.`,
        OPENAI_ERROR_CODES.targetMissing,
      );
    }
    const dir = store.adapterDir(ref);
    if (!existsSync(dir)) {
      throw new OpenAiError(
        404,
        job.status === 'completed' || ref.kind === 'checkpoint'
          ? `The target of endpoint ${d.slug}, ${what}, does not exist (job status: ${job.status}). Re-target the endpoint.`
          : `The target of endpoint ${d.slug}, ${what}, is not there yet (job status: ${job.status}).`,
        OPENAI_ERROR_CODES.targetMissing,
      );
    }
    return dir;
  };

  const presentedKey = (req: IncomingMessage): string | undefined => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const header = req.headers[API_KEY_HEADER];
    return bearer ?? (typeof header === 'string' && header.trim() ? header.trim() : undefined);
  };

  const authorize = (d: StoredDeployment, req: IncomingMessage): void => {
    if (d.authMode !== 'fixed_api_key') return;
    const check = deployments.checkKey(d.id, presentedKey(req));
    if (check === 'ok') return;
    const message =
      check === 'missing'
        ? `Endpoint ${d.slug} needs an API key: send it as "Authorization: Bearer <key>" or "${API_KEY_HEADER}: <key>".`
        : check === 'revoked'
          ? 'This API key was revoked. Issue a new key for the endpoint.'
          : 'Incorrect API key for this endpoint.';
    throw new OpenAiError(401, message, OPENAI_ERROR_CODES.invalidApiKey);
  };

  async function chat(d: StoredDeployment, req: IncomingMessage, res: ServerResponse, out: Outcome) {
    const parsed = OpenAiChatRequestSchema.safeParse(await readJson(req));
    if (!parsed.success) {
      throw new OpenAiError(
        400,
        `Invalid chat completion request: ${zodMessage(parsed.error)}`,
        OPENAI_ERROR_CODES.invalidRequest,
      );
    }
    const b = parsed.data;
    out.stream = b.stream === true;
    const adapterDir = resolveTarget(d);
    const messages = plainMessages(b.messages);
    const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    out.preview = { prompt: lastUser.slice(0, PREVIEW_CHARS), reply: '' };
    const r = await serveChatCompletion(res, {
      inference,
      params: {
        messages,
        temperature: b.temperature ?? undefined,
        topP: b.top_p ?? undefined,
        maxTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
        seed: b.seed ?? undefined,
      },
      adapterDir,
      model: modelOf(d.target),
      stream: out.stream,
      includeUsage: b.stream_options?.include_usage === true,
    });
    out.promptTokens = r.promptTokens;
    out.completionTokens = r.completionTokens;
    out.preview.reply = r.text.slice(0, PREVIEW_CHARS);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!LOOPBACK_HOST.test(req.headers.host ?? '')) {
      throw new OpenAiError(403, 'Local Arkor endpoints are loopback-only.', 'forbidden');
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = LOCAL_ENDPOINT_PATH.exec(url.pathname);
    const d = m?.[1] ? deployments.bySlug(m[1]) : undefined;
    if (!m || !d) {
      throw new OpenAiError(
        404,
        m?.[1]
          ? `No endpoint named "${m[1]}" on this local backend.`
          : 'Not an endpoint URL: local endpoint base URLs look like http://127.0.0.1:<port>/<slug>/v1.',
        OPENAI_ERROR_CODES.unknownEndpoint,
      );
    }
    const started = Date.now();
    const path = (m[2] ?? '').replace(/\/+$/, '') || '/';
    const out: Outcome = {
      stream: false,
      promptTokens: null,
      completionTokens: null,
      preview: null,
      error: null,
    };
    let recorded = false;
    const finish = (interrupted?: string) => {
      if (recorded) return;
      recorded = true;
      inFlight.delete(finish);
      const error =
        out.error ??
        interrupted ??
        (res.writableFinished ? null : 'The connection closed before the reply was complete.');
      deployments.record(d, {
        id: randomUUID(),
        at: new Date(started).toISOString(),
        method: req.method ?? 'GET',
        path,
        status: res.statusCode,
        latencyMs: Date.now() - started,
        stream: out.stream,
        promptTokens: out.promptTokens,
        completionTokens: out.completionTokens,
        preview: out.preview,
        error,
      });
    };
    inFlight.add(finish);
    res.on('close', () => finish());
    try {
      if (!d.enabled) {
        throw new OpenAiError(
          404,
          `Endpoint ${d.slug} is disabled. Enable it to serve requests.`,
          OPENAI_ERROR_CODES.disabled,
        );
      }
      authorize(d, req);
      const routeOf = Object.values(OPENAI_ROUTES).find((r) => r.path === path);
      if (!routeOf)
        throw new OpenAiError(
          404,
          `Unknown path ${path} under ${d.slug}/v1.`,
          OPENAI_ERROR_CODES.invalidRequest,
        );
      if (req.method !== routeOf.method) {
        throw new OpenAiError(405, `Use ${routeOf.method} for ${path}.`, OPENAI_ERROR_CODES.invalidRequest);
      }
      if (routeOf === OPENAI_ROUTES.models) {
        const list: OpenAiModelList = {
          object: 'list',
          data: [
            {
              id: modelOf(d.target),
              object: 'model',
              created: Math.floor(Date.parse(d.createdAt) / 1000),
              owned_by: 'arkor-local',
            },
          ],
        };
        sendJson(res, OPENAI_ROUTES.models.status, list);
        return;
      }
      await chat(d, req, res, out);
    } catch (e) {
      out.error = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      let status = 500;
      let message = 'Internal error in the local backend.';
      let code: string = 'server_error';
      if (e instanceof OpenAiError) [status, message, code] = [e.status, e.message, e.code];
      else if (e instanceof HttpError)
        [status, message, code] = [e.status, e.message, OPENAI_ERROR_CODES.invalidRequest];
      else console.error('[arkor-local] endpoint request failed:', e);
      const type =
        status === 401 ? 'authentication_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
      const body: OpenAiErrorBody = { error: { message, type, param: null, code } };
      sendJson(res, status, body);
    });
  });
  return {
    server,
    stop: () => {
      server.close();
      for (const finish of [...inFlight]) finish('The local backend stopped before the reply was complete.');
      server.closeAllConnections();
    },
  };
}
