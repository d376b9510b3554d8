/**
 * Why a run failed, end to end: the workspace's `arkor` (the stand-in, which prints errors as the real
 * CLI does: the stack on stderr, exit 1) against the real local backend, under superviseRun. The
 * reason is the error's message, never "exited with 1" and never a stack.
 */
import assert from 'node:assert/strict';
import { useLocalRuns } from './localRun';

describe('a failed run says why', function () {
  this.timeout(120_000);
  const runs = useLocalRuns();

  const noFrames = (reason: string | undefined) =>
    assert.ok(!/\n|\bat .*:\d+:\d+/.test(reason ?? ''), reason);

  it('a missing dataset file: the backend’s 400, naming the file', async () => {
    const root = await runs.quickstart();
    await runs.editTrainer(root, (s) => s.replace('./data/captain.jsonl', './data/missing.jsonl'));
    const outcome = await runs.run(root);
    assert.equal(outcome.exitCode, 1, outcome.output);
    assert.equal(outcome.jobId, undefined, 'no job was created');
    assert.match(outcome.reason ?? '', /^dataset file not found: \.\/data\/missing\.jsonl/);
    noFrames(outcome.reason);
  });

  it('an unsupported model: the SDK’s message, listing the supported ones', async () => {
    const root = await runs.quickstart();
    await runs.editTrainer(root, (s) =>
      s.replace("model: 'unsloth/gemma-4-E4B-it'", "model: 'meta/llama-9000' as never"),
    );
    const outcome = await runs.run(root);
    assert.equal(outcome.exitCode, 1, outcome.output);
    assert.match(
      outcome.reason ?? '',
      /^Unsupported model "meta\/llama-9000"\. This arkor release supports: unsloth\/gemma-4-E4B-it\./,
    );
    noFrames(outcome.reason);
  });

  it('a 4xx from the API (a rejected token): its message, and the token is not in it', async () => {
    const root = await runs.quickstart();
    const outcome = await runs.run(root, { token: 'not-the-token-0123456789' });
    assert.equal(outcome.exitCode, 1, outcome.output);
    // The backend's 401 message ("missing or invalid bearer token"); output redaction masks the word
    // after "bearer", as it would mask an echoed token.
    assert.match(outcome.reason ?? '', /^missing or invalid bearer token/);
    assert.ok(!outcome.output.includes('not-the-token-0123456789'), 'the token is redacted from the output');
  });

  it('an error thrown in the trainer’s own callback: its message, with the job it had started', async () => {
    const root = await runs.quickstart();
    await runs.editTrainer(root, (s) =>
      s.replace(
        'onLog: ({ step, loss, evalLoss }) => {',
        'onLog: ({ step, loss, evalLoss }) => {\n      if (step >= 2) throw new Error("loss exploded at step " + step);',
      ),
    );
    const outcome = await runs.run(root);
    assert.equal(outcome.exitCode, 1, outcome.output);
    assert.ok(outcome.jobId, 'the job had started');
    assert.equal(outcome.finalStatus, undefined);
    assert.match(outcome.reason ?? '', /^loss exploded at step \d+$/);
    // The CLI is gone; the job is not (the real CLI does not cancel it): stop it for the next tests.
    await runs.client().cancelJob(await runs.client().localProject(root), outcome.jobId);
  });
});
