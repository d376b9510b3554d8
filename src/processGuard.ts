/**
 * A tiny supervisor between the extension host and a training process (`arkor start`):
 *
 *   node dist/processGuard.js [--cleanup <dir>] -- <command> [args...]
 *
 * The extension starts it in a new process group and the training process inherits that group, so
 * killing the group stops both. It also covers what no `dispose()` can:
 *
 * - The extension host dies abruptly (crash, SIGKILL, closing VS Code): the guard is re-parented,
 *   notices, and stops its group. `arkor start` itself would keep running and keep training.
 * - The training process exits but leaves children behind (a trainer's own helper that ignores
 *   SIGTERM): the guard does not exit with it. It stops everything left in its group, SIGKILL after
 *   a grace period, and only then exits, with the training process's exit code.
 * - `--cleanup <dir>`: the private HOME holding the run's token is removed once the group is gone,
 *   whichever way the run ended, so no plaintext token outlives the run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

const GRACE_MS = 2000;

const separator = process.argv.indexOf('--');
const options = process.argv.slice(2, separator >= 0 ? separator : undefined);
const [command, ...args] = separator >= 0 ? process.argv.slice(separator + 1) : [];
const cleanupAt = options.indexOf('--cleanup');
const cleanupDir = cleanupAt >= 0 ? options[cleanupAt + 1] : undefined;
if (!command) {
  console.error('usage: processGuard [--cleanup <dir>] -- <command> [args...]');
  process.exit(2);
}

const parent = process.ppid;
const child = spawn(command, args, { stdio: 'inherit' });

/** The other processes of this guard's group (it leads it), from /proc or pgrep. */
function groupMembers(): number[] {
  const group = process.pid;
  try {
    if (process.platform === 'linux') {
      const pids: number[] = [];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry) || Number(entry) === group) continue;
        try {
          // /proc/<pid>/stat: "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (Number(fields[2]) === group) pids.push(Number(entry));
        } catch {
          // Exited while we looked.
        }
      }
      return pids;
    }
    const out = execFileSync('pgrep', ['-g', String(group)], { encoding: 'utf8' });
    return out
      .split('\n')
      .map(Number)
      .filter((pid) => pid > 0 && pid !== group);
  } catch {
    return [];
  }
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function removeHome(): void {
  if (!cleanupDir) return;
  try {
    rmSync(cleanupDir, { recursive: true, force: true });
  } catch {
    // The extension also sweeps stale homes when it next starts.
  }
}

/** Stops what is left of the group, removes the run's HOME, and exits with `code`. */
async function finish(code: number): Promise<never> {
  clearInterval(watch);
  let left = groupMembers();
  if (left.length > 0) {
    signalAll(left, 'SIGTERM');
    const deadline = Date.now() + GRACE_MS;
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = groupMembers();
    }
    signalAll(left, 'SIGKILL');
  }
  removeHome();
  process.exit(code);
}

let stopping = false;
/** Asked to stop (signal, or the extension host is gone): the training process first. */
function stop(): void {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => {
    signalAll(groupMembers(), 'SIGKILL');
  }, GRACE_MS).unref();
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
const watch = setInterval(() => {
  // Re-parented: whoever started us (the extension host) is gone.
  if (process.ppid !== parent) stop();
}, 500);

child.on('error', (error) => {
  console.error(`Could not start ${command}: ${error.message}`);
  void finish(127);
});
child.on('exit', (code, signal) => {
  void finish(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
});
