import * as assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import { evalInWebview, evalInWorkbench, waitFor } from './driver';

export const EXTENSION_ID = 'arkor.arkor-vscode';

/** Activates the extension and connects its session (the local backend starts on demand). */
export async function activateAndConnect(): Promise<ArkorExtensionApi> {
  const api = await vscode.extensions.getExtension<ArkorExtensionApi>(EXTENSION_ID)!.activate();
  await api.session.connect().catch((e) => assert.fail(`could not connect: ${e}`));
  return api;
}

/** Creates a job on the connected backend, straight through the API client (no trainer build). */
export async function createJob(api: ArkorExtensionApi, name: string, maxSteps: number) {
  const c = api.session.connection!;
  const dataset = pathToFileURL(path.join(c.projectDir, 'data/captain.jsonl')).href;
  const job = await c.client.createJob(c.scope, {
    name,
    config: {
      model: 'unsloth/gemma-4-E4B-it',
      datasetSource: { type: 'blob', url: dataset },
      maxSteps,
      saveSteps: 10,
      evalSteps: 10,
      loggingSteps: 1,
    },
  });
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
 * Switches the workbench colour theme (user setting) and waits until the workbench wears it (a named
 * one); webviews restyle after it, and their tests wait for that themselves.
 */
export async function setTheme(theme: ThemeName | undefined): Promise<void> {
  await vscode.workspace
    .getConfiguration('workbench')
    .update('colorTheme', theme, vscode.ConfigurationTarget.Global);
  // Back to VS Code's default (a restore): its kind differs by host, so there is nothing to wait for.
  if (theme === undefined) return;
  const kind = theme === 'Default Light Modern' ? 'vs' : 'vs-dark';
  await waitFor(
    () =>
      evalInWorkbench<boolean>(
        `return document.querySelector('.monaco-workbench')?.classList.contains('${kind}') ?? false`,
      ),
    `the workbench to switch to ${theme}`,
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

/** The titles of the job panel tabs, in tab order (restored tabs not revived yet included). */
export function jobTabs(): string[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('arkor.job'))
    .map((t) => t.label);
}
