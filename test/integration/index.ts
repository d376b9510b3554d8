import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { restoreMarker } from './driver';

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
  });
  // Tests under untrusted/ need a VS Code session with Workspace Trust on (ARKOR_TEST_PHASE=untrusted,
  // see run.mjs); every other test runs in the normal, trusted session.
  // Tests under after-reload/ run in the same session once zy-reload.test has reloaded the window
  // (the reload marker exists), together with the shutdown check, which must run last of all.
  const untrustedPhase = process.env.ARKOR_TEST_PHASE === 'untrusted';
  const afterReload = !untrustedPhase && existsSync(restoreMarker());
  const inFolder = (f: string, folder: string) => f.startsWith(`${folder}${path.sep}`);
  const files = readdirSync(__dirname, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => {
      if (untrustedPhase) return inFolder(f, 'untrusted');
      if (afterReload) return inFolder(f, 'after-reload') || f === 'zz-shutdown.test.js';
      return !inFolder(f, 'untrusted') && !inFolder(f, 'after-reload') && f !== 'zz-shutdown.test.js';
    })
    .sort();
  if (afterReload) console.log('[integration] the window was reloaded: checking what it restored');
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
