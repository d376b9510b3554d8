import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { clickInWebview, reloadWindow, restoreMarker, waitFor } from './driver';
import { activateAndConnect, runningJobMarker, runTrainingWithMaxSteps, trainJob } from './helpers';

/**
 * The last test of the first pass: opens a finished job's panel, leaves a local training running, and
 * reloads the window, as a user would. The extension host running this test goes away with the
 * reload; the tests in after-reload/ then check, in the reloaded window, that the panel came back and
 * that the training went on in the local backend (test/integration/index.ts).
 */
describe('Window reload', function () {
  this.timeout(300_000);

  it('reloads the window with a job panel open and a training running', async () => {
    const api = await activateAndConnect();
    // A second job whose tab ends up behind the first: VS Code revives such a tab only when shown.
    const behind = await trainJob(api, 'restored-behind', 20);
    await vscode.commands.executeCommand('arkor.openJob', behind.id);
    await waitFor(() => api.jobPanels.get(behind.id)?.isMounted, 'the panel of the job behind to mount');
    const job = await trainJob(api, 'survives-reload', 20);
    // Long enough to outlast the reload, short enough to finish after it.
    const { jobId } = await runTrainingWithMaxSteps(api, 300);
    const store = api.session.connection!.store;
    await waitFor(
      () => (store.latestMetric(jobId)?.step ?? 0) >= 3,
      'a few steps before the reload',
      120_000,
    );
    // Only the finished job's panel stays open: it is what the restore check looks for. The run's
    // own panel (a preview tab) is closed first, so opening the job below cannot reuse it.
    const runPanel = await waitFor(() => api.jobPanels.get(jobId), "the run's panel", 60_000);
    runPanel.panel.dispose();
    await waitFor(() => !api.jobPanels.get(jobId), "the run's panel to close");
    await vscode.commands.executeCommand('arkor.openJob', job.id);
    await waitFor(() => api.jobPanels.get(job.id)?.isMounted, 'the job panel to mount');
    // A user who opened a job looks at it: a click keeps the tab (not a preview a run may take over).
    await clickInWebview('job', '.job-name');
    const points = store.metrics(job.id).step.length;
    writeFileSync(
      runningJobMarker(),
      JSON.stringify({
        jobId,
        step: store.latestMetric(jobId)?.step ?? 0,
        backendPid: api.localBackend.pid,
      }),
    );
    writeFileSync(
      restoreMarker(),
      JSON.stringify({
        jobId: job.id,
        points,
        title: api.jobPanels.get(job.id)!.panel.title,
        behind: { jobId: behind.id, title: api.jobPanels.get(behind.id)!.panel.title },
      }),
    );
    // The workbench stores a webview panel's view type with this prefix in its saved layout, with
    // the panel's title: the layout saved must hold the panel opened last, not only an earlier one.
    await reloadWindow(['mainThreadWebview-arkor.job', api.jobPanels.get(job.id)!.panel.title]);
    // This extension host is about to be shut down by the reload; nothing after this line runs.
    await new Promise(() => {});
  });
});
