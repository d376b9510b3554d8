import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import { evalInWebview, pressKey, screenshot, typeInWebview, waitFor } from './driver';
import { activateAndConnect, currentThemeSetting, setTheme, type ThemeName, trainJob } from './helpers';

interface Focus {
  active: string | null;
  activeLevel: string | null;
  selected: string[];
  rows: string[];
}

/** The tree's rows, the row holding DOM focus and the rows marked aria-selected. */
const readFocus = () =>
  evalInWebview<Focus>(
    'jobs',
    `const rows = [...document.querySelectorAll('[role=tree] [role=treeitem]')];
     const a = document.activeElement;
     return {
       active: a?.getAttribute('role') === 'treeitem' ? a.getAttribute('data-key') : null,
       activeLevel: a?.getAttribute('aria-level') ?? null,
       selected: rows.filter((r) => r.getAttribute('aria-selected') === 'true').map((r) => r.getAttribute('data-key')),
       rows: rows.map((r) => r.getAttribute('data-key')),
     };`,
  );

/** What a webview's theme looks like from inside: VS Code's body class and two resolved colours. */
const readTheme = (view: string) =>
  evalInWebview<{ kind: string; background: string; foreground: string }>(
    view,
    `const s = getComputedStyle(document.body);
     return {
       kind: document.body.classList.contains('vscode-light') ? 'light' : document.body.classList.contains('vscode-dark') ? 'dark' : document.body.className,
       background: s.getPropertyValue('--vscode-editor-background').trim() || s.backgroundColor,
       foreground: s.color,
     };`,
  );

/**
 * Issue 6 in real VS Code: the jobs tree and a job panel follow the light and dark themes, and the
 * tree's keyboard model (roving focus, Home/End, Right to expand, Enter to open) works in the workbench.
 */
describe('Themes and keyboard (local backend)', function () {
  this.timeout(300_000);
  let api: ArkorExtensionApi;
  let jobId: string;
  let jobName: string;
  let themeBefore: ThemeName | undefined;

  before(async () => {
    themeBefore = currentThemeSetting();
    api = await activateAndConnect();
    jobName = `themes-${Date.now().toString(36)}`;
    jobId = (await trainJob(api, jobName, 30)).id;
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await waitFor(() => api.jobsView.isMounted, 'the Jobs view to mount');
  });

  after(async () => {
    await setTheme(themeBefore);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the jobs tree and a job panel in the light and dark themes', async () => {
    await vscode.commands.executeCommand('arkor.openJob', jobId);
    const panel = api.jobPanels.get(jobId);
    assert.ok(panel, 'the job panel opened');
    await waitFor(() => panel.isMounted, 'the job panel to mount');
    await waitFor(
      () =>
        evalInWebview<boolean>(
          'job',
          `return Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) >= 30;`,
        ),
      'the loss chart to hold the run',
    );
    await waitFor(
      () =>
        evalInWebview<boolean>(
          'jobs',
          `return [...document.querySelectorAll('[role=treeitem]')].some((r) => r.textContent.includes('${jobName}'));`,
        ),
      'the job in the tree',
    );

    const seen: Record<string, { kind: string; background: string; foreground: string }> = {};
    for (const [theme, kind, tree, job] of [
      ['Default Light Modern', 'light', '40-jobs-tree-light', '41-job-panel-light'],
      ['Default Dark Modern', 'dark', '42-jobs-tree-dark', '43-job-panel-dark'],
    ] as const) {
      await setTheme(theme);
      for (const view of ['jobs', 'job']) {
        const t = await waitFor(
          async () => {
            const now = await readTheme(view);
            return now.kind === kind ? now : null;
          },
          `the ${view} webview to switch to the ${kind} theme`,
          10_000,
        );
        seen[`${view}-${kind}`] = t;
      }
      await screenshot(tree, 'jobs');
      await screenshot(job);
    }
    for (const view of ['jobs', 'job']) {
      assert.notEqual(
        seen[`${view}-light`]!.foreground,
        seen[`${view}-dark`]!.foreground,
        `${view} text recolours`,
      );
      assert.notEqual(
        seen[`${view}-light`]!.background,
        seen[`${view}-dark`]!.background,
        `${view} background recolours`,
      );
    }
  });

  it('moves focus and selection with the keyboard, and Enter opens the job', async () => {
    // Only this job's rows: the tree is deterministic whatever other tests created.
    await typeInWebview('jobs', '[data-testid=job-search]', jobName);
    await waitFor(async () => (await readFocus()).rows.length === 1, 'the search to leave one row');
    // The job panel opened by the previous test has made its checkpoints known: the row expands.
    await waitFor(
      () =>
        evalInWebview<boolean>(
          'jobs',
          `return document.querySelector('[role=treeitem]')?.getAttribute('aria-expanded') === 'false';`,
        ),
      'the job row to be expandable (collapsed)',
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor(() => !api.jobPanels.get(jobId), 'the job panel to close');

    const row = await evalInWebview<string | null>(
      'jobs',
      `return document.querySelector('[role=treeitem]')?.getAttribute('data-key') ?? null;`,
    );
    assert.ok(row);
    await pressKey('Home', { view: 'jobs', selector: `[role=treeitem][data-key="${row}"]` });
    let f = await readFocus();
    assert.equal(f.active, row, 'Home focuses the first row');
    assert.deepEqual(f.selected, [row], 'selection follows focus');

    await pressKey('ArrowRight');
    f = await waitFor(async () => {
      const now = await readFocus();
      return now.rows.length > 1 ? now : null;
    }, 'ArrowRight to expand the checkpoints');
    assert.ok(f.rows.length >= 3, `the job's checkpoints are listed (${f.rows.length - 1})`);
    assert.equal(f.active, row, 'focus stays on the job row when it expands');

    await pressKey('ArrowDown');
    f = await readFocus();
    assert.equal(f.active, f.rows[1], 'ArrowDown moves to the first checkpoint');
    assert.equal(f.activeLevel, '2');
    assert.deepEqual(f.selected, [f.rows[1]]);

    await pressKey('End');
    f = await readFocus();
    assert.equal(f.active, f.rows.at(-1), 'End moves to the last row');
    assert.deepEqual(f.selected, [f.rows.at(-1)]);

    await pressKey('Home');
    f = await readFocus();
    assert.equal(f.active, row, 'Home moves back to the job');
    assert.deepEqual(f.selected, [row]);

    await pressKey('ArrowLeft');
    f = await waitFor(async () => {
      const now = await readFocus();
      return now.rows.length === 1 ? now : null;
    }, 'ArrowLeft to collapse');
    assert.equal(f.active, row);

    await pressKey('Enter');
    const opened = await waitFor(() => api.jobPanels.get(jobId), 'Enter to open the job panel');
    await waitFor(() => opened.isMounted, 'the reopened job panel to mount');
    // Clear the search so later tests see every job.
    await typeInWebview('jobs', '[data-testid=job-search]', '');
  });
});
