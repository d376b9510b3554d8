/**
 * One local backend per user, shared by every window: found through a discovery file, started by
 * whichever window needs it first. Plain Node (no `vscode`): the extension, the backend CLI and the
 * unit tests all use it.
 *
 * The folder (owner-only, 0700) holds:
 *   backend.json   the running backend's URL, pid, host token and build (0600; written atomically by
 *                  the backend once it listens, removed by it on exit if it still names it)
 *   start.lock     held (O_EXCL) by the one process starting a backend, so two windows opening at
 *                  once end with one backend; a lock whose holder died or that is older than the
 *                  start timeout is broken
 *   backend.log    the backend's stdout and stderr (it is detached: no window's pipes)
 *
 * A backend found there is used only once a real authenticated request (`GET /v1/local/backend`
 * with its host token) proved that the URL is that process and the token its own. A backend of
 * another build is asked to retire (it exits at once when idle, else after its jobs) unless it is
 * the newer one. The backend exits by itself when idle (backend.ts): it never outlives its use.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ArkorApiClient } from './apiClient';

export const DISCOVERY_FILE = 'backend.json';
export const START_LOCK = 'start.lock';
export const BACKEND_LOG = 'backend.log';
/** How long a start may take before it is given up (and its lock counts as stale). */
export const START_TIMEOUT_MS = 60_000;

const DiscoverySchema = z.object({
  url: z.string().regex(/^http:\/\/127\.0\.0\.1:\d+$/),
  pid: z.number().int().positive(),
  hostToken: z.string().min(16),
  /** Which build of the extension started it (version and a hash of the backend's bundle). */
  buildId: z.string(),
  /** When that build was made (ms): of two builds, the later one takes over. */
  builtAt: z.number(),
  startedAt: z.string(),
});
export type DiscoveryRecord = z.output<typeof DiscoverySchema>;

export function discoveryPath(dir: string): string {
  return path.join(dir, DISCOVERY_FILE);
}

