// STAND-IN for the real `arkor` CLI (see ../README.md): `arkor build`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const DEFAULT_ENTRY = join('src', 'arkor', 'index.ts');
export const DEFAULT_OUT_DIR = join('.arkor', 'build');

/**
 * esbuild as the project would resolve it, else the copy next to this stand-in (the repo's
 * node_modules during development).
 * @param {string} cwd
 */
export async function loadEsbuild(cwd) {
  /** @type {string | undefined} */
  let resolved;
  for (const from of [join(cwd, 'package.json'), import.meta.url]) {
    try {
      resolved = createRequire(from).resolve('esbuild');
      break;
    } catch {
      // try the next location
    }
  }
  if (!resolved) throw new Error('esbuild is not installed: run `npm install --save-dev esbuild`.');
  const mod = await import(pathToFileURL(resolved).href);
  return mod.build ? mod : mod.default;
}

/**
 * Bundle `entry` (default `src/arkor/index.ts`) into `<cwd>/.arkor/build/index.mjs`.
 * @param {{ cwd: string, entry?: string, outDir?: string }} opts
 */
export async function build(opts) {
  const cwd = resolve(opts.cwd);
  const entry = resolve(cwd, opts.entry ?? DEFAULT_ENTRY);
  if (!existsSync(entry)) {
    throw new Error(
      `Build entry not found: ${entry}. Create src/arkor/index.ts or pass an explicit entry argument.`,
    );
  }
  const outFile = join(resolve(cwd, opts.outDir ?? DEFAULT_OUT_DIR), 'index.mjs');
  const esbuild = await loadEsbuild(cwd);
  await esbuild.build({
    absWorkingDir: cwd,
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22.22',
    packages: 'external',
    logLevel: 'error',
  });
  return { entry, outFile, relEntry: relative(cwd, entry), relOutFile: relative(cwd, outFile) };
}
