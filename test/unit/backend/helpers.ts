// Test helpers: start the real backend CLI (from source, through tsx) as a child process on
// 127.0.0.1, the way the extension does, and make sure it dies with the test run.
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const REPO = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(REPO, 'test/fixtures');
export const CLIENT_VERSION = 'arkor/0.0.3-alpha.1';

export interface Started {
  url: string;
  port: number;
  proc: ChildProcess;
  stderr: () => string;
  /** Stops the server (SIGTERM by default) and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export async function startServer(
  dataDir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<Started> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO, 'src/backend/main.ts'),
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--preset',
      'test',
      ...extra,
    ],
    { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  live.add(proc);
  let err = '';
  proc.stderr?.on('data', (d) => {
    err += String(d);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  void exited.then(() => live.delete(proc));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend did not start: ${err}`)), 20_000);
    const rl = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    rl.on('line', (line) => {
      const m = /^Arkor local backend listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backend exited (${code}) before it was ready: ${err}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    proc,
    stderr: () => err,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** A raw request with full control over headers (fetch does not allow overriding Host). */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += String(d);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `fn` returns a truthy value or the timeout expires. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
