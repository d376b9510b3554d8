import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../../src/extension';
import { clickInWebview, evalInWebview, restoreMarker, screenshot, waitFor } from '../driver';
import { jobTabs, waitForChartPoints } from '../helpers';

interface Marker {
  jobId: string;
  points: number;
  title: string;
  /** A job whose panel was open in a tab behind the other one. */
  behind: { jobId: string; title: string };
}

/** In the reloaded window: the job panel open before the reload is back, with all its data. */
describe('After a window reload', function () {
  this.timeout(180_000);
  let api: ArkorExtensionApi;
  let jobId: string;
  let points: number;
  let title: string;
  let behind: Marker['behind'];

  it('restores the job panel through its serializer, with every chart point', async () => {
    ({ jobId, points, title, behind } = JSON.parse(readFileSync(restoreMarker(), 'utf8')) as Marker);
    rmSync(restoreMarker());
    api = await vscode.extensions.getExtension<ArkorExtensionApi>('arkor.arkor-vscode')!.activate();
    // Nothing in this session opens the panel: only VS Code's restore can bring it back. VS Code
    // restores every tab, but resolves a webview tab (through our serializer) only once it is shown,
    // so bring the restored tab to the front the way a user clicking it would.
    const tab = await waitFor(
      () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs.map((t, index) => ({ t, index, group: g })))
          .find(
            ({ t }) =>
              t.input instanceof vscode.TabInputWebview &&
              t.input.viewType.endsWith('arkor.job') &&
              t.label === title,
          ),
      'the job panel tab to be restored',
      60_000,
    ).catch((error: unknown) => {
      // No tab at all: the workbench did not save its layout before the reload. run.mjs retries
      // this session once for that reason alone.
      writeFileSync(path.join(path.dirname(restoreMarker()), 'reload-layout-missing'), '');
      throw error;
    });
    if (!tab.t.isActive || !tab.group.isActive) {
      const focus = ['First', 'Second', 'Third', 'Fourth'][(tab.group.viewColumn ?? 1) - 1] ?? 'First';
      await vscode.commands.executeCommand(`workbench.action.focus${focus}EditorGroup`);
      await vscode.commands.executeCommand('workbench.action.openEditorAtIndex', tab.index);
    }
    const panel = await waitFor(() => api.jobPanels.get(jobId), 'the job panel to be revived', 60_000);
    await waitFor(() => panel.isMounted, 'the restored panel to mount', 60_000);
    const shown = await waitForChartPoints(points, 60_000);
    assert.equal(shown, points);
    await screenshot('13-job-panel-after-reload');
  });

  it('keeps progress, sparkline and checkpoints on the rows of jobs nobody watches since the reload', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await waitFor(() => api.jobsView.isMounted, 'the Jobs view to mount');
    assert.equal(api.jobPanels.get(behind.jobId), undefined, 'the tab behind is not revived yet');
    const row = await waitFor(
      () =>
        evalInWebview<{ step: string | null; sparkline: boolean; expandable: string | null } | null>(
          'jobs',
          `const row = document.querySelector('[data-key="job:${behind.jobId}"]');
           const step = row?.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') ?? null;
           return step && row ? { step, sparkline: !!row.querySelector('[data-testid=sparkline]'),
             expandable: row.getAttribute('aria-expanded') } : null;`,
        ),
      'the row of the job behind to show its progress',
    );
    assert.deepEqual(
      row,
      { step: '20', sparkline: true, expandable: 'false' },
      'progress, sparkline, checkpoints',
    );
    await screenshot('14-jobs-tree-after-reload', 'jobs');
  });

  it('clicking a job whose tab was restored behind reveals that tab, never a second one', async () => {
    assert.deepEqual(jobTabs().sort(), [behind.title, title].sort(), 'both tabs restored');
    assert.equal(api.jobPanels.get(behind.jobId), undefined, 'its tab is not revived yet');
    await clickInWebview('jobs', `[data-key="job:${behind.jobId}"]`);
    const panel = await waitFor(
      () => api.jobPanels.get(behind.jobId),
      'the restored tab to be revived',
      30_000,
    );
    await waitFor(() => panel.isMounted, 'the revived panel to mount');
    assert.deepEqual(jobTabs().sort(), [behind.title, title].sort(), 'still one tab per job');
    assert.equal(panel.panel.title, behind.title);
    assert.ok(panel.panel.active, 'the restored tab is the one shown');
  });
});
