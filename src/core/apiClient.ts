/**
 * HTTP client for the Arkor Cloud API (docs/wire-protocol.md). One instance per base URL + identity.
 *
 * Every request carries `Authorization: Bearer …` (when a token exists) and `X-Arkor-Client`, every
 * failure becomes an `ArkorApiError` whose message a user can act on, and every JSON body is
 * validated at this boundary with the route's schema from src/wire (`ROUTES`). Streaming routes are layered on top in `jobEvents.ts` and
 * `chatStream.ts`; they share `openStream()` below.
 */
import type { z } from 'zod';
import {
  type AnonymousSignup,
  CLIENT_HEADER,
  type CreateDeploymentKeyRequest,
  CreateDeploymentKeyRequestSchema,
  type CreateDeploymentRequest,
  CreateDeploymentRequestSchema,
  type CreatedDeploymentKey,
  type CreateJobRequest,
  type CreateProjectRequest,
  type Deployment,
  type DeploymentKey,
  type DeploymentRequest,
  describeZodError,
  ErrorBodyReadSchema,
  type Identity,
  LAST_EVENT_ID_HEADER,
  type LocalBackendInfo,
  type Project,
  type ProjectList,
  type ReadOf,
  ROUTES,
  type RouteSpec,
  readSchema,
  routePath,
  type Scope,
  scopeQuery,
  type UpdateDeploymentRequest,
} from '../wire';
import { type ChatRequest, type ChatResult, type StreamChatOptions, streamChat } from './chatStream';
import { type EndpointContext, endpointErrorMessage, invalidEndpointInput } from './endpointErrors';
import { ArkorApiError } from './errors';
import { type JobEventStreamOptions, type JobEventStreamResult, streamJobEvents } from './jobEvents';
import type { OpenStream, Query, RawRequest, StreamTransport } from './transport';
import type { TrainingJob } from './types';

/** Re-exported for callers of the core; defined with the routes in src/wire. */
export { scopeQuery } from '../wire';
export type { OpenStream } from './transport';

export const DEFAULT_CLOUD_API_URL = 'https://api.arkor.ai';
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Streams are long-lived; only silence this long (no data, no ping) counts as a failure. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 90_000;

/** The three deprecation headers (`Deprecation`, `Warning`, `Sunset`), reported at most once per client. */
export interface DeprecationNotice {
  /** Human text, from `Warning: 299 - "<message>"`, or a generic sentence. */
  message: string;
  sunset: string | undefined;
  clientVersion: string;
}

export interface ArkorApiClientOptions {
  baseUrl: string;
  /** Called before every request, so a sign-in/out takes effect without rebuilding the client. */
  getToken: () => string | undefined | Promise<string | undefined>;
  /** Sent as `X-Arkor-Client`. `arkor/0.0.3-alpha.1` or just `0.0.3-alpha.1`. */
  clientVersion: string;
  /** Per-request timeout for JSON routes (whole request, body included). Default 30 s. */
  timeoutMs?: number;
  /** Idle timeout for streaming routes. Default 90 s. */
  streamIdleTimeoutMs?: number;
  onDeprecation?: (notice: DeprecationNotice) => void;
  /** Injectable for callers that need a custom dispatcher; defaults to Node's global fetch. */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A call of one route from `ROUTES`: path parameters, query, body. */
interface RouteCall extends RequestOptions {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  errorMessage?: RawRequest['errorMessage'];
}

export class ArkorApiClient implements StreamTransport {
  readonly baseUrl: string;
  readonly clientVersion: string;
  private readonly getToken: ArkorApiClientOptions['getToken'];
  private readonly timeoutMs: number;
  readonly streamIdleTimeoutMs: number;
  private readonly onDeprecation: ArkorApiClientOptions['onDeprecation'];
  private readonly fetchImpl: typeof fetch;
  private deprecationReported = false;

