/**
 * Browser side of bench/jobsView.mjs (bundled by it; not part of the product). Exposes
 * `window.runJobsBench(variant, jobs)`: mounts the real JobsApp ('app') or the pre-windowing view
 * ('naive', bench/naiveJobs) with an in-page fake host holding `jobs` jobs, and returns per-step
 * main-thread times in ms, each ending in a forced synchronous layout: first paint (mount + snapshot
 * + layout), search keystrokes from half a second later (filter + render + layout), and live updates of one running job
 * (message + render + layout; `jobsPatch` for the app, the whole list for the naive view, as each
 * host sends it).
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { packJobRows } from '../src/jobRows';
import type { HostToJobsView, JobSummary, JobsViewToHost } from '../src/protocol';
import { FakeHost } from '../test/webview/fakeChannel';
import { JobsApp } from '../webview-ui/jobsView/JobsApp';
import { type NaiveHostMessage, NaiveJobsApp } from './naiveJobs/JobsApp';
import '../webview-ui/shared/base.css';
import '../webview-ui/jobsView/jobs.css';

const STATUSES = ['completed', 'failed', 'cancelled', 'completed', 'queued'] as const;
const backend = { kind: 'local' as const, label: 'Local backend' };

function makeJobs(n: number): JobSummary[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => {
    const running = i === 0;
    const steps = running ? 10 : 100;
    const name = `${['captain-speak', 'summariser', 'sql-helper', 'poet', 'translator'][i % 5]}-${i}`;
    return {
      id: `job-${i.toString(36)}-${(i * 2654435761) % 1e9}`,
      name,
      label: name,
      status: running ? 'running' : STATUSES[i % STATUSES.length]!,
      createdAt: new Date(now - i * 60_000).toISOString(),
      step: steps,
      maxSteps: 100,
      lastLoss: 1 / (1 + steps / 20),
      sparkline: Array.from({ length: 40 }, (_, k) => 3 / (1 + k / 5) + ((i + k) % 7) * 0.01),
      model: 'unsloth/gemma-3-270m-it',
      dataset: 'pirate-chat',
      checkpoints: Array.from({ length: 5 }, (_, k) => ({
        step: (k + 1) * 20,
        savedAt: new Date(now - i * 60_000 + k * 1000).toISOString(),
        loss: 2 - k * 0.2,
      })),
    };
  });
}

const layout = (root: HTMLElement) => root.getBoundingClientRect().height + document.body.offsetHeight;

function time(fn: () => void, root: HTMLElement): number {
  const t0 = performance.now();
  fn();
  layout(root);
  return performance.now() - t0;
}

async function run(variant: 'app' | 'naive', n: number, updates: number) {
  const root = document.getElementById('app')!;
  const jobs = makeJobs(n);
  const appHost = new FakeHost<HostToJobsView, JobsViewToHost>();
  const naiveHost = new FakeHost<NaiveHostMessage, JobsViewToHost>();
  // The extension host packs the list (its own process's work, timed apart from the view's).
  const tPack = performance.now();
  const rows = packJobRows(jobs);
  const pack = performance.now() - tPack;
  act(() => render(null, root));
  const firstPaint = time(() => {
    // Two acts: the host channel is subscribed in an effect, which the first act flushes.
    act(() =>
      render(variant === 'app' ? <JobsApp channel={appHost} /> : <NaiveJobsApp channel={naiveHost} />, root),
    );
    act(() =>
      variant === 'app'
        ? appHost.send({ type: 'snapshot', rows, backend, trusted: true })
        : naiveHost.send({ type: 'snapshot', jobs }),
    );
  }, root);
  const domRows = root.querySelectorAll('[role="treeitem"]').length;
  // A user's first key comes after the view has been on screen a moment (the first paint's garbage
  // collected, its effects run): typing starts half a second after the first paint.
  await new Promise((resolve) => setTimeout(resolve, 500));

  const input = root.querySelector<HTMLInputElement>('[data-testid="job-search"]')!;
  const keystrokes: number[] = [];
  // Rows a keystroke brings into view that came without their detail are asked for (`details`); the
  // host's answer (a `jobsPatch` of those rows) is a later task, timed apart as the host would send it.
  const details: number[] = [];
  const byId = new Map(jobs.map((j) => [j.id, j]));
  let answered = 0;
  const answerDetails = () => {
    const asked = appHost.posted.slice(answered).flatMap((m) => (m.type === 'details' ? m.jobIds : []));
    answered = appHost.posted.length;
    if (asked.length === 0) return;
    const rowsAsked = asked.map((id) => byId.get(id)!);
    details.push(time(() => act(() => appHost.send({ type: 'jobsPatch', jobs: rowsAsked })), root));
  };
  const type = (value: string) => {
    keystrokes.push(
      time(
        () =>
          act(() => {
            input.value = value;
            input.dispatchEvent(new Event('input', { bubbles: true }));
          }),
        root,
      ),
    );
    if (variant === 'app') answerDetails();
  };
  const query = 'poet-1';
  for (let i = 1; i <= query.length; i++) type(query.slice(0, i));
  for (let i = query.length - 1; i >= 0; i--) type(query.slice(0, i));

  const live: number[] = [];
  let current = jobs;
  for (let u = 0; u < updates; u++) {
    const old = current[0]!;
    const step = (old.step ?? 0) + 1;
    const job: JobSummary = {
      ...old,
      step,
      lastLoss: 1 / (1 + step / 20),
      sparkline: [...(old.sparkline ?? []).slice(1), 1 / (1 + step / 20)],
    };
    current = [job, ...current.slice(1)];
    const send =
      variant === 'app'
        ? () => appHost.send({ type: 'jobsPatch', jobs: [job] })
        : () => naiveHost.send({ type: 'jobs', jobs: current });
    live.push(time(() => act(send), root));
  }
  const shownStep = root
    .querySelector('[data-key^="job:job-0-"] [role="progressbar"]')
    ?.getAttribute('aria-valuenow');
  act(() => render(null, root));
  return {
    firstPaint,
    pack,
    details,
    keystrokes,
    live,
    domRows,
    shownStep: Number(shownStep),
    expectedStep: current[0]!.step,
  };
}

(window as unknown as { runJobsBench: typeof run }).runJobsBench = run;
