import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import { ROW_HEIGHT } from '../../webview-ui/jobsView/treeModel';
import { clickInWebview, evalInWebview, pressKey, screenshot, typeInWebview, waitFor } from './driver';
import { activateAndConnect, currentThemeSetting, jobRequest, setTheme, type ThemeName } from './helpers';

/** Jobs this suite adds, all named NAME (labels `windowed #1` … `windowed #300`). */
const MANY = 300;
const NAME = 'windowed';

interface Row {
  key: string;
  level: number;
  pos: number;
  size: number;
  /** The tree's one tab stop (the selected row, else the first): rendered wherever it is. */
  tabStop: boolean;
  /** Top and bottom in the view's viewport, px. */
  top: number;
  bottom: number;
}

interface TreeWindow {
  /** Rows in the DOM. */
  rendered: Row[];
  /** Rows at least partly on screen, top to bottom. */
  visible: Row[];
  /** Every on-screen pixel of the tree is covered by a row (no blank band after a scroll). */
  gapless: boolean;
  treeHeight: number;
  /** Rows with tabindex 0 (roving tab stop: exactly one). */
  tabStops: number;
  /** The row holding DOM focus, whether it is aria-selected, and whether it is wholly on screen. */
  focus: (Row & { selected: boolean; inView: boolean }) | null;
}

/**
 * What the Jobs view shows, read from its DOM with real layout: the rows in the DOM and on screen
 * (by their bounding boxes against the scrolling viewport, wherever the webview scrolls), and focus.
 */
const readWindow = () =>
  evalInWebview<TreeWindow | null>(
    'jobs',
    `const tree = document.querySelector('[role=tree]');
     if (!tree) return null;
     let scroller = tree.parentElement;
     while (scroller && !(scroller.scrollHeight > scroller.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(scroller).overflowY))) scroller = scroller.parentElement;
     const box = scroller ? scroller.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
     const viewTop = Math.max(box.top, 0);
     const viewBottom = Math.min(box.bottom, window.innerHeight);
     const read = (el) => {
       const b = el.getBoundingClientRect();
       return {
         key: el.getAttribute('data-key'),
         level: Number(el.getAttribute('aria-level')),
         pos: Number(el.getAttribute('aria-posinset')),
         size: Number(el.getAttribute('aria-setsize')),
         tabStop: el.tabIndex === 0,
         top: b.top,
         bottom: b.bottom,
       };
     };
     const els = [...tree.querySelectorAll('[role=treeitem]')];
     const rendered = els.map(read);
     const visible = rendered.filter((r) => r.bottom > viewTop && r.top < viewBottom).sort((a, b) => a.top - b.top);
     const t = tree.getBoundingClientRect();
     const from = Math.max(t.top, viewTop);
     const to = Math.min(t.bottom, viewBottom);
     let covered = from;
     for (const r of visible) {
       if (r.top > covered + 0.5) break;
       covered = Math.max(covered, r.bottom);
     }
     const a = document.activeElement;
     const focus = a && a.getAttribute('role') === 'treeitem' ? read(a) : null;
     return {
       rendered,
       visible,
       gapless: covered >= to - 0.5,
       treeHeight: t.height,
       tabStops: rendered.filter((r) => r.tabStop).length,
       focus: focus && {
         ...focus,
         selected: a.getAttribute('aria-selected') === 'true',
         inView: focus.top >= viewTop - 0.5 && focus.bottom <= viewBottom + 0.5,
       },
     };`,
  );

/** Scrolls the Jobs view to `fraction` (0 top, 1 bottom) of its scroll range, as a user's scroll would. */
const scrollJobs = (fraction: number) =>
  evalInWebview<void>(
    'jobs',
    `const tree = document.querySelector('[role=tree]');
     let s = tree.parentElement;
     while (s && !(s.scrollHeight > s.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(s).overflowY))) s = s.parentElement;
     s ??= document.scrollingElement;
     s.scrollTop = ${fraction} * (s.scrollHeight - s.clientHeight);`,
  );

/** Waits until the tree lists `size` top-level rows (aria-setsize), then returns what it shows. */
const waitForSetSize = (size: number, what: string) =>
  waitFor(async () => {
    const w = await readWindow();
    const sizes = new Set(w?.rendered.filter((r) => r.level === 1).map((r) => r.size));
    return w && sizes.size === 1 && sizes.has(size) ? w : null;
  }, what);

/** Waits until the row at `pos` holds focus, then returns what the tree shows. */
const focusOn = (pos: number, what: string) =>
  waitFor(async () => {
    const w = await readWindow();
    return w?.focus?.pos === pos ? { ...w, focus: w.focus } : null;
  }, what);

