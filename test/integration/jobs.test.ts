import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import { evalInWebview, screenshot, waitFor } from './driver';
import { createJob as createJobOn, waitForChartPoints } from './helpers';

/**
 * The jobs tree and job panel against the real local backend (started by the extension): a job
 * created on the backend appears live in the tree, and its panel's chart holds every metric point
 * the event stream delivered.
 */
describe('Jobs view and job panel (local backend)', function () {
  this.timeout(240_000);
  let api: ArkorExtensionApi;

  before(async () => {
    api = await vscode.extensions.getExtension<ArkorExtensionApi>('arkor.arkor-vscode')!.activate();
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await api.session.connect().catch((e) => assert.fail(`could not connect: ${e}`));
  });

  const createJob = (name: string, maxSteps: number) => createJobOn(api, name, maxSteps);

  it('shows a new job in the tree and streams it into its panel chart', async () => {
    const job = await createJob('tree-and-panel', 30);
    const row = await waitFor(
      () =>
        evalInWebview<string | null>(
          'jobs',
          `const rows = [...document.querySelectorAll('[role=treeitem]')];
           const row = rows.find((r) => r.textContent.includes('tree-and-panel'));
           return row ? row.textContent : null;`,
        ),
      'the new job to appear in the jobs tree',
    );
    assert.match(row, /tree-and-panel/);

    await vscode.commands.executeCommand('arkor.openJob', job.id);
    const panel = api.jobPanels.get(job.id)!;
    await waitFor(() => panel.isMounted, 'the job panel to mount');
    await waitFor(
      () => api.session.connection!.store.status(job.id) === 'running',
      'the job to run',
      120_000,
    );
    await waitFor(() => (api.session.connection!.store.metrics(job.id).step.length ?? 0) >= 5, 'some steps');
    await screenshot('10-job-panel-running');
    await screenshot('11-jobs-tree-running', 'jobs');

    await waitFor(() => api.session.connection!.store.status(job.id) === 'completed', 'completion', 180_000);
    const points = api.session.connection!.store.metrics(job.id).step.length;
    assert.ok(points >= 30, `at least 30 metric points (got ${points})`);
    const shown = await waitForChartPoints(points);
    assert.equal(shown, points);
    await screenshot('12-job-panel-completed');
  });

  it('cancels a running job from the jobs view', async () => {
    const job = await createJob('to-cancel', 2000);
    await waitFor(
      () => api.session.connection!.store.status(job.id) === 'running',
      'the job to run',
      120_000,
    );
    // What the tree row's context menu "Cancel Job" invokes (its argument is the row's context).
    await vscode.commands.executeCommand('arkor.cancelJob', {
      webviewSection: 'job',
      jobId: job.id,
      jobStatus: 'running',
    });
    await waitFor(
      () => api.session.connection!.store.status(job.id) === 'cancelled',
      'the job to be cancelled',
    );
    const status = await waitFor(
      () =>
        evalInWebview<string | null>(
          'jobs',
          `const row = [...document.querySelectorAll('[role=treeitem]')].find((r) => r.textContent.includes('to-cancel'));
           return row && /cancelled/i.test(row.textContent + (row.getAttribute('title') ?? '') + (row.getAttribute('aria-label') ?? '')) ? 'cancelled' : null;`,
        ),
      'the tree row to show cancelled',
    );
    assert.equal(status, 'cancelled');
  });
});
