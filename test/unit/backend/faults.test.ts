// Fault injection against the real backend process: it is killed mid-run and mid-chat, then started
// again on the same port and data. A job store watching the run must end with every event once (no
// step lost, none twice), a chat cut off must fail with a clear network error, and the next chat
// must work against the restarted backend.
import assert from 'node:assert/strict';
import { ArkorApiError, clientJobSource, JobStore } from '../../../src/core';
import { startServer, waitFor } from './helpers';
import { projectBackend } from './projectBackend';

describe('local backend: killed mid-run and mid-chat', function () {
  this.timeout(120_000);
  const backend = projectBackend('faults');
  const client = () => backend.client();

  /** Kill -9 the backend and start it again on the same port and data (what a crash and restart do). */
  async function crashAndRestart(): Promise<void> {
    const port = backend.server.port;
    await backend.server.stop('SIGKILL');
    backend.server = await startServer(backend.dataDir, ['--port', String(port)]);
    assert.equal(backend.server.port, port);
  }

  it('a store watching a run killed mid-training ends with every event exactly once', async () => {
    const store = new JobStore({
      source: clientJobSource(client(), backend.scope),
      streamOptions: { backoff: { baseMs: 50, capMs: 200 } },
    });
    try {
      const job = await client().createJob(backend.scope, {
        name: 'crash',
        config: { model: 'm', datasetSource: { type: 'blob', url: 'train.jsonl' }, maxSteps: 100_000 },
      });
      const watch = store.watch(job.id);
      await waitFor(async () => store.metrics(job.id).step.length >= 20, 60_000, 'steps before the crash');
      await crashAndRestart();
      // The restarted backend reports the interrupted job as failed; the store reconnects and resumes.
      await waitFor(async () => store.status(job.id) === 'failed', 60_000, 'the job to be reported failed');
      const steps = [...store.metrics(job.id).step];
      const logged = (await client().getJob(backend.scope, job.id)).events?.filter(
        (e) => (e as { type?: string }).type === 'training.log',
      );
      assert.ok(logged && logged.length >= 20);
      assert.equal(steps.length, logged.length, 'one chart row per logged event: none lost, none twice');
      assert.deepEqual(
        steps,
        [...new Set(steps)].sort((a, b) => a - b),
        'steps strictly increasing, no duplicate',
      );
      assert.match(store.error(job.id) ?? '', /shut down|stopped|died|running when/i);
      watch.dispose();
    } finally {
      store.dispose();
    }
  });

  it('a chat cut off by a crash fails with a network error, and the next one works after the restart', async () => {
    let streaming: () => void = () => {};
    const firstText = new Promise<void>((resolve) => {
      streaming = resolve;
    });
    const chat = client().streamChat(
      backend.scope,
      {
        baseModel: 'unsloth/gemma-4-E4B-it',
        messages: [{ role: 'user', content: 'Tell me a very long story about the sea.' }],
        maxTokens: 4000,
      },
      { onDelta: () => streaming() },
    );
    // Observed at once, so the rejection is never unhandled while the crash is being arranged.
    const outcome = chat.then(
      () => 'completed before the crash',
      (error: unknown) => error,
    );
    // Crash the backend under the reply once it is streaming.
    await firstText;
    const port = backend.server.port;
    await backend.server.stop('SIGKILL');
    const error = await outcome;
    assert.ok(error instanceof ArkorApiError, `the chat failed: ${String(error)}`);
    assert.ok(['network', 'timeout', 'server'].includes(error.kind), error.kind);
    backend.server = await startServer(backend.dataDir, ['--port', String(port)]);
    const next = await client().streamChat(backend.scope, {
      baseModel: 'unsloth/gemma-4-E4B-it',
      messages: [{ role: 'user', content: 'Ahoy' }],
      maxTokens: 20,
    });
    assert.ok(next.text.length > 0, 'the restarted backend answers');
  });
});
