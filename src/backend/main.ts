// CLI entry of the embedded local backend (bundled to dist/backend/main.js).
//
//   node dist/backend/main.js --port 0 --data-dir DIR [--host-token TOKEN] [--preset default|test]
//
// Prints `Arkor local backend listening on http://127.0.0.1:<port>` once it accepts connections.
// It exits on SIGTERM/SIGINT, when its stdin (if a pipe) closes, when an IPC parent disconnects,
// or when the parent process dies, so a backend started by the extension never outlives it.
import { fstatSync } from 'node:fs';
import path from 'node:path';
import { startBackend } from './backend';
import { isPresetName, type PresetName } from './engine/presets';

function parseArgs(argv: string[]) {
  const out = {
    port: 0,
    dataDir: '',
    hostToken: undefined as string | undefined,
    preset: 'default' as PresetName,
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
    else if (flag === '--preset') {
      const p = value();
      if (!isPresetName(p)) throw new Error(`unknown preset ${p} (default|test)`);
      out.preset = p;
    } else throw new Error(`unknown argument ${flag}`);
  }
  if (!out.dataDir) throw new Error('--data-dir is required');
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535)
    throw new Error('--port must be 0-65535');
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // The token may also come from the environment so it does not show up in process listings.
  const hostToken = args.hostToken ?? process.env.ARKOR_LOCAL_HOST_TOKEN;
  const backend = await startBackend({
    dataDir: args.dataDir,
    port: args.port,
    preset: args.preset,
    hostToken,
    // Keepalive interval of event streams; only tests change it.
    pingIntervalMs: Number(process.env.ARKOR_LOCAL_PING_INTERVAL_MS) || undefined,
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await backend.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
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