const topLevel = (rows: readonly Row[]) => rows.filter((r) => r.level === 1).map((r) => r.pos);

/** Whether `positions` are consecutive (each one more than the last). */
const consecutive = (positions: readonly number[]) =>
  positions.every((p, i) => i === 0 || p === positions[i - 1]! + 1);

/**
 * Issue 15 in real VS Code: with hundreds of jobs the Jobs view holds only the rows in view in the
 * DOM, a scroll brings the rows of where it scrolled to without a blank band, the keyboard walks past
 * the rendered rows keeping the focused row on screen, and every row's ARIA position counts the whole
 * list. The file name runs it last in its session: the jobs it adds stay in that session's backend.
 */
describe('Jobs view with hundreds of jobs (local backend)', function () {
  this.timeout(300_000);
  let api: ArkorExtensionApi;
  let total: number;
  let themeBefore: ThemeName | undefined;

  before(async () => {
    themeBefore = currentThemeSetting();
    api = await activateAndConnect();
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await waitFor(() => api.jobsView.isMounted, 'the Jobs view to mount');
    // The local backend trains one job at a time: while a long job holds the queue, each job created
    // after it waits there and is cancelled before it trains, so hundreds of rows cost only requests.
    const c = api.session.connection!;
    const blocker = await c.client.createJob(c.scope, jobRequest(api, `${NAME}-blocker`, 5000));
    try {
      for (let i = 0; i < MANY; i++) {
        const job = await c.client.createJob(c.scope, jobRequest(api, NAME, 10));
        await c.client.cancelJob(c.scope, job.id);
      }
    } finally {
      await c.client.cancelJob(c.scope, blocker.id);
    }
    await c.store.refresh();
    const jobs = c.store.jobs();
    assert.equal(jobs.filter((j) => j.name === NAME && j.status === 'cancelled').length, MANY);
    total = jobs.length;
    // Every job listed, whatever an earlier test left in the search box or the status chips.
    await typeInWebview('jobs', '[data-testid=job-search]', '');
    await clickInWebview('jobs', '[data-filter="all"]');
  });

  after(async () => {
    await setTheme(themeBefore);
    await typeInWebview('jobs', '[data-testid=job-search]', '').catch(() => {});
  });

  it('holds only the rows in view in the DOM, and a scroll brings in the rows it reaches', async () => {
    await waitForSetSize(total, `the tree to list all ${total} jobs`);
    await scrollJobs(0);
    let w = await waitFor(async () => {
      const now = await readWindow();
      return now?.gapless && now.visible[0]?.pos === 1 ? now : null;
    }, 'the top of the list on screen');
    assert.ok(w.rendered.length < total / 3, `windowed: ${w.rendered.length} of ${total} rows in the DOM`);
    assert.ok(w.treeHeight >= total * ROW_HEIGHT, `the tree is as tall as every row (${w.treeHeight} px)`);
    assert.ok(w.gapless, 'the rows on screen leave no gap');
    // The newest jobs (this suite's, none expanded) come first.
    assert.deepEqual(
      topLevel(w.visible),
      w.visible.map((_, i) => i + 1),
    );

    await scrollJobs(0.5);
    w = await waitFor(async () => {
      const now = await readWindow();
      return now?.gapless && (now.visible[0]?.pos ?? 0) > 1 ? now : null;
    }, 'the middle of the list to be rendered where the view scrolled to');
    const middle = topLevel(w.visible);
    assert.ok(
      middle[0]! > total / 4 && middle.at(-1)! < (3 * total) / 4,
      `rows ${middle[0]}…${middle.at(-1)}`,
    );
    assert.ok(consecutive(middle), `consecutive rows on screen: ${middle.join(',')}`);
    assert.ok(w.rendered.length < total / 3, `still windowed: ${w.rendered.length} rows in the DOM`);
    assert.ok(
      w.rendered.every((r) => r.level !== 1 || r.size === total),
      'every job row counts the whole list',
    );

    await scrollJobs(1);
    w = await waitFor(async () => {
      const now = await readWindow();
      return now?.gapless && Math.max(...topLevel(now.visible)) === total ? now : null;
    }, 'the last job to be rendered at the bottom');
    const away = topLevel(w.rendered.filter((r) => !r.tabStop));
    assert.ok(
      Math.min(...away) > total / 2,
      `apart from the tab stop, only rows near the end: ${away.join(',')}`,
    );
    // The list came with whole rows for its top only: a row scrolled into view asks the host for
    // the rest (model, dataset and times in its tooltip, sparkline, checkpoints), which arrives.
    // The tooltip is written when the pointer reaches the row.
    const lastKey = w.visible.at(-1)!.key;
    const tooltip = await waitFor(
      () =>
        evalInWebview<string | null>(
          'jobs',
          `const row = document.querySelector('[data-key="${lastKey}"]');
           row?.dispatchEvent(new PointerEvent('pointerenter'));
           const t = row?.getAttribute('title') ?? '';
           return /Model: /.test(t) ? t : null;`,
        ),
      'the detail of the last row to arrive from the host',
    );
    assert.match(tooltip, /Model: unsloth\/gemma-4-E4B-it/);
    await screenshot('90-jobs-tree-many-scrolled-to-end', 'jobs');
    await scrollJobs(0);
  });

  it('moves focus by keyboard past the rendered rows, keeping the focused row on screen', async () => {
    // Only this suite's jobs, so the list is known: MANY rows at level 1, none expandable.
    await typeInWebview('jobs', '[data-testid=job-search]', `${NAME} #`);
    await waitForSetSize(MANY, `the search to list the ${MANY} runs`);
    await scrollJobs(0);
    await pressKey('Home', { view: 'jobs', selector: '[role=treeitem][aria-level="1"][aria-posinset="1"]' });
    let w = await focusOn(1, 'Home to focus the first row');
    const renderedAtFirst = Math.max(...topLevel(w.rendered));
    assert.ok(renderedAtFirst < MANY, `rows past ${renderedAtFirst} are not rendered yet`);

    // Down, one row at a time, past the last row that was rendered: each one focused, selected, on
    // screen, the only tab stop.
    for (let pos = 2; pos <= renderedAtFirst + 2; pos++) {
      await pressKey('ArrowDown');
      w = await focusOn(pos, `ArrowDown to focus row ${pos}`);
      assert.ok(w.focus.selected, `row ${pos} is selected`);
      assert.ok(w.focus.inView, `row ${pos} is on screen (${w.focus.top}…${w.focus.bottom})`);
      assert.equal(w.focus.size, MANY);
      assert.equal(w.tabStops, 1, 'one tab stop');
    }
    assert.ok(w.gapless, 'the rows on screen leave no gap');

    // The focused row in the middle of a windowed list, in both themes.
    for (const [theme, kind, name] of [
      ['Default Light Modern', 'light', '91-jobs-tree-many-focused-light'],
      ['Default Dark Modern', 'dark', '92-jobs-tree-many-focused-dark'],
    ] as const) {
      await setTheme(theme);
      await waitFor(
        () => evalInWebview<boolean>('jobs', `return document.body.classList.contains('vscode-${kind}');`),
        `the Jobs view to wear the ${kind} theme`,
      );
      await screenshot(name, 'jobs');
    }

    await pressKey('End');
    w = await focusOn(MANY, 'End to focus the last row');
    assert.ok(w.focus.selected && w.focus.inView, 'the last row is selected and on screen');
    assert.ok(!w.rendered.some((r) => r.pos === 1), 'the first row left the DOM');
    assert.ok(w.rendered.length < MANY / 3, `still windowed: ${w.rendered.length} rows in the DOM`);
    assert.equal(w.tabStops, 1);

    await pressKey('Home');
    w = await focusOn(1, 'Home to focus the first row again');
    assert.ok(w.focus.selected && w.focus.inView, 'the first row is selected and on screen');
    assert.ok(w.gapless, 'the rows on screen leave no gap');
  });

  it('narrows by search, windowed while the result is long and whole once it is short', async () => {
    const labels = Array.from({ length: MANY }, (_, i) => `${NAME} #${i + 1}`);
    const matching = (q: string) => labels.filter((l) => l.includes(q)).length;

    // `windowed #2`: #2, #20…#29, #200…#299.
    await typeInWebview('jobs', '[data-testid=job-search]', `${NAME} #2`);
    let w = await waitForSetSize(matching(`${NAME} #2`), 'the search to narrow the list');
    assert.ok(w.rendered.length < matching(`${NAME} #2`), `windowed: ${w.rendered.length} rows in the DOM`);

    // `windowed #29`: #29, #290…#299, all in the DOM.
    await typeInWebview('jobs', '[data-testid=job-search]', `${NAME} #29`);
    w = await waitForSetSize(matching(`${NAME} #29`), 'the search to narrow the list further');
    assert.deepEqual(
      topLevel(w.rendered).sort((a, b) => a - b),
      Array.from({ length: matching(`${NAME} #29`) }, (_, i) => i + 1),
      'every matching row is rendered, once',
    );

    await typeInWebview('jobs', '[data-testid=job-search]', '');
    await waitForSetSize(total, 'clearing the search to list every job again');
  });
});
