// Runs the integration tests inside a real VS Code extension host through @vscode/test-electron.
// Desktop VS Code is used when ARKOR_VSCODE_EXECUTABLE points at one; otherwise (as on offline CI
// machines) test/host/code-server-bridge.mjs stands in for it (see that file).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
// ARKOR_TEST_RESULTS_DIR separates concurrent runs (each needs its own driver folder).
const results = path.resolve(process.env.ARKOR_TEST_RESULTS_DIR || path.join(root, 'test-results'));
const driverDir = path.join(results, 'driver');
rmSync(driverDir, { recursive: true, force: true });
mkdirSync(path.join(results, 'screenshots'), { recursive: true });

const livePids = path.join(results, 'live-pids.json');
rmSync(livePids, { force: true });
rmSync(path.join(results, 'reload-marker.json'), { force: true });

/**
 * One VS Code session running the tests of `phase` (see test/integration/index.ts); false if red.
 * `folder` is the workspace (default: examples/quickstart), `env` extra environment for VS Code.
 */
async function runSession(phase, { folder = path.join(root, 'examples/quickstart'), env = {} } = {}) {
  console.log(`\n[integration] VS Code session: ${phase} workspace`);
  try {
    await runTests({
      vscodeExecutablePath:
        process.env.ARKOR_VSCODE_EXECUTABLE || path.join(root, 'test/host/code-server-bridge.mjs'),
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/test/integration/index.js'),
      launchArgs: [folder, '--disable-extensions'],
      extensionTestsEnv: {
        // The local backend outlives windows and exits once idle; test runs leave none behind long.
        ARKOR_LOCAL_IDLE_EXIT_SECONDS: '60',
        ...env,
        ARKOR_TEST_DRIVER_DIR: driverDir,
        ARKOR_SCREENSHOT_DIR: path.join(results, 'screenshots'),
        ARKOR_TEST_GREP: process.env.ARKOR_TEST_GREP ?? '',
        ARKOR_TEST_LIVE_PIDS: livePids,
        ARKOR_TEST_PHASE: phase,
      },
    });
    return true;
  } catch (error) {
    console.error(`Integration tests failed (${phase}): ${error instanceof Error ? error.message : error}`);
    return false;
  }
}

async function session(phase, options) {
  if (!(await runSession(phase, options))) process.exit(1);
}

/**
 * The "cloud" session's world: a loopback server speaking the Arkor Cloud protocol (the local
 * backend with its own org, "acme-cloud", as a real cloud org would differ from "local"), a HOME
 * whose ~/.arkor/credentials.json holds an `arkor` CLI login for it, and a copy of the quickstart
 * (inside the repository, so its `arkor` import resolves) whose folder the server can read data from.
 */
async function cloudWorld() {
  const workspace = path.join(results, 'cloud-workspace', 'quickstart');
  rmSync(path.dirname(workspace), { recursive: true, force: true });
  cpSync(path.join(root, 'examples/quickstart'), workspace, {
    recursive: true,
    filter: (src) => !['.arkor', 'node_modules'].includes(path.basename(src)),
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arkor-cloud-data-'));
  const server = spawn(
    process.execPath,
    [path.join(root, 'dist/backend/main.js'), '--port', '0', '--data-dir', dataDir, '--preset', 'test'],
    // stdin is a pipe: the server exits when this script does.
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ARKOR_LOCAL_ORG_SLUG: 'acme-cloud' } },
  );
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`the cloud stand-in server exited (${code})`)));
  });
  const headers = { 'Content-Type': 'application/json', 'X-Arkor-Client': 'arkor/0.0.3-alpha.1' };
  const signup = await (
    await fetch(`${url}/v1/auth/anonymous`, { method: 'POST', headers, body: '{"kind":"cli"}' })
  ).json();
  // The server reads datasets from the project's folder (a real cloud would fetch a blob URL).
  await fetch(`${url}/v1/local/projects`, {
    method: 'POST',
    headers: { ...headers, Authorization: `Bearer ${signup.token}` },
    body: JSON.stringify({ root: workspace }),
  });
  const home = mkdtempSync(path.join(tmpdir(), 'arkor-cloud-home-'));
  mkdirSync(path.join(home, '.arkor'), { mode: 0o700 });
  const credentials = {
    mode: 'anon',
    token: signup.token,
    anonymousId: signup.anonymousId,
    arkorCloudApiUrl: url,
    orgSlug: signup.personalOrg.slug,
  };
  writeFileSync(path.join(home, '.arkor/credentials.json'), JSON.stringify(credentials, null, 2), {
    mode: 0o600,
  });
  const cleanup = () => {
    server.kill();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  };
  return { workspace, home, cleanup };
}

// Written by after-reload/restore.test when the reloaded window had no tab at all for the panel: the
// web workbench had not saved its layout before the reload (a property of the test host, not of the
// extension). Only that case is retried, once; any other failure, or the same one twice, is red.
const layoutMissing = path.join(results, 'reload-layout-missing');
rmSync(layoutMissing, { force: true });

/** The reload session's backend idle time: the orphan check waits for it. */
const RELOAD_IDLE_SECONDS = 20;

/**
 * The local backend left with a training by a killed VS Code: alive (it outlives windows), training
 * on; once its job is cancelled (as any window of the user could, through the discovery file) it
 * exits after its idle time, taking its discovery file with it. Then the run directory is removed.
 */
