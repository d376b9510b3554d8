/**
 * Loss chart benchmark: our uPlot chart (the real LossChart + ChartController, bundled with esbuild)
 * against Studio's approach (an SVG <path> whose `d` is rebuilt from every point on every update,
 * min–max scaled, 240 px high), in the same headless Chromium run.
 *
 * Run:  node bench/chart.mjs            (needs /usr/bin/chromium; env CHROMIUM=… to override)
 *
 * Measures, for a finished job of 10,000 and 100,000 points:
 *   - first paint: from having the host's snapshot columns to the first frame painted with the chart
 *     (store ingest + smoothing + uPlot build and draw + the frame), median of 5 after a warm-up;
 *   - live: 200 `metrics` events per second for 5 s on top of those points: frame intervals
 *     (mean / p95 / max) and main-thread milliseconds spent in chart updates per second.
 * Targets: first paint < 100 ms at 100,000 points; ≥ 20x faster than the SVG baseline at 10,000.
 * The page is served from file:// (no network); the bundle is written to a temp directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SIZES = [10_000, 100_000];
const REPS = 5;
const LIVE_SECONDS = 5;
const EVENTS_PER_SECOND = 200;

// The page: real chart modules for "ours", a faithful re-implementation of Studio's SVG for the baseline.
const pageSource = `
import { h, render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './webview-ui/shared/base.css';
import './webview-ui/job/job.css';
import { ChartController } from './webview-ui/job/chartController';
import { LossChart } from './webview-ui/job/LossChart';

const WIDTH = 800;

function columns(from, n) {
  const step = [], loss = [], evalLoss = [], learningRate = [], time = [];
  for (let i = 0; i < n; i++) {
    const s = from + i;
    step.push(s);
    loss.push(2.5 * Math.exp(-s / 20000) + 0.3 + 0.15 * Math.sin(s * 12.9898) * Math.sin(s * 0.7));
    evalLoss.push(s % 10 === 0 ? 2.6 * Math.exp(-s / 20000) + 0.35 : null);
    learningRate.push(2e-4 * Math.min(1, s / 500));
    time.push(1.7e12 + s * 500);
  }
  return { step, loss, evalLoss, learningRate, time };
}

function container() {
  const el = document.createElement('div');
  el.style.width = WIDTH + 'px';
  document.body.appendChild(el);
  return el;
}

/** Resolves after the next frame has been painted (rAF, then a task queued from it). */
function afterPaint() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve();
      ch.port2.postMessage(0);
    });
  });
}

// --- ours --------------------------------------------------------------------------------------
function mountOurs(cols) {
  const el = container();
  const controller = new ChartController({ smoothing: 0.6 });
  controller.snapshot(cols);
  render(h(LossChart, { controller, logScale: false, showLearningRate: false, smoothing: 0.6 }), el);
  const chartEl = el.querySelector('[data-testid="loss-chart"]');
  return { el, controller, chartEl, dispose() { render(null, el); controller.dispose(); el.remove(); } };
}

// --- Studio baseline: SVG path rebuilt from all points on every update --------------------------
function mountSvg(cols) {
  const el = container();
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', String(WIDTH));
  svg.setAttribute('height', '240');
  svg.setAttribute('viewBox', '0 0 ' + WIDTH + ' 240');
  const train = document.createElementNS(NS, 'path');
  train.setAttribute('fill', 'none');
  train.setAttribute('stroke', 'teal');
  train.setAttribute('stroke-width', '2');
  const ev = document.createElementNS(NS, 'path');
  ev.setAttribute('fill', 'none');
  ev.setAttribute('stroke', 'hotpink');
  ev.setAttribute('stroke-dasharray', '4 3');
  svg.append(train, ev);
  el.appendChild(svg);
  const points = [];
  const push = (c) => {
    for (let i = 0; i < c.step.length; i++) points.push({ step: c.step[i], loss: c.loss[i], evalLoss: c.evalLoss[i] });
  };
  const draw = () => {
    let min = Infinity, max = -Infinity;
    for (const p of points) {
      if (p.loss != null) { if (p.loss < min) min = p.loss; if (p.loss > max) max = p.loss; }
      if (p.evalLoss != null) { if (p.evalLoss < min) min = p.evalLoss; if (p.evalLoss > max) max = p.evalLoss; }
    }
    const span = Math.max(max - min, 1e-4);
    const x0 = points[0].step, x1 = points[points.length - 1].step, xs = Math.max(1, x1 - x0);
    const X = (s) => ((s - x0) / xs) * WIDTH;
    const Y = (v) => 240 - ((v - min) / span) * 240;
    let d = '', e = '';
    for (const p of points) {
      if (p.loss != null) d += (d ? 'L' : 'M') + X(p.step).toFixed(2) + ',' + Y(p.loss).toFixed(2);
      if (p.evalLoss != null) e += (e ? 'L' : 'M') + X(p.step).toFixed(2) + ',' + Y(p.evalLoss).toFixed(2);
    }
    train.setAttribute('d', d);
    ev.setAttribute('d', e);
  };
  push(cols);
  draw();
  return { el, append(c) { push(c); draw(); }, dispose() { el.remove(); } };
}

