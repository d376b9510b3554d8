/**
 * The packaged extension, one .vsix per VS Code desktop platform (scripts/package-vsix.mjs): each
 * must carry the esbuild binary of its own OS and CPU, executable, and nothing of another platform,
 * or Arkor: Build and Run Training cannot bundle a trainer for its users.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEsbuild } from '../../src/core/trainer/esbuildLoader';
import { extractVsix, nativeKind, problemsFor, readVsix, type VsixContents } from './vsixContents';

const repo = resolve(__dirname, '../..');
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
const { name, version } = require(join(repo, 'package.json')) as { name: string; version: string };
const vsixFile = (target: string) => join(repo, 'dist/vsix', `${name}-${version}-${target}.vsix`);

describe('packaged .vsix per platform', function () {
  this.timeout(10 * 60_000);
  const packages = new Map<string, VsixContents>();

  before(async () => {
    execFileSync(process.execPath, [join(repo, 'scripts/package-vsix.mjs')], { cwd: repo, stdio: 'inherit' });
    for (const target of TARGETS) packages.set(target, await readVsix(vsixFile(target)));
  });

  for (const target of TARGETS) {
    it(`${target}: its own esbuild binary, executable, and nothing of another platform`, () => {
      const vsix = packages.get(target);
      assert.ok(vsix, `${vsixFile(target)} was packaged`);
      assert.deepEqual(problemsFor(target, vsix), []);
      const natives = vsix.entries.filter((e) => nativeKind(e.head));
      assert.equal(natives.length, 1, `exactly one executable: ${natives.map((e) => e.path).join(', ')}`);
    });
  }

  it('ships the product and not the sources, tests or development leftovers', () => {
    const vsix = packages.get('linux-x64');
    assert.ok(vsix);
    const paths = vsix.entries.map((e) => e.path);
    for (const p of [
      'extension/dist/webview/job.js',
      'extension/dist/backend/main.js',
      'extension/package.json',
    ]) {
      assert.ok(paths.includes(p), `ships ${p}`);
    }
    const leaked = paths.filter((p) =>
      /^extension\/(src|test|webview-ui|node_modules|out)\/|\.map$|\.ts$/.test(p),
    );
    assert.deepEqual(leaked, []);
  });

  it('the judge rejects a package for the wrong target (the check can fail)', () => {
    const linux = packages.get('linux-x64');
    assert.ok(linux);
    const asDarwin = problemsFor('darwin-arm64', linux);
    assert.ok(asDarwin.some((p) => /TargetPlatform="darwin-arm64"/.test(p)));
    assert.ok(asDarwin.some((p) => /ships @esbuild\/linux-x64, a package of another platform/.test(p)));
    assert.ok(asDarwin.some((p) => /is a linux-x64 executable/.test(p)));
    // A binary that lost its executable bit is caught too.
    const stripped = {
      ...linux,
      entries: linux.entries.map((e) => (e.path.endsWith('bin/esbuild') ? { ...e, mode: 0o644 } : e)),
    };
    assert.ok(problemsFor('linux-x64', stripped).some((p) => /is not executable/.test(p)));
  });

  it("this machine's package builds with its own esbuild, as installed from the .vsix", async function () {
    const target = `${process.platform}-${process.arch}`;
    if (!TARGETS.includes(target)) this.skip(); // not a desktop target (CI runs linux-x64)
    const dir = mkdtempSync(join(tmpdir(), 'arkor-vsix-'));
    try {
      await extractVsix(vsixFile(target), 'extension/dist/node_modules/', dir);
      const entry = join(dir, 'extension/dist/node_modules/esbuild/lib/main.js');
      const loaded = await loadEsbuild(dir, [{ label: 'the packaged esbuild', entry }]);
      const out = await loaded.esbuild.transform('export const steps: number = 60', { loader: 'ts' });
      assert.match(out.code, /export const steps = 60/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the development build resolving esbuild from node_modules', () => {
    assert.equal(existsSync(join(repo, 'dist/node_modules')), false);
  });
});
