import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ARKOR_SPEC_ENV,
  DEFAULT_ARKOR_SPEC,
  npmInstall,
  sanitizeProjectName,
  scaffoldProject,
  TEMPLATES,
} from '../../../src/core/scaffold';
import { buildTrainer, findArkorProjects, resolveArkorCli } from '../../../src/core/trainer';
import { useLocalRuns } from '../trainer/localRun';
import { TempDirs } from '../trainer/tmp';

/** Running (a zombie left for a container's init to reap counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const REPO = resolve(__dirname, '../../..');
const ASSETS = join(REPO, 'assets/templates');
const STANDIN_SPEC = `file:${join(REPO, 'packages/arkor-standin')}`;

describe('New Project scaffolder', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  const newDir = async (name = 'my-trainer') => join(await temp.make('arkor-scaffold-'), name);

  it("writes arkor init's layout: manifest, trainer, config placeholder, README, .gitignore, package.json", async () => {
    const dir = await newDir('My Trainer!');
    const result = await scaffoldProject({
      dir,
      template: 'captain',
      assetsDir: ASSETS,
      arkorSpec: '^1.2.3',
    });
    assert.equal(result.name, 'my-trainer');
    assert.deepEqual(
      result.files.map((f) => `${f.action} ${f.path}`),
      [
        'created src/arkor/index.ts',
        'created src/arkor/trainer.ts',
        'created arkor.config.ts',
        'created README.md',
        'created .gitignore',
        'created package.json',
        'created data/captain.jsonl',
      ],
    );
    assert.match(
      await readFile(join(dir, 'src/arkor/index.ts'), 'utf8'),
      /export const arkor = createArkor\(\{ trainer \}\)/,
    );
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.scripts, { dev: 'arkor dev', build: 'arkor build', start: 'arkor start' });
    assert.deepEqual(pkg.devDependencies, { arkor: '^1.2.3' });
    assert.equal(pkg.name, 'my-trainer');
    assert.equal(
      (await readFile(join(dir, 'data/captain.jsonl'), 'utf8')).trim().split('\n').length,
      150,
      'the dataset came along',
    );
  });

  it('writes the arkor version arkor init writes, unless ARKOR_INTERNAL_SCAFFOLD_ARKOR_SPEC says otherwise', async () => {
    const before = process.env[ARKOR_SPEC_ENV];
    try {
      delete process.env[ARKOR_SPEC_ENV];
      const a = await newDir();
      await scaffoldProject({ dir: a, template: 'triage', assetsDir: ASSETS });
      assert.equal(
        JSON.parse(await readFile(join(a, 'package.json'), 'utf8')).devDependencies.arkor,
        DEFAULT_ARKOR_SPEC,
      );
      process.env[ARKOR_SPEC_ENV] = STANDIN_SPEC;
      const b = await newDir();
      await scaffoldProject({ dir: b, template: 'triage', assetsDir: ASSETS });
      assert.equal(
        JSON.parse(await readFile(join(b, 'package.json'), 'utf8')).devDependencies.arkor,
        STANDIN_SPEC,
      );
    } finally {
      if (before === undefined) delete process.env[ARKOR_SPEC_ENV];
      else process.env[ARKOR_SPEC_ENV] = before;
    }
  });

  it('keeps files that already exist, as arkor init does', async () => {
    const dir = await newDir();
    await scaffoldProject({ dir, template: 'translate', assetsDir: ASSETS });
    const mine = '{ "name": "mine", "private": true }\n';
    await writeFile(join(dir, 'package.json'), mine);
    const again = await scaffoldProject({ dir, template: 'captain', assetsDir: ASSETS });
    assert.equal(again.files.find((f) => f.path === 'package.json')?.action, 'kept');
    assert.equal(again.files.find((f) => f.path === 'data/captain.jsonl')?.action, 'created');
    assert.equal(await readFile(join(dir, 'package.json'), 'utf8'), mine);
    assert.match(
      await readFile(join(dir, 'src/arkor/trainer.ts'), 'utf8'),
      /arkorlab\/translate-demo/,
      'trainer kept',
    );
  });

  it('refuses an unknown template by name, listing the ones there are', async () => {
    await assert.rejects(
      scaffoldProject({ dir: await newDir(), template: 'nope' as 'captain', assetsDir: ASSETS }),
      /Unknown template "nope". Available: captain, triage, translate, redaction/,
    );
  });

  it('sanitises names like a package name, with a fallback', () => {
    assert.equal(sanitizeProjectName('  Hello World '), 'hello-world');
    assert.equal(sanitizeProjectName('.hidden'), 'hidden');
    assert.equal(sanitizeProjectName('日本語'), 'arkor-project');
  });

  for (const template of TEMPLATES) {
    it(`the ${template.id} template is a project the extension finds and builds, exporting arkor`, async () => {
      const dir = await newDir();
      await scaffoldProject({ dir, template: template.id, assetsDir: ASSETS });
      const [project] = await findArkorProjects([dir]);
      assert.equal(project?.root, dir);
      const built = await buildTrainer(project);
      if (!built.ok) assert.fail(JSON.stringify(built.errors));
      assert.equal(built.trainerExport, 'arkor');
      const bundle = await readFile(built.outFile, 'utf8');
      assert.match(
        bundle,
        template.runsOn === 'cloud' ? new RegExp(`arkorlab/${template.id}-demo`) : /captain\.jsonl/,
      );
    });
  }

  describe('npm install', () => {
    it('installs the arkor dependency (the stand-in, offline), so the project has its own CLI', async () => {
      const dir = await newDir();
      await scaffoldProject({ dir, template: 'captain', assetsDir: ASSETS, arkorSpec: STANDIN_SPEC });
      const result = await npmInstall(dir);
      assert.equal(result.ok, true, result.output);
      assert.ok(lstatSync(join(dir, 'node_modules/arkor')).isSymbolicLink(), 'file: dependency linked');
      assert.ok(resolveArkorCli(dir, { nodePath: process.execPath }), 'the CLI resolves from the project');
    });

    it('a failed install reports npm’s exit code and output and leaves the files', async () => {
      const dir = await newDir();
      await scaffoldProject({
        dir,
        template: 'captain',
        assetsDir: ASSETS,
        arkorSpec: 'file:./no-such-package.tgz',
      });
      const result = await npmInstall(dir);
      assert.equal(result.ok, false);
      assert.equal(result.cancelled, false);
      assert.notEqual(result.code, 0);
      assert.match(result.output, /no-such-package/);
      assert.ok(existsSync(join(dir, 'src/arkor/trainer.ts')));
    });

    it('cancelling stops npm and what it started', async () => {
      const dir = await newDir();
      await scaffoldProject({ dir, template: 'captain', assetsDir: ASSETS });
      // A stand-in npm that starts a grandchild and hangs, as a slow install would.
      const fake = join(dir, 'fake-npm.mjs');
      const pidFile = join(dir, 'grandchild.pid');
      await writeFile(
        fake,
        `#!${process.execPath}
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
console.log('resolving…');
setInterval(() => {}, 1000);
`,
      );
      await chmod(fake, 0o755);
      const abort = new AbortController();
      const running = npmInstall(dir, {
        npm: fake,
        signal: abort.signal,
        onOutput: (t) => {
          if (t.includes('resolving')) abort.abort();
        },
      });
      const result = await running;
      assert.equal(result.cancelled, true);
      assert.equal(result.ok, false);
      const grandchild = Number(await readFile(pidFile, 'utf8'));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(alive(grandchild), false, 'the grandchild is gone too');
    });
  });

  describe('a new project trains', () => {
    const runs = useLocalRuns();

    it('the captain project, installed, trains to completion on the local backend', async () => {
      const dir = await newDir();
      await scaffoldProject({ dir, template: 'captain', assetsDir: ASSETS, arkorSpec: STANDIN_SPEC });
      assert.equal((await npmInstall(dir)).ok, true);
      const run = await runs.run(dir);
      assert.equal(run.exitCode, 0, run.output);
      assert.equal(run.events[0]?.kind, 'started');
      const last = run.events.at(-1);
      assert.equal(last?.kind === 'finished' && last.status, 'completed');
    });
  });
});
