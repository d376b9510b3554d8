// The HTTP surface: the subset of the Arkor Cloud `/v1` API the SDK and the extension use
// (docs/arkor-protocol.md §1), same paths, status codes and `{error}` bodies. Every request passes
// three gates in order: loopback Host header (403, against DNS rebinding), the X-Arkor-Client
// version header (426, like the cloud's gate), then a bearer token (401) except on the two
// bootstrap routes.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { deriveProjectSlug } from '../core/projectState';
import { HttpError, readJson, sendError, sendJson, sseFrame, startSse } from './http';
import { type Inference, NotFound } from './inference';
import { BadRequest, CreateJobBody, runSettings } from './jobConfig';
import type { JobRunner } from './jobRunner';
import { LOCAL_ORG, type Store } from './store';
import { type AdapterRef, type Project, type StoredEvent, TERMINAL } from './types';

export const BACKEND_VERSION = '0.1.0';
/** Versions of the `arkor` SDK this backend speaks to: any. Reported in 426 bodies. */
const SUPPORTED_RANGE = '>=0.0.0';
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost)(:\d+)?$/i;

export interface ServerOptions {
  store: Store;
  runner: JobRunner;
  inference: Inference;
  /** Extra bearer token accepted besides the ones minted by anonymous sign-up (--host-token). */
  hostToken?: string;
  /** Keepalive interval on event streams. */
  pingIntervalMs?: number;
}

type Handler = (ctx: Ctx) => Promise<void> | void;
interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
}
interface Route {
  method: string;
  pattern: RegExp;
  auth: boolean;
  handler: Handler;
}

const ChatBody = z.looseObject({
  messages: z
    .array(
      z.looseObject({
        role: z.string(),
        content: z.union([
          z.string(),
          z.null(),
          z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
        ]),
      }),
    )
    .min(1),
  adapter: z
    .union([
      z.object({ kind: z.literal('final'), jobId: z.string().min(1) }),
      z.object({
        kind: z.literal('checkpoint'),
        jobId: z.string().min(1),
        step: z.number().int().nonnegative(),
      }),
    ])
    .optional(),
  baseModel: z.string().optional(),
  temperature: z.number().min(0).max(5).optional(),
  topP: z.number().gt(0).max(1).optional(),
  maxTokens: z.number().int().positive().max(4096).optional(),
  stream: z.boolean().optional(),
  seed: z.number().int().optional(),
});

/** A project as clients see it: the folder binding stays inside the backend. */
function publicProject({ root: _root, ...project }: Project): Omit<Project, 'root'> {
  return project;
}

function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

