// One build for everything the extension ships:
//   dist/extension.js          the extension host bundle (Node, CJS, `vscode` external)
//   dist/processGuard.js       supervises a training process so it dies with the extension host
//   dist/webview/<name>.js/.css one browser bundle per webview (jobs view, job panel, playground)
//   dist/backend/main.js       the embedded local backend, run by the extension as a child process
// Flags: --watch (rebuild on change), --production (minified, no source maps), --tests (also bundle
// the integration tests that run inside the VS Code extension host into out/test/integration).
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const root = path.dirname(new URL(import.meta.url).pathname);
const r = (p) => path.join(root, p);

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  metafile: true,
  legalComments: production ? 'none' : 'inline',
  define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
};

/** Builds that make up the product. A missing entry (a feature not written yet) is skipped. */
const builds = [
  {
    ...common,
    entryPoints: { extension: r('src/extension.ts'), processGuard: r('src/processGuard.ts') },
    outdir: r('dist'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // esbuild is used at run time to build the user's trainer and ships in node_modules.
    external: ['vscode', 'esbuild'],
    // zod probes `navigator` (for Cloudflare workers); in the extension host that global is a getter
    // that logs a PendingMigrationError. The host is never a browser: the probe is compiled out.
    define: { navigator: 'undefined' },
  },
  {
    ...common,
    // Output name (what the host loads: dist/webview/<name>.js) -> source folder under webview-ui/.
    entryPoints: Object.fromEntries(
      [
        ['jobs', 'jobsView'],
        ['job', 'jobPanel'],
        ['playground', 'playground'],
        ['endpoint', 'endpoint'],
      ]
        .filter(([, folder]) => existsSync(r(`webview-ui/${folder}/main.tsx`)))
        .map(([name, folder]) => [name, r(`webview-ui/${folder}/main.tsx`)]),
    ),
    outdir: r('dist/webview'),
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.ttf': 'file', '.woff2': 'file' },
  },
  existsSync(r('src/backend/main.ts')) && {
    ...common,
    entryPoints: { main: r('src/backend/main.ts'), ...trainerWorkerEntry() },
    outdir: r('dist/backend'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
].filter(Boolean);

function trainerWorkerEntry() {
  const p = r('src/backend/trainWorker.ts');
  return existsSync(p) ? { trainWorker: p } : {};
}

/** Integration tests run inside the extension host: each file bundled on its own, mocha external. */
function testBuild() {
  const dir = r('test/integration');
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f));
  return {
    ...common,
    sourcemap: 'inline',
    entryPoints: files,
    outbase: dir,
    outdir: r('out/test/integration'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha', 'esbuild'],
  };
}

/** The wasm kernels of tfjs-backend-wasm are loaded from disk next to the backend bundle. */
function copyWasm() {
  const from = r('node_modules/@tensorflow/tfjs-backend-wasm/dist');
  if (!existsSync(r('src/backend/main.ts')) || !existsSync(from)) return;
  mkdirSync(r('dist/backend'), { recursive: true });
  for (const f of readdirSync(from).filter((f) => f.endsWith('.wasm'))) {
    copyFileSync(path.join(from, f), r(`dist/backend/${f}`));
  }
}

function printSizes(result) {
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    const kb = (statSync(file).size / 1024).toFixed(1);
    console.log(`  ${path.relative(root, file).padEnd(44)} ${kb.padStart(8)} KiB`);
    void info;
  }
}

const all = args.has('--tests') ? [testBuild()] : builds;
// A production build starts from an empty dist/ so no development source map ends up in a .vsix.
if (production) rmSync(r('dist'), { recursive: true, force: true });
if (watch) {
  for (const options of all) {
    const ctx = await esbuild.context({
      ...options,
      plugins: [
        {
          name: 'report',
          setup(build) {
            build.onEnd((res) => {
              const errors = res.errors.length;
              console.log(
                `[watch] ${errors ? `${errors} error(s)` : 'built'} ${Object.keys(options.entryPoints).join(', ')}`,
              );
            });
          },
        },
      ],
    });
    await ctx.watch();
  }
  copyWasm();
  console.log('[watch] watching for changes…');
} else {
  const started = Date.now();
  const results = await Promise.all(all.map((o) => esbuild.build(o)));
  if (!args.has('--tests')) copyWasm();
  console.log(`esbuild: ${production ? 'production' : 'development'} build in ${Date.now() - started} ms`);
  results.forEach(printSizes);
}