/** The owner-only folder of the discovery file (made if missing, tightened if not 0700). */
export function ensureDiscoveryDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function readDiscovery(dir: string): DiscoveryRecord | undefined {
  try {
    const parsed = DiscoverySchema.safeParse(JSON.parse(readFileSync(discoveryPath(dir), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Written by the backend once it listens: temp file and rename, so a reader never sees half of it. */
export function writeDiscovery(dir: string, record: DiscoveryRecord): void {
  ensureDiscoveryDir(dir);
  const file = discoveryPath(dir);
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** On a backend's exit: the file goes only if it still names this process (a newer one may own it). */
export function removeDiscoveryIfOwn(dir: string, pid: number): void {
  if (readDiscovery(dir)?.pid === pid) rmSync(discoveryPath(dir), { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: another user's process (a reused pid), so never our backend.
    return false;
  }
}

/** The backend of `record` answers as itself with its token: its pid and build, else undefined. */
export async function probe(
  record: DiscoveryRecord,
  clientVersion: string,
): Promise<{ buildId: string; busy: boolean; retiring: boolean } | undefined> {
  if (!processAlive(record.pid)) return undefined;
  const client = new ArkorApiClient({
    baseUrl: record.url,
    clientVersion,
    getToken: () => record.hostToken,
    timeoutMs: 5000,
  });
  try {
    const info = await client.localBackendInfo();
    return info.pid === record.pid ? info : undefined;
  } catch {
    return undefined;
  }
}

// ---- The start lock ------------------------------------------------------------------------------

const LockSchema = z.object({ pid: z.number(), at: z.number(), id: z.string() });

/**
 * Takes the start lock (exclusive create), waiting while a live starter holds it. A lock whose
 * holder is dead, or older than `staleMs`, is broken: renamed aside first, so of two processes
 * breaking it at once only one wins, and a fresh lock taken meanwhile is put back untouched.
 */
export async function acquireStartLock(
  dir: string,
  opts: { staleMs?: number; timeoutMs?: number } = {},
): Promise<() => void> {
  ensureDiscoveryDir(dir);
  const lock = path.join(dir, START_LOCK);
  const staleMs = opts.staleMs ?? START_TIMEOUT_MS + 10_000;
  const deadline = Date.now() + (opts.timeoutMs ?? START_TIMEOUT_MS + 15_000);
  const id = randomUUID();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeFileSync(fd, JSON.stringify({ pid: process.pid, at: Date.now(), id }));
      closeSync(fd);
      return () => {
        if (readLock(lock)?.id === id) rmSync(lock, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = readLock(lock);
    // Unreadable: being written right now, or damaged. Damaged ones go stale by their age.
    const stale = held
      ? !processAlive(held.pid) || Date.now() - held.at > staleMs
      : Date.now() - mtimeOf(lock) > staleMs;
    if (stale) breakLock(lock, held?.id);
    else if (Date.now() > deadline) throw new Error(`another window is still starting the local backend`);
    else await sleep(100);
  }
}

function readLock(lock: string): z.output<typeof LockSchema> | undefined {
  try {
    const parsed = LockSchema.safeParse(JSON.parse(readFileSync(lock, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}

function breakLock(lock: string, staleId: string | undefined): void {
  const aside = `${lock}.${randomUUID()}.stale`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // Someone else broke or released it first.
  }
  if (readLock(aside)?.id !== staleId) {
    // Not the stale lock we looked at: a starter took it meanwhile. Put it back (link never
    // overwrites, so a third lock taken in between is not clobbered either).
    try {
      linkSync(aside, lock);
    } catch {
      // Another lock exists now; ours to drop is the one we moved.
    }
  }
  rmSync(aside, { force: true });
}

// ---- Finding or starting the backend --------------------------------------------------------------

export interface SharedBackendOptions {
  /** The discovery folder. */
  dir: string;
  dataDir: string;
  /** This build: what a found backend must match to be used. */
  buildId: string;
  builtAt: number;
  /** `[executable, ...args]` that runs the backend CLI (dist/backend/main.js or its source). */
  command: string[];
  env?: NodeJS.ProcessEnv;
  /** X-Arkor-Client version for the proof request. */
  clientVersion: string;
  /** The backend's idle timeout (seconds); its own default when left out. */
  idleExitSeconds?: number;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface SharedBackend {
  record: DiscoveryRecord;
  /** This call started it (else it was found running). */
  started: boolean;
}

type Verdict = { use: DiscoveryRecord } | { start: true };

/**
 * The running backend of this user if there is a usable one, else a new one started by this call.
 * Concurrent callers (windows) share one start through the lock.
 */
export async function findOrStartBackend(o: SharedBackendOptions): Promise<SharedBackend> {
  const first = await judge(o);
  if ('use' in first) return { record: first.use, started: false };
  const release = await acquireStartLock(o.dir);
  try {
    // Another window may have started one while we waited for the lock (said once, not twice).
    const again = await judge({ ...o, log: undefined });
    if ('use' in again) return { record: again.use, started: false };
    return { record: await startBackendProcess(o), started: true };
  } finally {
    release();
  }
}

async function judge(o: SharedBackendOptions): Promise<Verdict> {
  const record = readDiscovery(o.dir);
  if (!record) return { start: true };
  const info = await probe(record, o.clientVersion);
  if (!info) {
    o.log?.(`The local backend in ${DISCOVERY_FILE} (pid ${record.pid}) does not answer; starting another`);
    return { start: true };
  }
  // Never two backends on one data folder: a retiring one still training is used until it exits.
  if (info.retiring && !info.busy) return waitForExit(record, o);
  if (info.buildId === o.buildId || info.retiring) return { use: record };
  if (record.builtAt > o.builtAt) {
    o.log?.(`Using the local backend of a newer build (${info.buildId}; this is ${o.buildId})`);
    return { use: record };
  }
  // Started by an older build (the extension was updated): it retires, at once if idle.
  const client = new ArkorApiClient({
    baseUrl: record.url,
    clientVersion: o.clientVersion,
    getToken: () => record.hostToken,
    timeoutMs: 5000,
  });
  const answer = await client.retireLocalBackend().catch(() => undefined);
  if (answer && !answer.exiting) {
    o.log?.(
      `The local backend of an older build (${info.buildId}) is training: using it until its jobs end, then it exits`,
    );
    return { use: record };
  }
  o.log?.(`The local backend of an older build (${info.buildId}) exits; starting this build's`);
  return waitForExit(record, o);
}

async function waitForExit(record: DiscoveryRecord, o: SharedBackendOptions): Promise<Verdict> {
  const deadline = Date.now() + 15_000;
  while (processAlive(record.pid) && Date.now() < deadline) await sleep(100);
  if (processAlive(record.pid))
    throw new Error(`the local backend (pid ${record.pid}) did not exit when asked to`);
  o.log?.(`The retired local backend (pid ${record.pid}) has exited`);
  return { start: true };
}

/**
 * Starts the backend detached (its own process group, no pipe to this process), so it outlives the
 * window that started it, and waits for it to name itself in the discovery file.
 */
async function startBackendProcess(o: SharedBackendOptions): Promise<DiscoveryRecord> {
  ensureDiscoveryDir(o.dir);
  const [executable, ...args] = o.command;
  if (!executable) throw new Error('no command to start the local backend with');
  const logFile = path.join(o.dir, BACKEND_LOG);
  // A new log per start; the previous one stays beside it for a look after a crash.
  try {
    renameSync(logFile, `${logFile}.previous`);
  } catch {
    // No earlier log.
  }
  const out = openSync(logFile, 'a', 0o600);
  // The credential travels in the environment, never on the command line (other users can read that).
  const hostToken = `arkh_${randomBytes(32).toString('base64url')}`;
  let child: ChildProcess;
  try {
    child = spawn(
      executable,
      [
        ...args,
        '--port',
        '0',
        '--data-dir',
        o.dataDir,
        '--discovery-dir',
        o.dir,
        '--build-id',
        o.buildId,
        '--built-at',
        String(o.builtAt),
        ...(o.idleExitSeconds !== undefined ? ['--idle-exit-seconds', String(o.idleExitSeconds)] : []),
      ],
      {
        env: { ...(o.env ?? process.env), ARKOR_LOCAL_HOST_TOKEN: hostToken },
        stdio: ['ignore', out, out],
        detached: true,
      },
    );
  } finally {
    closeSync(out);
  }
  child.unref();
  o.log?.(`Starting the local backend (pid ${child.pid}, data in ${o.dataDir})`);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = signal ?? `exit ${code}`;
  });
  child.once('error', (error) => {
    exited = error.message;
  });
  const deadline = Date.now() + (o.startTimeoutMs ?? START_TIMEOUT_MS);
  for (;;) {
    const record = readDiscovery(o.dir);
    if (record && record.pid === child.pid && record.hostToken === hostToken) return record;
    if (exited !== undefined) {
      throw new Error(`the local backend exited (${exited}) before it was ready: ${logTail(logFile)}`);
    }
    if (Date.now() > deadline) {
      if (child.pid) killQuietly(child.pid);
      throw new Error(
        `the local backend did not start within ${Math.round((o.startTimeoutMs ?? START_TIMEOUT_MS) / 1000)} s: ${logTail(logFile)}`,
      );
    }
    await sleep(50);
  }
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().slice(-500) || '(no output)';
  } catch {
    return '(no output)';
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