async function backendIdlesOut(backend, alive) {
  const fail = (message) => {
    if (alive(backend.pid)) process.kill(backend.pid, 'SIGKILL');
    console.error(message);
    process.exit(1);
  };
  if (!alive(backend.pid))
    fail(`The local backend (pid ${backend.pid}) died with VS Code: its training was lost`);
  const file = path.join(backend.discovery, 'backend.json');
  const record = JSON.parse(readFileSync(file, 'utf8'));
  const query = new URLSearchParams(backend.scope).toString();
  const res = await fetch(`${record.url}/v1/jobs/${encodeURIComponent(backend.jobId)}/cancel?${query}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${record.hostToken}`, 'X-Arkor-Client': 'arkor/0.0.3-alpha.1' },
  });
  if (!res.ok) fail(`Could not cancel the job left training (${res.status}): ${await res.text()}`);
  const cancelled = Date.now();
  while (alive(backend.pid) && Date.now() - cancelled < (RELOAD_IDLE_SECONDS + 20) * 1000)
    await new Promise((r) => setTimeout(r, 250));
  const waited = (Date.now() - cancelled) / 1000;
  if (alive(backend.pid)) fail(`The idle local backend (pid ${backend.pid}) did not exit within ${waited} s`);
  if (waited < RELOAD_IDLE_SECONDS - 2)
    fail(`The local backend exited after ${waited} s, before its idle time`);
  if (existsSync(file)) fail(`The local backend exited but left its discovery file ${file}`);
  // The test host kept the run directory for this check (ARKOR_KEEP_RUN_DIR): it is <tmp>/run-*/.
  let dir = backend.discovery;
  while (dir !== path.dirname(dir) && !/^run-/.test(path.basename(dir))) dir = path.dirname(dir);
  if (/^run-/.test(path.basename(dir))) rmSync(dir, { recursive: true, force: true });
  console.log(
    `The local backend exited ${waited.toFixed(1)} s after its last job ended (idle time ${RELOAD_IDLE_SECONDS} s).`,
  );
}

// ARKOR_TEST_PHASES=reload,untrusted runs only those sessions (for working on one of them).
const phases = (process.env.ARKOR_TEST_PHASES || 'trusted,reload,untrusted,cloud').split(',');

if (phases.includes('trusted')) await session('trusted');
// A window reload with a job panel open (restored by the serializer) and a local training running
// (it goes on in the backend, which outlives the window), then the orphan check. The run directory
// is kept so the backend, which outlives VS Code, keeps its data until it has exited by itself.
const reloadEnv = { ARKOR_LOCAL_IDLE_EXIT_SECONDS: String(RELOAD_IDLE_SECONDS), ARKOR_KEEP_RUN_DIR: '1' };
// The web workbench saves its layout to IndexedDB in the background (code-server-bridge.mjs makes it
// save and waits for it): when the reloaded window shows no restored tab all the same, the session
// runs again, up to twice; any other failure fails at once.
if (phases.includes('reload')) {
  for (let attempt = 1; !(await runSession('reload', { env: reloadEnv })); attempt++) {
    if (!existsSync(layoutMissing) || attempt === 3) process.exit(1);
    rmSync(layoutMissing, { force: true });
    console.log(
      `[integration] the workbench did not save its layout before the reload; running that session again (attempt ${attempt + 1} of 3)`,
    );
  }
}
// The last test left a training running; VS Code has now been killed without warning. The run's
// processes must be gone within a few seconds; the local backend stays (by design) while its job
// trains, and exits by itself once the job is over and it has been idle for its idle time.
if (phases.includes('reload') && existsSync(livePids)) {
  const { groups, homes = [], backend } = JSON.parse(readFileSync(livePids, 'utf8'));
  const alive = (id) => {
    try {
      process.kill(id, 0);
      return true;
    } catch {
      return false;
    }
  };
  const targets = groups.map((g) => -g);
  const deadline = Date.now() + 10_000;
  while (targets.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const left = targets.filter(alive);
  if (left.length > 0) {
    for (const id of left) process.kill(id, 'SIGKILL');
    if (alive(backend.pid)) process.kill(backend.pid, 'SIGKILL');
    console.error(`Orphaned processes after VS Code exited: ${left.join(', ')} (negative = process group)`);
    process.exit(1);
  }
  // The run's private HOME holds a plaintext token: the guard removes it once the run is stopped.
  const homeDeadline = Date.now() + 5000;
  while (homes.some((h) => existsSync(h)) && Date.now() < homeDeadline)
    await new Promise((r) => setTimeout(r, 200));
  const leftHomes = homes.filter((h) => existsSync(h));
  if (leftHomes.length > 0) {
    console.error(`A run's private HOME (with its token) outlived VS Code: ${leftHomes.join(', ')}`);
    process.exit(1);
  }
  await backendIdlesOut(backend, alive);
  console.log(
    `No orphans: training process group(s) ${groups.join(', ')} exited with VS Code, the run's HOME with its token is gone, and the local backend (pid ${backend.pid}) exited by itself once idle.`,
  );
}

// Workspace Trust on, the example folder untrusted: nothing may be built or run.
if (phases.includes('untrusted')) await session('untrusted');

// Arkor Cloud end to end: a loopback cloud, the CLI's login in HOME, the offer, runs, sign-in/out.
if (phases.includes('cloud')) {
  const world = await cloudWorld();
  try {
    await session('cloud', { folder: world.workspace, env: { HOME: world.home } });
  } finally {
    world.cleanup();
  }
}
