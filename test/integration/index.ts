import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { restoreMarker, screenshot } from './driver';

/** Entry point VS Code calls inside the extension host (`--extensionTestsPath`). */
export async function run(): Promise<void> {
  // Printed so a CI log shows the tests ran in a real VS Code extension host, and which one.
  console.log(
    `[integration] VS Code ${vscode.version} (${vscode.env.appHost}), extension host Node ${process.version}`,
  );
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 120_000,
    color: true,
    grep: process.env.ARKOR_TEST_GREP || undefined,
    rootHooks: {
      // Every failed test leaves a picture of what the user saw at that moment.
      async afterEach(this: Mocha.Context) {
        const test = this.currentTest;
        if (test?.state !== 'failed') return;
        const phase = process.env.ARKOR_TEST_PHASE ?? 'trusted';
        await screenshot(`failed-${phase}-${test.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => {});
      },
    },
  });
  // Sessions (ARKOR_TEST_PHASE, see run.mjs): "trusted" runs the feature tests; "reload" opens a job
  // panel and reloads the window (zy-reload.test), then, in the reloaded window (the reload marker
  // exists), checks what was restored (after-reload/) and finally leaves a training running for the
  // orphan check (zz-shutdown.test, last of all); "untrusted" runs untrusted/ with Workspace Trust on;
  // "cloud" runs cloud/ against a loopback server speaking the Arkor Cloud protocol.
  const phase = process.env.ARKOR_TEST_PHASE ?? 'trusted';
  const afterReload = phase === 'reload' && existsSync(restoreMarker());
  const inFolder = (f: string, folder: string) => f.startsWith(`${folder}${path.sep}`);
  const special = (f: string) =>
    inFolder(f, 'untrusted') ||
    inFolder(f, 'cloud') ||
    inFolder(f, 'after-reload') ||
    f === 'zy-reload.test.js' ||
    f === 'zz-shutdown.test.js';
  const files = readdirSync(__dirname, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => {
      if (phase === 'untrusted') return inFolder(f, 'untrusted');
      if (phase === 'cloud') return inFolder(f, 'cloud');
      if (afterReload) return inFolder(f, 'after-reload') || f === 'zz-shutdown.test.js';
      if (phase === 'reload') return f === 'zy-reload.test.js';
      return !special(f);
    })
    .sort();
  if (afterReload) console.log('[integration] the window was reloaded: checking what it restored');
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
