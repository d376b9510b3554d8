/**
 * Where `arkor start` runs against the local backend, so the project's own `.arkor/state.json` is
 * never read or written for it.
 *
 * The real SDK scopes a run by `<cwd>/.arkor/state.json` and writes it when missing. That file is the
 * user's link to their Arkor Cloud project: a local scope written there makes the real CLI refuse to
 * run against the cloud afterwards ("scoped to a different organization"), and a cloud scope already
 * there makes the local run fail the other way. So a local run gets a working directory of its own,
 * `<project>/.arkor/local-backend/`, holding the local scope and a copy of the fresh build:
 *
 *   <project>/.arkor/local-backend/.arkor/state.json         the local backend's scope for this folder
 *   <project>/.arkor/local-backend/.arkor/build/index.mjs    the bundle `arkor start` runs
 *
 * It lies inside the project so the bundle's bare imports (`arkor`, …) still resolve from the
 * project's node_modules. The real CLI never looks there; `.arkor/` is already its own folder.
 */
import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scope } from '../types';
import { writeAtomic } from './writeAtomic';

export function localRunDir(projectRoot: string): string {
  return join(projectRoot, '.arkor', 'local-backend');
}

/**
 * Prepare the local run directory of `projectRoot` with `scope` (from the backend's project of
 * that folder) and the built bundle `builtFile`; returns the directory to run `arkor start` in.
 */
export async function prepareLocalRunDir(
  projectRoot: string,
  scope: Scope & { projectId: string },
  builtFile: string,
): Promise<string> {
  const dir = localRunDir(projectRoot);
  // A planted symlink must not redirect our writes outside the project.
  for (const p of [join(projectRoot, '.arkor'), dir]) {
    const st = await lstat(p).catch(() => undefined);
    if (st?.isSymbolicLink()) throw new Error(`${p} is a symbolic link; Arkor will not write through it`);
  }
  await mkdir(join(dir, '.arkor', 'build'), { recursive: true });
  const state = { orgSlug: scope.orgSlug, projectSlug: scope.projectSlug, projectId: scope.projectId };
  await writeAtomic(join(dir, '.arkor', 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  await writeAtomic(join(dir, '.arkor', 'build', 'index.mjs'), await readFile(builtFile));
  await writeFile(
    join(dir, 'README.md'),
    'Written by the Arkor VS Code extension: runs on its embedded local backend start here, so that\n' +
      "this project's own .arkor/state.json (its Arkor Cloud scope) is never touched. Safe to delete.\n",
  );
  return dir;
}
