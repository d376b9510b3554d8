import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { findArkorProjects, findTrainerCalls, isTrainerSource } from '../../../src/core/trainer';
import { TempDirs, writeTree } from './tmp';

const ENTRY = 'src/arkor/index.ts';
const TRAINER = "import { createArkor, createTrainer } from 'arkor';\n";

describe('trainer discovery', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  describe('findArkorProjects', () => {
    it('finds projects across several roots, nested ones included, and ignores dependency/build folders', async () => {
      const a = await temp.make();
      const b = await temp.make();
      await writeTree(a, {
        [ENTRY]: TRAINER,
        'package.json': JSON.stringify({ name: 'root-project' }),
        [`examples/one/${ENTRY}`]: TRAINER,
        [`packages/deep/x/y/z/${ENTRY}`]: TRAINER, // depth 5
        [`node_modules/some-lib/${ENTRY}`]: TRAINER,
        [`.git/modules/${ENTRY}`]: TRAINER,
        [`dist/${ENTRY}`]: TRAINER,
        [`out/${ENTRY}`]: TRAINER,
        [`.arkor/build/${ENTRY}`]: TRAINER,
        'not-a-project/src/arkor/other.ts': TRAINER,
      });
      await writeTree(b, { [`service/${ENTRY}`]: TRAINER });

      const projects = await findArkorProjects([a, b]);
      const roots = projects.map((p) => p.root).sort();
      assert.deepEqual(
        roots,
        [a, join(a, 'examples/one'), join(a, 'packages/deep/x/y/z'), join(b, 'service')].sort(),
      );
      const top = projects.find((p) => p.root === a);
      assert.equal(top?.name, 'root-project', 'package.json name');
      assert.equal(top?.entry, join(a, ENTRY));
      assert.equal(
        projects.find((p) => p.root === join(b, 'service'))?.name,
        'service',
        'folder name fallback',
      );
    });

    it('bounds the depth, reports overlapping roots once and does not follow symlinked folders', async () => {
      const a = await temp.make();
      await writeTree(a, { [`l1/l2/l3/l4/l5/l6/l7/${ENTRY}`]: TRAINER, [`inner/${ENTRY}`]: TRAINER });
      await mkdir(join(a, 'loop'));
      await symlink(a, join(a, 'loop', 'back'), 'dir');
      const projects = await findArkorProjects([a, join(a, 'inner')]);
      assert.deepEqual(
        projects.map((p) => p.root),
        [join(a, 'inner')],
      );
      const deeper = await findArkorProjects([a], { maxDepth: 8 });
      assert.equal(deeper.length, 2);
    });

    it('returns nothing for a missing root', async () => {
      assert.deepEqual(await findArkorProjects(['/definitely/not/here']), []);
    });
  });

  describe('isTrainerSource / findTrainerCalls', () => {
    it('recognises calls and ignores comments, strings and declarations', () => {
      assert.equal(isTrainerSource(`${TRAINER}export const t = createTrainer({ model: 'm' });`), true);
      assert.equal(isTrainerSource('export const arkor = createArkor ({ trainer });'), true);
      assert.equal(isTrainerSource('// createTrainer({})\n/* createArkor({ trainer }) */\n'), false);
      assert.equal(isTrainerSource("const s = 'createTrainer(';\nconst t = `createArkor(`;"), false);
      assert.equal(isTrainerSource('function createTrainer(config) { return config; }'), false);
      assert.equal(isTrainerSource('const x = mycreateTrainer({});'), false);
      assert.equal(isTrainerSource('const x = sdk.createTrainer({});'), true);
      assert.equal(
        isTrainerSource("import { createTrainer } from 'arkor';"),
        false,
        'an import is not a call',
      );
    });

    it('reports 0-based lines and the trainer name literal', () => {
      const text = [
        "import { createArkor, createTrainer } from 'arkor';", // 0
        '/* createTrainer({ name: "in-comment" }) */', // 1
        'const trainer = createTrainer({', // 2
        '  model: "unsloth/gemma-4-E4B-it",', // 3
        '  callbacks: { onLog: () => ({ name: "nested" }) },', // 4
        "  dataset: { type: 'blob', url: 'a}b.jsonl' },", // 5
        "  name: 'captain\\'s-run',", // 6
        '});', // 7
        'const other = createTrainer(config);', // 8
        'export const arkor = createArkor({ trainer });', // 9
      ].join('\r\n');
      assert.deepEqual(findTrainerCalls(text), [
        { line: 2, column: 16, kind: 'createTrainer', name: "captain's-run" },
        { line: 8, column: 14, kind: 'createTrainer' },
        { line: 9, column: 21, kind: 'createArkor' },
      ]);
    });

    it('takes a name written first, with double quotes or a plain template literal', () => {
      assert.equal(findTrainerCalls('createTrainer({ name: "a-b", model: m })')[0]?.name, 'a-b');
      assert.equal(findTrainerCalls('createTrainer({\n  name: `tpl`\n})')[0]?.name, 'tpl');
      const interpolated = 'createTrainer({ name: `x-$' + '{n}` })'; // a template literal with a placeholder
      assert.equal(findTrainerCalls(interpolated)[0]?.name, undefined);
      assert.equal(findTrainerCalls('createTrainer({ modelname: "no" })')[0]?.name, undefined);
    });
  });
});
