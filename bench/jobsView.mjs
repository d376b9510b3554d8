/**
 * Jobs view at scale: 10 vs 10,000 jobs (each with 5 checkpoints and a 40-point sparkline).
 *
 * Run:  node bench/jobsView.mjs            (options: --jobs 10000 --updates 100 --runs 3 --naive-updates 20)
 *
 * Bundles the real JobsApp (bench/jobsView.page.tsx) into a page in headless Chromium, with an
 * in-page fake host channel, and measures main-thread time, each step ending in a forced layout:
 *   first paint   mount + snapshot message (structured clone of the packed rows, src/jobRows.ts) +
 *                 render + layout; the host's packing is timed apart and printed
 *   keystroke     one character typed into / deleted from the search box, from half a second after the
 *                 first paint (a user's first key, the first of them included):
 *                 filter + render + layout; rows it brings into view without their detail ask the
 *                 host for it, whose answer (a jobsPatch of those rows) is timed apart
 *   live update   one running job's progress: host message + render + layout; at 10 events/s the
 *                 view spends 10x this per second. Compared at 10 and at N jobs (the ratio).
 * Baseline in the same run: the view before windowing (bench/naiveJobs: every row in the DOM, no
 * memoized rows, all jobs filtered per keystroke, the whole list sent per update). Each variant and
 * size runs in a fresh page after a warm-up; the app's
 * runs of 10 and N jobs alternate, and each figure is the best run's (least disturbed by other
 * processes on a shared machine); the naive view runs once.
 * Targets at N = 10,000: first paint < 100 ms, every keystroke < 16 ms, live update ratio N/10 ~ 1.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { buildBenchPage, launchChromium } from './benchPage.mjs';

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(argv[i + 1]);
};
const N = arg('jobs', 10000);
const UPDATES = arg('updates', 100);
const RUNS = arg('runs', 3);
/** The naive view takes seconds per step at 10,000 jobs: fewer updates, one run. */
const NAIVE_UPDATES = arg('naive-updates', 20);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
/** Mean of the fastest 90% (drops GC pauses and other processes' interference on a shared box). */
const trimmed = (xs) => {
  const s = xs
    .slice()
    .sort((a, b) => a - b)
    .slice(0, Math.max(1, Math.floor(xs.length * 0.9)));
  return s.reduce((a, b) => a + b, 0) / s.length;
};

async function measure(browser, dir, variant, jobs, runs, updates) {
  const results = [];
  for (let r = 0; r < runs; r++) {
    const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
    await page.goto(`file://${dir}/index.html`);
    await page.evaluate(([v]) => window.runJobsBench(v, 200, 50), [variant]); // warm-up (JIT)
    const res = await page.evaluate(([v, n, u]) => window.runJobsBench(v, n, u), [variant, jobs, updates]);
    await page.close();
    if (res.shownStep !== res.expectedStep)
      throw new Error(`${variant} ${jobs}: shows step ${res.shownStep}, expected ${res.expectedStep}`);
    results.push(res);
  }
  return {
    firstPaint: Math.min(...results.map((r) => r.firstPaint)),
    keyMedian: Math.min(...results.map((r) => median(r.keystrokes))),
    keyMax: Math.min(...results.map((r) => Math.max(...r.keystrokes))),
    live: Math.min(...results.map((r) => trimmed(r.live))),
    liveMax: Math.min(...results.map((r) => Math.max(...r.live))),
    domRows: results[0].domRows,
    pack: Math.min(...results.map((r) => r.pack)),
    detailMax: Math.min(...results.map((r) => Math.max(0, ...(r.details ?? [])))),
    detailCount: results[0].details?.length ?? 0,
  };
}

async function main() {
  const dir = await buildBenchPage({
    entry: path.join(root, 'bench/jobsView.page.tsx'),
    name: 'bench',
    prefix: 'arkor-jobs-bench-',
    bodyHtml: '<div id="app"></div>',
  });
  const browser = await launchChromium();
  try {
    const out = {};
    for (const jobs of [10, N])
      out[`naive ${jobs}`] = await measure(browser, dir, 'naive', jobs, 1, NAIVE_UPDATES);
    const runs = { 10: [], [N]: [] };
    for (let r = 0; r < RUNS; r++)
      for (const jobs of [10, N]) runs[jobs].push(await measure(browser, dir, 'app', jobs, 1, UPDATES));
    for (const jobs of [10, N]) {
      const rs = runs[jobs];
      const best = (k) => Math.min(...rs.map((m) => m[k]));
      out[`app ${jobs}`] = {
        domRows: rs[0].domRows,
        firstPaint: best('firstPaint'),
        keyMedian: best('keyMedian'),
        keyMax: best('keyMax'),
        live: best('live'),
        liveMax: best('liveMax'),
        pack: best('pack'),
        detailMax: best('detailMax'),
        detailCount: rs[0].detailCount,
      };
    }
    const f = (x, d = 2) => x.toFixed(d);
    console.log(
      `Jobs view: app best of ${RUNS} alternating runs x ${UPDATES} live updates, naive 1 run x ${NAIVE_UPDATES}; ms of main-thread work (+ forced layout)`,
    );
    const head = ['DOM rows', 'first paint', 'key p50', 'key max', 'update', 'update max', 'ms/s @10/s'];
    console.log(`${'variant'.padEnd(14)} ${head.map((h) => h.padStart(11)).join(' ')}`);
    for (const [name, m] of Object.entries(out)) {
      const cells = [
        m.domRows,
        f(m.firstPaint, 1),
        f(m.keyMedian),
        f(m.keyMax),
        f(m.live, 3),
        f(m.liveMax),
        f(m.live * 10),
      ];
      console.log(`${name.padEnd(14)} ${cells.map((c) => String(c).padStart(11)).join(' ')}`);
    }
    const app = out[`app ${N}`];
    const naive = out[`naive ${N}`];
    const appRatio = app.live / out['app 10'].live;
    const naiveRatio = naive.live / out['naive 10'].live;
    console.log(
      `extension host, packing the list for the snapshot (not in the view's figures): ${f(out[`app ${N}`].pack, 1)} ms at ${N} jobs`,
    );
    console.log(
      `rows' detail arriving after a keystroke (the host's jobsPatch, a later task): ${out[`app ${N}`].detailCount} times, max ${f(out[`app ${N}`].detailMax)} ms`,
    );
    console.log(`live update cost, ${N} vs 10 jobs: app ${f(appRatio)}x, naive ${f(naiveRatio)}x`);
    console.log(
      `app vs naive at ${N}: first paint ${f(naive.firstPaint / app.firstPaint, 1)}x faster, ` +
        `keystroke max ${f(naive.keyMax / app.keyMax, 1)}x, live update ${f(naive.live / app.live, 1)}x`,
    );
    const verdict = (ok) => (ok ? 'met' : 'MISSED');
    console.log(
      `targets at ${N}: first paint < 100 ms ${verdict(app.firstPaint < 100)}, ` +
        `keystroke < 16 ms ${verdict(app.keyMax < 16)}, live update ratio <= 1.5 ${verdict(appRatio <= 1.5)}`,
    );
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
