/**
 * Every route this project speaks, in one table: method, path, scope, whether it needs a bearer
 * token, the success status and the schemas of its body and answer (docs/wire-protocol.md, "Routes").
 *
 * The client (src/core/apiClient.ts) builds requests from it and parses answers with `read`; the
 * local backend (src/backend/server.ts) matches requests with `routePattern`, validates bodies with
 * `request` and types its answers with `response`; the contract test checks both against it.
 *
 * - `response` is what a conforming server sends; `read` is how the client reads it (at least as
 *   lenient: a server may add fields, statuses and kinds). Routes without a separate `read` are
 *   read with `response`.
 * - `localOnly` routes exist on the embedded local backend alone (never on Arkor Cloud);
 *   `cloudOnly` routes are Arkor Cloud's and not served by the local backend (none today).
 */
import { z } from 'zod';
import {
  AnonymousSignupReadSchema,
  AnonymousSignupRequestSchema,
  AnonymousSignupResponseSchema,
  CliConfigResponseSchema,
  IdentityResponseSchema,
} from './auth';
import { ChatCompletionChunkSchema, ChatCompletionSchema, ChatRequestSchema } from './chat';
import {
  CreateDeploymentKeyRequestSchema,
  CreateDeploymentRequestSchema,
  CreatedDeploymentKeyResponseSchema,
  DeploymentKeyListReadSchema,
  DeploymentKeyListResponseSchema,
  DeploymentListResponseSchema,
  DeploymentRequestListResponseSchema,
  DeploymentResponseSchema,
  UpdateDeploymentRequestSchema,
} from './deployments';
import { JobEventPayloadSchema } from './events';
import {
  CancelJobResponseSchema,
  CreateJobRequestSchema,
  JobListReadSchema,
  JobListResponseSchema,
  JobReadSchema,
  JobResponseSchema,
} from './jobs';
import { LocalBackendInfoSchema, ResumeJobRequestSchema, RetireResponseSchema } from './localBackend';
import {
  CreateProjectRequestSchema,
  LocalProjectReadSchema,
  LocalProjectRequestSchema,
  LocalProjectResponseSchema,
  ProjectListReadSchema,
  ProjectListResponseSchema,
  ProjectReadResponseSchema,
  ProjectResponseSchema,
} from './projects';

/** Sent on every request (bootstrap routes included) as `arkor/<semver>`; a 426 without it. */
export const CLIENT_HEADER = 'X-Arkor-Client';
/** Resume point of a job event stream. */
export const LAST_EVENT_ID_HEADER = 'Last-Event-ID';

/** The query parameters of project-scoped routes. */
export interface Scope {
  orgSlug: string;
  projectSlug: string;
}

export function scopeQuery(scope: Scope): Record<string, string> {
  return { orgSlug: scope.orgSlug, projectSlug: scope.projectSlug };
}

/** `none`: no query; `org`: `?orgSlug=`; `project`: `?orgSlug=&projectSlug=`. */
export type RouteScope = 'none' | 'org' | 'project';

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** With `:name` placeholders for path parameters (URL-encoded on the wire). */
  readonly path: string;
  readonly scope: RouteScope;
  /** Needs `Authorization: Bearer <token>`. */
  readonly auth: boolean;
  /** The success status. */
  readonly status: number;
  readonly request?: z.ZodType;
  /** The JSON answer as a server sends it (for `stream` routes: the `stream: false` answer, if any). */
  readonly response?: z.ZodType;
  /** The JSON answer as the client reads it, when more lenient than `response`. */
  readonly read?: z.ZodType;
  /** SSE answer: the schema of each non-control frame's `data`. */
  readonly stream?: z.ZodType;
  readonly localOnly?: true;
  readonly cloudOnly?: true;
}