async function firstPaint(kind, n) {
  const cols = columns(0, n);
  await afterPaint();
  const t0 = performance.now();
  const m = kind === 'uplot' ? mountOurs(cols) : mountSvg(cols);
  if (kind === 'uplot') await Promise.resolve(); // uPlot commits its first draw in a microtask
  const tReady = performance.now();
  await afterPaint();
  const t1 = performance.now();
  const points = kind === 'uplot' ? Number(m.chartEl.dataset.points || m.controller.store.length) : n;
  m.dispose();
  return { ready: tReady - t0, paint: t1 - t0, points };
}

async function live(kind, n, seconds, rate) {
  const m = kind === 'uplot' ? mountOurs(columns(0, n)) : mountSvg(columns(0, n));
  await afterPaint();
  await afterPaint();
  let next = n;
  let busy = 0;
  let events = 0;
  const frames = [];
  let last = performance.now();
  let running = true;
  const loop = (t) => { frames.push(t - last); last = t; if (running) requestAnimationFrame(loop); };
  requestAnimationFrame((t) => { last = t; requestAnimationFrame(loop); });
  let flushes = 0;
  if (kind === 'uplot') {
    // Time the coalesced flush too (that is where uPlot draws).
    const flush = m.controller.flush.bind(m.controller);
    m.controller.flush = () => { const a = performance.now(); flush(); busy += performance.now() - a; flushes++; };
  }
  const start = performance.now();
  await new Promise((resolve) => {
    const id = setInterval(() => {
      const now = performance.now();
      const due = Math.floor(((now - start) / 1000) * rate) - events;
      for (let k = 0; k < due; k++) {
        const a = performance.now();
        const row = columns(next, 1);
        if (kind === 'uplot') m.controller.replaceFrom(next, row);
        else m.append(row);
        busy += performance.now() - a;
        next++;
        events++;
      }
      if (now - start >= seconds * 1000) { clearInterval(id); resolve(); }
    }, 1000 / rate);
  });
  running = false;
  await afterPaint();
  const elapsed = (performance.now() - start) / 1000;
  m.dispose();
  const f = frames.slice(2).sort((a, b) => a - b);
  const pct = (p) => f[Math.min(f.length - 1, Math.floor(p * f.length))];
  return {
    events,
    eventsPerSecond: events / elapsed,
    frames: f.length,
    frameMean: f.reduce((s, x) => s + x, 0) / f.length,
    frameP95: pct(0.95),
    frameMax: f[f.length - 1],
    busyPerSecond: busy / elapsed,
    updatesPerSecond: (kind === 'uplot' ? flushes : events) / elapsed,
  };
}

