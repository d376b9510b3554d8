#!/usr/bin/env node
// `npm run package:vsix`: one .vsix per VS Code desktop platform, each carrying the esbuild binary
// of its own platform (Arkor: Build and Run Training bundle the user's trainer with it).
//
//   node scripts/package-vsix.mjs                     all targets → dist/vsix/arkor-<target>.vsix
//   node scripts/package-vsix.mjs --target darwin-arm64 [--target …]
//   node scripts/package-vsix.mjs --skip-build        reuse the production build in dist/
//
// Why per platform: esbuild is a native binary. A universal .vsix would either carry all six
// (60+ MB, five of them dead weight) or none. The Marketplace serves each user the package of their
// platform (`vsce publish --target`), so every install can build at once, before the project's own
// dependencies are installed. The platform packages come from the npm registry at the exact version
// of our esbuild, checked against the integrity recorded in package-lock.json.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const r = (p) => path.join(root, p);

/** VS Code target → the esbuild platform package that runs there. */
export const TARGETS = {
  'linux-x64': '@esbuild/linux-x64',
  'linux-arm64': '@esbuild/linux-arm64',
  'darwin-x64': '@esbuild/darwin-x64',
  'darwin-arm64': '@esbuild/darwin-arm64',
  'win32-x64': '@esbuild/win32-x64',
  'win32-arm64': '@esbuild/win32-arm64',
};

const args = process.argv.slice(2);
const targets = args.flatMap((a, i) => (args[i - 1] === '--target' ? [a] : []));
for (const t of targets) {
  if (!TARGETS[t]) throw new Error(`unknown target ${t}; one of ${Object.keys(TARGETS).join(', ')}`);
}
const chosen = targets.length > 0 ? targets : Object.keys(TARGETS);

const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });

if (!args.includes('--skip-build')) run(process.execPath, [r('esbuild.mjs'), '--production']);
if (!existsSync(r('dist/extension.js'))) throw new Error('dist/extension.js is missing: build first');

const esbuildVersion = JSON.parse(readFileSync(r('node_modules/esbuild/package.json'), 'utf8')).version;
const lock = JSON.parse(readFileSync(r('package-lock.json'), 'utf8'));
const cache = r('out/esbuild-platforms');
const shipped = r('dist/node_modules');
const outDir = r('dist/vsix');
mkdirSync(cache, { recursive: true });
mkdirSync(outDir, { recursive: true });

/** The platform package's tarball, fetched once and verified against package-lock.json. */
function platformTarball(pkg) {
  const integrity = lock.packages[`node_modules/${pkg}`]?.integrity;
  const locked = lock.packages[`node_modules/${pkg}`]?.version;
  if (!integrity || locked !== esbuildVersion) {
    throw new Error(
      `${pkg}@${esbuildVersion} is not in package-lock.json (found ${locked}): run npm install`,
    );
  }
  const file = path.join(cache, `${pkg.replace('@', '').replace('/', '-')}-${esbuildVersion}.tgz`);
  if (!existsSync(file)) {
    run('npm', ['pack', `${pkg}@${esbuildVersion}`, '--pack-destination', cache, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const [algorithm, expected] = integrity.split('-');
  const actual = createHash(algorithm).update(readFileSync(file)).digest('base64');
  if (actual !== expected) {
    rmSync(file);
    throw new Error(`${file} does not match the integrity in package-lock.json`);
  }
  return file;
}

/** dist/node_modules: esbuild's JS API (no binary of its own) and one platform package. */
function stageEsbuild(pkg) {
  rmSync(shipped, { recursive: true, force: true });
  const api = path.join(shipped, 'esbuild');
  mkdirSync(path.join(api, 'lib'), { recursive: true });
  for (const f of ['package.json', 'LICENSE.md', 'lib/main.js']) {
    copyFileSync(r(`node_modules/esbuild/${f}`), path.join(api, f));
  }
  const dest = path.join(shipped, pkg);
  mkdirSync(dest, { recursive: true });
  run('tar', ['-xzf', platformTarball(pkg), '-C', dest, '--strip-components=1']);
}

const pkgJson = JSON.parse(readFileSync(r('package.json'), 'utf8'));
try {
  for (const target of chosen) {
    stageEsbuild(TARGETS[target]);
    const out = path.join(outDir, `${pkgJson.name}-${pkgJson.version}-${target}.vsix`);
    run(r('node_modules/.bin/vsce'), [
      'package',
      '--target',
      target,
      '--no-dependencies',
      '--allow-missing-repository',
      '--out',
      out,
    ]);
  }
} finally {
  // The development build resolves esbuild from the repository's node_modules again.
  rmSync(shipped, { recursive: true, force: true });
}
