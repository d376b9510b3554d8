/**
 * A run of a copy of examples/quickstart on the real local backend, the way the extension's Run
 * Training does it: build, the backend's project of the folder, the private run directory, a private
 * HOME, and the workspace's own `arkor` (the stand-in) under superviseRun.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  buildTrainer,
  parseRunLine,
  prepareChildHome,
  prepareLocalRunDir,
  type RunLineEvent,
  type RunOutcome,
  resolveArkorCli,
  startArgs,
  superviseRun,
} from '../../../src/core/trainer';
import { BackendUser } from '../backend/backendUser';
import { guardCommand } from './guard';
import { TempDirs } from './tmp';

const REPO = resolve(__dirname, '../../..');

/** A LocalRuns with its backend started before the suite's tests and stopped (temp files removed) after. */
export function useLocalRuns(): LocalRuns {
  const temp = new TempDirs();
  const runs = new LocalRuns(temp);
  before(() => runs.start());
  after(async () => {
    await runs.server?.stop();
    await temp.cleanup();
  });
  return runs;
}

export class LocalRuns extends BackendUser {
  constructor(readonly temp: TempDirs) {
    super();
  }

  async start(): Promise<void> {
    await this.startOn(await this.temp.make('arkor-localrun-data-'));
  }

  /** A copy of examples/quickstart using the workspace's `arkor` (the stand-in). */
  async quickstart(): Promise<string> {
    const root = join(await this.temp.make('arkor-localrun-'), 'quickstart');
    await cp(join(REPO, 'examples/quickstart'), root, {
      recursive: true,
      filter: (src) => !['.arkor', 'node_modules'].includes(basename(src)),
    });
    await mkdir(join(root, 'node_modules'));
    await symlink(join(REPO, 'packages/arkor-standin'), join(root, 'node_modules', 'arkor'), 'dir');
    return root;
  }

  /** Rewrites the quickstart's trainer source. */
  async editTrainer(root: string, edit: (source: string) => string): Promise<void> {
    const file = join(root, 'src/arkor/index.ts');
    await writeFile(file, edit(await readFile(file, 'utf8')));
  }

  /** Runs the project like Run Training on the local backend; `token` overrides the run's credentials. */
  async run(
    root: string,
    opts: { token?: string } = {},
  ): Promise<RunOutcome & { events: RunLineEvent[]; output: string }> {
    const built = await buildTrainer({ root, entry: join(root, 'src/arkor/index.ts') });
    assert.ok(built.ok, JSON.stringify(built));
    const scope = await this.client().localProject(root);
    const cwd = await prepareLocalRunDir(root, scope, built.outFile);
    const cli = resolveArkorCli(root, { nodePath: process.execPath });
    assert.ok(cli);
    const token = opts.token ?? this.token;
    const home = await prepareChildHome(
      { mode: 'anon', token, anonymousId: this.anonymousId, orgSlug: this.orgSlug },
      this.server.url,
    );
    const events: RunLineEvent[] = [];
    let output = '';
    const run = superviseRun({
      guard: guardCommand(),
      argv: [cli.command, ...cli.args, ...startArgs({ outFile: built.outFile, root })],
      cwd,
      env: process.env,
      home,
      secrets: [token],
      onLine: (line, stream) => {
        output += `${line}\n`;
        const e = stream === 'stdout' ? parseRunLine(line) : undefined;
        if (e) events.push(e);
      },
    });
    return { ...(await run.done), events, output };
  }
}
