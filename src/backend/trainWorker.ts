// Worker-thread entry: runs jobs (trainJob.ts) off the server's event loop, one at a time, and reports
// progress as messages. The worker stays alive between jobs so tfjs and the wasm kernels load once.
// Cancellation is a shared Int32 flag the training loop polls between steps, so it works even though
// the loop never yields to this thread's event loop.
import { parentPort } from 'node:worker_threads';
import type { JobEventFields } from '../wire';
import { type TrainInput, trainJob } from './trainJob';

export type WorkerRequest = { type: 'run'; input: TrainInput; cancelFlag: SharedArrayBuffer };

export type WorkerMessage = { jobId: string } & (
  | { type: 'started'; metadata: Record<string, unknown> }
  | { type: 'log'; metrics: JobEventFields<'training.log'> }
  | { type: 'checkpoint'; step: number; artifacts: unknown[] }
  | { type: 'completed'; artifacts: unknown[]; metrics: Record<string, unknown> }
  | { type: 'cancelled' }
  | { type: 'failed'; error: string }
);

const port = parentPort;
if (port) {
  port.on('message', (req: WorkerRequest) => {
    if (req.type !== 'run') return;
    const { jobId } = req.input;
    const flag = new Int32Array(req.cancelFlag);
    const send = (m: WorkerMessage) => port.postMessage(m);
    trainJob(req.input, {
      started: (metadata) => send({ jobId, type: 'started', metadata }),
      log: (m) => send({ jobId, type: 'log', metrics: { ...m } }),
      checkpoint: (step, artifacts) => send({ jobId, type: 'checkpoint', step, artifacts }),
      shouldStop: () => Atomics.load(flag, 0) !== 0,
    })
      .then((outcome) =>
        send(
          outcome.status === 'completed'
            ? { jobId, type: 'completed', artifacts: outcome.artifacts, metrics: outcome.metrics }
            : { jobId, type: 'cancelled' },
        ),
      )
      .catch((e: unknown) =>
        send({ jobId, type: 'failed', error: e instanceof Error ? e.message : String(e) }),
      );
  });
}
