import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { reloadWindow, restoreMarker, waitFor } from './driver';
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
    // Only the finished job's panel stays open: it is what the restore check looks for.
    api.jobPanels.get(jobId)?.panel.dispose();
    await vscode.commands.executeCommand('arkor.openJob', job.id);
    await waitFor(() => api.jobPanels.get(job.id)?.isMounted, 'the job panel to mount');
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
    // The workbench stores a webview panel's view type with this prefix in its saved layout.
    await reloadWindow('mainThreadWebview-arkor.job');
    // This extension host is about to be shut down by the reload; nothing after this line runs.
    await new Promise(() => {});
  });
});
