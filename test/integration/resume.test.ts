import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clickInWebview, evalInWebview, screenshot, waitFor } from './driver';
import { activateAndConnect, createJob } from './helpers';

/** What the job panel on screen shows: its status badge, chart points and buttons. */
function panelState() {
  return evalInWebview<{ status: string; points: number; resume: boolean; rerun: boolean; title: string }>(
    'job',
    `return {
       status: document.querySelector('[data-testid=status-badge]')?.textContent ?? '',
       points: Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points') ?? 0),
       resume: !!document.querySelector('[data-testid=resume-job]'),
       rerun: !!document.querySelector('[data-testid=rerun-job]'),
       title: document.querySelector('.job-name')?.textContent ?? '',
     };`,
  );
}

/**
 * An interrupted local job offers, in its panel and the Jobs view menu, Resume from Checkpoint (a new
 * job that goes on from its last checkpoint, its chart continuing the old one) and Re-run (Run
 * Training again), each one click.
 */
describe('Resume from Checkpoint and Re-run', function () {
  this.timeout(400_000);

  it('resumes a cancelled job from its last checkpoint in one click, and re-runs it in another', async () => {
    const api = await activateAndConnect();
    const store = api.session.connection!.store;
    const job = await createJob(api, 'interrupted-run', 100_000);
    await vscode.commands.executeCommand('arkor.openJob', job.id);
    await waitFor(() => store.checkpoints(job.id).length >= 2, 'two checkpoints', 180_000);
    await vscode.commands.executeCommand('arkor.cancelJob', job.id);
    await waitFor(async () => {
      await store.refresh().catch(() => {});
      return store.status(job.id) === 'cancelled';
    }, 'the job to be cancelled');
    const checkpoint = Math.max(...store.checkpoints(job.id).map((c) => c.step));
    await waitFor(async () => {
      const s = await panelState();
      return s.status === 'cancelled' && s.resume && s.rerun ? s : null;
    }, 'the panel to offer Resume from Checkpoint and Re-run');
    // The chart holds the history up to the checkpoint (the cancel may land right after it). The
    // status badge renders at once, the chart on its next animation frame, so a loaded machine can
    // read the badge a frame before the last rows are drawn: wait for them, as a user's eye would.
    let last = { points: 0 };
    await waitFor(async () => {
      last = await panelState();
      return last.points >= checkpoint;
    }, `the chart to hold the history up to the checkpoint at ${checkpoint}`).catch((e: Error) => {
      throw new Error(`${e.message}: ${last.points} points`);
    });
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    const resumable = await waitFor(
      () =>
        evalInWebview<boolean | null>(
          'jobs',
          `const row = [...document.querySelectorAll('[data-vscode-context]')]
             .map((r) => JSON.parse(r.getAttribute('data-vscode-context')))
             .find((c) => c.webviewSection === 'job' && c.jobId === ${JSON.stringify(job.id)});
           return row?.jobStatus === 'cancelled' ? row.jobResumable : null;`,
        ),
      'the Jobs view row to know the job is resumable (its menu shows Resume from Checkpoint)',
    );
    assert.equal(resumable, true);
    await screenshot('23-interrupted-job-offers-resume');

    await clickInWebview('job', '[data-testid=resume-job]');
    const resumed = await waitFor(
      () => store.jobs().find((j) => (j.resumedFrom as { jobId?: string } | undefined)?.jobId === job.id),
      'the resumed job',
      60_000,
    );
    assert.equal(resumed.name, 'interrupted-run');
    const panel = await waitFor(() => api.jobPanels.get(resumed.id), 'its panel to open', 60_000);
    await waitFor(() => panel.isMounted, 'its panel to mount', 60_000);
    // The chart continues the old one: the steps up to the checkpoint, then new ones after it.
    await waitFor(
      async () => {
        const s = await panelState();
        return s.status === 'running' && s.points > checkpoint + 3 ? s : null;
      },
      'the resumed job to train on from the checkpoint',
      180_000,
    );
    const steps = Array.from(store.metrics(resumed.id).step);
    const history = Array.from(store.metrics(job.id).step).filter((s) => s <= checkpoint);
    assert.deepEqual(steps.slice(0, history.length), history, "the old job's history up to the checkpoint");
    assert.equal(steps[history.length], checkpoint + 1, 'then the resumed steps, from the one after it');
    assert.equal(steps.filter((s) => s === checkpoint).length, 1, 'no step twice');
    await screenshot('24-resumed-job-continues-the-chart');
    await vscode.commands.executeCommand('arkor.cancelJob', resumed.id);

    // Re-run, from the first job's panel: Run Training again, with this project's own trainer.
    await vscode.commands.executeCommand('arkor.openJob', job.id);
    // Its header names the run by its label (the first run of that name: `interrupted-run #1`).
    const firstLabel = store.runLabel(job.id) ?? 'interrupted-run';
    await waitFor(async () => (await panelState()).title === firstLabel, 'the first job panel');
    const started = new Promise<{ jobId?: string; cancel(): Promise<void> }>((resolve) =>
      api.training.onDidStartRun((run) => resolve(run)),
    );
    await clickInWebview('job', '[data-testid=rerun-job]');
    const run = await started;
    const rerunJob = await waitFor(() => run.jobId, 'the re-run job', 180_000);
    assert.notEqual(rerunJob, job.id);
    await run.cancel();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
