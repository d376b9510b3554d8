import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import { waitFor } from './driver';

/**
 * Runs last (the file name sorts last): leaves a training running and the local backend up when the
 * tests end. The test host then kills VS Code without warning; test/integration/run.mjs checks that
 * the processes recorded here died with it (nothing is orphaned).
 */
describe('Shutdown with a training running', function () {
  this.timeout(180_000);

  it('records the live processes for the post-run orphan check', async () => {
    const api = await vscode.extensions.getExtension<ArkorExtensionApi>('arkor.arkor-vscode')!.activate();
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const trainerFile = path.join(folder, 'src/arkor/index.ts');
    const original = readFileSync(trainerFile, 'utf8');
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(trainerFile));
    const doc = editor.document;
    const match = /maxSteps: \d+/.exec(doc.getText())!;
    await editor.edit((e) =>
      e.replace(
        new vscode.Range(doc.positionAt(match.index), doc.positionAt(match.index + match[0].length)),
        'maxSteps: 5000',
      ),
    );
    const run = await vscode.commands.executeCommand<{ pid?: number; jobId?: string; home: string }>(
      'arkor.runTraining',
    );
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(readFileSync(trainerFile, 'utf8'), original);
    assert.ok(run?.pid);
    const jobId = await waitFor(() => run.jobId, 'the job id', 120_000);
    await waitFor(() => api.session.connection!.store.status(jobId) === 'running', 'the job to run', 120_000);
    const out = process.env.ARKOR_TEST_LIVE_PIDS;
    assert.ok(out, 'ARKOR_TEST_LIVE_PIDS is set by run.mjs');
    assert.ok(existsSync(path.join(run.home, '.arkor/credentials.json')), 'the run has its private HOME');
    writeFileSync(
      out,
      JSON.stringify({ groups: [run.pid], pids: [api.localBackend.pid], homes: [run.home] }),
    );
  });
});
