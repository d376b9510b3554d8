import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { act, cleanup, fireEvent, render } from '@testing-library/preact';
import { packJobRows } from '../../src/jobRows';
import type { HostToJobsView, JobSummary, JobsViewToHost } from '../../src/protocol';
import { relativeTime, sparklinePoints } from '../../webview-ui/jobsView/format';
import { JobsApp, type JobsUiState } from '../../webview-ui/jobsView/JobsApp';
import { JobIndex } from '../../webview-ui/jobsView/jobIndex';
import {
  keyAction,
  layoutTree,
  normalizeQuery,
  type StatusFilter,
} from '../../webview-ui/jobsView/treeModel';
import { FakeHost } from './fakeChannel';

const backend = { kind: 'local' as const, label: 'Local backend' };
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function job(id: string, over: Partial<JobSummary> = {}): JobSummary {
  const name = over.name ?? `job ${id}`;
  return {
    id,
    name,
    label: `${name} #1`,
    status: 'completed',
    createdAt: minutesAgo(5),
    checkpoints: [],
    ...over,
  };
}

const JOBS: JobSummary[] = [
  job('a1', {
    name: 'captain-speak',
    status: 'running',
    step: 40,
    maxSteps: 100,
    lastLoss: 1.234,
    sparkline: [3, 2.5, 2, 1.5, 1.2],
    model: 'unsloth/gemma',
    dataset: 'pirate-chat',
    startedAt: minutesAgo(4),
    checkpoints: [
      { step: 20, savedAt: minutesAgo(3), loss: 1.9 },
      { step: 40, savedAt: minutesAgo(1), loss: 1.3 },
    ],
  }),
  job('b2', { name: 'Summariser', status: 'completed', checkpoints: [{ step: 50, savedAt: minutesAgo(2) }] }),
  job('c3', { name: 'broken-run', status: 'failed', error: 'CUDA out of memory', canResume: true }),
  job('d4', { name: 'waiting', status: 'queued' }),
];

async function mount(jobs = JOBS, host = new FakeHost<HostToJobsView, JobsViewToHost>()) {
  const view = render(<JobsApp channel={host} />);
  await act(() => host.send({ type: 'snapshot', rows: packJobRows(jobs), backend, trusted: true }));
  return { view, host };
}

const items = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('[role="treeitem"]')];
const focused = () => document.activeElement as HTMLElement;
/** The row's tooltip, as the pointer shows it (it is written when the pointer reaches the row). */
function tooltip(row: HTMLElement): string {
  fireEvent.pointerEnter(row);
  return row.getAttribute('title') ?? '';
}
async function key(k: string, target: Element = focused()) {
  await act(() => {
    fireEvent.keyDown(target, { key: k });
  });
}

/** The ids of `jobs` the search box and status chip let through, with the index the view builds. */
function search(jobs: JobSummary[], query: string, filter: StatusFilter = 'all', index = indexOf(jobs)) {
  return [...index.match(normalizeQuery(query), filter)].map((i) => jobs[i]!.id);
}
/** The view indexes a list as it arrives: packed. */
const indexOf = (jobs: JobSummary[]) => new JobIndex(packJobRows(jobs));

