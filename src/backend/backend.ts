// Wires store, job queue, inference and HTTP server together. Used by the CLI (main.ts) and usable
// in-process.
import type { AddressInfo } from 'node:net';
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
}

export interface RunningBackend {
  port: number;
  url: string;
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
  });
  // Every request is activity; one in flight (a chat, an event stream) keeps the backend up.
  server.on('request', (_req, res: import('node:http').ServerResponse) => {
    inFlight++;
    lastActive = Date.now();
    res.once('close', () => {
      inFlight--;
      lastActive = Date.now();
    });
  });
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
    close: () => {
      closing ??= (async () => {
        clearInterval(idleTimer);
        server.close();
        await queue.close();
        // Open event streams and in-flight chats would keep close() waiting forever.
        server.closeAllConnections();
      })();
      return closing;
    },
  };
}