export const ROUTES = {
  /** LOCAL-ONLY, outside `/v1` and the version gate: is the backend up. */
  health: {
    method: 'GET',
    path: '/health',
    scope: 'none',
    auth: false,
    status: 200,
    response: z.looseObject({ ok: z.literal(true), backend: z.literal('local'), version: z.string() }),
    localOnly: true,
  },
  cliConfig: {
    method: 'GET',
    path: '/v1/auth/cli/config',
    scope: 'none',
    auth: false,
    status: 200,
    response: CliConfigResponseSchema,
  },
  anonymousSignup: {
    method: 'POST',
    path: '/v1/auth/anonymous',
    scope: 'none',
    auth: false,
    status: 200,
    request: AnonymousSignupRequestSchema,
    response: AnonymousSignupResponseSchema,
    read: AnonymousSignupReadSchema,
  },
  me: {
    method: 'GET',
    path: '/v1/me',
    scope: 'none',
    auth: true,
    status: 200,
    response: IdentityResponseSchema,
  },
  listProjects: {
    method: 'GET',
    path: '/v1/projects',
    scope: 'org',
    auth: true,
    status: 200,
    response: ProjectListResponseSchema,
    read: ProjectListReadSchema,
  },
  createProject: {
    method: 'POST',
    path: '/v1/projects',
    scope: 'org',
    auth: true,
    status: 201,
    request: CreateProjectRequestSchema,
    response: ProjectResponseSchema,
    read: ProjectReadResponseSchema,
  },
  /** LOCAL-ONLY: the project of a folder on the backend's machine, created on first use. */
  localProject: {
    method: 'POST',
    path: '/v1/local/projects',
    scope: 'none',
    auth: true,
    status: 200,
    request: LocalProjectRequestSchema,
    response: LocalProjectResponseSchema,
    read: LocalProjectReadSchema,
    localOnly: true,
  },
  /** LOCAL-ONLY, host token only: the backend's pid, build and whether a job is active. */
  localBackendInfo: {
    method: 'GET',
    path: '/v1/local/backend',
    scope: 'none',
    auth: true,
    status: 200,
    response: LocalBackendInfoSchema,
    localOnly: true,
  },
  /** LOCAL-ONLY, host token only: exit once idle (a newer build of the extension took over). */
  localBackendRetire: {
    method: 'POST',
    path: '/v1/local/backend/retire',
    scope: 'none',
    auth: true,
    status: 200,
    response: RetireResponseSchema,
    localOnly: true,
  },
  /** LOCAL-ONLY: a new job continuing an interrupted one from its checkpoint (no such cloud route). */
  resumeJob: {
    method: 'POST',
    path: '/v1/local/jobs/:id/resume',
    scope: 'project',
    auth: true,
    status: 201,
    request: ResumeJobRequestSchema,
    response: JobResponseSchema,
    read: JobReadSchema,
    localOnly: true,
  },
  listJobs: {
    method: 'GET',
    path: '/v1/jobs',
    scope: 'project',
    auth: true,
    status: 200,
    response: JobListResponseSchema,
    read: JobListReadSchema,
  },
  createJob: {
    method: 'POST',
    path: '/v1/jobs',
    scope: 'project',
    auth: true,
    status: 201,
    request: CreateJobRequestSchema,
    response: JobResponseSchema,
    read: JobReadSchema,
  },
  getJob: {
    method: 'GET',
    path: '/v1/jobs/:id',
    scope: 'project',
    auth: true,
    status: 200,
    response: JobResponseSchema,
    read: JobReadSchema,
  },
  /** Any 2xx is success; clients ignore the body. 409 for a job that already finished. */
  cancelJob: {
    method: 'POST',
    path: '/v1/jobs/:id/cancel',
    scope: 'project',
    auth: true,
    status: 200,
    response: CancelJobResponseSchema,
  },
  jobEvents: {
    method: 'GET',
    path: '/v1/jobs/:id/events/stream',
    scope: 'project',
    auth: true,
    status: 200,
    stream: JobEventPayloadSchema,
  },
  chat: {
    method: 'POST',
    path: '/v1/inference/chat',
    scope: 'project',
    auth: true,
    status: 200,
    request: ChatRequestSchema,
    response: ChatCompletionSchema,
    stream: ChatCompletionChunkSchema,
  },
  listDeployments: {
    method: 'GET',
    path: '/v1/endpoints',
    scope: 'project',
    auth: true,
    status: 200,
    response: DeploymentListResponseSchema,
  },
  createDeployment: {
    method: 'POST',
    path: '/v1/endpoints',
    scope: 'project',
    auth: true,
    status: 201,
    request: CreateDeploymentRequestSchema,
    response: DeploymentResponseSchema,
  },
  getDeployment: {
    method: 'GET',
    path: '/v1/endpoints/:id',
    scope: 'project',
    auth: true,
    status: 200,
    response: DeploymentResponseSchema,
  },
  updateDeployment: {
    method: 'PATCH',
    path: '/v1/endpoints/:id',
    scope: 'project',
    auth: true,
    status: 200,
    request: UpdateDeploymentRequestSchema,
    response: DeploymentResponseSchema,
  },
  /** 204; deletes the deployment's keys too. */
  deleteDeployment: {
    method: 'DELETE',
    path: '/v1/endpoints/:id',
    scope: 'project',
    auth: true,
    status: 204,
  },
  listDeploymentKeys: {
    method: 'GET',
    path: '/v1/endpoints/:id/keys',
    scope: 'project',
    auth: true,
    status: 200,
    response: DeploymentKeyListResponseSchema,
    read: DeploymentKeyListReadSchema,
  },
  createDeploymentKey: {
    method: 'POST',
    path: '/v1/endpoints/:id/keys',
    scope: 'project',
    auth: true,
    status: 201,
    request: CreateDeploymentKeyRequestSchema,
    response: CreatedDeploymentKeyResponseSchema,
  },
  /** 204; the key stays listed with `enabled: false`. */
  revokeDeploymentKey: {
    method: 'DELETE',
    path: '/v1/endpoints/:id/keys/:keyId',
    scope: 'project',
    auth: true,
    status: 204,
  },
  /**
   * LOCAL-ONLY: the deployment's recent requests ("stored runs", kept as its run retention allows),
   * newest first; `?limit=` (default 50, max 500). Arkor Cloud publishes no route for them.
   */
  listDeploymentRequests: {
    method: 'GET',
    path: '/v1/endpoints/:id/requests',
    scope: 'project',
    auth: true,
    status: 200,
    response: DeploymentRequestListResponseSchema,
    localOnly: true,
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;

/** A JSON route's answer as a server builds it. */
export type ResponseOf<R extends RouteSpec> = R['response'] extends z.ZodType
  ? z.input<R['response']>
  : never;
/** A JSON route's answer as the client gets it after parsing. */
export type ReadOf<R extends RouteSpec> = R['read'] extends z.ZodType
  ? z.output<R['read']>
  : R['response'] extends z.ZodType
    ? z.output<R['response']>
    : never;
/** The schema the client parses a route's answer with. */
export function readSchema<R extends RouteSpec>(route: R): z.ZodType<ReadOf<R>> {
  const schema = route.read ?? route.response;
  if (!schema) throw new Error(`${route.method} ${route.path} has no JSON answer`);
  return schema as z.ZodType<ReadOf<R>>;
}

/** Matches the route's path (trailing slashes stripped first); captures the path parameters. */
export function routePattern(route: RouteSpec): RegExp {
  const source = route.path
    .split('/')
    .map((part) => (part.startsWith(':') ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('\\/');
  return new RegExp(`^${source}$`);
}

/** The route's path with its parameters filled in, URL-encoded. */
export function routePath(route: RouteSpec, params: Record<string, string> = {}): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${route.path}: missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