describe('jobs tree: model', () => {
  it('filters by name or id, case-insensitively, and by status', () => {
    assert.deepEqual(search(JOBS, 'CAPTAIN', 'all'), ['a1']);
    assert.deepEqual(search(JOBS, ' B2 ', 'all'), ['b2']);
    assert.deepEqual(search(JOBS, '', 'failed'), ['c3']);
    assert.deepEqual(search(JOBS, 'run', 'failed'), ['c3']);
    assert.deepEqual(search(JOBS, 'run', 'running'), []);
    assert.deepEqual(search(JOBS, '', 'all'), ['a1', 'b2', 'c3', 'd4']);
  });

  it('matches within one label or one id, never across two jobs or a label and its id', () => {
    const jobs = [
      job('x1', { label: 'ab' }),
      job('y2', { label: 'cd' }),
      job('İz', { label: 'İstanbul' }), // lower-cases to a longer string
      job('p4', { label: 'paris' }),
    ];
    assert.deepEqual(search(jobs, 'bc'), [], 'the end of one label and the start of the next');
    assert.deepEqual(search(jobs, 'x1y'), [], 'one id and the next');
    assert.deepEqual(search(jobs, 'abx'), [], 'a label and its id');
    assert.deepEqual(search(jobs, 'cd'), ['y2']);
    assert.deepEqual(search(jobs, 'paris'), ['p4'], 'aligned after a label that lower-cases longer');
    assert.deepEqual(search(jobs, 'p'), ['p4']);
  });

  it('finds jobs by exact id and follows live updates: renames, statuses, new jobs', () => {
    const jobs = [job('job-12'), job('job-1'), job('b', { label: 'old name #1' })];
    const index = indexOf(jobs);
    assert.equal(index.find('job-1'), 1, 'an id that is also the start of another');
    assert.equal(index.find('job-12'), 0);
    assert.equal(index.find('job'), -1);
    jobs[2] = job('b', { label: 'new name #1', status: 'failed' });
    index.set(2, jobs[2]);
    assert.deepEqual(search(jobs, 'old', 'all', index), []);
    assert.deepEqual(search(jobs, 'new', 'failed', index), ['b']);
    assert.equal(index.matches(2, 'new', 'failed'), true);
    assert.equal(index.find('c9'), -1);
    jobs.push(job('c9', { label: 'late arrival #1', status: 'running' }));
    index.set(3, jobs[3]!);
    assert.equal(index.find('c9'), 3);
    assert.deepEqual(search(jobs, 'late', 'running', index), ['c9']);
    assert.deepEqual(index.counts(), { completed: 2, failed: 1, running: 1 });
  });

  it('navigates like a VS Code tree', () => {
    const index = indexOf(JOBS);
    const rows = layoutTree(JOBS, index, index.match('', 'all'), new Set(['a1']));
    assert.deepEqual(
      Array.from({ length: rows.length }, (_, i) => rows.row(i).key),
      ['job:a1', 'ckpt:a1:20', 'ckpt:a1:40', 'job:b2', 'job:c3', 'job:d4'],
    );
    assert.deepEqual(
      Array.from({ length: rows.length }, (_, i) => `${rows.row(i).posInSet}/${rows.row(i).setSize}`),
      ['1/4', '1/2', '2/2', '2/4', '3/4', '4/4'],
    );
    assert.deepEqual([...rows.offsets], [0, 46, 74, 102, 130, 158, 186], 'the running job is the taller row');
    assert.deepEqual(keyAction(rows, 'job:a1', 'ArrowRight'), { kind: 'focus', key: 'ckpt:a1:20' });
    assert.deepEqual(keyAction(rows, 'ckpt:a1:40', 'ArrowLeft'), { kind: 'focus', key: 'job:a1' });
    assert.deepEqual(keyAction(rows, 'job:a1', 'ArrowLeft'), { kind: 'collapse', jobId: 'a1' });
    assert.deepEqual(keyAction(rows, 'job:b2', 'ArrowRight'), { kind: 'expand', jobId: 'b2' });
    assert.deepEqual(keyAction(rows, 'job:c3', 'ArrowRight'), { kind: 'none' });
    assert.deepEqual(keyAction(rows, 'job:d4', 'ArrowDown'), { kind: 'none' });
    assert.deepEqual(keyAction(rows, 'job:b2', 'Home'), { kind: 'focus', key: 'job:a1' });
    assert.deepEqual(keyAction(rows, 'job:a1', 'End'), { kind: 'focus', key: 'job:d4' });
  });

  it('formats relative times and sparklines', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    assert.equal(relativeTime('2025-01-01T11:59:50Z', now), 'just now');
    assert.equal(relativeTime('2025-01-01T11:55:00Z', now), '5 min ago');
    assert.equal(relativeTime('2025-01-01T09:00:00Z', now), '3 hr ago');
    assert.equal(relativeTime('2024-12-29T12:00:00Z', now), '3 days ago');
    assert.equal(sparklinePoints([1], 60, 16), '');
    assert.equal(sparklinePoints([2, 1, 0], 60, 16), '0,1 30,8 60,15');
    assert.equal(sparklinePoints([1, 1], 60, 16), '0,8 60,8');
  });
});

