import assert from 'node:assert/strict';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveArkorCli, startArgs } from '../../../src/core/trainer';
import { TempDirs, writeTree } from './tmp';

describe('arkor CLI resolution', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('walks up to the nearest node_modules/arkor with a bin.arkor', async () => {
    const ws = await temp.make();
    await writeTree(ws, {
      'node_modules/arkor/package.json': JSON.stringify({
        name: 'arkor',
        version: '0.0.3-alpha.1',
        bin: { arkor: 'dist/bin.mjs' },
      }),
      'node_modules/arkor/dist/bin.mjs': '',
    });
    const project = join(ws, 'apps', 'trainer');
    await mkdir(project, { recursive: true });
    const cli = resolveArkorCli(project, { nodePath: '/opt/node' });
    const bin = await realpath(join(ws, 'node_modules/arkor/dist/bin.mjs'));
    assert.deepEqual(cli, {
      command: '/opt/node',
      args: [bin],
      kind: 'workspace',
      binPath: bin,
      packageDir: join(ws, 'node_modules', 'arkor'),
      version: '0.0.3-alpha.1',
    });
    assert.equal(resolveArkorCli(project)?.command, 'node');
  });

  it('prefers the closest package, accepts a string bin, and skips packages without a usable bin', async () => {
    const ws = await temp.make();
    await writeTree(ws, {
      'node_modules/arkor/package.json': JSON.stringify({ bin: 'cli.js' }),
      'node_modules/arkor/cli.js': '',
      'p/node_modules/arkor/package.json': JSON.stringify({ bin: { other: 'x.js' } }), // no bin.arkor
      'p/q/node_modules/arkor/package.json': JSON.stringify({ bin: { arkor: 'missing.js' } }), // bin file missing
    });
    await mkdir(join(ws, 'p/q/r'), { recursive: true });
    assert.equal(
      resolveArkorCli(join(ws, 'p/q/r'))?.binPath,
      await realpath(join(ws, 'node_modules/arkor/cli.js')),
    );
  });

  it('returns undefined without an arkor package', async () => {
    const ws = await temp.make();
    await writeFile(join(ws, 'package.json'), '{}');
    // tmpdir has no node_modules/arkor above it (a stray one there would make this test meaningless).
    assert.equal(resolveArkorCli(ws), undefined);
  });

  it('startArgs runs `start` without an entry, and only for the fixed artifact path', () => {
    assert.deepEqual(startArgs({ outFile: '/p/.arkor/build/index.mjs', root: '/p' }), ['start']);
    assert.deepEqual(startArgs({ outFile: '/p/.arkor/build/index.mjs' }), ['start']);
    assert.throws(() => startArgs({ outFile: '/p/dist/index.mjs' }), /arkor start only runs/);
    assert.throws(
      () => startArgs({ outFile: '/q/.arkor/build/index.mjs', root: '/p' }),
      /arkor start only runs/,
    );
  });
});
