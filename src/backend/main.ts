// CLI entry of the embedded local backend (bundled to dist/backend/main.js).
//
//   node dist/backend/main.js --port 0 --data-dir DIR [--host-token TOKEN] [--preset default|test]
//     [--discovery-dir DIR --build-id ID --built-at MS] [--idle-exit-seconds N]
//
// Prints `Arkor local backend listening on http://127.0.0.1:<port>` once it accepts connections.
// It exits on SIGTERM/SIGINT and, after `--idle-exit-seconds` (env ARKOR_LOCAL_IDLE_EXIT_SECONDS)
// without a job or a request, by itself.
//
// Two ways to run it:
// - Shared (`--discovery-dir`, how the extension starts it, detached): one backend for all windows
//   of a user. It names itself in DIR/backend.json once it listens (src/core/sharedBackend.ts), and
//   removes that file when it exits if the file still names it. It outlives the window that started
//   it; idle exit (default 10 minutes) is what guarantees it never runs on unused.
// - Owned (no `--discovery-dir`: tests, a terminal): it also exits when its stdin (if a pipe)
//   closes, when an IPC parent disconnects, or when the parent process dies.
import { fstatSync } from 'node:fs';
import path from 'node:path';
import { removeDiscoveryIfOwn, writeDiscovery } from '../core/sharedBackend';
import { startBackend } from './backend';
import { isPresetName, type PresetName } from './engine/presets';

/** A shared backend with no job and no request for this long exits. */
const DEFAULT_IDLE_EXIT_SECONDS = 10 * 60;

function parseArgs(argv: string[]) {
  const out = {
    port: 0,
    dataDir: '',
    hostToken: undefined as string | undefined,
    preset: 'default' as PresetName,
    discoveryDir: undefined as string | undefined,
    buildId: 'unknown',
    builtAt: 0,
    idleExitSeconds: undefined as number | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--port') out.port = Number(value());
    else if (flag === '--data-dir') out.dataDir = path.resolve(value());
    else if (flag === '--host-token') out.hostToken = value();
    else if (flag === '--discovery-dir') out.discoveryDir = path.resolve(value());
    else if (flag === '--build-id') out.buildId = value();
    else if (flag === '--built-at') out.builtAt = Number(value());
    else if (flag === '--idle-exit-seconds') out.idleExitSeconds = Number(value());
    else if (flag === '--preset') {
      const p = value();
      if (!isPresetName(p)) throw new Error(`unknown preset ${p} (default|test)`);
      out.preset = p;
    } else throw new Error(`unknown argument ${flag}`);
  }
  if (!out.dataDir) throw new Error('--data-dir is required');
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535)
    throw new Error('--port must be 0-65535');
  const envIdle = process.env.ARKOR_LOCAL_IDLE_EXIT_SECONDS;
  out.idleExitSeconds ??= envIdle
    ? Number(envIdle)
    : out.discoveryDir
      ? DEFAULT_IDLE_EXIT_SECONDS
      : undefined;
  if (out.idleExitSeconds !== undefined && !(out.idleExitSeconds > 0))
    throw new Error('--idle-exit-seconds must be a positive number');
  if (out.discoveryDir && !process.env.ARKOR_LOCAL_HOST_TOKEN && !out.hostToken)
    throw new Error('a shared backend (--discovery-dir) needs a host token');
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // The token may also come from the environment so it does not show up in process listings.
  const hostToken = args.hostToken ?? process.env.ARKOR_LOCAL_HOST_TOKEN;
  let stop = (_code: number): Promise<void> => Promise.resolve();
  const backend = await startBackend({
    dataDir: args.dataDir,
    port: args.port,
    preset: args.preset,
    hostToken,
    // Keepalive interval of event streams; only tests change it.
    pingIntervalMs: Number(process.env.ARKOR_LOCAL_PING_INTERVAL_MS) || undefined,
    buildId: args.buildId,
    idleExitMs: args.idleExitSeconds !== undefined ? args.idleExitSeconds * 1000 : undefined,
    onIdle: () => {
      console.log(`Idle${args.idleExitSeconds ? ` for ${args.idleExitSeconds} s` : ''}: exiting`);
      void stop(0);
    },
  });
  let stopping = false;
  stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // First, so no window finds a backend that is going away.
    if (args.discoveryDir) removeDiscoveryIfOwn(args.discoveryDir, process.pid);
    await backend.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGHUP', () => void stop(0));
  if (args.discoveryDir && hostToken) {
    writeDiscovery(args.discoveryDir, {
      url: backend.url,
      pid: process.pid,
      hostToken,
      buildId: args.buildId,
      builtAt: args.builtAt,
      startedAt: new Date().toISOString(),
    });
    process.stdout.write(`Arkor local backend listening on ${backend.url}\n`);
    return;
  }
  process.on('disconnect', () => void stop(0));
  // Watch stdin only when it is a pipe or socket: a terminal or /dev/null must not stop the server.
  try {
    const st = fstatSync(0);
    if (st.isFIFO() || st.isSocket()) {
      process.stdin.on('end', () => void stop(0));
      process.stdin.on('close', () => void stop(0));
      process.stdin.resume();
    }
  } catch {
    // No stdin at all.
  }
  const parent = process.ppid;
  setInterval(() => {
    // Re-parented (to init or a subreaper): the process that started us is gone.
    if (process.ppid !== parent) void stop(0);
  }, 1000).unref();
  process.stdout.write(`Arkor local backend listening on ${backend.url}\n`);
  process.stdout.write(`Arkor local endpoints served at ${backend.endpointsUrl}/<slug>/v1\n`);
}

main().catch((e: unknown) => {
  console.error(`Arkor local backend failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
