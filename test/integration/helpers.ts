import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import type { CreateJobRequest } from '../../src/wire';
import { evalInWebview, evalInWorkbench, restoreMarker, waitFor } from './driver';

export const EXTENSION_ID = 'arkor.arkor-vscode';

/** Activates the extension and connects its session (the local backend starts on demand). */
export async function activateAndConnect(): Promise<ArkorExtensionApi> {
  const api = await vscode.extensions.getExtension<ArkorExtensionApi>(EXTENSION_ID)!.activate();
  await api.session.connect().catch((e) => assert.fail(`could not connect: ${e}`));
  return api;
}

/** A training of the project's captain dataset for `maxSteps` steps, checkpointed every 10. */
export function jobRequest(api: ArkorExtensionApi, name: string, maxSteps: number): CreateJobRequest {
  const dataset = pathToFileURL(path.join(api.session.connection!.projectDir, 'data/captain.jsonl')).href;
  return {
    name,
    config: {
      model: 'unsloth/gemma-4-E4B-it',
      datasetSource: { type: 'blob', url: dataset },
      maxSteps,
      saveSteps: 10,
      evalSteps: 10,
      loggingSteps: 1,
    },
  };
}

/** Creates a job on the connected backend, straight through the API client (no trainer build). */
export async function createJob(api: ArkorExtensionApi, name: string, maxSteps: number) {
  const c = api.session.connection!;
  const job = await c.client.createJob(c.scope, jobRequest(api, name, maxSteps));
  await c.store.refresh();
  return job;
}

/** Creates a job and waits until the store sees it completed (its final adapter then exists). */
export async function trainJob(api: ArkorExtensionApi, name: string, maxSteps = 30) {
  const job = await createJob(api, name, maxSteps);
  const store = api.session.connection!.store;
  // The store polls; refreshing makes the wait independent of the poll interval.
  await waitFor(
    async () => {
      if (store.status(job.id) !== 'completed') await store.refresh().catch(() => {});
      return store.status(job.id) === 'completed';
    },
    `job ${name} to complete`,
    240_000,
  );
  return job;
}

export type ThemeName = 'Default Light Modern' | 'Default Dark Modern';

/**
 * Switches the workbench colour theme (user setting) and waits until the workbench wears it (VS
 * Code's default is Dark Modern); webviews restyle after it, and their tests wait for that themselves.
 */
export async function setTheme(theme: ThemeName | undefined): Promise<void> {
  await vscode.workspace
    .getConfiguration('workbench')
    .update('colorTheme', theme, vscode.ConfigurationTarget.Global);
  // The default theme's kind depends on the host (code-server's default, auto-detection): then wait
  // for the workbench to match whatever theme VS Code reports as active.
  const kindOf = () =>
    theme === undefined
      ? vscode.window.activeColorTheme.kind === vscode.ColorThemeKind.Light
        ? 'vs'
        : 'vs-dark'
      : theme === 'Default Light Modern'
        ? 'vs'
        : 'vs-dark';
  await waitFor(
    () =>
      evalInWorkbench<boolean>(
        `return document.querySelector('.monaco-workbench')?.classList.contains('${kindOf()}') ?? false`,
      ),
    `the workbench to switch to ${theme ?? 'the default theme'}`,
  );
}

/** The colour theme set in user settings now (undefined: VS Code's default), to restore it later. */
export function currentThemeSetting(): ThemeName | undefined {
  return vscode.workspace.getConfiguration('workbench').inspect<ThemeName>('colorTheme')?.globalValue;
}

/** Waits until the job panel's loss chart holds exactly `points` points (its `data-points`). */
export function waitForChartPoints(points: number, timeoutMs = 30_000): Promise<number> {
  return waitFor(
    () =>
      evalInWebview<number | null>(
        'job',
        `const n = Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points'));
         return n === ${points} ? n : null;`,
      ),
    `the chart to hold all ${points} points`,
    timeoutMs,
  );
}

/**
 * Run Training as a user does, with `maxSteps` changed in the editor and not saved (the run builds
 * the code on screen), then the edit reverted. Resolves once its job is training.
 */
export async function runTrainingWithMaxSteps(api: ArkorExtensionApi, maxSteps: number) {
  const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  const trainerFile = path.join(folder, 'src/arkor/index.ts');
  const original = readFileSync(trainerFile, 'utf8');
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(trainerFile));
  const doc = editor.document;
  const match = /maxSteps: \d+/.exec(doc.getText())!;
  await editor.edit((e) =>
    e.replace(
      new vscode.Range(doc.positionAt(match.index), doc.positionAt(match.index + match[0].length)),
      `maxSteps: ${maxSteps}`,
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
  return { run, jobId };
}

/** What the window before a reload tells the reloaded one about the training it left running. */
export function runningJobMarker(): string {
  return path.join(path.dirname(restoreMarker()), 'reload-running-job.json');
}

/** The titles of the job panel tabs, in tab order (restored tabs not revived yet included). */
export function jobTabs(): string[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('arkor.job'))
    .map((t) => t.label);
}
