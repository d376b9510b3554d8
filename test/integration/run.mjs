// Runs the integration tests inside a real VS Code extension host through @vscode/test-electron.
// Desktop VS Code is used when ARKOR_VSCODE_EXECUTABLE points at one; otherwise (as on offline CI
// machines) test/host/code-server-bridge.mjs stands in for it (see that file).
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const results = path.join(root, 'test-results');
const driverDir = path.join(results, 'driver');
rmSync(driverDir, { recursive: true, force: true });
mkdirSync(path.join(results, 'screenshots'), { recursive: true });

try {
  await runTests({
    vscodeExecutablePath:
      process.env.ARKOR_VSCODE_EXECUTABLE || path.join(root, 'test/host/code-server-bridge.mjs'),
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/test/integration/index.js'),
    launchArgs: [path.join(root, 'examples/quickstart'), '--disable-extensions'],
    extensionTestsEnv: {
      ARKOR_TEST_DRIVER_DIR: driverDir,
      ARKOR_SCREENSHOT_DIR: path.join(results, 'screenshots'),
      ARKOR_TEST_GREP: process.env.ARKOR_TEST_GREP ?? '',
    },
  });
} catch (error) {
  console.error(`Integration tests failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
