/**
 * Playground streaming render benchmark.
 *
 * Run:  node bench/playground.mjs            (options: --tokens 4000 --window 400 --runs 1)
 *
 * Bundles the real Playground components (bench/playground.page.tsx) with esbuild into a page, opens
 * it in headless Chromium (playwright-core, /usr/bin/chromium) and streams a generated 4,000-token
 * markdown reply (headings, paragraphs, lists, code fences) one token per chunk, i.e. the chunking of
 * a 200 tokens/s stream, but fed as fast as the page takes it (one task per chunk). For each chunk it
 * measures main-thread time from delivering the chunk to the DOM being updated and laid out (a
 * forced synchronous layout), then compares the first and the last `window` chunks. The renderer is
 * incremental if that ratio stays ~1 as the reply grows. Variants, each in a fresh page:
 *   app            the whole PlaygroundApp, chunks delivered as `chatDelta` host messages
 *   incremental    MarkdownView alone (what the app uses)
 *   naive-diff     re-parse the whole reply every chunk, Preact diffs the whole tree
 *   naive-rebuild  re-parse and rebuild the whole reply's DOM every chunk (like innerHTML = md(text))
 * At 200 tokens/s a chunk arrives every 5 ms: that is the budget per chunk.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { buildBenchPage, launchChromium } from './benchPage.mjs';

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(argv[i + 1]);
};
const TOKENS = arg('tokens', 4000);
const WINDOW = arg('window', 400);
const RUNS = arg('runs', 1);
const WARMUP = arg('warmup', 600);
const ORIGIN = 'https://bench.arkor.test';
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

/** A deterministic markdown reply cut into ~4-character "tokens" (what a BPE stream looks like). */
function reply(tokens) {
  const words =
    'the model learns a low rank update for each attention projection so that training touches only a small fraction of weights while the base stays frozen'.split(
      ' ',
    );
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const sentence = (n) => {
    const w = Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]);
    if (rand() < 0.3) w[1] = `**${w[1]}**`;
    if (rand() < 0.3) w[3] = `*${w[3]}*`;
    if (rand() < 0.3) w[5] = `\`${w[5]}\``;
    return `${w.join(' ')}.`;
  };
  const parts = [];
  let section = 0;
  while (parts.join('').length < tokens * 5) {
    section++;
    parts.push(`## Step ${section}: ${sentence(4)}\n\n`);
    parts.push(`${sentence(14)} ${sentence(12)} ${sentence(16)}\n\n`);
    parts.push(`- ${sentence(6)}\n- ${sentence(8)}\n- ${sentence(5)}\n\n`);
    if (section % 2 === 0) {
      parts.push('```python\n');
      for (let i = 0; i < 6; i++)
        parts.push(`lora_${i} = adapter.layer(${i}, rank=${8 * (i + 1)})  # ${sentence(3)}\n`);
      parts.push('```\n\n');
    }
    parts.push(`${sentence(18)} ${sentence(10)}\n\n`);
  }
  const chunks = parts.join('').match(/\s*[^\s]{1,4}|\s+/g) ?? [];
  return chunks.slice(0, tokens);
}

function summary(times) {
  const sorted = times.slice().sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  // Trimmed mean: the fastest 90% (drops GC pauses and other processes' interference on a busy box).
  const kept = sorted.slice(0, Math.max(1, Math.floor(sorted.length * 0.9)));
  const trimmed = kept.reduce((a, b) => a + b, 0) / kept.length;
  return { mean, trimmed, median: q(0.5), p95: q(0.95) };
}

const fmt = (n) => `${n.toFixed(3)} ms`;

async function main() {
  const dir = await buildBenchPage({
    entry: path.join(root, 'bench/playground.page.tsx'),
    name: 'bench',
    prefix: 'arkor-pg-bench-',
    bodyHtml: '<div id="app"></div>',
  });
  try {
    const chunks = reply(TOKENS);
    const chars = chunks.join('').length;
    console.log(
      `reply: ${chunks.length} tokens (chunks), ${chars} chars; windows: first and last ${WINDOW} chunks; budget at 200 tok/s: 5 ms/chunk`,
    );
    const browser = await launchChromium();
    try {
      const rows = [];
      for (const variant of ['app', 'incremental', 'naive-diff', 'naive-rebuild']) {
        for (let run = 0; run < RUNS; run++) {
          const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
          // Served cross-origin isolated so performance.now() has 5 µs resolution instead of 100 µs.
          await page.route(`${ORIGIN}/**`, (route) => {
            const file = new URL(route.request().url()).pathname.slice(1) || 'index.html';
            route.fulfill({
              path: path.join(dir, file),
              headers: {
                'Cross-Origin-Opener-Policy': 'same-origin',
                'Cross-Origin-Embedder-Policy': 'require-corp',
                'Content-Type': file.endsWith('.js')
                  ? 'text/javascript'
                  : file.endsWith('.css')
                    ? 'text/css'
                    : 'text/html',
              },
            });
          });
          await page.goto(`${ORIGIN}/index.html`);
          if (!(await page.evaluate(() => window.crossOriginIsolated)))
            console.warn('not cross-origin isolated');
          // Warm-up (JIT, style caches) on a shorter stream, discarded; then the measured run.
          await page.evaluate(
            ([v, c]) => window.runPlaygroundBench(v, c),
            [variant, chunks.slice(0, WARMUP)],
          );
          const times = await page.evaluate(([v, c]) => window.runPlaygroundBench(v, c), [variant, chunks]);
          await page.close();
          const start = summary(times.slice(0, WINDOW));
          const end = summary(times.slice(-WINDOW));
          const total = times.reduce((a, b) => a + b, 0);
          const tenth = Math.floor(times.length / 10);
          const deciles = Array.from(
            { length: 10 },
            (_, i) => summary(times.slice(i * tenth, (i + 1) * tenth)).median,
          );
          rows.push({ variant, start, end, total, deciles });
        }
      }
      const head = ['start p50', 'end p50', 'ratio', 'start tmean', 'end tmean', 'ratio', 'end p95', 'total'];
      console.log(`${'variant'.padEnd(14)} ${head.map((h) => h.padStart(11)).join(' ')}`);
      for (const { variant, start, end, total } of rows) {
        const cells = [
          fmt(start.median),
          fmt(end.median),
          (end.median / start.median).toFixed(2),
          fmt(start.trimmed),
          fmt(end.trimmed),
          (end.trimmed / start.trimmed).toFixed(2),
          fmt(end.p95),
          `${(total / 1000).toFixed(2)} s`,
        ];
        console.log(`${variant.padEnd(14)} ${cells.map((c) => c.padStart(11)).join(' ')}`);
      }
      console.log(
        'p50 = median, tmean = mean of the fastest 90% of chunks, ratio = end / start (~1: no growth)',
      );
      console.log('\nmedian ms per chunk, by tenth of the reply:');
      for (const { variant, deciles } of rows) {
        console.log(`${variant.padEnd(14)} ${deciles.map((d) => d.toFixed(3).padStart(7)).join(' ')}`);
      }
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
