// Wires store, job queue, inference and HTTP server together. Used by the CLI (main.ts) and usable
// in-process.
import type { AddressInfo } from 'node:net';
import { PRESETS, type PresetName } from './engine/presets';
import { Inference } from './inference';
import { BadRequest, type JobConfig, runSettings } from './jobConfig';
import { JobQueue } from './jobQueue';
import { createBackendServer } from './server';
import { Store } from './store';

export interface BackendOptions {
  dataDir: string;
  port?: number;
  preset?: PresetName;
  hostToken?: string;
  baseModelDir?: string;
  pingIntervalMs?: number;
}

export interface RunningBackend {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startBackend(o: BackendOptions): Promise<RunningBackend> {
  const preset = o.preset ?? 'default';
  if (!PRESETS[preset]) throw new Error(`unknown preset ${preset}`);
  const store = new Store(o.dataDir);
  const queue = new JobQueue(store, { preset, baseModelDir: o.baseModelDir });
  const inference = new Inference(store, preset, o.baseModelDir);

  // Jobs still queued when the last server stopped run now; a job that was running is failed.
  for (const job of store.recover()) {
    try {
      queue.enqueue(job.id, runSettings(job.config as JobConfig, store.findProjectById(job.projectId)?.root));
    } catch (e) {
      const error = e instanceof BadRequest ? e.message : String(e);
      store.appendEvent(job.id, 'training.failed', { error });
      store.setStatus(job.id, 'failed', { error });
    }
  }

  const server = createBackendServer({
    store,
    queue,
    inference,
    hostToken: o.hostToken,
    pingIntervalMs: o.pingIntervalMs,
  });
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
        server.close();
        await queue.close();
        // Open event streams and in-flight chats would keep close() waiting forever.
        server.closeAllConnections();
      })();
      return closing;
    },
  };
}
