import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  bundledEsbuild,
  type EsbuildCandidate,
  EsbuildUnavailableError,
  loadEsbuild,
  projectEsbuild,
} from '../../../src/core/trainer/esbuildLoader';
import { TempDirs, writeTree } from './tmp';

const repo = resolve(__dirname, '../../..');
const realEsbuild = join(repo, 'node_modules/esbuild');
/** The platform package esbuild's JS looks for on this machine (linux/darwin naming). */
const platformPackage = `@esbuild/${process.platform}-${process.arch}`;

/**
 * A copy of esbuild's JS API in `dir`/node_modules/esbuild, with `binary` as its platform binary:
 * a script (a broken binary) or nothing (a .vsix of another platform).
 */
async function esbuildCopy(dir: string, binary?: string): Promise<EsbuildCandidate> {
  const pkg = join(dir, 'node_modules/esbuild');
  await mkdir(join(pkg, 'lib'), { recursive: true });
  await copyFile(join(realEsbuild, 'package.json'), join(pkg, 'package.json'));
  await copyFile(join(realEsbuild, 'lib/main.js'), join(pkg, 'lib/main.js'));
  if (binary !== undefined) {
    const bin = join(dir, 'node_modules', platformPackage, 'bin/esbuild');
    await writeTree(dir, {
      [`node_modules/${platformPackage}/package.json`]: '{"name":"x","version":"0.0.0"}',
      [`node_modules/${platformPackage}/bin/esbuild`]: binary,
    });
    await chmod(bin, 0o755);
  }
  return { label: "the extension's esbuild", entry: join(pkg, 'lib/main.js') };
}

describe('esbuild loader (which esbuild builds the trainer)', function () {
  this.timeout(30_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it("uses the extension's own esbuild when it runs", async () => {
    const root = await temp.make();
    const loaded = await loadEsbuild(root);
    assert.equal(loaded.candidate.label, "the extension's esbuild");
    assert.equal(loaded.candidate.entry, bundledEsbuild()?.entry);
    const out = await loaded.esbuild.transform('const a: number = 1', { loader: 'ts' });
    assert.match(out.code, /const a = 1/);
  });

  it("falls back to the project's esbuild, found through its arkor dependency, when the extension's is broken", async () => {
    const ext = await temp.make();
    const broken = await esbuildCopy(ext, '#!/bin/sh\necho "not esbuild"\nexit 3\n');
    const root = await temp.make();
    await writeTree(root, {
      'package.json': '{"name":"p","dependencies":{"arkor":"*"}}',
      'node_modules/arkor/package.json': '{"name":"arkor","version":"1.0.0"}',
    });
    // arkor's esbuild nested under it, as a package manager that does not hoist leaves it.
    await mkdir(join(root, 'node_modules/arkor/node_modules'), { recursive: true });
    await symlink(realEsbuild, join(root, 'node_modules/arkor/node_modules/esbuild'));
    const project = projectEsbuild(root);
    assert.ok(project, "the project's esbuild is found through arkor");
    assert.match(project.label, /through arkor/);

    const loaded = await loadEsbuild(root, [broken, project]);
    assert.equal(loaded.candidate, project);
    const out = await loaded.esbuild.transform('let x = 1 satisfies number', { loader: 'ts' });
    assert.match(out.code, /let x = 1/);
  });

  it('names each copy tried, why it failed, and the fix, in one readable line', async () => {
    const ext = await temp.make();
    const missing = await esbuildCopy(ext); // JS API without the platform binary
    const ext2 = await temp.make();
    const broken = await esbuildCopy(ext2, '#!/bin/sh\nexit 1\n');
    const root = await temp.make();
    await assert.rejects(
      loadEsbuild(root, [missing, { ...broken, label: "the project's esbuild" }]),
      (error: unknown) => {
        assert.ok(error instanceof EsbuildUnavailableError);
        assert.equal(error.attempts.length, 2);
        assert.match(error.attempts[0]?.reason ?? '', new RegExp(`${platformPackage}.*could not be found`));
        assert.ok(error.attempts[1]?.reason, 'the broken copy has a reason');
        const platform = `${process.platform}-${process.arch}`;
        assert.match(error.message, new RegExp(`could not run on this machine \\(${platform}\\)`));
        assert.match(error.message, /the extension's esbuild: .*; the project's esbuild: /);
        assert.match(error.message, new RegExp(`built for ${platform}`));
        assert.match(error.message, /run `npm install` in /);
        assert.ok(!error.message.includes('\n'), 'one line, not esbuild’s paragraphs');
        assert.ok(!/\bat .*:\d+:\d+/.test(error.message), 'no stack frames');
        return true;
      },
    );
  });

  it('a build on a machine where no esbuild runs fails as a build error at the entry, not a throw', async () => {
    const root = await temp.make();
    await writeTree(root, {
      'src/arkor/index.ts': 'export const arkor = {};\n',
      'broken-esbuild': '#!/bin/sh\nexit 7\n',
    });
    await chmod(join(root, 'broken-esbuild'), 0o755);
    // ESBUILD_BINARY_PATH makes every esbuild in the process use the broken binary, as on a machine
    // whose platform has none; buildTrainer runs with its real default loader in a child process.
    const script = `
      const { buildTrainer } = require(${JSON.stringify(join(repo, 'src/core/trainer/build.ts'))});
      buildTrainer({ root: ${JSON.stringify(root)}, entry: ${JSON.stringify(join(root, 'src/arkor/index.ts'))} })
        .then((r) => console.log(JSON.stringify(r)), (e) => { console.log('THREW ' + e); process.exit(1); });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: repo,
      env: { ...process.env, ESBUILD_BINARY_PATH: join(root, 'broken-esbuild') },
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '');
    assert.equal(result.ok, false);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0].file, join(root, 'src/arkor/index.ts'));
    assert.equal(result.errors[0].line, 1);
    assert.match(result.errors[0].message, /esbuild, which builds the trainer, could not run/);
    assert.match(result.errors[0].message, /npm install/);
    assert.equal(dirname(result.outFile), join(root, '.arkor/build'));
  });
});
