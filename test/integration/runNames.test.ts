import * as assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import { clickInWebview, evalInWebview, screenshot, sleep, waitFor } from './driver';
import { activateAndConnect, currentThemeSetting, jobTabs, setTheme, type ThemeName } from './helpers';

/** The run label the jobs tree shows for each job row, by job id. */
const treeLabels = () =>
  evalInWebview<Record<string, string>>(
    'jobs',
    `return Object.fromEntries([...document.querySelectorAll('[role=treeitem].job-row')].map((r) => [
       JSON.parse(r.getAttribute('data-vscode-context')).jobId, r.querySelector('.name').textContent,
     ]));`,
  );

/**
 * Issue "Everyday use", items 4 and 10, in real VS Code: three runs of the example trainer are told
 * apart by their run labels in the jobs tree, the tab titles and the Playground picker; a run's tab is
 * a preview the next run replaces unless it was used; checkpoint rows show their step whole; and the
 * header and the Playground say that the local backend trained a tiny stand-in.
 */
describe('Runs told apart (local backend)', function () {
  this.timeout(600_000);
  let api: ArkorExtensionApi;
  let themeBefore: ThemeName | undefined;
  const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  const trainerFile = path.join(folder, 'src/arkor/index.ts');

  before(async () => {
    themeBefore = currentThemeSetting();
    api = await activateAndConnect();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    // Restored as set before, without waiting for a theme kind: VS Code's default one differs by host.
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', themeBefore, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** Arkor: Run Training on the example as it is, until its job completed. */
  async function runExample(): Promise<string> {
    await vscode.window.showTextDocument(vscode.Uri.file(trainerFile));
    const run = await vscode.commands.executeCommand<{ jobId?: string; exited: Promise<number | null> }>(
      'arkor.runTraining',
    );
    assert.ok(run, 'a run started');
    const jobId = await waitFor(() => run.jobId, 'the run to print Started job <id>', 120_000);
    assert.equal(await run.exited, 0);
    const store = api.session.connection!.store;
    await waitFor(() => store.status(jobId) === 'completed', 'the job to complete');
    await waitFor(() => api.jobPanels.get(jobId)?.isMounted, "the run's panel to mount");
    return jobId;
  }

  it('labels three runs apart in the tree, the tabs and the Playground; a run tab is a preview', async () => {
    const store = api.session.connection!.store;
    const first = await runExample();
    assert.deepEqual(jobTabs(), [`Job: ${store.runLabel(first)}`], "the first run's tab");

    // Nobody used that tab: the second run takes its place instead of adding one.
    const second = await runExample();
    assert.deepEqual(jobTabs(), [`Job: ${store.runLabel(second)}`], 'the preview tab was replaced');
    assert.equal(api.jobPanels.get(first), undefined);
    await waitFor(
      () =>
        evalInWebview<boolean>(
          'job',
          `return document.querySelector('h1')?.textContent === ${JSON.stringify(store.runLabel(second))};`,
        ),
      'the replaced tab to show the second run',
    );

    // A click in it keeps it (as a pinned editor): the third run opens its own tab.
    await clickInWebview('job', '[data-testid=job-stats]');
    await sleep(300);
    const third = await runExample();
    const labels = [first, second, third].map((id) => store.runLabel(id)!);
    assert.equal(new Set(labels).size, 3, `three different labels: ${labels.join(', ')}`);
    const ordinals = labels.map((l) => Number(/^captain-speak #(\d+)$/.exec(l)?.[1]));
    assert.deepEqual(ordinals, [ordinals[0], ordinals[0]! + 1, ordinals[0]! + 2], 'numbered in run order');
    assert.deepEqual(jobTabs().sort(), [`Job: ${labels[1]}`, `Job: ${labels[2]}`], 'the used tab stayed');

    // Opened by hand, the first run gets its own tab too: three tabs, three titles.
    await vscode.commands.executeCommand('arkor.openJob', first);
    await waitFor(() => api.jobPanels.get(first)?.isMounted, 'the first run to reopen');
    assert.deepEqual(new Set(jobTabs()), new Set(labels.map((l) => `Job: ${l}`)));
    // The local backend trained its stand-in: the header says so beside the model name.
    const note = await waitFor(
      () =>
        evalInWebview<string | null>(
          'job',
          `return document.querySelector('[data-testid=stand-in-note]')?.textContent ?? null;`,
        ),
      'the stand-in note in the header',
    );
    assert.match(note, /^unsloth\/gemma-4-E4B-it → trained locally as a tiny \d+k-parameter stand-in model/);

    // The jobs tree: each run by its label; a checkpoint row shows "Step 20" whole at the default width.
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await waitFor(() => api.jobsView.isMounted, 'the Jobs view to mount');
    const rows = await waitFor(async () => {
      const now = await treeLabels();
      return [first, second, third].every((id, i) => now[id] === labels[i]) ? now : null;
    }, 'the three runs in the tree by their labels');
    assert.equal(new Set(Object.values(rows)).size, Object.keys(rows).length, 'no two rows alike');
    await clickInWebview('jobs', `[data-key="job:${third}"] .twistie`);
    const ckpt = await waitFor(
      () =>
        evalInWebview<{ text: string; cut: boolean; width: number } | null>(
          'jobs',
          `const row = document.querySelector('[data-key="ckpt:${third}:20"]');
           const label = row?.querySelector('.ckpt-label');
           if (!label) return null;
           return { text: label.textContent + ' ' + row.querySelector('.ckpt-loss')?.textContent,
                    cut: label.scrollWidth > label.clientWidth, width: document.body.clientWidth };`,
        ),
      "the third run's checkpoints",
    );
    assert.match(ckpt.text, /^Step 20 \d\.\d{4}$/, 'the step and its loss');
    assert.equal(ckpt.cut, false, `"Step 20" is not cut in a ${ckpt.width}px wide sidebar`);

    // The Playground picker: every run's final adapter and checkpoints under its own label.
    await vscode.commands.executeCommand('arkor.openPlayground', { jobId: third });
    await waitFor(() => api.playground.isMounted, 'the Playground to mount');
    const options = await waitFor(async () => {
      const texts = await evalInWebview<string[]>(
        'playground',
        `return [...document.querySelectorAll('[data-testid=model-picker] option')].map((o) => o.textContent);`,
      );
      return labels.every((l) => texts.includes(`${l} · final`) && texts.includes(`${l} · step 20`))
        ? texts
        : null;
    }, 'each run in the picker by its label');
    assert.equal(new Set(options).size, options.length, 'no two picker entries alike');
    const pgNote = await evalInWebview<string | null>(
      'playground',
      `return document.querySelector('[data-testid=stand-in-note]')?.textContent ?? null;`,
    );
    assert.match(pgNote ?? '', /^Local backend: replies come from a tiny \d+k-parameter stand-in model/);

    // Light and dark: the tree, the three tabs and the picker (opened as a list to show its entries).
    await evalInWebview(
      'playground',
      `document.querySelector('[data-testid=model-picker]').size = 12; return true;`,
    );
    for (const [theme, name] of [
      ['Default Light Modern', '60-runs-told-apart-light'],
      ['Default Dark Modern', '61-runs-told-apart-dark'],
    ] as const) {
      await setTheme(theme);
      await screenshot(name);
    }
    await evalInWebview(
      'playground',
      `document.querySelector('[data-testid=model-picker]').size = 0; return true;`,
    );
    await vscode.commands.executeCommand('arkor.openJob', third);
    await waitFor(() => api.jobPanels.get(third)?.isMounted, 'the third run panel to show');
    await sleep(500);
    await screenshot('62-job-header-stand-in-dark');
  });
});
