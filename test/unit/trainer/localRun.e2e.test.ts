/**
 * A run on the local backend, the way the extension does it (build, the backend's project of the
 * folder, the private run directory, a private HOME, the workspace's `arkor start`), must leave the
 * project's own `.arkor/state.json` exactly as it was: a cloud-scoped project runs locally, and a
 * project without a state file still has none afterwards, so the real CLI keeps working against
 * Arkor Cloud in a terminal.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localRunDir, prepareLocalRunDir, type RunLineEvent } from '../../../src/core/trainer';
import { useLocalRuns } from './localRun';

describe('a local run leaves the project’s .arkor/state.json alone', function () {
  this.timeout(120_000);
  const runs = useLocalRuns();

  async function runLocally(root: string): Promise<RunLineEvent[]> {
    const outcome = await runs.run(root);
    assert.equal(outcome.exitCode, 0, outcome.output);
    return outcome.events;
  }

  it('runs a project scoped to an Arkor Cloud org, and its state file stays byte for byte', async () => {
    const root = await runs.quickstart();
    const cloudState =
      '{\n  "orgSlug": "acme",\n  "projectSlug": "captain",\n  "projectId": "prj_cloud_1"\n}\n';
    await mkdir(join(root, '.arkor'));
    await writeFile(join(root, '.arkor/state.json'), cloudState);

    const events = await runLocally(root);
    assert.equal(events[0]?.kind, 'started');
    const last = events.at(-1);
    assert.equal(last?.kind === 'finished' && last.status, 'completed');
    assert.equal(await readFile(join(root, '.arkor/state.json'), 'utf8'), cloudState);
    // The local scope lives in the run directory, not in the project's state file.
    const local = JSON.parse(await readFile(join(localRunDir(root), '.arkor/state.json'), 'utf8'));
    assert.equal(local.orgSlug, runs.orgSlug);
  });

  it('writes no state file into a project that had none', async () => {
    const root = await runs.quickstart();
    const events = await runLocally(root);
    const last = events.at(-1);
    assert.equal(last?.kind === 'finished' && last.status, 'completed');
    assert.equal(existsSync(join(root, '.arkor/state.json')), false);
  });

  it('refuses to write through a symlinked .arkor', async () => {
    const root = await runs.quickstart();
    const elsewhere = await runs.temp.make('arkor-elsewhere-');
    await symlink(elsewhere, join(root, '.arkor'), 'dir');
    const scope = await runs.client().localProject(root);
    await assert.rejects(prepareLocalRunDir(root, scope, join(root, 'x.mjs')), /symbolic link/);
    assert.equal(existsSync(join(elsewhere, 'local-backend')), false);
  });
});
