// Wires store, job queue, inference and HTTP server together. Used by the CLI (main.ts) and usable
// in-process.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeploymentStore } from './deploymentStore';
import { createEndpointServer } from './endpointServer';
import { PRESETS, type PresetName } from './engine/presets';
import { Inference } from './inference';
import { BadRequest, type JobConfig, runSettings } from './jobConfig';
import { JobQueue } from './jobQueue';
import { resumePoint } from './resume';
import { createBackendServer } from './server';
import { Store } from './store';

export interface BackendOptions {
  dataDir: string;
  port?: number;
  preset?: PresetName;
  hostToken?: string;
  baseModelDir?: string;
  pingIntervalMs?: number;
  /** The build of this backend, reported to windows that find it (a hash of its bundle). */
  buildId?: string;
  /**
   * Called once when the backend is idle: no job queued or running, no request in flight, and none
   * for `idleExitMs` (or at once after a retire request). The CLI exits then.
   */
  onIdle?: () => void;
  idleExitMs?: number;
  /**
   * Port of the endpoint listener (the deployments' OpenAI URLs). Default: the one used last time
   * (kept in deployments.json), so the URLs survive a restart; a new one only if it is taken.
   */
  endpointsPort?: number;
}

export interface RunningBackend {
  port: number;
  url: string;
  /** `http://127.0.0.1:<port>`; a deployment is served under `/<slug>/v1`. */
  endpointsUrl: string;
  close(): Promise<void>;
}

/** How often idleness is checked (at most; short idle timeouts are checked more often). */
const IDLE_CHECK_MS = 1000;

export async function startBackend(o: BackendOptions): Promise<RunningBackend> {
  const preset = o.preset ?? 'default';
  if (!PRESETS[preset]) throw new Error(`unknown preset ${preset}`);
  const store = new Store(o.dataDir);
  const queue = new JobQueue(store, { preset, baseModelDir: o.baseModelDir });
  const inference = new Inference(store, preset, o.baseModelDir);

  // Jobs still queued when the last server stopped run now; a job that was running is failed.
  for (const job of store.recover()) {
    try {
      queue.enqueue(
        job.id,
        runSettings(job.config as JobConfig, store.findProjectById(job.projectId)?.root),
        job.resumedFrom ? resumePoint(store, job.resumedFrom) : undefined,
      );
    } catch (e) {
      const error = e instanceof BadRequest ? e.message : String(e);
      store.appendEvent(job.id, 'training.failed', { error });
      store.setStatus(job.id, 'failed', { error });
    }
  }

  let retiring = false;
  let inFlight = 0;
  let lastActive = Date.now();
  let idleTimer: NodeJS.Timeout | undefined;
  const idleNow = () => {
    if (queue.busy || inFlight > 0) {
      lastActive = Date.now();
      return false;
    }
    return retiring || (o.idleExitMs !== undefined && Date.now() - lastActive >= o.idleExitMs);
  };
  const checkIdle = () => {
    if (!o.onIdle || !idleNow()) return;
    clearInterval(idleTimer);
    idleTimer = undefined;
    o.onIdle();
  };
  const deployments = new DeploymentStore(o.dataDir);
  const endpoints = createEndpointServer({ store, deployments, inference });
  const endpointsPort = await listenEndpoints(endpoints.server, o.endpointsPort ?? deployments.endpointsPort);
  deployments.endpointsPort = endpointsPort;
  const endpointsUrl = `http://127.0.0.1:${endpointsPort}`;
  // Retention in days is also applied when requests are listed; this keeps the files small.
  const purge = setInterval(() => deployments.purge(), 60 * 60 * 1000);
  purge.unref();

  const server = createBackendServer({
    store,
    queue,
    inference,
    hostToken: o.hostToken,
    pingIntervalMs: o.pingIntervalMs,
    self: o.onIdle
      ? {
          buildId: o.buildId ?? 'unknown',
          retiring: () => retiring,
          retire: () => {
            retiring = true;
            const now = !queue.busy;
            // After the answer is sent: the caller waits for this process to go.
            if (now) setTimeout(checkIdle, 50);
            return now;
          },
        }
      : undefined,
    deployments,
    endpointsUrl,
  });
  // Every request is activity, a deployed endpoint's too; one in flight (a chat, an event stream)
  // keeps the backend up.
  const activity = (_req: unknown, res: import('node:http').ServerResponse) => {
    inFlight++;
    lastActive = Date.now();
    res.once('close', () => {
      inFlight--;
      lastActive = Date.now();
    });
  };
  server.on('request', activity);
  endpoints.server.on('request', activity);
  if (o.onIdle) {
    const every = Math.max(50, Math.min(IDLE_CHECK_MS, (o.idleExitMs ?? IDLE_CHECK_MS) / 4));
    idleTimer = setInterval(checkIdle, every);
    idleTimer.unref();
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    endpointsUrl,
    close: () => {
      closing ??= (async () => {
        clearInterval(idleTimer);
        server.close();
        clearInterval(purge);
        // An endpoint reply in progress ends now, recorded as interrupted; nothing of a job depends on it.
        endpoints.stop();
        deployments.flush();
        await queue.close();
        // Open event streams and in-flight chats would keep close() waiting forever.
        server.closeAllConnections();
      })();
      return closing;
    },
  };
}

/**
 * Listens on `preferred` (the port of the last run) so endpoint URLs stay the same; when another
 * program holds it now, on a free port instead (the new URLs are in every deployment row).
 */
async function listenEndpoints(server: Server, preferred: number | null | undefined): Promise<number> {
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
  try {
    await listen(preferred ?? 0);
  } catch (e) {
    if (!preferred || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    console.error(
      `[arkor-local] endpoint port ${preferred} is taken by another program; endpoints move to a new port (their URLs change)`,
    );
    await listen(0);
  }
  return (server.address() as AddressInfo).port;
}
