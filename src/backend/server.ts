// The HTTP surface: the subset of the Arkor Cloud `/v1` API the SDK and the extension use, plus the
// local-only routes (docs/wire-protocol.md). Paths, statuses, bodies and answers all come from the
// route table of src/wire (`ROUTES`): requests are validated with its `request` schemas and answers
// are typed by its `response` schemas, so this server and the client cannot drift. Every request
// passes three gates in order: loopback Host header (403, against DNS rebinding), the X-Arkor-Client
// version header (426, like the cloud's gate), then a bearer token (401) except on the two
// bootstrap routes.
import { timingSafeEqual } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { z } from 'zod';
import { deriveProjectSlug } from '../core/projectState';
import {
  END_EVENT,
  isTerminalStatus,
  PING_EVENT,
  type ProjectSchema,
  ROUTES,
  SDK_VERSION_UNSUPPORTED,
  type UpgradeRequiredBody,
} from '../wire';
import { plainMessages, serveChatCompletion } from './chatCompletion';
import { deploymentRoutes } from './deploymentRoutes';
import type { DeploymentStore } from './deploymentStore';
import { HttpError, readJson, sendError, sendJson, sseFrame, startSse } from './http';
import { type Inference, NotFound } from './inference';
import { BadRequest, runSettings } from './jobConfig';
import type { JobQueue } from './jobQueue';
import { ResumeError, resumeFrom, resumePoint } from './resume';
import { body, type Ctx, type Route, reply, route } from './routing';
import { LOCAL_ORG, type Store } from './store';
import type { Project, StoredEvent } from './types';

export const BACKEND_VERSION = '0.1.0';
/** Versions of the `arkor` SDK this backend speaks to: any. Reported in 426 bodies. */
const SUPPORTED_RANGE = '>=0.0.0';
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost)(:\d+)?$/i;

export interface ServerOptions {
  store: Store;
  queue: JobQueue;
  inference: Inference;
  /** Extra bearer token accepted besides the ones minted by anonymous sign-up (--host-token). */
  hostToken?: string;
  /** Keepalive interval on event streams. */
  pingIntervalMs?: number;
  deployments: DeploymentStore;
  /** Where the endpoint listener serves deployments: `http://127.0.0.1:<port>`. */
  endpointsUrl: string;
  /** The backend process itself, for the LOCAL-ONLY routes about it (backend.ts). */
  self?: BackendSelf;
}

/** What the LOCAL-ONLY `/v1/local/backend` routes report and do. */
export interface BackendSelf {
  buildId: string;
  retiring(): boolean;
  /** Exit once no job is queued or running; true if that is now. */
  retire(): boolean;
}

/** A project as clients see it: the folder binding stays inside the backend. */
function publicProject({ root: _root, ...project }: Project): z.input<typeof ProjectSchema> {
  return project;
}

