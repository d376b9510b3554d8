/**
 * Every entry form the `arkor` CLI runs (arkor-sdk-api.md §8: a named `arkor` manifest or trainer,
 * a bare `export const trainer`, a default-exported manifest or trainer, `default.trainer`) is found
 * as a project, builds, and trains on the local backend; an entry with none of them fails the build
 * at the entry with the CLI's own message, before anything runs.
 */
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  buildTrainer,
  findArkorProjects,
  isTrainerSource,
  NO_TRAINER_EXPORT_MESSAGE,
} from '../../../src/core/trainer';
import { useLocalRuns } from './localRun';
import { writeTree } from './tmp';

const REPO = resolve(__dirname, '../../..');

const TRAINER = `createTrainer({
  name: 'form-test',
  model: 'unsloth/gemma-4-E4B-it',
  dataset: { type: 'blob', url: './data/chat.jsonl' },
  maxSteps: 2,
})`;

/** Entry sources by the export the CLI finds. */
const FORMS: Record<string, { entry: string; export: string }> = {
  'export const arkor = createArkor(...)': {
    entry: `import { createArkor, createTrainer } from 'arkor';\nconst trainer = ${TRAINER};\nexport const arkor = createArkor({ trainer });\n`,
    export: 'arkor',
  },
  'export const arkor = createTrainer(...)': {
    entry: `import { createTrainer } from 'arkor';\nexport const arkor = ${TRAINER};\n`,
    export: 'arkor',
  },
  'a bare export const trainer': {
    entry: `import { createTrainer } from 'arkor';\nexport const trainer = ${TRAINER};\n`,
    export: 'trainer',
  },
  'a trainer re-exported from another file': {
    entry: "export { trainer } from './trainer';\n",
    export: 'trainer',
  },
  'export default createArkor(...)': {
    entry: `import { createArkor, createTrainer } from 'arkor';\nexport default createArkor({ trainer: ${TRAINER} });\n`,
    export: 'default',
  },
  'export default createTrainer(...)': {
    entry: `import { createTrainer } from 'arkor';\nexport default ${TRAINER};\n`,
    export: 'default',
  },
  'export default { trainer }': {
    entry: `import { createTrainer } from 'arkor';\nconst trainer = ${TRAINER};\nexport default { trainer };\n`,
    export: 'default',
  },
};

describe('trainer entry forms the arkor CLI runs', function () {
  this.timeout(180_000);
  const runs = useLocalRuns();

  async function project(entry: string): Promise<string> {
    const root = join(await runs.temp.make('arkor-forms-'), 'project');
    await writeTree(root, {
      'package.json': JSON.stringify({ name: 'forms', type: 'module', dependencies: { arkor: '*' } }),
      'src/arkor/index.ts': entry,
      'src/arkor/trainer.ts': `import { createTrainer } from 'arkor';\nexport const trainer = ${TRAINER};\n`,
      'data/chat.jsonl': `${Array.from({ length: 8 }, (_, i) =>
        JSON.stringify({
          messages: [
            { role: 'user', content: `Question ${i}?` },
            { role: 'assistant', content: `Answer ${i}, matey.` },
          ],
        }),
      ).join('\n')}\n`,
    });
    await mkdir(join(root, 'node_modules'));
    await symlink(join(REPO, 'packages/arkor-standin'), join(root, 'node_modules', 'arkor'), 'dir');
    return root;
  }

  for (const [form, { entry, export: name }] of Object.entries(FORMS)) {
    it(`${form}: found, built and trained`, async () => {
      const root = await project(entry);
      const [found] = await findArkorProjects([root]);
      assert.equal(found?.root, root, 'discovered as a project');
      const built = await buildTrainer(found);
      assert.ok(
        built.ok && built.trainerExport === name,
        `the export the CLI runs: ${JSON.stringify(built)}`,
      );
      const run = await runs.run(root);
      assert.equal(run.exitCode, 0, run.output);
      assert.equal(run.events[0]?.kind, 'started');
      const last = run.events.at(-1);
      assert.equal(last?.kind === 'finished' && last.status, 'completed');
    });
  }

  it('a bare export const trainer gets the Run Training lens', () => {
    assert.ok(isTrainerSource(FORMS['a bare export const trainer']!.entry));
  });

  it('an entry exporting no trainer fails the build at the entry with the CLI’s message', async () => {
    const root = await project(
      `import { createTrainer } from 'arkor';\nexport const myTrainer = ${TRAINER};\n`,
    );
    const result = await buildTrainer({ root, entry: join(root, 'src/arkor/index.ts') });
    if (result.ok) assert.fail('the build succeeded');
    assert.equal(result.errors[0]?.message, NO_TRAINER_EXPORT_MESSAGE);
    assert.equal(result.errors[0]?.file, join(root, 'src/arkor/index.ts'));
  });
});
