/**
 * How a supervised run ended, as the user is told: from the run's outcome and what the backend says
 * of its job. A cancel is never a failure, whatever the exit code (143 after SIGTERM); a failure always
 * has a reason, the most specific one known.
 */
import { isActiveStatus } from '../../wire';
import type { RunOutcome } from './supervisedRun';

export type RunEnd =
  | { kind: 'completed' }
  /** Stopped by the user here, or its job cancelled elsewhere. */
  | { kind: 'cancelled' }
  /** The process is gone but its job is still queued or running on the backend. */
  | { kind: 'detached'; exit: string; reason?: string }
  | { kind: 'failed'; reason: string };

export interface JobOnBackend {
  status?: string;
  error?: string | null;
}

export function runEnd(outcome: RunOutcome, job: JobOnBackend | undefined): RunEnd {
  if (outcome.stopped || job?.status === 'cancelled') return { kind: 'cancelled' };
  const { exitCode, finalStatus } = outcome;
  if (finalStatus === 'completed' && exitCode === 0) return { kind: 'completed' };
  const exit = exitCode === null ? 'killed' : `exit ${exitCode}`;
  if (outcome.jobId && !finalStatus && isActiveStatus(job?.status)) {
    return { kind: 'detached', exit, ...(outcome.reason && { reason: outcome.reason }) };
  }
  const reason =
    job?.error ||
    outcome.reason ||
    (finalStatus ? `the job ended ${finalStatus}` : `arkor start exited with ${exitCode ?? 'a signal'}`);
  return { kind: 'failed', reason };
}
