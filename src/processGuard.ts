/**
 * A tiny supervisor between the extension host and a training process (`arkor start`):
 *
 *   node dist/processGuard.js -- <command> [args...]
 *
 * The extension starts it in a new process group and the training process inherits that group, so
 * killing the group stops both. It also covers the case no `dispose()` can: when the extension host
 * dies abruptly (crash, SIGKILL, closing VS Code), the guard is re-parented, notices, and kills its
 * group — `arkor start` itself would keep running and keep training.
 */
import { spawn } from 'node:child_process';

const separator = process.argv.indexOf('--');
const [command, ...args] = separator >= 0 ? process.argv.slice(separator + 1) : [];
if (!command) {
  console.error('usage: processGuard -- <command> [args...]');
  process.exit(2);
}

const parent = process.ppid;
const child = spawn(command, args, { stdio: 'inherit' });

function killGroup(signal: NodeJS.Signals): void {
  try {
    process.kill(-process.pid, signal);
  } catch {
    child.kill(signal);
  }
}

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), 2000).unref();
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
const watch = setInterval(() => {
  // Re-parented: whoever started us (the extension host) is gone.
  if (process.ppid !== parent) stop();
}, 500);

child.on('error', (error) => {
  console.error(`Could not start ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearInterval(watch);
  process.exit(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
});
