// Shared by the browser benchmarks (chart.mjs, playground.mjs): bundle a page entry the way the
// webviews are bundled for production into a fresh temporary folder with an index.html, and launch
// Debian's headless Chromium.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

/**
 * Builds `<dir>/<name>.js` (+ `<name>.css`) from `entry` and an index.html whose body is
 * `<body{bodyAttributes}>{bodyHtml}<script src="<name>.js">`. Returns the folder; the caller removes it.
 */
export async function buildBenchPage({ entry, name, prefix, bodyAttributes = '', bodyHtml = '' }) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  await esbuild.build({
    entryPoints: { [name]: entry },
    outdir: dir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: !process.env.BENCH_NO_MINIFY, // BENCH_NO_MINIFY=1 keeps names for profiling
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  writeFileSync(
    path.join(dir, 'index.html'),
    `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${name}.css"></head>` +
      `<body${bodyAttributes}>${bodyHtml}<script src="${name}.js"></script></body></html>`,
  );
  return dir;
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
