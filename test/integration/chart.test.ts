import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import {
  clickInWebview,
  evalInWebview,
  evalInWorkbench,
  pressKey,
  screenshot,
  setWindowSize,
  waitFor,
} from './driver';
import { activateAndConnect, createJob, currentThemeSetting, setTheme, type ThemeName } from './helpers';

/** What the job panel's webview says about its chart: the figure's box against the webview's own. */
interface ChartView {
  visibleFraction: number;
  chart: { top: number; bottom: number; height: number; plotHeight: number };
  viewport: { width: number; height: number };
  scrollTop: number;
  points: number;
}

const readChart = () =>
  evalInWebview<ChartView>(
    'job',
    `const fig = document.querySelector('[data-testid=loss-chart]');
     const r = fig.getBoundingClientRect();
     const w = window.innerWidth, h = window.innerHeight;
     const visW = Math.max(0, Math.min(r.right, w) - Math.max(r.left, 0));
     const visH = Math.max(0, Math.min(r.bottom, h) - Math.max(r.top, 0));
     const canvas = fig.querySelector('canvas');
     return {
       visibleFraction: r.width * r.height > 0 ? (visW * visH) / (r.width * r.height) : 0,
       chart: { top: r.top, bottom: r.bottom, height: r.height, plotHeight: canvas ? canvas.getBoundingClientRect().height : 0 },
       viewport: { width: w, height: h },
       scrollTop: document.scrollingElement.scrollTop,
       points: Number(fig.dataset.points),
     };`,
  );

/** The workbench's panel area (where Output lives): whether it shows Output, where, and how tall. */
const readPanelArea = () =>
  evalInWorkbench<{ visible: boolean; height: number; top: number; output: boolean; editorBottom: number }>(
    `const panel = document.querySelector('.part.panel');
     const r = panel ? panel.getBoundingClientRect() : { height: 0, top: 0 };
     const editor = document.querySelector('.part.editor').getBoundingClientRect();
     const active = panel?.querySelector('.composite.title .action-item.checked, .composite.title .action-item[aria-selected=true]');
     return {
       visible: !!panel && r.height > 0 && getComputedStyle(panel).display !== 'none',
       height: r.height,
       top: r.top,
       output: !!panel && (active?.textContent ?? '').includes('Output'),
       editorBottom: editor.bottom,
     };`,
  );

/**
 * Issue "Everyday use" 2: in VS Code at 1400×900 with the Output panel open in its default place
 * (below the editor), a running job's whole loss chart is in its panel without scrolling. Then the
 * chart's zoom is discoverable and drives the loss statistics, and a job that ended before training
 * says so under its name.
 */
