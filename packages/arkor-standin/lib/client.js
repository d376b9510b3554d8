// STAND-IN for the real `arkor` SDK (see ../README.md). CloudApiClient: one class over
// the cloud API routes. Typed routes validate their JSON with loose zod schemas, as the real client
// does (a mismatch throws a ZodError, not a CloudApiError); `openEventStream` and `chat` return
// the raw Response.
import { z } from 'zod';
import { CLIENT_HEADER, cloudApiErrorFrom, noteDeprecation } from './http.js';

const isoString = z.union([z.string(), z.date().transform((d) => d.toISOString())]);
const optionalIso = isoString
  .nullable()
  .optional()
  .transform((v) => v ?? null);

export const JOB_STATUSES = /** @type {const} */ (['queued', 'running', 'completed', 'failed', 'cancelled']);

const TrainingJobSchema = z.looseObject({
  id: z.string(),
  orgId: z.string(),
  projectId: z.string(),
  name: z.string(),
  status: z.enum(JOB_STATUSES),
  config: z.looseObject({ model: z.string() }),
  error: z.string().nullable().optional(),
  createdAt: isoString,
  startedAt: optionalIso,
  completedAt: optionalIso,
});
const ProjectSchema = z.looseObject({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  orgId: z.string(),
});

const AdapterRefSchema = z.union([
  z.looseObject({ kind: z.literal('final'), jobId: z.string() }),
  z.looseObject({ kind: z.literal('checkpoint'), jobId: z.string(), step: z.number() }),
]);
const DeploymentSchema = z.looseObject({
  id: z.string(),
  slug: z.string(),
  orgId: z.string(),
  projectId: z.string(),
  target: z.union([
    z.looseObject({ kind: z.literal('adapter'), adapter: AdapterRefSchema }),
    z.looseObject({ kind: z.literal('base_model'), baseModel: z.string() }),
  ]),
  authMode: z.enum(['none', 'fixed_api_key']),
  urlFormat: z.literal('openai_compat'),
  enabled: z.boolean(),
  customDomain: z.string().nullable(),
  runRetentionMode: z.string().optional(),
  runRetentionDays: z.number().optional(),
  createdAt: isoString,
  updatedAt: isoString,
});
const DeploymentKeySchema = z.looseObject({
  id: z.string(),
  label: z.string(),
  prefix: z.string(),
  enabled: z.boolean(),
  createdAt: isoString,
  lastUsedAt: isoString.nullable(),
});
const CreatedKeySchema = z.looseObject({
  id: z.string(),
  label: z.string(),
  plaintext: z.string(),
  prefix: z.string(),
  createdAt: isoString,
});

const Schemas = {
  projects: z.looseObject({ org: z.looseObject({ slug: z.string() }), projects: z.array(ProjectSchema) }),
  project: z.looseObject({ project: ProjectSchema }),
  job: z.looseObject({ job: TrainingJobSchema }),
  jobDetail: z.looseObject({ job: TrainingJobSchema, events: z.array(z.looseObject({})).optional() }),
  deployments: z.looseObject({ deployments: z.array(DeploymentSchema) }),
  deployment: z.looseObject({ deployment: DeploymentSchema }),
  keys: z.looseObject({ keys: z.array(DeploymentKeySchema) }),
  createdKey: z.looseObject({ key: CreatedKeySchema }),
};

/** @param {Record<string, string>} params */
function query(params) {
  return new URLSearchParams(params).toString();
}

/** @param {{ orgSlug: string, projectSlug: string }} scope */
function scopeQuery(scope) {
  return query({ orgSlug: scope.orgSlug, projectSlug: scope.projectSlug });
}

const enc = encodeURIComponent;

