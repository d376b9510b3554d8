// LOCAL-ONLY: resuming an interrupted job from one of its checkpoints (Arkor Cloud has no such route;
// clients offer a re-run there). The resumed job is a new job with the same config; its run loads the
// checkpoint's adapter, replays the data order up to the checkpoint's step and trains on to the
// interrupted run's total steps (trainJob.ts, engine/train.ts `startStep`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isTerminalStatus, type ResumedFrom } from '../wire';
import { ADAPTER_WEIGHTS } from './engine/lora';
import type { Store } from './store';
import type { ResumePoint } from './trainJob';
import type { TrainingJob } from './types';

export class ResumeError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** The checkpoint steps of a job whose adapter files are on disk, in order. */
export function checkpointSteps(store: Store, jobId: string): number[] {
  const steps = new Set<number>();
  for (const e of store.eventsAfter(jobId, 0)) {
    const data = e.data as { type?: string; step?: number };
    if (data.type !== 'checkpoint.saved' || typeof data.step !== 'number') continue;
    const dir = store.adapterDir({ kind: 'checkpoint', jobId, step: data.step });
    if (existsSync(path.join(dir, ADAPTER_WEIGHTS))) steps.add(data.step);
  }
  return [...steps].sort((a, b) => a - b);
}

/**
 * Where a resume of `job` starts: the checkpoint at `step`, or its last one. Only a job that ended
 * without finishing (failed or cancelled) can be resumed.
 */
export function resumeFrom(store: Store, job: TrainingJob, step?: number): ResumedFrom {
  if (!isTerminalStatus(job.status)) {
    throw new ResumeError(
      409,
      `job ${job.id} is still ${job.status}; only an interrupted job can be resumed`,
    );
  }
  if (job.status === 'completed') {
    throw new ResumeError(409, `job ${job.id} completed; there is nothing left to resume`);
  }
  const steps = checkpointSteps(store, job.id);
  const chosen = step ?? steps[steps.length - 1];
  if (chosen === undefined) throw new ResumeError(404, `job ${job.id} saved no checkpoint to resume from`);
  if (!steps.includes(chosen))
    throw new ResumeError(404, `job ${job.id} has no checkpoint at step ${chosen}`);
  return { jobId: job.id, step: chosen };
}

/** What the worker needs to go on from `from` (also rebuilt for a queued resumed job after a restart). */
export function resumePoint(store: Store, from: ResumedFrom): ResumePoint {
  const started = store
    .eventsAfter(from.jobId, 0)
    .map((e) => e.data as { type?: string; metadata?: { maxSteps?: unknown } })
    .find((d) => d.type === 'training.started');
  const maxSteps = started?.metadata?.maxSteps;
  return {
    adapterDir: store.adapterDir({ kind: 'checkpoint', jobId: from.jobId, step: from.step }),
    step: from.step,
    maxSteps: typeof maxSteps === 'number' ? maxSteps : undefined,
  };
}