export function createBackendServer(o: ServerOptions): Server {
  const { store, queue, inference } = o;
  const pingMs = o.pingIntervalMs ?? 15_000;

  /** Org-scoped routes: the only org is the local one. */
  const orgOf = (url: URL): void => {
    const orgSlug = url.searchParams.get('orgSlug');
    if (orgSlug !== LOCAL_ORG.slug) throw new HttpError(404, `org ${orgSlug ?? '(missing)'} not found`);
  };

  const scope = (url: URL): Project => {
    const orgSlug = url.searchParams.get('orgSlug');
    const projectSlug = url.searchParams.get('projectSlug');
    if (!orgSlug || !projectSlug)
      throw new HttpError(400, 'orgSlug and projectSlug query parameters are required');
    if (orgSlug !== LOCAL_ORG.slug) throw new HttpError(404, `org ${orgSlug} not found`);
    const project = store.findProject(projectSlug);
    if (!project) throw new HttpError(404, `project ${projectSlug} not found`);
    return project;
  };

  const jobIn = (project: Project, id: string) => {
    const job = store.getJob(id);
    if (!job || job.projectId !== project.id) throw new HttpError(404, `job ${id} not found`);
    return job;
  };

  const routes: Route[] = [
    // No OAuth offline: all three null tells the SDK and the extension to sign up anonymously.
    route(ROUTES.cliConfig, ({ res }) =>
      reply(res, ROUTES.cliConfig, { auth0Domain: null, clientId: null, audience: null, callbackPorts: [] }),
    ),
    route(ROUTES.anonymousSignup, async ({ req, res }) => {
      // Started by the extension (a host token is set), the backend is the extension's alone: another
      // user of this machine must not mint a working token.
      if (o.hostToken && !isHost(req.headers.authorization)) {
        throw new HttpError(
          403,
          'sign-up is closed: this local backend serves only the Arkor extension that started it',
        );
      }
      const parsed = ROUTES.anonymousSignup.request.safeParse(await readJson(req));
      if (!parsed.success) throw new HttpError(400, 'kind must be "cli" or "web"');
      const { token, anonymousId } = store.issueToken();
      reply(res, ROUTES.anonymousSignup, {
        token,
        anonymousId,
        kind: parsed.data.kind ?? 'cli',
        personalOrg: LOCAL_ORG,
      });
    }),
    route(ROUTES.me, ({ res }) =>
      reply(res, ROUTES.me, {
        user: { id: 'user_local', name: 'Local user', anonymous: true, backend: 'local' },
        orgs: [LOCAL_ORG],
      }),
    ),
    route(ROUTES.listProjects, ({ res, url }) => {
      orgOf(url);
      reply(res, ROUTES.listProjects, { org: LOCAL_ORG, projects: store.listProjects().map(publicProject) });
    }),
    route(ROUTES.createProject, async ({ req, res, url }) => {
      orgOf(url);
      const input = await body(req, ROUTES.createProject.request, 'invalid project');
      const project = store.createProject(input.name, input.slug);
      if (!project) throw new HttpError(409, `project slug "${input.slug}" is already taken`);
      reply(res, ROUTES.createProject, { project: publicProject(project) });
    }),
    // LOCAL-ONLY (not an Arkor Cloud route): the project of a folder on this machine, created on
    // first use. The extension binds every project it runs or shows, so relative dataset paths
    // resolve against the right folder and the project's .arkor/state.json is never needed.
    route(ROUTES.localProject, async ({ req, res }) => {
      // Which folders jobs may read files from is the extension's decision (its opened projects).
      if (o.hostToken && !isHost(req.headers.authorization)) {
        throw new HttpError(403, 'only the Arkor extension binds project folders');
      }
      const parsed = ROUTES.localProject.request.safeParse(await readJson(req));
      if (!parsed.success || !path.isAbsolute(parsed.data.root)) {
        throw new HttpError(400, 'root must be the absolute path of the project folder');
      }
      let root: string;
      try {
        root = realpathSync(parsed.data.root);
      } catch {
        throw new HttpError(400, `project folder not found: ${parsed.data.root}`);
      }
      if (!statSync(root).isDirectory()) throw new HttpError(400, `not a folder: ${parsed.data.root}`);
      const name = path.basename(root) || 'project';
      const project = store.projectForRoot(root, name, deriveProjectSlug(name));
      reply(res, ROUTES.localProject, { org: LOCAL_ORG, project: publicProject(project) });
    }),
    // LOCAL-ONLY, the extension's alone: the backend about itself. Windows that found it through the
    // discovery file prove with this request that the URL is it and the token theirs.
    route(ROUTES.localBackendInfo, ({ req, res }) => {
      hostOnly(req);
      reply(res, ROUTES.localBackendInfo, {
        pid: process.pid,
        buildId: o.self?.buildId ?? 'unknown',
        busy: queue.busy,
        retiring: o.self?.retiring() ?? false,
      });
    }),
    route(ROUTES.localBackendRetire, ({ req, res }) => {
      hostOnly(req);
      if (!o.self) throw new HttpError(409, 'this backend was not started by the extension');
      const busy = queue.busy;
      reply(res, ROUTES.localBackendRetire, { exiting: o.self.retire(), busy });
    }),
    // LOCAL-ONLY (Arkor Cloud has no resume): a new job going on from a checkpoint of an interrupted one.
    route(ROUTES.resumeJob, async ({ req, res, url, params }) => {
      const project = scope(url);
      const source = jobIn(project, params[0] as string);
      const input = await body(req, ROUTES.resumeJob.request, 'invalid resume request');
      let from: ReturnType<typeof resumeFrom>;
      let settings: ReturnType<typeof runSettings>;
      try {
        from = resumeFrom(store, source, input.step);
        settings = runSettings(source.config as Parameters<typeof runSettings>[0], project.root);
      } catch (e) {
        if (e instanceof ResumeError) throw new HttpError(e.status, e.message);
        if (e instanceof BadRequest) throw new HttpError(400, e.message);
        throw e;
      }
      const job = store.createJob(project.id, source.name, source.config, {
        warnings: settings.warnings,
        resumedFrom: from,
      });
      queue.enqueue(job.id, settings, resumePoint(store, from));
      reply(res, ROUTES.resumeJob, { job: store.getJob(job.id) ?? job });
    }),
    route(ROUTES.listJobs, ({ res, url }) =>
      reply(res, ROUTES.listJobs, { jobs: store.listJobs(scope(url).id) }),
    ),
    route(ROUTES.createJob, async ({ req, res, url }) => {
      const project = scope(url);
      const input = await body(req, ROUTES.createJob.request, 'invalid job');
      let settings: ReturnType<typeof runSettings>;
      try {
        settings = runSettings(input.config, project.root);
      } catch (e) {
        if (e instanceof BadRequest) throw new HttpError(400, e.message);
        throw e;
      }
      const job = store.createJob(project.id, input.name, input.config, { warnings: settings.warnings });
      queue.enqueue(job.id, settings);
      reply(res, ROUTES.createJob, { job: store.getJob(job.id) ?? job });
    }),
    route(ROUTES.getJob, ({ res, url, params }) => {
      const job = jobIn(scope(url), params[0] as string);
      reply(res, ROUTES.getJob, { job, events: store.eventsAfter(job.id, 0).map((e) => e.data) });
    }),
    route(ROUTES.cancelJob, async ({ res, url, params }) => {
      const job = jobIn(scope(url), params[0] as string);
      if (isTerminalStatus(job.status)) {
        throw new HttpError(
          409,
          `job ${job.id} is already ${job.status}; only queued or running jobs can be cancelled`,
        );
      }
      await queue.cancel(job.id);
      reply(res, ROUTES.cancelJob, { ok: true, job: store.getJob(job.id) });
    }),
    route(ROUTES.jobEvents, ({ req, res, url, params }) => {
      const job = jobIn(scope(url), params[0] as string);
      const lastId = Number.parseInt(String(req.headers['last-event-id'] ?? ''), 10);
      startSse(res);
      // Guards: a late notification must never write to a finished response.
      const write = (e: StoredEvent) => {
        if (!res.writableEnded)
          res.write(sseFrame({ id: e.id, event: e.event, data: JSON.stringify(e.data) }));
      };
      for (const e of store.eventsAfter(job.id, Number.isFinite(lastId) ? lastId : 0)) write(e);
      const end = () => {
        if (!res.writableEnded) res.end(sseFrame({ event: END_EVENT, data: '' }));
      };
      if (isTerminalStatus(store.getJob(job.id)?.status)) return end();
      const unsubscribe = store.subscribe(job.id, (e) => (e.event === END_EVENT ? end() : write(e)));
      const ping = setInterval(() => {
        if (!res.writableEnded) res.write(sseFrame({ event: PING_EVENT, data: '' }));
      }, pingMs);
      res.on('close', () => {
        clearInterval(ping);
        unsubscribe();
      });
    }),
    route(ROUTES.chat, (ctx) => chat(ctx)),
    ...deploymentRoutes({
      store,
      deployments: o.deployments,
      scope,
      baseUrlOf: (slug) => `${o.endpointsUrl}/${encodeURIComponent(slug)}/v1`,
    }),
  ];

  async function chat({ req, res, url }: Ctx) {
    const project = scope(url);
    const b = await body(req, ROUTES.chat.request, 'invalid chat request');
    if (b.adapter && b.baseModel) throw new HttpError(400, 'send either adapter or baseModel, not both');
    let adapterDir: string | undefined;
    try {
      adapterDir = b.adapter ? inference.resolveAdapter(b.adapter, project.id) : undefined;
    } catch (e) {
      if (e instanceof NotFound) throw new HttpError(404, e.message);
      throw e;
    }
    const model = b.adapter
      ? `${inference.baseModelId}+${b.adapter.kind}:${b.adapter.jobId}`
      : inference.baseModelId;
    await serveChatCompletion(res, {
      inference,
      params: {
        messages: plainMessages(b.messages),
        temperature: b.temperature,
        topP: b.topP,
        maxTokens: b.maxTokens,
        seed: b.seed,
      },
      adapterDir,
      model,
      stream: b.stream !== false,
    });
  }

  const bearer = (header: string | string[] | undefined): string | undefined =>
    /^Bearer\s+(\S+)$/i.exec(typeof header === 'string' ? header : '')?.[1];

  /** The request carries the host token of the extension that started this backend. */
  const isHost = (header: string | string[] | undefined): boolean => {
    const token = bearer(header);
    if (!token || !o.hostToken) return false;
    const a = Buffer.from(token);
    const b = Buffer.from(o.hostToken);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const hostOnly = (req: IncomingMessage): void => {
    if (!isHost(req.headers.authorization)) {
      throw new HttpError(403, 'only the Arkor extension that started this backend may ask this');
    }
  };

  const tokenOk = (header: string | undefined): boolean => {
    const token = bearer(header);
    return token !== undefined && (isHost(header) || store.hasToken(token));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!LOOPBACK_HOST.test(req.headers.host ?? '')) {
      return sendError(res, 403, 'The Arkor local backend is loopback-only');
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === ROUTES.health.path && req.method === ROUTES.health.method) {
      return reply(res, ROUTES.health, { ok: true, backend: 'local', version: BACKEND_VERSION });
    }
    if (!url.pathname.startsWith('/v1/')) return sendError(res, 404, 'not found');
    const client = req.headers['x-arkor-client'];
    const version = typeof client === 'string' ? /^arkor\/(.+)$/.exec(client.trim())?.[1] : undefined;
    if (!client || !version || !SEMVER.test(version)) {
      const upgradeBody: UpgradeRequiredBody = {
        error: SDK_VERSION_UNSUPPORTED,
        currentVersion: version && SEMVER.test(version) ? version : null,
        supportedRange: SUPPORTED_RANGE,
        upgrade: 'npm install arkor@latest',
        reason: client ? 'malformed' : 'missing',
      };
      return sendJson(res, 426, upgradeBody);
    }
    const path = url.pathname.replace(/\/+$/, '');
    const matching = routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return sendError(res, 404, 'not found');
    const match = matching.find((r) => r.spec.method === req.method);
    if (!match) return sendError(res, 405, `method ${req.method} not allowed`);
    if (match.spec.auth && !tokenOk(req.headers.authorization)) {
      return sendError(res, 401, 'missing or invalid bearer token');
    }
    let params: string[];
    try {
      params = (match.pattern.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
    } catch {
      return sendError(res, 400, 'malformed percent-encoding in the path');
    }
    await match.handler({ req, res, url, params });
  }

  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) return sendError(res, e.status, e.message, e.extra);
      console.error('[arkor-local] request failed:', e);
      sendError(res, 500, 'internal error in the local backend');
    });
  });
}
