/**
 * A private, temporary HOME for an `arkor start` child. The SDK reads credentials from
 * `~/.arkor/credentials.json` (docs/wire-protocol.md, "Credentials and project state"); the extension keeps the user's credentials in SecretStorage
 * instead, so each run gets a fresh directory (mode 0700) holding a credentials file (mode 0600) in
 * the SDK's format. The directory is removed by `dispose()` and, as a safety net, when this process
 * exits, so no plaintext token is left on disk after the run.
 */
import { rmSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from '../credentials';

export interface ChildHome {
  /** Absolute path of the temporary home directory. */
  home: string;
  /**
   * Environment overrides for the child, to merge over `process.env`: `HOME`, `USERPROFILE`,
   * `ARKOR_CLOUD_API_URL`, `ARKOR_TELEMETRY_DISABLED=1`, `DO_NOT_TRACK=1`, `NO_COLOR=1`.
   */
  env: Record<string, string>;
  /** Remove the directory. Idempotent; safe to call after the child exited or failed to start. */
  dispose(): Promise<void>;
}

/** Homes not disposed yet, removed synchronously if the process exits first. */
const liveHomes = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const home of liveHomes) {
      try {
        rmSync(home, { recursive: true, force: true });
      } catch {
        // Best effort at exit.
      }
    }
    liveHomes.clear();
  });
}

/** The SDK's credentials.json object, with the base URL stamped in. */
export function sdkCredentialsFile(credentials: Credentials, baseUrl: string): Record<string, unknown> {
  if (credentials.mode === 'anon') {
    return {
      mode: 'anon',
      token: credentials.token,
      anonymousId: credentials.anonymousId,
      arkorCloudApiUrl: baseUrl,
      orgSlug: credentials.orgSlug,
    };
  }
  const file: Record<string, unknown> = { mode: 'oauth', accessToken: credentials.accessToken };
  if (credentials.refreshToken !== undefined) file.refreshToken = credentials.refreshToken;
  if (credentials.expiresAt !== undefined) file.expiresAt = credentials.expiresAt;
  if (credentials.auth0Domain !== undefined) file.auth0Domain = credentials.auth0Domain;
  if (credentials.audience !== undefined) file.audience = credentials.audience;
  if (credentials.clientId !== undefined) file.clientId = credentials.clientId;
  file.arkorCloudApiUrl = baseUrl;
  return file;
}

const HOME_PREFIX = 'arkor-home-';
const OWNER_FILE = '.arkor-owner-pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the private homes of runs whose owner (an extension host) is gone without cleaning up, as
 * after a crash or SIGKILL: each holds a plaintext token. Homes of live owners are left alone, as are
 * other users' and anything that is not a directory. Returns the paths removed.
 */
export async function sweepStaleChildHomes(dir: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  const uid = process.getuid?.();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(HOME_PREFIX)) continue;
    const home = join(dir, name);
    const st = await lstat(home).catch(() => undefined);
    if (!st?.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
    const owner = Number.parseInt(await readFile(join(home, OWNER_FILE), 'utf8').catch(() => ''), 10);
    // No owner file: a home older than this rule, or one whose creation failed half-way.
    if (Number.isFinite(owner) && owner > 0 && alive(owner)) continue;
    await rm(home, { recursive: true, force: true });
    removed.push(home);
  }
  return removed;
}

export async function prepareChildHome(credentials: Credentials, baseUrl: string): Promise<ChildHome> {
  installExitHook();
  // realpath: on macOS tmpdir() is a symlink (/var → /private/var); report the real location.
  const home = await realpath(await mkdtemp(join(tmpdir(), HOME_PREFIX)));
  liveHomes.add(home);
  const dispose = async () => {
    liveHomes.delete(home);
    await rm(home, { recursive: true, force: true });
  };
  try {
    await chmod(home, 0o700);
    // Who the home belongs to: a later sweep removes it once that process is gone (a crash).
    await writeFile(join(home, OWNER_FILE), String(process.pid), { mode: 0o600, flag: 'wx' });
    const dotArkor = join(home, '.arkor');
    await mkdir(dotArkor, { mode: 0o700 });
    const file = join(dotArkor, 'credentials.json');
    // `wx`: the directory is new, so the file cannot exist; never follow a planted symlink.
    await writeFile(file, `${JSON.stringify(sdkCredentialsFile(credentials, baseUrl), null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    await chmod(file, 0o600); // the umask may have narrowed it; make it exact
  } catch (err) {
    await dispose();
    throw err;
  }
  return {
    home,
    env: {
      HOME: home,
      USERPROFILE: home,
      ARKOR_CLOUD_API_URL: baseUrl,
      ARKOR_TELEMETRY_DISABLED: '1',
      DO_NOT_TRACK: '1',
      NO_COLOR: '1',
    },
    dispose,
  };
}
