import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../../src/extension';
import { evalInWebview, screenshot, waitFor } from '../driver';

/**
 * Runs in its own VS Code session with Workspace Trust enabled and the example folder not trusted
 * (test/integration/run.mjs, phase "untrusted"): nothing may be built or run, and the UI says why.
 */
describe('Untrusted workspace', () => {
  let api: ArkorExtensionApi;

  before(async () => {
    api = await vscode.extensions.getExtension<ArkorExtensionApi>('arkor.arkor-vscode')!.activate();
  });

  it('is really untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('refuses to build or run a trainer', async () => {
    assert.equal(await vscode.commands.executeCommand('arkor.build'), undefined);
    assert.equal(await vscode.commands.executeCommand('arkor.runTraining'), undefined);
    assert.equal(api.training.active.length, 0, 'no training process was started');
  });

  it('disables Run Training in the Jobs view and explains why', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    const state = await waitFor(
      () =>
        evalInWebview<{ disabled: boolean; shown: boolean; text: string } | null>(
          'jobs',
          `const button = document.querySelector('[data-testid=run-training]');
           const empty = document.querySelector('[data-testid=empty-state]');
           return button && empty && {
             disabled: button.disabled === true,
             // The toolkit reflects the property to the attribute (which its disabled look keys on)
             // on its next update frame, so the look may lag the state by a frame.
             shown: button.hasAttribute('disabled'),
             text: empty.textContent,
           };`,
        ).then((s) => (s?.shown ? s : null)),
      'the empty state with a disabled Run Training button',
    );
    assert.equal(state.disabled, true, 'the button does not act on clicks');
    assert.match(state.text, /Trust this workspace/);
    await screenshot('50-untrusted-workspace');
  });
});
