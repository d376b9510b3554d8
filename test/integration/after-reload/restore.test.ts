import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../../src/extension';
import { restoreMarker, screenshot, waitFor } from '../driver';
import { waitForChartPoints } from '../helpers';

/** In the reloaded window: the job panel open before the reload is back, with all its data. */
describe('After a window reload', function () {
  this.timeout(180_000);

  it('restores the job panel through its serializer, with every chart point', async () => {
    const { jobId, points } = JSON.parse(readFileSync(restoreMarker(), 'utf8')) as {
      jobId: string;
      points: number;
    };
    rmSync(restoreMarker());
    const api = await vscode.extensions.getExtension<ArkorExtensionApi>('arkor.arkor-vscode')!.activate();
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
              t.label === 'Job: survives-reload',
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
});
