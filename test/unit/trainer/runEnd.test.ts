/** What the user is told when a run ends, from its outcome and its job on the backend. */
import assert from 'node:assert/strict';
import { type RunOutcome, runEnd } from '../../../src/core/trainer';

const outcome = (o: Partial<RunOutcome>): RunOutcome => ({ exitCode: 0, stopped: false, ...o });

describe('runEnd', () => {
  it('a run stopped by a cancel is cancelled, not a failure, whatever its exit code', () => {
    assert.deepEqual(runEnd(outcome({ exitCode: 143, stopped: true, jobId: 'j' }), { status: 'running' }), {
      kind: 'cancelled',
    });
    assert.deepEqual(runEnd(outcome({ exitCode: null, stopped: true }), undefined), { kind: 'cancelled' });
  });

  it('a job cancelled elsewhere ends its run as cancelled', () => {
    const end = runEnd(outcome({ exitCode: 0, jobId: 'j', finalStatus: 'running' }), { status: 'cancelled' });
    assert.deepEqual(end, { kind: 'cancelled' });
  });

  it('completed: exit 0 after "finished with status=completed"', () => {
    assert.deepEqual(runEnd(outcome({ jobId: 'j', finalStatus: 'completed' }), { status: 'completed' }), {
      kind: 'completed',
    });
  });

  it('a process gone while its job trains on: detached, with the exit and the printed reason', () => {
    assert.deepEqual(runEnd(outcome({ exitCode: 1, jobId: 'j', reason: 'boom' }), { status: 'running' }), {
      kind: 'detached',
      exit: 'exit 1',
      reason: 'boom',
    });
    assert.deepEqual(runEnd(outcome({ exitCode: null, jobId: 'j' }), { status: 'queued' }), {
      kind: 'detached',
      exit: 'killed',
    });
  });

  it('failed: the backend’s job error first, then the CLI’s printed reason, then the exit', () => {
    assert.deepEqual(
      runEnd(outcome({ exitCode: 0, jobId: 'j', finalStatus: 'failed' }), {
        status: 'failed',
        error: 'dataset is empty',
      }),
      { kind: 'failed', reason: 'dataset is empty' },
    );
    assert.deepEqual(
      runEnd(outcome({ exitCode: 1, reason: 'dataset file not found: ./x.jsonl' }), undefined),
      {
        kind: 'failed',
        reason: 'dataset file not found: ./x.jsonl',
      },
    );
    assert.deepEqual(
      runEnd(outcome({ exitCode: 0, jobId: 'j', finalStatus: 'failed' }), { status: 'failed' }),
      {
        kind: 'failed',
        reason: 'the job ended failed',
      },
    );
    assert.deepEqual(runEnd(outcome({ exitCode: 7 }), undefined), {
      kind: 'failed',
      reason: 'arkor start exited with 7',
    });
  });
});