  constructor(opts: ArkorApiClientOptions) {
    this.baseUrl = stripTrailingSlashes(opts.baseUrl);
    this.clientVersion = opts.clientVersion.startsWith('arkor/')
      ? opts.clientVersion
      : `arkor/${opts.clientVersion}`;
    this.getToken = opts.getToken;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.streamIdleTimeoutMs = opts.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS;
    this.onDeprecation = opts.onDeprecation;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  // ---- Identity, auth and projects -----------------------------------------------------------------

  async me(opts?: RequestOptions): Promise<Identity> {
    return this.call(ROUTES.me, { ...opts });
  }

  /** Mint an anonymous identity (what `arkor dev` does when there are no credentials). */
  async signUpAnonymous(opts?: RequestOptions): Promise<AnonymousSignup> {
    return this.call(ROUTES.anonymousSignup, { body: { kind: 'cli' }, ...opts });
  }

  async listProjects(orgSlug: string, opts?: RequestOptions): Promise<ProjectList> {
    return this.call(ROUTES.listProjects, { query: { orgSlug }, ...opts });
  }

  /** 409 (`kind: 'conflict'`) when the slug is taken. */
  async createProject(orgSlug: string, input: CreateProjectRequest, opts?: RequestOptions): Promise<Project> {
    const res = await this.call(ROUTES.createProject, { query: { orgSlug }, body: input, ...opts });
    return res.project;
  }

  /**
   * Local backend only (not an Arkor Cloud route): the project bound to the folder `root` on this
   * machine, created on first use. Its jobs read dataset paths relative to that folder, and its
   * scope lives in the backend, never in the folder's `.arkor/state.json`.
   */
  async localProject(root: string, opts?: RequestOptions): Promise<Scope & { projectId: string }> {
    const res = await this.call(ROUTES.localProject, { body: { root }, ...opts });
    return { orgSlug: res.org.slug, projectSlug: res.project.slug, projectId: res.project.id };
  }

  // ---- Jobs -------------------------------------------------------------------------------------------

  async listJobs(scope: Scope, opts?: RequestOptions): Promise<TrainingJob[]> {
    const res = await this.call(ROUTES.listJobs, { query: scopeQuery(scope), ...opts });
    return res.jobs;
  }

  async getJob(
    scope: Scope,
    jobId: string,
    opts?: RequestOptions,
  ): Promise<{ job: TrainingJob; events?: unknown[] }> {
    return this.call(ROUTES.getJob, { params: { id: jobId }, query: scopeQuery(scope), ...opts });
  }

  async createJob(scope: Scope, input: CreateJobRequest, opts?: RequestOptions): Promise<TrainingJob> {
    const res = await this.call(ROUTES.createJob, { query: scopeQuery(scope), body: input, ...opts });
    return res.job;
  }

  /**
   * Local backend only (Arkor Cloud has no resume): a new job going on from a checkpoint of the
   * interrupted job `jobId` (its last one unless `step` is given), with the same config.
   */
  async resumeJob(scope: Scope, jobId: string, step?: number, opts?: RequestOptions): Promise<TrainingJob> {
    const res = await this.call(ROUTES.resumeJob, {
      params: { id: jobId },
      query: scopeQuery(scope),
      body: step === undefined ? {} : { step },
      ...opts,
    });
    return res.job;
  }

  /** Local backend only, with its host token: its pid and build (proof that it is the one we mean). */
  localBackendInfo(opts?: RequestOptions): Promise<LocalBackendInfo> {
    return this.call(ROUTES.localBackendInfo, { ...opts });
  }

  /** Local backend only, with its host token: exit once idle (a newer build took over). */
  retireLocalBackend(opts?: RequestOptions): Promise<{ exiting: boolean; busy: boolean }> {
    return this.call(ROUTES.localBackendRetire, { ...opts });
  }

  /** Any 2xx counts as success; the body is not specified by the protocol and is ignored. */
  async cancelJob(scope: Scope, jobId: string, opts?: RequestOptions): Promise<void> {
    const route = ROUTES.cancelJob;
    await this.send({
      method: route.method,
      path: routePath(route, { id: jobId }),
      query: scopeQuery(scope),
      ...opts,
    });
  }

  // ---- Endpoints (deployments) -----------------------------------------------------------------
  // docs/wire-protocol.md, "Deployments". Failures carry messages for these routes (endpointErrors.ts);
  // a create or key body that breaks the documented rules is refused before anything is sent.

  async listDeployments(scope: Scope, opts?: RequestOptions): Promise<Deployment[]> {
    const res = await this.call(ROUTES.listDeployments, this.endpointCall({ action: 'list', scope }, opts));
    return res.deployments;
  }

  async getDeployment(scope: Scope, id: string, opts?: RequestOptions): Promise<Deployment> {
    const ctx: EndpointContext = { action: 'read', scope, id };
    const res = await this.call(ROUTES.getDeployment, { params: { id }, ...this.endpointCall(ctx, opts) });
    return res.deployment;
  }

  /** 400 bad or reserved slug, 404 unknown target job, 409 slug taken. */
  async createDeployment(
    scope: Scope,
    input: CreateDeploymentRequest,
    opts?: RequestOptions,
  ): Promise<Deployment> {
    const ctx: EndpointContext = { action: 'create', scope, slug: input.slug };
    const parsed = CreateDeploymentRequestSchema.safeParse(input);
    if (!parsed.success) throw invalidEndpointInput(parsed.error, ctx);
    const res = await this.call(ROUTES.createDeployment, { body: input, ...this.endpointCall(ctx, opts) });
    return res.deployment;
  }

  /** Partial: omitted fields stay. Re-targeting keeps the URL. */
  async updateDeployment(
    scope: Scope,
    id: string,
    input: UpdateDeploymentRequest,
    opts?: RequestOptions,
  ): Promise<Deployment> {
    const ctx: EndpointContext = { action: 'update', scope, id };
    const res = await this.call(ROUTES.updateDeployment, {
      params: { id },
      body: input,
      ...this.endpointCall(ctx, opts),
    });
    return res.deployment;
  }

  /** Any 2xx is success (the server sends 204). Its keys go with it. */
  async deleteDeployment(scope: Scope, id: string, opts?: RequestOptions): Promise<void> {
    await this.sendRoute(ROUTES.deleteDeployment, { id }, { action: 'delete', scope, id }, opts);
  }

  /** Key rows never carry the secret. */
  async listDeploymentKeys(scope: Scope, id: string, opts?: RequestOptions): Promise<DeploymentKey[]> {
    const ctx: EndpointContext = { action: 'listKeys', scope, id };
    const res = await this.call(ROUTES.listDeploymentKeys, {
      params: { id },
      ...this.endpointCall(ctx, opts),
    });
    return res.keys;
  }

  /** The label is trimmed (1–80 characters). `plaintext` is in this answer only, exactly once. */
  async createDeploymentKey(
    scope: Scope,
    id: string,
    input: CreateDeploymentKeyRequest,
    opts?: RequestOptions,
  ): Promise<CreatedDeploymentKey> {
    const ctx: EndpointContext = { action: 'issueKey', scope, id };
    const parsed = CreateDeploymentKeyRequestSchema.safeParse(input);
    if (!parsed.success) throw invalidEndpointInput(parsed.error, ctx);
    const res = await this.call(ROUTES.createDeploymentKey, {
      params: { id },
      body: parsed.data,
      ...this.endpointCall(ctx, opts),
    });
    return res.key;
  }

  /** Any 2xx is success (204). The key stays listed with `enabled: false` and is refused at once. */
  async revokeDeploymentKey(scope: Scope, id: string, keyId: string, opts?: RequestOptions): Promise<void> {
    await this.sendRoute(
      ROUTES.revokeDeploymentKey,
      { id, keyId },
      { action: 'revokeKey', scope, id, keyId },
      opts,
    );
  }

  /**
   * Local backend only (Arkor Cloud publishes no such route): the deployment's recent requests,
   * newest first, kept only as its run retention allows.
   */
  async listDeploymentRequests(
    scope: Scope,
    id: string,
    opts?: RequestOptions & { limit?: number },
  ): Promise<DeploymentRequest[]> {
    const ctx: EndpointContext = { action: 'listRequests', scope, id };
    const { limit, ...rest } = opts ?? {};
    const res = await this.call(ROUTES.listDeploymentRequests, {
      params: { id },
      ...this.endpointCall(ctx, rest),
      query: { ...scopeQuery(scope), limit: limit === undefined ? undefined : String(limit) },
    });
    return res.requests;
  }

  private endpointCall(ctx: EndpointContext, opts?: RequestOptions): RouteCall {
    return { query: scopeQuery(ctx.scope), errorMessage: endpointErrorMessage(ctx), ...opts };
  }

  /** A body-less route (204): any 2xx is success. */
  private async sendRoute(
    route: RouteSpec,
    params: Record<string, string>,
    ctx: EndpointContext,
    opts?: RequestOptions,
  ): Promise<void> {
    const { query, errorMessage, ...rest } = this.endpointCall(ctx, opts);
    await this.send({ method: route.method, path: routePath(route, params), query, errorMessage, ...rest });
  }

  // ---- Streams ------------------------------------------------------------------------------------

  /**
   * Open ONE connection to a job's event stream (no reconnect). Throws `ArkorApiError` on a non-2xx
   * status. Most callers want `streamJobEvents()`, which reconnects, resumes and dedupes.
   */
  openJobEventStream(
    scope: Scope,
    jobId: string,
    opts: { signal?: AbortSignal; lastEventId?: string } = {},
  ): Promise<OpenStream> {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (opts.lastEventId) headers[LAST_EVENT_ID_HEADER] = opts.lastEventId;
    const route = ROUTES.jobEvents;
    return this.openStream({
      method: route.method,
      path: routePath(route, { id: jobId }),
      query: scopeQuery(scope),
      headers,
      signal: opts.signal,
    });
  }

  /** Follow a job's events until a terminal event, reconnecting as the SDK does. See `jobEvents.ts`. */
  streamJobEvents(scope: Scope, jobId: string, opts: JobEventStreamOptions): Promise<JobEventStreamResult> {
    return streamJobEvents(this, scope, jobId, opts);
  }

  /** Stream a chat completion. See `chatStream.ts`. */
  streamChat(scope: Scope, request: ChatRequest, opts: StreamChatOptions = {}): Promise<ChatResult> {
    return streamChat(this, scope, request, opts);
  }

  // ---- Plumbing -----------------------------------------------------------------------------------

  /** Call a JSON route of `ROUTES` and parse its answer with the route's read schema. */
  private call<R extends RouteSpec>(route: R, c: RouteCall): Promise<ReadOf<R>> {
    const { params, ...rest } = c;
    return this.json(
      { method: route.method, path: routePath(route, params), anonymous: !route.auth, ...rest },
      readSchema(route),
    );
  }

  /**
   * Open a streaming response. The connect timeout covers only the wait for headers; afterwards the
   * caller applies `idleTimeoutMs` while reading. Public so the stream modules can share it.
   */
  async openStream(req: RawRequest): Promise<OpenStream> {
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const { response, controller, token, clearTimer } = await this.fetchRaw(req, timeoutMs);
    if (!response.ok) {
      try {
        throw await this.errorFromResponse(req, response, token);
      } finally {
        clearTimer();
        controller.abort();
      }
    }
    // From here on the stream's idle timeout applies, not the request timeout.
    clearTimer();
    if (!response.body) {
      controller.abort();
      throw new ArkorApiError({
        kind: 'invalid-response',
        status: response.status,
        message: `Arkor answered ${describe(req)} without a body.`,
      });
    }
    return {
      response,
      body: response.body,
      idleTimeoutMs: this.streamIdleTimeoutMs,
      secrets: token ? [token] : [],
      close: () => controller.abort(),
    };
  }

  /** Send a request and return the (2xx) response, body unread. */
  private async send(req: RawRequest): Promise<Response> {
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const { response, token, clearTimer } = await this.fetchRaw(req, timeoutMs);
    try {
      if (!response.ok) throw await this.errorFromResponse(req, response, token);
      // Drain so the connection can be reused; bodies of non-JSON routes are small.
      await response.arrayBuffer().catch(() => undefined);
      return response;
    } finally {
      clearTimer();
    }
  }

  private async json<S extends z.ZodType>(req: RawRequest, schema: S): Promise<z.output<S>> {
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const { response, token, clearTimer, timedOut, userSignal } = await this.fetchRaw(req, timeoutMs);
    try {
      if (!response.ok) throw await this.errorFromResponse(req, response, token);
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        throw this.transportError(req, err, timedOut(), userSignal, timeoutMs);
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        throw new ArkorApiError({
          kind: 'invalid-response',
          status: response.status,
          message: `Arkor answered ${describe(req)} with something that is not JSON. Check the arkor.cloud.apiUrl setting.`,
        });
      }
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        throw new ArkorApiError({
          kind: 'invalid-response',
          status: response.status,
          message: `Arkor answered ${describe(req)} with an unexpected body (${describeZodError(parsed.error)}).`,
          secrets: [token],
        });
      }
      return parsed.data;
    } finally {
      clearTimer();
    }
  }

