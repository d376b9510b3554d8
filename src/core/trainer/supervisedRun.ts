/**
 * One supervised `arkor start`: the run under the process guard (src/processGuard.ts) in a process
 * group of its own, with a private HOME, its output split into redacted lines and parsed for the job
 * it started, stopped as a whole group, and an outcome that says how it ended and why. The extension
 * (src/vscode/training.ts) and the end-to-end tests run training through this one function.
 */
import { spawn } from 'node:child_process';
import { redact } from '../redact';
import type { ChildHome } from './childEnv';
import { failureReason } from './failureReason';
import { LineSplitter, parseRunLine } from './output';

export type OutputStream = 'stdout' | 'stderr';

export interface SuperviseOptions {
  /** The guard's command line up to its own options: `[node, …/processGuard.js]`. */
  guard: readonly string[];
  /** The CLI and its arguments, e.g. `[node, <arkor bin>, 'start']`. */
  argv: readonly string[];
  cwd: string;
  /** The environment; the private HOME's variables are laid over it. */
  env: NodeJS.ProcessEnv;
  /** The run's private HOME (it holds the token): removed by the guard and again once the run ends. */
  home?: ChildHome;
  /** Removed from every line before anyone sees it (tokens). */
  secrets?: readonly (string | undefined)[];
  /** Each line of output, redacted, as it arrives. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** `Started job <id>`: the job the run created. */
  onJobStarted?: (jobId: string) => void;
  /**
   * After SIGTERM to the group, how long before SIGKILL. Default 3000 ms: the guard escalates by itself
   * after 2000 ms and then removes the HOME; this is the backstop should the guard itself hang.
   */
  killGraceMs?: number;
  /** A signal could not be delivered for another reason than the process being gone already. */
  onSignalError?: (signal: NodeJS.Signals, error: Error) => void;
}

export interface RunOutcome {
  /** The CLI's exit code (the guard passes it on; 128+n when a signal n ended it); null if killed outright or never started. */
  exitCode: number | null;
  /** The job the run started, if it got that far. */
  jobId?: string;
  /** The status of `Job <id> finished with status=<status>`, when the CLI printed it. */
  finalStatus?: string;
  /** `stop()` was called: whatever the exit code, the run ended because it was asked to. */
  stopped: boolean;
  /** Why it failed, from its own output (the error it printed), when it exited non-zero unasked. */
  reason?: string;
}

/** The stderr lines kept for the failure reason: the error is printed last. */
const STDERR_TAIL = 200;

export class SupervisedRun {
  jobId: string | undefined;
  readonly pid: number | undefined;
  /** Resolves once the process group has exited and its output is read (never rejects). */
  readonly done: Promise<RunOutcome>;
  private stopped = false;
  private exited = false;
  private finalStatus: string | undefined;
  private readonly stderrTail: string[] = [];

  constructor(private readonly options: SuperviseOptions) {
    const { guard, argv, home } = options;
    const [guardCommand, ...guardArgs] = guard;
    if (!guardCommand || argv.length === 0) throw new Error('superviseRun needs a guard and a command');
    const child = spawn(
      guardCommand,
      [...guardArgs, ...(home ? ['--cleanup', home.home] : []), '--', ...argv],
      {
        cwd: options.cwd,
        env: { ...options.env, ...home?.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // The guard leads a new process group that the trainer joins: signalling the group stops the
        // whole run, and the guard stops it if its parent dies without doing so (src/processGuard.ts).
        detached: true,
      },
    );
    this.pid = child.pid;
    const out = new LineSplitter((line) => this.line(line, 'stdout'));
    const err = new LineSplitter((line) => this.line(line, 'stderr'));
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));

    this.done = new Promise<RunOutcome>((resolve) => {
      let spawnError: string | undefined;
      let settled = false;
      const settle = async (code: number | null) => {
        if (settled) return;
        settled = true;
        this.exited = true;
        out.end();
        err.end();
        await home?.dispose().catch(() => undefined);
        const failed = code !== 0 && !this.stopped;
        const reason = failed ? (spawnError ?? failureReason(this.stderrTail)) : undefined;
        resolve({
          exitCode: code,
          stopped: this.stopped,
          ...(this.jobId !== undefined && { jobId: this.jobId }),
          ...(this.finalStatus !== undefined && { finalStatus: this.finalStatus }),
          ...(reason !== undefined && { reason }),
        });
      };
      child.on('error', (e) => {
        spawnError = `could not start ${guardCommand}: ${e.message}`;
        void settle(null);
      });
      child.on('exit', (code) => {
        this.exited = true;
        // 'close' follows once the pipes are drained. The guard has stopped the whole group before it
        // exits, so nothing should hold them; if something does, do not wait on it forever.
        const drain = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          void settle(code);
        }, this.grace);
        drain.unref();
        child.once('close', () => {
          clearTimeout(drain);
          void settle(code);
        });
      });
    });
  }

  private get grace(): number {
    return this.options.killGraceMs ?? 3000;
  }

  private line(raw: string, stream: OutputStream): void {
    const line = redact(raw, this.options.secrets ?? []);
    if (stream === 'stderr') {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
    }
    this.options.onLine?.(line, stream);
    // The CLI prints its two run lines on stdout; a trainer's stderr cannot impersonate them.
    if (stream !== 'stdout') return;
    const event = parseRunLine(line);
    if (event?.kind === 'started' && this.jobId === undefined) {
      this.jobId = event.jobId;
      this.options.onJobStarted?.(event.jobId);
    } else if (event?.kind === 'finished') {
      this.finalStatus = event.status;
    }
  }

  /** Asks the run to stop: SIGTERM to its whole process group, SIGKILL if it lingers. */
  stop(): void {
    this.stopped = true;
    this.kill();
  }

  /** Stops the process group without calling it a request (the extension is shutting down). */
  kill(): void {
    if (this.exited) return;
    this.signal('SIGTERM');
    setTimeout(() => !this.exited && this.signal('SIGKILL'), this.grace).unref();
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch (error) {
      // ESRCH: already gone, which is what we wanted.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH')
        this.options.onSignalError?.(signal, error as Error);
    }
  }
}

/** Starts `arkor start` (or any CLI) supervised; see `SupervisedRun`. */
export function superviseRun(options: SuperviseOptions): SupervisedRun {
  return new SupervisedRun(options);
}