describe('jobs tree: view', () => {
  afterEach(cleanup);

  it('renders a tree with levels, roving tabindex, status icons, progress, sparkline and context data', async () => {
    const { view } = await mount();
    const tree = view.getByRole('tree');
    const rows = items(tree);
    assert.equal(rows.length, 4);
    assert.deepEqual(
      rows.map((r) => r.getAttribute('aria-level')),
      ['1', '1', '1', '1'],
    );
    assert.deepEqual(
      rows.map((r) => r.tabIndex),
      [0, -1, -1, -1],
    );
    assert.equal(rows[0]!.getAttribute('aria-selected'), 'true');
    assert.equal(rows[0]!.getAttribute('aria-expanded'), 'false');
    assert.equal(rows[2]!.hasAttribute('aria-expanded'), false, 'a job without checkpoints is a leaf');
    assert.equal(rows[0]!.querySelector('[data-icon]')?.getAttribute('data-icon'), 'running');
    assert.equal(rows[2]!.querySelector('[data-icon]')?.getAttribute('data-icon'), 'failed');
    const bar = rows[0]!.querySelector('[role="progressbar"]')!;
    assert.equal(bar.getAttribute('aria-valuenow'), '40');
    assert.equal(bar.getAttribute('aria-valuemax'), '100');
    assert.equal((bar.firstElementChild as HTMLElement).style.width, '40%');
    assert.ok(rows[0]!.querySelector('[data-testid="sparkline"] polyline')?.getAttribute('points'));
    assert.ok(rows[0]!.textContent!.includes('5 min ago'));
    assert.deepEqual(JSON.parse(rows[0]!.getAttribute('data-vscode-context')!), {
      webviewSection: 'job',
      jobId: 'a1',
      jobStatus: 'running',
      jobResumable: false,
      preventDefaultContextMenuItems: true,
    });
    // The host says whether a job can be resumed; the row's context carries it to the menu.
    assert.equal(JSON.parse(rows[2]!.getAttribute('data-vscode-context')!).jobResumable, true);
    const tip = tooltip(rows[2]!);
    assert.match(tip, /ID: c3/);
    assert.match(tip, /Error: CUDA out of memory/);
    assert.match(
      tooltip(rows[0]!),
      /Model: unsloth\/gemma[\s\S]*Dataset: pirate-chat[\s\S]*Created: [\s\S]*Started: /,
    );
  });

  it('supports full keyboard navigation: arrows, Home/End, expand/collapse, Enter', async () => {
    const { view, host } = await mount();
    const tree = view.getByRole('tree');
    items(tree)[0]!.focus();

    await key('ArrowDown');
    assert.equal(focused().dataset.key, 'job:b2');
    assert.equal(focused().getAttribute('aria-selected'), 'true');
    assert.equal(focused().tabIndex, 0);
    assert.equal(items(tree).filter((r) => r.tabIndex === 0).length, 1, 'one tab stop');

    await key('End');
    assert.equal(focused().dataset.key, 'job:d4');
    await key('Home');
    assert.equal(focused().dataset.key, 'job:a1');

    await key('ArrowRight'); // expand
    assert.equal(focused().getAttribute('aria-expanded'), 'true');
    assert.equal(items(tree).length, 6);
    const child = items(tree)[1]!;
    assert.equal(child.getAttribute('aria-level'), '2');
    assert.deepEqual(JSON.parse(child.getAttribute('data-vscode-context')!), {
      webviewSection: 'checkpoint',
      jobId: 'a1',
      jobStatus: 'running',
      step: 20,
      preventDefaultContextMenuItems: true,
    });

    await key('ArrowRight'); // to first child
    assert.equal(focused().dataset.key, 'ckpt:a1:20');
    await key('ArrowDown');
    assert.equal(focused().dataset.key, 'ckpt:a1:40');
    await key('Enter');
    assert.deepEqual(host.posted.at(-1), { type: 'openPlayground', jobId: 'a1', step: 40 });

    await key('ArrowLeft'); // to parent
    assert.equal(focused().dataset.key, 'job:a1');
    await key('Enter');
    assert.deepEqual(host.posted.at(-1), { type: 'openJob', jobId: 'a1' });
    await key('ArrowLeft'); // collapse
    assert.equal(focused().getAttribute('aria-expanded'), 'false');
    assert.equal(items(tree).length, 4);
    await key('ArrowUp'); // already first: stays
    assert.equal(focused().dataset.key, 'job:a1');
  });

  it('filters with the search box and the status chips, and says when nothing matches', async () => {
    const { view } = await mount();
    const search = view.getByLabelText('Search jobs by name or ID') as HTMLInputElement;
    await act(() => {
      fireEvent.input(search, { target: { value: 'SUMM' } });
    });
    assert.deepEqual(
      items(view.getByRole('tree')).map((r) => r.dataset.key),
      ['job:b2'],
    );

    await act(() => {
      fireEvent.input(search, { target: { value: '' } });
    });
    const chip = view.container.querySelector<HTMLElement>('[data-filter="failed"]')!;
    await act(() => {
      fireEvent.click(chip);
    });
    assert.equal(chip.getAttribute('aria-pressed'), 'true');
    assert.deepEqual(
      items(view.getByRole('tree')).map((r) => r.dataset.key),
      ['job:c3'],
    );

    await act(() => {
      fireEvent.input(search, { target: { value: 'captain' } });
    });
    assert.ok(view.getByTestId('no-match'));
    await act(() => {
      fireEvent.click(view.getByText('Clear filters'));
    });
    assert.equal(items(view.getByRole('tree')).length, 4);
  });

  it('offers Try in Playground on checkpoint rows and opens jobs on click', async () => {
    const { view, host } = await mount();
    const twistie = items(view.getByRole('tree'))[1]!.querySelector('.twistie')!;
    await act(() => {
      fireEvent.click(twistie);
    });
    assert.equal(host.posted.filter((m) => m.type === 'openJob').length, 0, 'the twistie only expands');
    const button = view.getByLabelText('Try step 50 in Playground');
    await act(() => {
      fireEvent.click(button);
    });
    assert.deepEqual(host.posted.at(-1), { type: 'openPlayground', jobId: 'b2', step: 50 });
    await act(() => {
      fireEvent.click(items(view.getByRole('tree'))[0]!);
    });
    assert.deepEqual(host.posted.at(-1), { type: 'openJob', jobId: 'a1' });
  });

  it('tells runs of one trainer apart by their run labels, in rows, tooltips and the search', async () => {
    const runs = [3, 2, 1].map((n) =>
      job(`r${n}`, { name: 'captain-speak', label: `captain-speak #${n}`, createdAt: minutesAgo(10 - n) }),
    );
    const { view } = await mount(runs);
    const rows = items(view.getByRole('tree'));
    assert.deepEqual(
      rows.map((r) => r.querySelector('.name')?.textContent),
      ['captain-speak #3', 'captain-speak #2', 'captain-speak #1'],
    );
    assert.match(tooltip(rows[0]!), /^captain-speak #3\n/);
    assert.deepEqual(search(runs, '#2'), ['r2']);
  });

  it('shows each checkpoint row whole: "Step N" and its loss, the saved time giving way first', async () => {
    const { view } = await mount();
    await act(() => {
      fireEvent.click(items(view.getByRole('tree'))[0]!.querySelector('.twistie')!);
    });
    const ckpts = [...view.container.querySelectorAll<HTMLElement>('.checkpoint-row')];
    assert.deepEqual(
      ckpts.map((r) => [
        r.querySelector('.ckpt-label')?.textContent,
        r.querySelector('.ckpt-loss')?.textContent,
      ]),
      [
        ['Step 20', '1.9000'],
        ['Step 40', '1.3000'],
      ],
    );
    // With the view's stylesheet: the label and the loss never shrink; the time takes what is left
    // and is the part cut with an ellipsis.
    const style = document.createElement('style');
    style.textContent = readFileSync(path.join(__dirname, '../../webview-ui/jobsView/jobs.css'), 'utf8');
    document.head.append(style);
    try {
      const row = ckpts[1]!;
      const css = (selector: string) => getComputedStyle(row.querySelector(selector)!);
      for (const part of ['.ckpt-label', '.ckpt-loss']) {
        assert.equal(css(part).flexShrink, '0', `${part} does not shrink`);
        assert.notEqual(css(part).textOverflow, 'ellipsis', `${part} is never cut`);
      }
      assert.equal(css('.ckpt-time').flexShrink, '1');
      assert.equal(css('.ckpt-time').textOverflow, 'ellipsis');
    } finally {
      style.remove();
    }
  });

  it('follows pushed updates without polling', async () => {
    const { view, host } = await mount();
    const posted = host.posted.length;
    await act(() =>
      host.send({
        type: 'jobs',
        rows: packJobRows([{ ...JOBS[0]!, step: 90 }, ...JOBS.slice(1), job('e5', { name: 'new one' })]),
      }),
    );
    const rows = items(view.getByRole('tree'));
    assert.equal(rows.length, 5);
    assert.equal(rows[0]!.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow'), '90');
    await act(() => host.send({ type: 'backend', backend: { ...backend, error: 'Backend unreachable' } }));
    assert.ok(view.getByText('Backend unreachable'));
    assert.equal(host.posted.length, posted, 'nothing was requested');
  });

  it('persists search, filter, expansion and selection, and restores them', async () => {
    const host = new FakeHost<HostToJobsView, JobsViewToHost>();
    const first = await mount(JOBS, host);
    await act(() => {
      fireEvent.input(first.view.getByLabelText('Search jobs by name or ID'), { target: { value: 'a' } });
    });
    items(first.view.getByRole('tree'))[0]!.focus();
    await key('ArrowRight');
    await key('ArrowRight');
    const saved = host.getState<JobsUiState>()!;
    assert.deepEqual(saved, { search: 'a', filter: 'all', expanded: ['a1'], selected: 'ckpt:a1:20' });
    cleanup();

    const second = await mount(JOBS, host);
    assert.equal((second.view.getByLabelText('Search jobs by name or ID') as HTMLInputElement).value, 'a');
    const rows = items(second.view.getByRole('tree'));
    assert.equal(rows[0]!.getAttribute('aria-expanded'), 'true');
    const selected = rows.find((r) => r.getAttribute('aria-selected') === 'true')!;
    assert.equal(selected.dataset.key, 'ckpt:a1:20');
    assert.equal(selected.tabIndex, 0);
  });

  it('renders malicious names, errors and ids as inert text', async () => {
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const { view } = await mount([
      job('x"><img src=x onerror=alert(1)>', {
        name: evil,
        status: 'failed',
        error: evil,
        model: evil,
        checkpoints: [{ step: 1, savedAt: minutesAgo(1) }],
      }),
    ]);
    const tree = view.getByRole('tree');
    assert.equal(view.container.querySelector('img'), null);
    assert.equal(view.container.querySelector('script'), null);
    assert.ok(view.getByText(`${evil} #1`));
    assert.ok(tooltip(items(tree)[0]!).includes(`Error: ${evil}`));
    await act(() => {
      fireEvent.keyDown(items(tree)[0]!, { key: 'ArrowRight' });
    });
    assert.equal(view.container.querySelector('img'), null);
    assert.equal((globalThis as { pwned?: number }).pwned, undefined);
  });
});

describe('jobs tree: many jobs (windowed)', function () {
  this.timeout(20_000); // 500 jobs in jsdom on a shared 2-core machine
  afterEach(cleanup);
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      job(`m${i}`, {
        name: `run-${i}`,
        checkpoints: i === 1 ? [{ step: 10, savedAt: minutesAgo(1) }] : [],
      }),
    );
  /** 500 jobs, the fourth of them (m3) running, at step 10 of 100. */
  const manyWithRunning = () => {
    const jobs = many(500);
    jobs[3] = { ...jobs[3]!, status: 'running', step: 10, maxSteps: 100 };
    return jobs;
  };
  /** Types `value` into the search box, as a user would. */
  const searchFor = (view: ReturnType<typeof render>, value: string) =>
    act(() => {
      fireEvent.input(view.getByLabelText('Search jobs by name or ID'), { target: { value } });
    });

  it('renders only the rows in view, each with its true aria-posinset/-setsize and level', async () => {
    const { view } = await mount(many(500));
    const tree = view.getByRole('tree');
    const rows = items(tree);
    assert.ok(rows.length > 10 && rows.length < 100, `windowed: ${rows.length} of 500 rows in the DOM`);
    assert.ok(Number.parseFloat(tree.style.height) >= 500 * 28, 'the tree is as tall as all rows');
    rows.forEach((r, i) => {
      assert.equal(r.getAttribute('aria-posinset'), String(i + 1));
      assert.equal(r.getAttribute('aria-setsize'), '500');
      assert.equal(r.getAttribute('aria-level'), '1');
    });
    assert.equal(rows.filter((r) => r.tabIndex === 0).length, 1, 'one tab stop');
  });

  it('moves by keyboard to rows not rendered yet, rendering and focusing them', async () => {
    const { view } = await mount(many(500));
    const tree = view.getByRole('tree');
    items(tree)[0]!.focus();
    assert.equal(view.container.querySelector('[data-key="job:m499"]'), null, 'the last row is not rendered');

    await key('End');
    assert.equal(focused().dataset.key, 'job:m499');
    assert.equal(focused().getAttribute('aria-posinset'), '500');
    assert.equal(focused().getAttribute('aria-selected'), 'true');
    assert.equal(focused().tabIndex, 0);
    assert.equal(view.container.querySelector('[data-key="job:m0"]'), null, 'the first row left the DOM');
    assert.equal(items(tree).filter((r) => r.tabIndex === 0).length, 1, 'still one tab stop');

    await key('ArrowUp');
    assert.equal(focused().dataset.key, 'job:m498');
    await key('PageUp');
    assert.equal(focused().dataset.key, 'job:m488');
    await key('Home');
    assert.equal(focused().dataset.key, 'job:m0');
    for (let i = 0; i < 15; i++) await key('PageDown');
    assert.equal(focused().dataset.key, 'job:m150', 'PageDown walks across the rendered window');

    // Expansion under windowing: a checkpoint row gets level 2 and its own set.
    await key('Home');
    await key('ArrowDown');
    await key('ArrowRight');
    await key('ArrowRight');
    assert.equal(focused().dataset.key, 'ckpt:m1:10');
    assert.equal(focused().getAttribute('aria-level'), '2');
    assert.equal(focused().getAttribute('aria-posinset'), '1');
    assert.equal(focused().getAttribute('aria-setsize'), '1');
    await key('End');
    assert.equal(focused().dataset.key, 'job:m499');
  });

  it("reuses row elements as the search changes, never showing one job's tooltip on another", async () => {
    const { view } = await mount(many(500));
    const tree = view.getByRole('tree');
    const first = items(tree)[0]!;
    assert.match(tooltip(first), /^run-0 #1\n/);
    await searchFor(view, 'run-4');
    const rows = items(tree);
    assert.equal(rows[0], first, 'the element is kept and now shows the first match');
    assert.equal(first.dataset.key, 'job:m4');
    assert.equal(first.querySelector('.name')?.textContent, 'run-4 #1');
    assert.equal(first.getAttribute('aria-posinset'), '1');
    assert.doesNotMatch(first.getAttribute('title') ?? '', /run-0/, "the old job's tooltip is gone");
    assert.match(tooltip(first), /^run-4 #1\n/);
  });

  it('keeps keyboard focus on its job while the list around it changes', async () => {
    const jobs = many(500);
    const { view, host } = await mount(jobs);
    const tree = view.getByRole('tree');
    items(tree)[0]!.focus();
    for (let i = 0; i < 5; i++) await key('ArrowDown');
    const row = focused();
    assert.equal(row.dataset.key, 'job:m5');
    // A new job arrives at the top: every row moves down one place.
    await act(() => host.send({ type: 'jobs', rows: packJobRows([job('new'), ...jobs]) }));
    assert.equal(focused(), row, 'the focused element is the same one');
    assert.equal(focused().dataset.key, 'job:m5');
    assert.equal(focused().getAttribute('aria-posinset'), '7');
    assert.equal(focused().tabIndex, 0);
    await key('ArrowUp');
    assert.equal(focused().dataset.key, 'job:m4');
  });

  it('a live update during a search still shows when the search is cleared', async () => {
    const jobs = manyWithRunning();
    const { view, host } = await mount(jobs);
    const search = (value: string) => searchFor(view, value);
    const progress = () =>
      view.container.querySelector('[data-key="job:m3"] [role="progressbar"]')?.getAttribute('aria-valuenow');
    await search('run-4');
    await act(() => host.send({ type: 'jobsPatch', jobs: [{ ...jobs[3]!, step: 70 }] }));
    await search('');
    assert.equal(progress(), '70');
    await act(() => host.send({ type: 'jobsPatch', jobs: [{ ...jobs[3]!, step: 80 }] }));
    assert.equal(progress(), '80');
    await search('run-3');
    assert.equal(progress(), '80');
  });

  it('asks the host for the detail of the rows it shows beyond the top, once, and shows it', async () => {
    const jobs = many(500);
    jobs[499] = {
      ...jobs[499]!,
      sparkline: [3, 2, 1],
      checkpoints: [{ step: 30, savedAt: minutesAgo(2), loss: 1.5 }],
    };
    const { view, host } = await mount(jobs);
    const asked = () => host.posted.flatMap((m) => (m.type === 'details' ? m.jobIds : []));
    assert.deepEqual(asked(), [], 'the rows in view came whole');
    items(view.getByRole('tree'))[0]!.focus();
    await key('End');
    const last = () => view.container.querySelector<HTMLElement>('[data-key="job:m499"]')!;
    assert.ok(asked().includes('m499'), 'the rows scrolled into view are asked for');
    assert.ok(!asked().includes('m0'));
    assert.equal(
      last().getAttribute('aria-expanded'),
      'false',
      'it can expand before its checkpoints arrive',
    );
    assert.equal(last().querySelector('[data-testid="sparkline"]'), null);
    const count = asked().length;
    await key('ArrowUp');
    assert.equal(asked().length, count, 'each row is asked for once');

    await act(() => host.send({ type: 'jobsPatch', jobs: [jobs[499]!] }));
    assert.ok(last().querySelector('[data-testid="sparkline"]'), 'the sparkline arrives with the detail');
    await key('End');
    await key('ArrowRight');
    await key('ArrowRight');
    assert.equal(focused().dataset.key, 'ckpt:m499:30');
  });

  it('a live update of one job reaches its row and leaves the others as they were', async () => {
    const jobs = manyWithRunning();
    const { view, host } = await mount(jobs);
    const other = view.container.querySelector('[data-key="job:m4"]');
    await act(() => host.send({ type: 'jobsPatch', jobs: [{ ...jobs[3]!, step: 60 }] }));
    const bar = view.container.querySelector('[data-key="job:m3"] [role="progressbar"]')!;
    assert.equal(bar.getAttribute('aria-valuenow'), '60');
    assert.equal(view.container.querySelector('[data-key="job:m4"]'), other, 'the other rows are kept');
    // A patch that changes the status updates the chip counts; one for a filtered-out job shows up.
    await searchFor(view, 'run-3');
    assert.deepEqual(
      items(view.getByRole('tree'))
        .map((r) => r.dataset.key)
        .slice(0, 2),
      ['job:m3', 'job:m30'],
    );
    await act(() =>
      host.send({ type: 'jobsPatch', jobs: [{ ...jobs[3]!, status: 'failed', label: 'renamed #1' }] }),
    );
    assert.equal(view.container.querySelector('[data-key="job:m3"]'), null, 'no longer matches the search');
    assert.equal(view.container.querySelector('[data-filter="failed"] .chip-count')?.textContent, '1');
  });
});
