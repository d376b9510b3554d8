/**
 * `npm install` in a new project, cancellable, with its output kept for the log. npm runs in its own
 * process group (POSIX), so cancelling stops the scripts it started too. Plain Node.
 */
import { spawn } from 'node:child_process';

export interface InstallOptions {
  /** Aborting stops npm and everything it started. */
  signal?: AbortSignal;
  /** Each chunk of npm's output, as it comes (for a progress message). */
  onOutput?: (text: string) => void;
  /** The npm executable (tests); default `npm` (`npm.cmd` on Windows). */
  npm?: string;
  env?: NodeJS.ProcessEnv;
}

export interface InstallResult {
  ok: boolean;
  /** npm's exit code; null when it was stopped or could not start. */
  code: number | null;
  cancelled: boolean;
  /** The last {@link MAX_OUTPUT} characters of stdout and stderr, interleaved. */
  output: string;
}

export const MAX_OUTPUT = 64 * 1024;
const KILL_GRACE_MS = 3000;

export function npmInstall(dir: string, options: InstallOptions = {}): Promise<InstallResult> {
  const windows = process.platform === 'win32';
  const npm = options.npm ?? (windows ? 'npm.cmd' : 'npm');
  let output = '';
  const append = (text: string) => {
    output = (output + text).slice(-MAX_OUTPUT);
    options.onOutput?.(text);
  };
  return new Promise((resolve) => {
    if (options.signal?.aborted) {
      resolve({ ok: false, code: null, cancelled: true, output });
      return;
    }
    const child = spawn(npm, ['install', '--no-audit', '--no-fund'], {
      cwd: dir,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: !windows,
      shell: windows,
      windowsHide: true,
    });
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (signal: NodeJS.Signals) => {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
      try {
        if (windows) child.kill(signal);
        else process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const onAbort = () => {
      cancelled = true;
      stop('SIGTERM');
      killTimer = setTimeout(() => stop('SIGKILL'), KILL_GRACE_MS);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (c: Buffer) => append(c.toString()));
    child.stderr?.on('data', (c: Buffer) => append(c.toString()));
    const finish = (code: number | null) => {
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ ok: !cancelled && code === 0, code, cancelled, output });
    };
    child.on('error', (error) => {
      append(`\nCould not run ${npm}: ${error.message}\n`);
      finish(null);
    });
    child.on('close', (code) => finish(code));
  });
}