  private async fetchRaw(req: RawRequest, timeoutMs: number) {
    const token = req.anonymous ? undefined : ((await this.getToken()) ?? undefined);
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = { [CLIENT_HEADER]: this.clientVersion, ...req.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.body);
    }

    // One controller owns the socket: the timeout, the caller's signal and `close()` all abort it.
    const controller = new AbortController();
    let didTimeOut = false;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            didTimeOut = true;
            controller.abort();
          }, timeoutMs)
        : undefined;
    const userSignal = req.signal;
    const onUserAbort = () => controller.abort(userSignal?.reason);
    if (userSignal?.aborted) onUserAbort();
    else userSignal?.addEventListener('abort', onUserAbort, { once: true });
    const clearTimer = () => {
      if (timer) clearTimeout(timer);
    };

    let response: Response;
    try {
      response = await this.fetchImpl(url, { method: req.method, headers, body, signal: controller.signal });
    } catch (err) {
      clearTimer();
      userSignal?.removeEventListener('abort', onUserAbort);
      throw this.transportError(req, err, didTimeOut, userSignal, timeoutMs);
    }
    this.checkDeprecation(response);
    return {
      response,
      controller,
      token,
      userSignal,
      timedOut: () => didTimeOut,
      clearTimer: () => {
        clearTimer();
        userSignal?.removeEventListener('abort', onUserAbort);
      },
    };
  }

  private transportError(
    req: RawRequest,
    err: unknown,
    timedOut: boolean,
    userSignal: AbortSignal | undefined,
    timeoutMs: number,
  ): ArkorApiError {
    if (err instanceof ArkorApiError) return err;
    if (userSignal?.aborted) {
      return new ArkorApiError({ kind: 'aborted', message: `Cancelled ${describe(req)}.`, retryable: false });
    }
    if (timedOut) {
      return new ArkorApiError({
        kind: 'timeout',
        message: `Arkor did not answer ${describe(req)} within ${Math.round(timeoutMs / 1000)} s. Check your connection and try again.`,
        cause: err,
      });
    }
    const code = networkCode(err);
    return new ArkorApiError({
      kind: 'network',
      message: `Could not reach Arkor at ${this.baseUrl}${code ? ` (${code})` : ''}. Check your connection or the arkor.cloud.apiUrl setting.`,
      cause: err,
    });
  }

  /** Turn a non-2xx response into a typed error with an actionable, token-free message. */
  private async errorFromResponse(
    req: RawRequest,
    res: Response,
    token: string | undefined,
  ): Promise<ArkorApiError> {
    let raw = '';
    try {
      raw = (await res.text()).slice(0, 2000);
    } catch {
      // The body is only used for detail; the status alone still gives a useful error.
    }
    let body: z.output<typeof ErrorBodyReadSchema> | undefined;
    try {
      const parsed = ErrorBodyReadSchema.safeParse(JSON.parse(raw));
      if (parsed.success) body = parsed.data;
    } catch {
      body = undefined;
    }
    const detailText = (body?.error || body?.message || (body ? '' : raw.trim())).slice(0, 300);
    const detail = detailText ? `: ${detailText}` : '';
    const status = res.status;
    const secrets = [token];
    const common = { status, secrets, code: body?.error };
    const specific = status === 426 ? undefined : req.errorMessage?.(status, detailText);
    if (specific) return new ArkorApiError({ ...common, ...specific });

    if (status === 401 || status === 403) {
      return new ArkorApiError({
        ...common,
        kind: 'auth',
        message: `Arkor rejected the credentials (HTTP ${status}${detail}). Sign in again.`,
      });
    }
    if (status === 426) {
      const upgrade = body?.upgrade;
      const range = body?.supportedRange ? ` Supported versions: ${body.supportedRange}.` : '';
      return new ArkorApiError({
        ...common,
        kind: 'upgrade',
        upgrade,
        message:
          `Arkor no longer accepts this client (${this.clientVersion}).${range} ` +
          (upgrade
            ? `Upgrade with \`${upgrade}\`.`
            : 'Upgrade the arkor package in this workspace (npm i arkor@latest).'),
      });
    }
    if (status === 404 || status === 410) {
      return new ArkorApiError({
        ...common,
        kind: 'not-found',
        message: `Arkor could not find ${describe(req)} (HTTP ${status}${detail}). It may have been deleted, or the project scope in .arkor/state.json is wrong.`,
      });
    }
    if (status === 409) {
      return new ArkorApiError({ ...common, kind: 'conflict', message: `Conflict (HTTP 409${detail}).` });
    }
    if (status === 408) {
      return new ArkorApiError({
        ...common,
        kind: 'timeout',
        message: `Arkor timed out handling ${describe(req)} (HTTP 408). Try again.`,
      });
    }
    if (status === 429 || status >= 500) {
      return new ArkorApiError({
        ...common,
        kind: 'server',
        message:
          status === 429
            ? `Arkor is rate limiting requests (HTTP 429${detail}). Wait a moment and try again.`
            : `Arkor had a server error (HTTP ${status}${detail}). This is usually temporary; try again shortly.`,
      });
    }
    return new ArkorApiError({
      ...common,
      kind: 'bad-request',
      message: `Arkor refused ${describe(req)} (HTTP ${status}${detail}).`,
    });
  }

  private checkDeprecation(res: Response): void {
    if (this.deprecationReported || !this.onDeprecation) return;
    const deprecation = res.headers.get('deprecation');
    const warning = res.headers.get('warning');
    const sunset = res.headers.get('sunset') ?? undefined;
    if (!deprecation && !warning && !sunset) return;
    this.deprecationReported = true;
    const quoted = warning ? /^\s*\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/.exec(warning) : null;
    const message =
      quoted?.[1]?.replace(/\\(.)/g, '$1') ?? warning ?? 'This version of the Arkor client is deprecated.';
    try {
      this.onDeprecation({ message, sunset, clientVersion: this.clientVersion });
    } catch {
      // A broken listener must not break the request that carried the header.
    }
  }

  private url(path: string, query: Query | undefined): string {
    let url = this.baseUrl + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    }
    return url;
  }
}

export function stripTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

function describe(req: RawRequest): string {
  return `${req.method} ${req.path}`;
}

/** Why a request could not be made: the system error code, else the transport's own reason. */
function networkCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message) return cause.message;
  const message = err instanceof Error ? err.message : undefined;
  return message && message !== 'fetch failed' ? message : undefined;
}
