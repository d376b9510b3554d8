import assert from 'node:assert/strict';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { type BuildResult, buildTrainer, inputsRecordPath } from '../../../src/core/trainer';
import { TempDirs, writeTree } from './tmp';

const ENTRY_SRC = `import { createArkor, createTrainer } from 'arkor';
import { STEPS } from './config';
import { greeting } from './util/text';

const trainer = createTrainer({ name: greeting(), model: 'unsloth/gemma-4-E4B-it', maxSteps: STEPS });
export const arkor = createArkor({ trainer });
`;

function assertOk(result: BuildResult): asserts result is Extract<BuildResult, { ok: true }> {
  if (!result.ok) assert.fail(`build failed: ${JSON.stringify(result.errors)}`);
}

describe('buildTrainer', () => {
  const temp = new TempDirs();
  let root: string;
  let project: { root: string; entry: string };
  const configPath = () => join(root, 'src/arkor/config.ts');
  const artifact = () => readFile(join(root, '.arkor/build/index.mjs'), 'utf8');

  beforeEach(async () => {
    root = await temp.make();
    project = { root, entry: join(root, 'src/arkor/index.ts') };
    await writeTree(root, {
      'src/arkor/index.ts': ENTRY_SRC,
      'src/arkor/config.ts': 'export const STEPS = 60;\n',
      'src/arkor/util/text.ts': "export const greeting = () => 'first-name';\n",
    });
  });
  afterEach(() => temp.cleanup());

  it('bundles like `arkor build`: ESM, relative imports inlined, packages external; records inputs', async () => {
    const result = await buildTrainer(project, { esbuild });
    assertOk(result);
    assert.equal(result.skipped, false);
    assert.equal(result.outFile, join(root, '.arkor/build/index.mjs'));
    assert.ok(result.durationMs >= 0);
    assert.deepEqual([...result.inputs].sort(), [
      join(root, 'src/arkor/config.ts'),
      join(root, 'src/arkor/index.ts'),
      join(root, 'src/arkor/util/text.ts'),
    ]);
    const out = await artifact();
    assert.match(out, /from "arkor"/, 'arkor stays an external import');
    assert.match(out, /STEPS = 60/);
    assert.match(out, /first-name/);
    assert.match(out, /export \{/);
    const record = JSON.parse(await readFile(inputsRecordPath(root), 'utf8'));
    assert.equal(record.inputs.length, 3);
    for (const input of record.inputs) assert.match(input.sha256, /^[0-9a-f]{64}$/);
  });

  it('skips when nothing changed, and when only mtimes changed', async () => {
    assertOk(await buildTrainer(project, { esbuild }));
    const before = await stat(join(root, '.arkor/build/index.mjs'));

    const again = await buildTrainer(project, { esbuild });
    assertOk(again);
    assert.equal(again.skipped, true, 'untouched: no rebuild');
    assert.equal(again.inputs.length, 3);

    const future = new Date(Date.now() + 60_000);
    for (const f of ['src/arkor/index.ts', 'src/arkor/config.ts', 'src/arkor/util/text.ts']) {
      await utimes(join(root, f), future, future);
    }
    const touched = await buildTrainer(project, { esbuild });
    assertOk(touched);
    assert.equal(touched.skipped, true, 'mtime-only change: no rebuild');
    assert.equal(
      (await stat(join(root, '.arkor/build/index.mjs'))).mtimeMs,
      before.mtimeMs,
      'artifact not rewritten',
    );

    const forced = await buildTrainer(project, { esbuild, force: true });
    assertOk(forced);
    assert.equal(forced.skipped, false, 'force always builds');
  });

  it('rebuilds when a file imported by the trainer changes (not only the entry)', async () => {
    assertOk(await buildTrainer(project, { esbuild }));
    await writeFile(join(root, 'src/arkor/util/text.ts'), "export const greeting = () => 'second-name';\n");
    const result = await buildTrainer(project, { esbuild });
    assertOk(result);
    assert.equal(result.skipped, false);
    assert.match(await artifact(), /second-name/);
    assert.doesNotMatch(await artifact(), /first-name/);
  });

  it('rebuilds when the artifact was replaced by someone else or a new import appears', async () => {
    assertOk(await buildTrainer(project, { esbuild }));
    await writeFile(join(root, '.arkor/build/index.mjs'), '// built by arkor build from another version\n');
    const replaced = await buildTrainer(project, { esbuild });
    assertOk(replaced);
    assert.equal(replaced.skipped, false);

    await writeTree(root, { 'src/arkor/extra.ts': 'export const EXTRA = "extra-module";\n' });
    await writeFile(project.entry, `${ENTRY_SRC}export { EXTRA } from './extra';\n`);
    const grown = await buildTrainer(project, { esbuild });
    assertOk(grown);
    assert.equal(grown.skipped, false);
    assert.ok(grown.inputs.includes(join(root, 'src/arkor/extra.ts')));
    // The new file is now tracked: editing it rebuilds.
    await writeFile(join(root, 'src/arkor/extra.ts'), 'export const EXTRA = "extra-changed";\n');
    const edited = await buildTrainer(project, { esbuild });
    assertOk(edited);
    assert.equal(edited.skipped, false);
    assert.match(await artifact(), /extra-changed/);
  });

  it('builds unsaved editor contents (overlays) and tracks them for freshness', async () => {
    assertOk(await buildTrainer(project, { esbuild }));
    const overlays = new Map([[configPath(), 'export const STEPS = 12345;\n']]);
    // Dirty editors on files the trainer does not import are irrelevant.
    overlays.set(join(root, 'README.md'), 'unsaved readme');

    const first = await buildTrainer(project, { esbuild, overlays });
    assertOk(first);
    assert.equal(first.skipped, false, 'overlay differs from the built content: rebuild');
    assert.match(await artifact(), /STEPS = 12345/);
    assert.equal(await readFile(configPath(), 'utf8'), 'export const STEPS = 60;\n', 'disk untouched');

    const same = await buildTrainer(project, { esbuild, overlays });
    assertOk(same);
    assert.equal(same.skipped, true, 'same overlay: no rebuild');

    const dropped = await buildTrainer(project, { esbuild });
    assertOk(dropped);
    assert.equal(dropped.skipped, false, 'overlay discarded: back to the disk content');
    assert.match(await artifact(), /STEPS = 60/);

    // Saving the overlay's text to disk yields the same inputs as the overlay build.
    assertOk(await buildTrainer(project, { esbuild, overlays }));
    await writeFile(configPath(), 'export const STEPS = 12345;\n');
    const saved = await buildTrainer(project, { esbuild });
    assertOk(saved);
    assert.equal(saved.skipped, true, 'saved text equals the overlay that was built');
  });

  it('uses an overlay of the entry itself, with the right loader', async () => {
    const overlays = new Map([
      [
        project.entry,
        `${ENTRY_SRC}export const onScreen: number = 7 as number; // typed: needs the ts loader\n`,
      ],
    ]);
    const result = await buildTrainer(project, { esbuild, overlays });
    assertOk(result);
    assert.match(await artifact(), /onScreen = 7/);
  });

  it('maps a syntax error in an imported file to its absolute path and line', async () => {
    await writeFile(
      join(root, 'src/arkor/util/text.ts'),
      "// helper\nexport const greeting = () => 'x';\nexport const broken = (a: number => a;\n",
    );
    const result = await buildTrainer(project, { esbuild });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.errors.length >= 1, true);
    const [err] = result.errors;
    assert.equal(err?.file, join(root, 'src/arkor/util/text.ts'));
    assert.equal(err?.line, 3, '1-based line');
    assert.equal(typeof err?.column, 'number');
    assert.equal(err?.severity, 'error');
    assert.ok(err?.message);
  });

  it('reports errors in overlays and unresolved imports with absolute paths', async () => {
    const overlays = new Map([[configPath(), 'export const STEPS = ;\n']]);
    const bad = await buildTrainer(project, { esbuild, overlays });
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.equal(bad.errors[0]?.file, configPath());
      assert.equal(bad.errors[0]?.line, 1);
      assert.equal(bad.errors[0]?.column, 21);
    }

    await writeFile(project.entry, `${ENTRY_SRC}import './missing-file';\n`);
    const missing = await buildTrainer(project, { esbuild });
    assert.equal(missing.ok, false);
    if (!missing.ok) {
      assert.equal(missing.errors[0]?.file, project.entry);
      assert.equal(missing.errors[0]?.line, 7);
      assert.match(missing.errors[0]?.message ?? '', /missing-file/);
    }
  });

  it('columns are UTF-16 based even after multi-byte characters', async () => {
    await writeFile(configPath(), "export const S = 'ünïcødé→'; export const T = ;\n");
    const result = await buildTrainer(project, { esbuild });
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.equal(result.errors[0]?.column, "export const S = 'ünïcødé→'; export const T = ".length);
  });

  it('reports warnings with absolute locations, also when a later call skips', async () => {
    await writeFile(configPath(), 'export const STEPS = 60;\nexport const O = { a: 1, a: 2 };\n');
    const built = await buildTrainer(project, { esbuild });
    assertOk(built);
    assert.equal(built.warnings.length, 1);
    assert.equal(built.warnings[0]?.file, configPath());
    assert.equal(built.warnings[0]?.line, 2);
    assert.equal(built.warnings[0]?.severity, 'warning');
    assert.match(built.warnings[0]?.message ?? '', /Duplicate key/);
    const skipped = await buildTrainer(project, { esbuild });
    assertOk(skipped);
    assert.equal(skipped.skipped, true);
    assert.deepEqual(skipped.warnings, built.warnings);
  });

  it('a missing entry is a clear error', async () => {
    const result = await buildTrainer({ root, entry: join(root, 'src/arkor/nope.ts') }, { esbuild });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.match(
        result.errors[0]?.message ?? '',
        new RegExp(
          `^Build entry not found: ${join(root, 'src/arkor/nope.ts').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. Create src/arkor/index\\.ts`,
        ),
      );
      assert.equal(result.errors[0]?.file, join(root, 'src/arkor/nope.ts'));
    }
  });

  it('a failed build after a good one leaves the next good build correct', async () => {
    assertOk(await buildTrainer(project, { esbuild }));
    await writeFile(configPath(), 'export const STEPS = ;\n');
    assert.equal((await buildTrainer(project, { esbuild })).ok, false);
    await writeFile(configPath(), 'export const STEPS = 99;\n');
    const fixed = await buildTrainer(project, { esbuild });
    assertOk(fixed);
    assert.equal(fixed.skipped, false);
    assert.match(await artifact(), /STEPS = 99/);
  });

  it('concurrent calls for one project are serialised (one build, then a skip)', async () => {
    const [a, b] = await Promise.all([
      buildTrainer(project, { esbuild }),
      buildTrainer(project, { esbuild }),
    ]);
    assertOk(a);
    assertOk(b);
    assert.deepEqual([a.skipped, b.skipped], [false, true]);
  });

  it('loads esbuild itself when none is passed', async () => {
    const result = await buildTrainer(project);
    assertOk(result);
    assert.equal(result.skipped, false);
  });
});
