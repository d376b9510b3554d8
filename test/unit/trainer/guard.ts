/**
 * The process guard as the extension runs it: src/processGuard.ts bundled to plain JavaScript (as
 * esbuild.mjs makes dist/processGuard.js), once per test process, so runs need no loader and can
 * start in any folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

let built: string | undefined;

export function guardCommand(): string[] {
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), 'arkor-guard-build-'));
    built = join(dir, 'processGuard.js');
    buildSync({
      entryPoints: [resolve(__dirname, '../../../src/processGuard.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: built,
      logLevel: 'error',
    });
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return [process.execPath, built];
}
