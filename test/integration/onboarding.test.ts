import * as assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { ARKOR_SPEC_ENV } from '../../src/core/scaffold';
import { buildTrainer, findArkorProjects } from '../../src/core/trainer';
import type { ArkorExtensionApi } from '../../src/extension';
import type { NewProjectResult } from '../../src/vscode/newProject';
import { evalInWebview, evalInWorkbench, screenshot, waitFor } from './driver';
import { activateAndConnect, createJob, currentThemeSetting, EXTENSION_ID, setTheme } from './helpers';

const REPO = path.resolve(__dirname, '../../..');

describe('Onboarding', function () {
  this.timeout(180_000);
  let api: ArkorExtensionApi;

  before(async () => {
    api = await activateAndConnect();
  });

  it('Focus on Jobs View puts keyboard focus on a row of the tree', async () => {
    const store = api.session.connection!.store;
    if (store.jobs().length === 0) await createJob(api, 'focus-test', 4);
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await waitFor(
      () => evalInWebview<boolean>('jobs', 'return !!document.querySelector("[role=treeitem]");'),
      'the tree to show a row',
    );
    // Focus elsewhere first, then the command VS Code contributes for the view.
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand('arkor.jobs.focus');
    const focused = await waitFor(
      () =>
        evalInWebview<{ role: string | null; key: string | null; hasFocus: boolean } | null>(
          'jobs',
          `const a = document.activeElement;
           if (!document.hasFocus() || a?.getAttribute('role') !== 'treeitem') return null;
           return { role: a.getAttribute('role'), key: a.getAttribute('data-key'), hasFocus: document.hasFocus() };`,
        ),
      'a tree row to hold keyboard focus',
      15_000,
    );
    assert.equal(focused.role, 'treeitem');
    assert.ok(focused.key, 'a job row');
    await screenshot('70-jobs-view-focused');
  });

  it('New Project writes a runnable project, installs its arkor and finds it', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'arkor-new-project-'));
    const before = process.env[ARKOR_SPEC_ENV];
    // The real `arkor` cannot be fetched offline: install the stand-in, as `npm start` does.
    process.env[ARKOR_SPEC_ENV] = `file:${path.join(REPO, 'packages/arkor-standin')}`;
    try {
      const folder = path.join(parent, 'my-captain');
      const result = await vscode.commands.executeCommand<NewProjectResult | undefined>('arkor.newProject', {
        template: 'captain',
        folder,
        open: 'none',
      });
      assert.ok(result, 'the command finished');
      assert.equal(result.install, 'installed');
      assert.equal(result.scaffold.name, 'my-captain');
      assert.ok(existsSync(path.join(folder, 'src/arkor/trainer.ts')));
      assert.ok(lstatSync(path.join(folder, 'node_modules/arkor')).isSymbolicLink(), 'arkor installed');
      const [project] = await findArkorProjects([folder]);
      assert.equal(project?.root, folder);
      const built = await buildTrainer(project);
      assert.ok(built.ok && built.trainerExport === 'arkor', JSON.stringify(built));
    } finally {
      if (before === undefined) delete process.env[ARKOR_SPEC_ENV];
      else process.env[ARKOR_SPEC_ENV] = before;
      rmSync(parent, { recursive: true, force: true });
    }
  });

  describe('the Get Started walkthrough', () => {
    const theme = currentThemeSetting();
    before(async () => {
      // Room for the step list and its media side by side, as on a usual window.
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
    });
    after(async () => {
      // Back to the user's setting (setTheme waits for a theme kind; the host's default kind varies).
      await vscode.workspace
        .getConfiguration('workbench')
        .update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.view.extension.arkor');
    });

    /** The step titles the open walkthrough shows, once its media has rendered. */
    const openSteps = () =>
      evalInWorkbench<string[] | null>(
        `const page = document.querySelector('.gettingStartedContainer');
         if (!page || !/Get Started with Arkor/.test(page.textContent)) return null;
         const media = page.querySelector('.getting-started-media');
         if (!media || media.getBoundingClientRect().width < 200) return null;
         // The SVG is drawn in a webview laid over the media area: wait until one there has loaded.
         const m = media.getBoundingClientRect();
         const drawn = [...document.querySelectorAll('iframe.webview.ready')].some((f) => {
           const r = f.getBoundingClientRect();
           return r.width > 100 && Math.abs(r.left - m.left) < 40 && Math.abs(r.top - m.top) < 40;
         });
         if (!drawn) return null;
         return [...page.querySelectorAll('.getting-started-step .step-title')].map((t) => t.textContent.trim());`,
      );

    for (const [name, file] of [
      ['Default Light Modern', '71-walkthrough-light'],
      ['Default Dark Modern', '72-walkthrough-dark'],
    ] as const) {
      it(`opens with its five steps and themed media (${name})`, async () => {
        await setTheme(name);
        await vscode.commands.executeCommand(
          'workbench.action.openWalkthrough',
          `${EXTENSION_ID}#gettingStarted`,
          false,
        );
        const steps = await waitFor(openSteps, 'the walkthrough with its media', 30_000);
        assert.deepEqual(steps, [
          'Create or open a project',
          'Run the training',
          'Watch the job',
          'Chat with it in the Playground',
          'Deploy an endpoint',
        ]);
        // The SVG media is drawn in a webview a moment after the page.
        await new Promise((r) => setTimeout(r, 1500));
        await screenshot(file);
      });
    }
  });
});