export function createBackendServer(o: ServerOptions): Server {
  const { store, runner, inference } = o;
  const pingMs = o.pingIntervalMs ?? 15_000;

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
    {
      method: 'GET',
      pattern: /^\/v1\/auth\/cli\/config$/,
      auth: false,
      // No OAuth offline: all three null tells the SDK and the extension to sign up anonymously.
      handler: ({ res }) =>
        sendJson(res, 200, { auth0Domain: null, clientId: null, audience: null, callbackPorts: [] }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/auth\/anonymous$/,
      auth: false,
      handler: async ({ req, res }) => {
        const body = (await readJson(req)) as { kind?: unknown };
        const kind = body.kind ?? 'cli';
        if (kind !== 'cli' && kind !== 'web') throw new HttpError(400, 'kind must be "cli" or "web"');
        const { token, anonymousId } = store.issueToken();
        sendJson(res, 200, { token, anonymousId, kind, personalOrg: LOCAL_ORG });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/me$/,
      auth: true,
      handler: ({ res }) =>
        sendJson(res, 200, {
          user: { id: 'user_local', name: 'Local user', anonymous: true, backend: 'local' },
          orgs: [LOCAL_ORG],
        }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects$/,
      auth: true,
      handler: ({ res, url }) => {
        const orgSlug = url.searchParams.get('orgSlug');
        if (orgSlug !== LOCAL_ORG.slug) throw new HttpError(404, `org ${orgSlug ?? '(missing)'} not found`);
        sendJson(res, 200, { org: LOCAL_ORG, projects: store.listProjects().map(publicProject) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/projects$/,
      auth: true,
      handler: async ({ req, res, url }) => {
        const orgSlug = url.searchParams.get('orgSlug');
        if (orgSlug !== LOCAL_ORG.slug) throw new HttpError(404, `org ${orgSlug ?? '(missing)'} not found`);
        const parsed = z
          .object({ name: z.string().min(1).max(200), slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) })
          .safeParse(await readJson(req));
        if (!parsed.success) throw new HttpError(400, `invalid project: ${zodMessage(parsed.error)}`);
        const project = store.createProject(parsed.data.name, parsed.data.slug);
        if (!project) throw new HttpError(409, `project slug "${parsed.data.slug}" is already taken`);
        sendJson(res, 201, { project: publicProject(project) });
      },
    },
    {
      // Local-only (not an Arkor Cloud route): the project of a folder on this machine, created on
      // first use. The extension binds every project it runs or shows, so relative dataset paths
      // resolve against the right folder and the project's .arkor/state.json is never needed.
      method: 'POST',
      pattern: /^\/v1\/local\/projects$/,
      auth: true,
      handler: async ({ req, res }) => {
        const parsed = z.object({ root: z.string().min(1) }).safeParse(await readJson(req));
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
        sendJson(res, 200, { org: LOCAL_ORG, project: publicProject(project) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/jobs$/,
      auth: true,
      handler: ({ res, url }) => sendJson(res, 200, { jobs: store.listJobs(scope(url).id) }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/jobs$/,
      auth: true,
      handler: async ({ req, res, url }) => {
        const project = scope(url);
        const parsed = CreateJobBody.safeParse(await readJson(req));
        if (!parsed.success) throw new HttpError(400, `invalid job: ${zodMessage(parsed.error)}`);
        let settings: ReturnType<typeof runSettings>;
        try {
          settings = runSettings(parsed.data.config, project.root);
        } catch (e) {
          if (e instanceof BadRequest) throw new HttpError(400, e.message);
          throw e;
        }
        const job = store.createJob(project.id, parsed.data.name, parsed.data.config, {
          warnings: settings.warnings,
        });
        runner.enqueue(job.id, settings);
        sendJson(res, 201, { job: store.getJob(job.id) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/jobs\/([^/]+)$/,
      auth: true,
      handler: ({ res, url, params }) => {
        const job = jobIn(scope(url), params[0] as string);
        sendJson(res, 200, { job, events: store.eventsAfter(job.id, 0).map((e) => e.data) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/jobs\/([^/]+)\/cancel$/,
      auth: true,
      handler: async ({ res, url, params }) => {
        const job = jobIn(scope(url), params[0] as string);
        if (TERMINAL.has(job.status)) {
          throw new HttpError(
            409,
            `job ${job.id} is already ${job.status}; only queued or running jobs can be cancelled`,
          );
        }
        await runner.cancel(job.id);
        sendJson(res, 200, { ok: true, job: store.getJob(job.id) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/jobs\/([^/]+)\/events\/stream$/,
      auth: true,
      handler: ({ req, res, url, params }) => {
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
          if (!res.writableEnded) res.end(sseFrame({ event: 'end', data: '' }));
        };
        if (TERMINAL.has(store.getJob(job.id)?.status ?? '')) return end();
        const unsubscribe = store.subscribe(job.id, (e) => (e.event === 'end' ? end() : write(e)));
        const ping = setInterval(() => {
          if (!res.writableEnded) res.write(sseFrame({ event: 'ping', data: '' }));
        }, pingMs);
        res.on('close', () => {
          clearInterval(ping);
          unsubscribe();
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/inference\/chat$/,
      auth: true,
      handler: async (ctx) => chat(ctx),
    },
  ];

  async function chat({ req, res, url }: Ctx) {
    const project = scope(url);
    const parsed = ChatBody.safeParse(await readJson(req));
    if (!parsed.success) throw new HttpError(400, `invalid chat request: ${zodMessage(parsed.error)}`);
    const b = parsed.data;
    if (b.adapter && b.baseModel) throw new HttpError(400, 'send either adapter or baseModel, not both');
    let adapterDir: string | undefined;
    try {
      adapterDir = b.adapter ? inference.resolveAdapter(b.adapter as AdapterRef, project.id) : undefined;
    } catch (e) {
      if (e instanceof NotFound) throw new HttpError(404, e.message);
      throw e;
    }
    const messages = b.messages.map((m) => ({
      role: m.role,
      content:
        typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join(''),
    }));
    const abort = new AbortController();
    // The response closing before we finish means the client went away: stop generating.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = b.adapter
      ? `${inference.baseModelId}+${b.adapter.kind}:${b.adapter.jobId}`
      : inference.baseModelId;
    const gen = inference.chat(
      {
        messages,
        temperature: b.temperature,
        topP: b.topP,
        maxTokens: b.maxTokens,
        seed: b.seed,
        signal: abort.signal,
      },
      adapterDir,
    );
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      sseFrame({
        data: JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          choices: [{ index: 0, delta, finish_reason: finish }],
        }),
      });
    if (b.stream !== false) {
      startSse(res);
      res.write(chunk({ role: 'assistant', content: '' }, null));
      let r = await gen.next();
      while (!r.done) {
        if (abort.signal.aborted) return;
        res.write(chunk({ content: r.value }, null));
        r = await gen.next();
      }
      if (abort.signal.aborted) return;
      res.write(chunk({}, r.value));
      res.end(sseFrame({ data: '[DONE]' }));
      return;
    }
    let text = '';
    let r = await gen.next();
    while (!r.done) {
      text += r.value;
      r = await gen.next();
    }
    if (abort.signal.aborted) return;
    const completionTokens = Buffer.byteLength(text);
    const promptTokens = messages.reduce((n, m) => n + Buffer.byteLength(m.content) + 2, 1);
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: r.value }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }

  const tokenOk = (header: string | undefined): boolean => {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    const token = m?.[1];
    if (!token) return false;
    if (o.hostToken) {
      const a = Buffer.from(token);
      const b = Buffer.from(o.hostToken);
      if (a.length === b.length && timingSafeEqual(a, b)) return true;
    }
    return store.hasToken(token);
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!LOOPBACK_HOST.test(req.headers.host ?? '')) {
      return sendError(res, 403, 'The Arkor local backend is loopback-only');
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/health' && req.method === 'GET') {
      return sendJson(res, 200, { ok: true, backend: 'local', version: BACKEND_VERSION });
    }
    if (!url.pathname.startsWith('/v1/')) return sendError(res, 404, 'not found');
    const client = req.headers['x-arkor-client'];
    const version = typeof client === 'string' ? /^arkor\/(.+)$/.exec(client.trim())?.[1] : undefined;
    if (!client || !version || !SEMVER.test(version)) {
      return sendError(res, 426, 'sdk_version_unsupported', {
        currentVersion: version && SEMVER.test(version) ? version : null,
        supportedRange: SUPPORTED_RANGE,
        upgrade: 'npm install arkor@latest',
        reason: client ? 'malformed' : 'missing',
      });
    }
    const path = url.pathname.replace(/\/+$/, '');
    const matching = routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return sendError(res, 404, 'not found');
    const route = matching.find((r) => r.method === req.method);
    if (!route) return sendError(res, 405, `method ${req.method} not allowed`);
    if (route.auth && !tokenOk(req.headers.authorization)) {
      return sendError(res, 401, 'missing or invalid bearer token');
    }
    const params = (route.pattern.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
    await route.handler({ req, res, url, params });
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
