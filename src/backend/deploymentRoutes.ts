// The `/v1/endpoints` routes (docs/wire-protocol.md, "Deployments"): deployments and their keys,
// answered as Arkor Cloud answers them (201 on create, 204 on delete and revoke, 400 bad or reserved
// slug, 404 unknown deployment, key or target job, 409 taken slug), plus the local-only list of
// recorded requests. What the deployments then serve is endpointServer.ts.
import { existsSync } from 'node:fs';
import {
  DEPLOYMENT_REQUESTS_DEFAULT_LIMIT,
  DEPLOYMENT_REQUESTS_MAX_LIMIT,
  type Deployment,
  type DeploymentTarget,
  isTerminalStatus,
  RESERVED_DEPLOYMENT_SLUGS,
  ROUTES,
} from '../wire';
import type { DeploymentStore, StoredDeployment } from './deploymentStore';
import { HttpError } from './http';
import { body, type Route, reply, route } from './routing';
import type { Store } from './store';
import type { Project } from './types';

export interface DeploymentRoutesOptions {
  store: Store;
  deployments: DeploymentStore;
  /** The project of a project-scoped request (404 for an unknown org or project). */
  scope: (url: URL) => Project;
  /** The OpenAI base URL a slug is served at. */
  baseUrlOf: (slug: string) => string;
}

const RETENTION_DAYS_ONLY = 'runRetentionDays is only valid when runRetentionMode is "days".';
const RETENTION_DAYS_REQUIRED = 'runRetentionMode "days" requires a positive integer runRetentionDays.';

export function deploymentRoutes(o: DeploymentRoutesOptions): Route[] {
  const { store, deployments } = o;
  const dto = (d: StoredDeployment): Deployment => ({ ...d, baseUrl: o.baseUrlOf(d.slug) });

  const deploymentIn = (project: Project, id: string): StoredDeployment => {
    const d = deployments.get(project.id, id);
    if (!d) throw new HttpError(404, `endpoint ${id} not found in project ${project.slug}`);
    return d;
  };

  /**
   * A target must name a job of this project. A job still training may not have the adapter yet (it
   * is looked up again on every request); a finished one must have it.
   */
  const checkTarget = (target: DeploymentTarget, project: Project): void => {
    if (target.kind !== 'adapter') return;
    const ref = target.adapter;
    const job = store.getJob(ref.jobId);
    if (!job || job.projectId !== project.id) {
      throw new HttpError(404, `job ${ref.jobId} not found in project ${project.slug}`);
    }
    if (isTerminalStatus(job.status) && !existsSync(store.adapterDir(ref))) {
      throw new HttpError(
        404,
        ref.kind === 'final'
          ? `job ${ref.jobId} has no final adapter (status: ${job.status})`
          : `job ${ref.jobId} has no checkpoint at step ${ref.step}`,
      );
    }
  };

  const noContent = (res: import('node:http').ServerResponse) => {
    res.writeHead(204, { 'Cache-Control': 'no-store' });
    res.end();
  };

  return [
    route(ROUTES.listDeployments, ({ res, url }) =>
      reply(res, ROUTES.listDeployments, { deployments: deployments.list(o.scope(url).id).map(dto) }),
    ),
    route(ROUTES.createDeployment, async ({ req, res, url }) => {
      const project = o.scope(url);
      const input = await body(req, ROUTES.createDeployment.request, 'invalid endpoint');
      if (RESERVED_DEPLOYMENT_SLUGS.includes(input.slug)) {
        throw new HttpError(400, `slug "${input.slug}" is reserved; choose another`);
      }
      checkTarget(input.target, project);
      const created = deployments.create(project.id, input);
      if (!created) throw new HttpError(409, `slug "${input.slug}" is already taken`);
      reply(res, ROUTES.createDeployment, { deployment: dto(created) });
    }),
    route(ROUTES.getDeployment, ({ res, url, params }) =>
      reply(res, ROUTES.getDeployment, { deployment: dto(deploymentIn(o.scope(url), params[0] as string)) }),
    ),
    route(ROUTES.updateDeployment, async ({ req, res, url, params }) => {
      const project = o.scope(url);
      const d = deploymentIn(project, params[0] as string);
      const patch = await body(req, ROUTES.updateDeployment.request, 'invalid endpoint change');
      if ('slug' in patch && patch.slug !== d.slug) {
        throw new HttpError(400, 'the slug of an endpoint cannot change; create a new endpoint instead');
      }
      const mode = patch.runRetentionMode ?? d.runRetentionMode;
      if (patch.runRetentionDays !== undefined && mode !== 'days')
        throw new HttpError(400, RETENTION_DAYS_ONLY);
      if (mode === 'days' && patch.runRetentionDays === undefined && d.runRetentionDays === undefined) {
        throw new HttpError(400, RETENTION_DAYS_REQUIRED);
      }
      if (patch.target) checkTarget(patch.target, project);
      reply(res, ROUTES.updateDeployment, { deployment: dto(deployments.update(d, patch)) });
    }),
    route(ROUTES.deleteDeployment, ({ res, url, params }) => {
      deployments.delete(deploymentIn(o.scope(url), params[0] as string));
      noContent(res);
    }),
    route(ROUTES.listDeploymentKeys, ({ res, url, params }) => {
      const d = deploymentIn(o.scope(url), params[0] as string);
      reply(res, ROUTES.listDeploymentKeys, { keys: deployments.listKeys(d.id) });
    }),
    route(ROUTES.createDeploymentKey, async ({ req, res, url, params }) => {
      const d = deploymentIn(o.scope(url), params[0] as string);
      const input = await body(req, ROUTES.createDeploymentKey.request, 'invalid key');
      reply(res, ROUTES.createDeploymentKey, { key: deployments.createKey(d.id, input.label) });
    }),
    route(ROUTES.revokeDeploymentKey, ({ res, url, params }) => {
      const d = deploymentIn(o.scope(url), params[0] as string);
      const keyId = params[1] as string;
      if (!deployments.revokeKey(d.id, keyId)) {
        throw new HttpError(404, `key ${keyId} not found on endpoint ${d.slug}`);
      }
      noContent(res);
    }),
    // LOCAL-ONLY: Arkor Cloud stores runs but publishes no route to read them.
    route(ROUTES.listDeploymentRequests, ({ res, url, params }) => {
      const d = deploymentIn(o.scope(url), params[0] as string);
      const raw = url.searchParams.get('limit');
      const limit = raw === null ? DEPLOYMENT_REQUESTS_DEFAULT_LIMIT : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > DEPLOYMENT_REQUESTS_MAX_LIMIT) {
        throw new HttpError(400, `limit must be a whole number from 1 to ${DEPLOYMENT_REQUESTS_MAX_LIMIT}`);
      }
      reply(res, ROUTES.listDeploymentRequests, { requests: deployments.listRequests(d, limit) });
    }),
  ];
}