window.bench = { firstPaint, live };
window.benchReady = true;
`;

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'arkor-chart-bench-'));
  try {
    await esbuild.build({
      stdin: { contents: pageSource, resolveDir: root, loader: 'tsx', sourcefile: 'chart-bench-page.tsx' },
      bundle: true,
      outfile: path.join(dir, 'page.js'),
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'warning',
    });
    writeFileSync(
      path.join(dir, 'index.html'),
      '<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="page.css"></head>' +
        '<body class="vscode-dark"><script src="page.js"></script></body></html>',
    );
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
      await page.waitForFunction(() => window.benchReady === true);
      console.log(
        `Chromium ${browser.version()} · load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} · first paint: median of ${REPS} after a warm-up\n`,
      );

      const first = {};
      for (const n of SIZES) {
        for (const kind of ['uplot', 'svg']) {
          await page.evaluate(([k, size]) => window.bench.firstPaint(k, size), [kind, n]); // warm-up
          const runs = [];
          for (let r = 0; r < REPS; r++) {
            runs.push(await page.evaluate(([k, size]) => window.bench.firstPaint(k, size), [kind, n]));
          }
          const med = (key) => runs.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
          first[`${kind}:${n}`] = { ready: med('ready'), paint: med('paint'), points: runs[0].points };
        }
      }
      const liveRes = {};
      for (const n of SIZES) {
        for (const kind of ['uplot', 'svg']) {
          liveRes[`${kind}:${n}`] = await page.evaluate(
            ([k, size, s, rate]) => window.bench.live(k, size, s, rate),
            [kind, n, LIVE_SECONDS, EVENTS_PER_SECOND],
          );
        }
      }
      report(first, liveRes);
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (v) => `${v.toFixed(1)} ms`;
const x = (a, b) => `${(b / a).toFixed(1)}x`;

function report(first, live) {
  console.log('First paint of a finished job (snapshot → painted frame)');
  console.log(
    row([
      'points',
      'uPlot ready',
      'uPlot painted',
      'SVG ready',
      'SVG painted',
      'ratio ready',
      'ratio painted',
    ]),
  );
  for (const n of SIZES) {
    const u = first[`uplot:${n}`];
    const s = first[`svg:${n}`];
    if (u.points !== n) console.warn(`  ! chart holds ${u.points} points, expected ${n}`);
    console.log(
      row([
        n.toLocaleString('en'),
        ms(u.ready),
        ms(u.paint),
        ms(s.ready),
        ms(s.paint),
        x(u.ready, s.ready),
        x(u.paint, s.paint),
      ]),
    );
  }
  console.log(
    `\nLive: ${EVENTS_PER_SECOND} metrics events/s for ${LIVE_SECONDS} s on top of N points (frame = rAF interval)`,
  );
  console.log(
    row(['points', 'chart', 'events/s', 'updates/s', 'update ms/s', 'frame mean', 'frame p95', 'frame max']),
  );
  for (const n of SIZES) {
    for (const kind of ['uplot', 'svg']) {
      const r = live[`${kind}:${n}`];
      console.log(
        row([
          n.toLocaleString('en'),
          kind === 'uplot' ? 'uPlot' : 'SVG',
          r.eventsPerSecond.toFixed(0),
          r.updatesPerSecond.toFixed(0),
          ms(r.busyPerSecond),
          ms(r.frameMean),
          ms(r.frameP95),
          ms(r.frameMax),
        ]),
      );
    }
    const u = live[`uplot:${n}`];
    const s = live[`svg:${n}`];
    console.log(
      `  ratio at ${n.toLocaleString('en')}: main-thread update time ${x(u.busyPerSecond, s.busyPerSecond)}, frame p95 ${x(u.frameP95, s.frameP95)}`,
    );
  }
  const u100 = first['uplot:100000'];
  const u10 = first['uplot:10000'];
  const s10 = first['svg:10000'];
  console.log('\nTargets');
  console.log(
    `  first paint at 100,000 points < 100 ms: ${ms(u100.paint)} → ${u100.paint < 100 ? 'PASS' : 'FAIL'}`,
  );
  const r = live['svg:10000'].busyPerSecond / live['uplot:10000'].busyPerSecond;
  console.log(
    `  ≥ 20x faster than SVG at 10,000: live update cost ${r.toFixed(1)}x → ${r >= 20 ? 'PASS' : 'FAIL'}; ` +
      `first paint ${x(u10.paint, s10.paint)} (ready ${x(u10.ready, s10.ready)})`,
  );
}

function row(cells) {
  return cells.map((c, i) => (i === 0 ? c.padEnd(9) : c.padStart(14))).join('');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
