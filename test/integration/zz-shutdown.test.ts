import * as assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import { runTrainingWithMaxSteps } from './helpers';

/**
 * Runs last (the file name sorts last): leaves a training running when the tests end. The test host
 * then kills VS Code without warning; test/integration/run.mjs checks that the run's processes
 * recorded here died with it and its private HOME is gone (nothing is orphaned), and that the local
 * backend, which outlives windows by design, exits by itself once its job is over and it is idle.
 */
describe('Shutdown with a training running', function () {
  this.timeout(180_000);

  it('records the live processes for the post-run orphan check', async () => {
    const api = await vscode.extensions.getExtension<ArkorExtensionApi>('arkor.arkor-vscode')!.activate();
    const { run, jobId } = await runTrainingWithMaxSteps(api, 5000);
    const out = process.env.ARKOR_TEST_LIVE_PIDS;
    assert.ok(out, 'ARKOR_TEST_LIVE_PIDS is set by run.mjs');
    assert.ok(existsSync(path.join(run.home, '.arkor/credentials.json')), 'the run has its private HOME');
    const c = api.session.connection!;
    writeFileSync(
      out,
      JSON.stringify({
        groups: [run.pid],
        homes: [run.home],
        // Where run.mjs finds the backend (its discovery file) and the job that keeps it busy.
        backend: {
          pid: api.localBackend.pid,
          discovery: api.localBackend.discoveryFolder,
          jobId,
          scope: c.scope,
        },
      }),
    );
  });
});