export class CloudApiClient {
  /**
   * @param {{ baseUrl: string, credentials: any, fetch?: typeof fetch,
   *   onDeprecation?: (notice: import('./http.js').DeprecationNotice) => void }} options
   */
  constructor(options) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    const c = options.credentials;
    /** @private */
    this.token = c?.mode === 'anon' ? c.token : c?.accessToken;
    /** @private */
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    /** @private */
    this.onDeprecation = options.onDeprecation;
  }

  /**
   * @private
   * @param {string} method
   * @param {string} pathAndQuery
   * @param {{ body?: unknown, accept?: string, lastEventId?: string, signal?: AbortSignal }} [opts]
   */
  async send(method, pathAndQuery, opts = {}) {
    /** @type {Record<string, string>} */
    const headers = { 'X-Arkor-Client': CLIENT_HEADER };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (opts.accept) headers.Accept = opts.accept;
    if (opts.lastEventId) headers['Last-Event-ID'] = opts.lastEventId;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await this.fetchImpl(`${this.baseUrl}${pathAndQuery}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
    noteDeprecation(res, this.onDeprecation);
    if (!res.ok) throw await cloudApiErrorFrom(res);
    return res;
  }

  /**
   * @private
   * @template {z.ZodType} S
   * @param {S} schema
   * @param {string} method
   * @param {string} pathAndQuery
   * @param {unknown} [body]
   * @returns {Promise<z.infer<S>>}
   */
  async typed(schema, method, pathAndQuery, body) {
    const res = await this.send(method, pathAndQuery, { body });
    return schema.parse(await res.json());
  }

  /** @private */
  async noContent(/** @type {string} */ method, /** @type {string} */ pathAndQuery) {
    const res = await this.send(method, pathAndQuery);
    await res.body?.cancel();
  }

  /** @param {string} orgSlug */
  listProjects(orgSlug) {
    return this.typed(Schemas.projects, 'GET', `/v1/projects?${query({ orgSlug })}`);
  }

  /** @param {{ orgSlug: string, name: string, slug: string }} input */
  createProject({ orgSlug, name, slug }) {
    return this.typed(Schemas.project, 'POST', `/v1/projects?${query({ orgSlug })}`, { name, slug });
  }

  /** @param {{ orgSlug: string, projectSlug: string, name: string, config: Record<string, unknown> }} input */
  createJob({ orgSlug, projectSlug, name, config }) {
    return this.typed(Schemas.job, 'POST', `/v1/jobs?${scopeQuery({ orgSlug, projectSlug })}`, {
      name,
      config,
    });
  }

  /** @param {string} jobId @param {{ orgSlug: string, projectSlug: string }} scope */
  getJob(jobId, scope) {
    return this.typed(Schemas.jobDetail, 'GET', `/v1/jobs/${enc(jobId)}?${scopeQuery(scope)}`);
  }

  /** @param {string} jobId @param {{ orgSlug: string, projectSlug: string }} scope */
  cancelJob(jobId, scope) {
    return this.noContent('POST', `/v1/jobs/${enc(jobId)}/cancel?${scopeQuery(scope)}`);
  }

  /**
   * @param {string} jobId
   * @param {{ orgSlug: string, projectSlug: string }} scope
   * @param {{ lastEventId?: string, signal?: AbortSignal }} [opts]
   */
  openEventStream(jobId, scope, opts = {}) {
    return this.send('GET', `/v1/jobs/${enc(jobId)}/events/stream?${scopeQuery(scope)}`, {
      accept: 'text/event-stream',
      lastEventId: opts.lastEventId,
      signal: opts.signal,
    });
  }

  /** @param {{ scope: { orgSlug: string, projectSlug: string }, body: Record<string, unknown>, signal?: AbortSignal }} input */
  chat(input) {
    return this.send('POST', `/v1/inference/chat?${scopeQuery(input.scope)}`, {
      body: input.body,
      signal: input.signal,
    });
  }

  /** @param {{ orgSlug: string, projectSlug: string }} scope */
  listDeployments(scope) {
    return this.typed(Schemas.deployments, 'GET', `/v1/endpoints?${scopeQuery(scope)}`);
  }

  /** @param {string} id @param {{ orgSlug: string, projectSlug: string }} scope */
  getDeployment(id, scope) {
    return this.typed(Schemas.deployment, 'GET', `/v1/endpoints/${enc(id)}?${scopeQuery(scope)}`);
  }

  /** @param {{ orgSlug: string, projectSlug: string }} scope @param {Record<string, unknown>} input */
  createDeployment(scope, input) {
    return this.typed(Schemas.deployment, 'POST', `/v1/endpoints?${scopeQuery(scope)}`, input);
  }

  /** @param {string} id @param {{ orgSlug: string, projectSlug: string }} scope @param {Record<string, unknown>} input */
  updateDeployment(id, scope, input) {
    return this.typed(Schemas.deployment, 'PATCH', `/v1/endpoints/${enc(id)}?${scopeQuery(scope)}`, input);
  }

  /** @param {string} id @param {{ orgSlug: string, projectSlug: string }} scope */
  deleteDeployment(id, scope) {
    return this.noContent('DELETE', `/v1/endpoints/${enc(id)}?${scopeQuery(scope)}`);
  }

  /** @param {string} id @param {{ orgSlug: string, projectSlug: string }} scope */
  async listDeploymentKeys(id, scope) {
    const out = await this.typed(Schemas.keys, 'GET', `/v1/endpoints/${enc(id)}/keys?${scopeQuery(scope)}`);
    // A secret must never leave a list call, even if a server sends one.
    for (const key of out.keys) delete (/** @type {Record<string, unknown>} */ (key).plaintext);
    return out;
  }

  /** @param {string} id @param {{ orgSlug: string, projectSlug: string }} scope @param {{ label: string }} input */
  createDeploymentKey(id, scope, input) {
    return this.typed(Schemas.createdKey, 'POST', `/v1/endpoints/${enc(id)}/keys?${scopeQuery(scope)}`, {
      label: input.label,
    });
  }

  /** @param {string} id @param {string} keyId @param {{ orgSlug: string, projectSlug: string }} scope */
  revokeDeploymentKey(id, keyId, scope) {
    return this.noContent('DELETE', `/v1/endpoints/${enc(id)}/keys/${enc(keyId)}?${scopeQuery(scope)}`);
  }
}
