import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../../src/extension';
import { evalInWebview, evalInWorkbench, screenshot, waitFor } from '../driver';
import { EXTENSION_ID, runningJobMarker } from '../helpers';

/** The Jobs view row of a job, as the user sees it: its status (from the row's context) and text. */
function jobsViewRow(jobId: string) {
  return evalInWebview<{ status: string; text: string } | null>(
    'jobs',
    `const row = [...document.querySelectorAll('[data-vscode-context]')].find((r) => {
       const c = JSON.parse(r.getAttribute('data-vscode-context'));
       return c.webviewSection === 'job' && c.jobId === ${JSON.stringify(jobId)};
     });
     return row ? { status: JSON.parse(row.getAttribute('data-vscode-context')).jobStatus, text: row.innerText } : null;`,
  );
}

/**
 * In the reloaded window: the local training left running before the reload went on in the local
 * backend, which outlived the window (one backend per user). The Jobs view and the job panel show the
 * same job still training, then completed; nothing says it failed.
 */
describe('After a window reload, a local training', function () {
  this.timeout(600_000);

  it('is still running in the same backend, and completes', async () => {
    const before = JSON.parse(readFileSync(runningJobMarker(), 'utf8')) as {
      jobId: string;
      step: number;
      backendPid: number;
    };
    rmSync(runningJobMarker());
    const api = await vscode.extensions.getExtension<ArkorExtensionApi>(EXTENSION_ID)!.activate();
    const connection = await api.session.connect();
    assert.equal(api.localBackend.pid, before.backendPid, 'the same backend process serves the new window');
    const store = connection.store;
    await store.refresh();
    // Still training, or already done on a fast machine: either way not failed by the reload.
    assert.ok(
      ['running', 'completed'].includes(store.status(before.jobId) ?? ''),
      `the job is still training, not failed (${store.status(before.jobId)})`,
    );

    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    const row = await waitFor(
      async () => {
        const r = await jobsViewRow(before.jobId);
        return r?.status === 'running' ? r : null;
      },
      'the Jobs view to show the job running',
      60_000,
    );
    assert.doesNotMatch(row.text, /failed/i);
    await vscode.commands.executeCommand('arkor.openJob', before.jobId);
    const panel = await waitFor(() => api.jobPanels.get(before.jobId), 'the job panel', 60_000);
    await waitFor(() => panel.isMounted, 'the job panel to mount', 60_000);
    // It trained through the reload: the panel's chart has steps past the last one seen before it.
    await waitFor(
      () =>
        evalInWebview<boolean>(
          'job',
          `return document.querySelector('[data-testid=status-badge]')?.textContent === 'running' &&
             Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) > ${before.step};`,
        ),
      'the panel to show the job running with steps past the reload',
      60_000,
    );
    // The status bar still tells it trains, though no run of this window started it.
    const label = store.runLabel(before.jobId)!;
    await waitFor(
      () =>
        evalInWorkbench<boolean>(
          `const bar = document.querySelector('.part.statusbar')?.textContent ?? '';
           return bar.includes(${JSON.stringify(`Arkor: ${label} · step `)});`,
        ),
      'the status bar to show the job training',
      60_000,
    );
    await screenshot('14-training-still-running-after-reload');

    await waitFor(
      async () => {
        if (store.status(before.jobId) !== 'completed') await store.refresh().catch(() => {});
        return store.status(before.jobId) === 'completed';
      },
      'the job to complete',
      480_000,
    );
    await waitFor(
      async () => (await jobsViewRow(before.jobId))?.status === 'completed',
      'the Jobs view to show it completed',
      30_000,
    );
    await waitFor(
      () =>
        evalInWebview<boolean>(
          'job',
          `return document.querySelector('[data-testid=status-badge]')?.textContent === 'completed' &&
             !document.querySelector('[data-testid=job-error]');`,
        ),
      'the panel to show it completed',
      30_000,
    );
    const steps = store.metrics(before.jobId).step;
    assert.equal(steps[steps.length - 1], 300, 'every step ran, in the one job');
    await screenshot('15-training-completed-after-reload');
  });
});