describe('Job panel chart in view (local backend)', function () {
  this.timeout(300_000);
  let api: ArkorExtensionApi;
  let windowBefore: { width: number; height: number } | undefined;
  let themeBefore: ThemeName | undefined;
  let jobId: string | undefined;

  before(async () => {
    themeBefore = currentThemeSetting();
    api = await activateAndConnect();
    windowBefore = await setWindowSize(1400, 900);
  });

  after(async () => {
    if (jobId) await vscode.commands.executeCommand('arkor.cancelJob', jobId).then(undefined, () => {});
    await setTheme(themeBefore);
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (windowBefore) await setWindowSize(windowBefore.width, windowBefore.height);
  });

  it('shows a running job’s whole chart at 1400×900 with the Output panel open below the editor', async () => {
    // The panel area in its default place (bottom), showing Output, at its default size: as a user
    // who keeps Output open has it. Run Training no longer opens it; this user did.
    await vscode.commands.executeCommand('workbench.action.positionPanelBottom');
    await vscode.commands.executeCommand('workbench.action.output.toggleOutput');
    let area = await waitFor(async () => {
      const a = await readPanelArea();
      return a.visible ? a : null;
    }, 'the panel area to open');
    if (!area.output) {
      await vscode.commands.executeCommand('workbench.action.output.toggleOutput');
      area = await waitFor(async () => {
        const a = await readPanelArea();
        return a.visible && a.output ? a : null;
      }, 'the panel area to show Output');
    }
    assert.ok(area.top >= area.editorBottom - 1, 'the panel area is below the editor');

    const job = await createJob(api, `chart-view-${Date.now().toString(36)}`, 3000);
    jobId = job.id;
    await vscode.commands.executeCommand('arkor.openJob', job.id);
    const panel = api.jobPanels.get(job.id)!;
    await waitFor(() => panel.isMounted, 'the job panel to mount');
    const store = api.session.connection!.store;
    await waitFor(() => store.status(job.id) === 'running', 'the job to run', 120_000);
    await waitFor(async () => (await readChart()).points >= 10, 'some training steps in the chart', 120_000);

    const view = await readChart();
    console.log(
      `[chart] window 1400×900, panel area ${Math.round(area.height)} px; webview ${view.viewport.width}×${view.viewport.height}; ` +
        `chart ${Math.round(view.chart.top)}–${Math.round(view.chart.bottom)} (${Math.round(view.chart.height)} px, plot ${Math.round(view.chart.plotHeight)} px); ` +
        `visible ${(view.visibleFraction * 100).toFixed(1)}%`,
    );
    // The situation the issue measured: the Output panel takes a good part of the height.
    assert.ok(
      view.viewport.height < 560,
      `the job panel is squeezed by the panel area (${view.viewport.height} px)`,
    );
    assert.equal(view.scrollTop, 0, 'nothing was scrolled');
    assert.equal(view.visibleFraction, 1, 'the whole chart is visible');
    assert.ok(view.chart.plotHeight >= 180, `the plot keeps a useful height (${view.chart.plotHeight} px)`);
    await screenshot('60-chart-in-view-output-open');
    await screenshot('61-job-panel-running-compact', 'job');
  });

  it('says how to zoom, zooms by keyboard, shows Reset zoom and the statistics of the zoomed range', async () => {
    assert.ok(jobId, 'the previous test started a job');
    const hint = await evalInWebview<string>(
      'job',
      `return document.querySelector('[data-testid=chart-hint]').textContent;`,
    );
    assert.match(hint, /Drag to zoom · double-click to reset/);
    const resetShown = () =>
      evalInWebview<boolean>('job', `return !!document.querySelector('[data-testid=reset-zoom]');`);
    assert.equal(await resetShown(), false, 'no Reset zoom while the whole run shows');

    // Statistics, opened (its summary is a real control), over the whole run.
    await clickInWebview('job', '[data-testid=statistics] > summary');
    const scope = () =>
      evalInWebview<string>('job', `return document.querySelector('.stats-scope')?.textContent ?? '';`);
    await waitFor(async () => /^steps \d+–\d+$/.test(await scope()), 'statistics of the whole run');

    // Keyboard zoom on the focused chart: + halves the range.
    await pressKey('+', { view: 'job', selector: '[data-testid=loss-chart]' });
    await waitFor(resetShown, 'Reset zoom to appear while zoomed');
    const zoomed = await waitFor(async () => {
      const s = await scope();
      return /^zoomed: steps \d+–\d+$/.test(s) ? s : null;
    }, 'the statistics to follow the zoom');
    console.log(`[chart] statistics scope after +: ${zoomed}`);
    const count = await evalInWebview<number>(
      'job',
      `return Number(document.querySelector('[data-testid=statistics-table] tr[data-stat=Count] td').textContent);`,
    );
    const points = (await readChart()).points;
    assert.ok(count > 0 && count < points, `the zoomed range counts ${count} of ${points} steps`);
    await evalInWebview(
      'job',
      `document.querySelector('[data-testid=statistics]').scrollIntoView(); return true;`,
    );
    await screenshot('62-job-panel-zoomed-statistics', 'job');

    await clickInWebview('job', '[data-testid=reset-zoom]');
    await waitFor(async () => !(await resetShown()), 'Reset zoom to go once the whole run shows');
    await waitFor(async () => /^steps \d+–\d+$/.test(await scope()), 'statistics of the whole run again');

    // Both themes, with the chart in view.
    await evalInWebview('job', `document.scrollingElement.scrollTop = 0; return true;`);
    for (const [theme, name] of [
      ['Default Light Modern', '63-job-panel-compact-light'],
      ['Default Dark Modern', '64-job-panel-compact-dark'],
    ] as const) {
      await setTheme(theme);
      assert.equal((await readChart()).visibleFraction, 1, `the whole chart is visible (${theme})`);
      await screenshot(name);
    }
    // One training at a time on the local backend: stop this one so the next test's job can start.
    const store = api.session.connection!.store;
    await vscode.commands.executeCommand('arkor.cancelJob', jobId);
    await waitFor(() => store.status(jobId!) === 'cancelled', 'the job to be cancelled');
    jobId = undefined;
  });

  it('a job that fails before training shows why, no waiting for metrics, and its name as tab title', async () => {
    const c = api.session.connection!;
    const dataFile = path.join(c.projectDir, 'data', `broken-${Date.now().toString(36)}.jsonl`);
    writeFileSync(dataFile, 'this is not JSON\n');
    try {
      const name = `fails-early-${Date.now().toString(36)}`;
      // Created straight through the API, so the extension's job list does not know it yet: the
      // panel opens as it does for Run Training, on the job id alone.
      const job = await c.client.createJob(c.scope, {
        name,
        config: {
          model: 'unsloth/gemma-4-E4B-it',
          datasetSource: { type: 'blob', url: pathToFileURL(dataFile).href },
          maxSteps: 20,
        },
      });
      await vscode.commands.executeCommand('arkor.openJob', job.id);
      const panel = api.jobPanels.get(job.id)!;
      await waitFor(() => panel.isMounted, 'the job panel to mount');
      // Its run label: the name and its ordinal among runs of that name (a lone run is #1).
      const title = `Job: ${name} #1`;
      await waitFor(() => panel.panel.title === title, 'the tab title to be the run label', 10_000);
      const shown = await waitFor(
        () =>
          evalInWebview<{ error: string; empty: string; text: string } | null>(
            'job',
            `const e = document.querySelector('[data-testid=job-error]');
             if (!e) return null;
             return { error: e.textContent, empty: document.querySelector('[data-testid=chart-empty]')?.textContent ?? '', text: document.body.textContent };`,
          ),
        'the failure in the panel',
        120_000,
      );
      assert.match(shown.error, /not valid JSON/);
      assert.match(shown.empty, /failed before its first training step/);
      assert.doesNotMatch(shown.text, /Waiting for training metrics/);
      assert.equal(panel.panel.title, title);
      await screenshot('65-job-failed-before-training');
      await setTheme('Default Dark Modern');
      await screenshot('65-job-failed-before-training-dark');
    } finally {
      rmSync(dataFile, { force: true });
    }
  });
});
