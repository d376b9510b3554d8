import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import { evalInWebview, screenshot, waitFor } from './driver';

const EXTENSION_ID = 'arkor.arkor-vscode';

describe('Extension activation', () => {
  let api: ArkorExtensionApi;

  before(async () => {
    const extension = vscode.extensions.getExtension<ArkorExtensionApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed in the extension host`);
    api = await extension.activate();
  });

  it('registers every command the manifest contributes', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string; category: string }[] };
    };
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 9);
    for (const id of contributed) assert.ok(registered.has(id), `${id} is registered`);
    for (const c of manifest.contributes.commands) assert.equal(c.category, 'Arkor');
  });

  it('shows the Arkor container with the Jobs view and its empty state', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await waitFor(() => api.jobsView.isMounted, 'the Jobs view Preact app to report it mounted');
    const empty = await waitFor(
      () =>
        evalInWebview<{ text: string; button: string } | null>(
          'jobs',
          `const el = document.querySelector('[data-testid=empty-state]');
           return el && { text: el.textContent, button: el.querySelector('[data-testid=run-training]')?.textContent?.trim() };`,
        ),
      'the empty state to render',
    );
    assert.match(empty.text, /No training jobs yet/);
    assert.equal(empty.button, 'Run Training');
    await screenshot('01-activity-bar-jobs-empty');
  });
});
