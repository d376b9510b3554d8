#!/usr/bin/env node
// STAND-IN `arkor` CLI (see ../README.md): `build [entry]` and `start [entry]` per protocol §5.1/§5.2.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, DEFAULT_OUT_DIR } from '../lib/build.js';
import { CLIENT_VERSION, deprecation } from '../lib/http.js';
import { ProjectStateMismatchError } from '../lib/state.js';

const USAGE = `Usage: arkor <command> [entry]

Commands:
  build [entry]   Bundle src/arkor/index.ts (or entry) into .arkor/build/index.mjs
  start [entry]   Run the trainer in .arkor/build/index.mjs (building first when entry is given
                  or the artifact is missing)

This is the STAND-IN arkor CLI (${readOwnVersion()}), not the real package.
`;

function readOwnVersion() {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return CLIENT_VERSION;
  }
}

/** A clack-style success line (§5.5): a bar line, then `<symbol>  <message>`. */
function success(/** @type {string} */ message) {
  process.stdout.write(`│\n◆  ${message}\n`);
}

function warn(/** @type {string} */ message) {
  process.stdout.write(`│\n▲  ${message}\n`);
}

function printDeprecation() {
  const n = deprecation.notice;
  if (!n) return;
  warn(
    `${n.message} (current: ${CLIENT_VERSION}).${n.sunset ? ` Cutoff: ${n.sunset}.` : ''} Run \`npm install arkor@latest\`.`,
  );
}

/** Resolve once everything written to stdout has been flushed. */
function flushStdout() {
  return new Promise((resolve) => process.stdout.write('', () => resolve(undefined)));
}

const isTrainer = (/** @type {any} */ x) =>
  !!x && typeof x.start === 'function' && typeof x.wait === 'function' && typeof x.cancel === 'function';
const isManifest = (/** @type {any} */ x) => !!x && x._kind === 'arkor' && isTrainer(x.trainer);

/** §5.2 lookup: `arkor` manifest, `trainer`, then `default` (manifest, trainer, or `{ trainer }`). */
export function findTrainer(/** @type {any} */ mod) {
  if (isManifest(mod.arkor)) return mod.arkor.trainer;
  if (isTrainer(mod.trainer)) return mod.trainer;
  const d = mod.default;
  if (isManifest(d)) return d.trainer;
  if (isTrainer(d)) return d;
  if (d && isTrainer(d.trainer)) return d.trainer;
  throw new Error(
    'Training entry must export `arkor` (createArkor({ trainer })) or `trainer` (createTrainer(...)), or default-export one of them.',
  );
}

async function runBuild(/** @type {string | undefined} */ entry) {
  const out = await build({ cwd: process.cwd(), entry });
  success(`Built ${out.relEntry} → ${out.relOutFile}`);
  return out;
}

async function runStart(/** @type {string | undefined} */ entry) {
  // Killing `arkor start` does not cancel the job (§5.2 gotcha): whoever started us cancels it.
  const onSignal = (/** @type {NodeJS.Signals} */ signal, /** @type {number} */ code) => () => {
    process.stderr.write(
      `Received ${signal}; exiting. The job keeps running on the backend unless cancelled.\n`,
    );
    process.exit(code);
  };
  process.once('SIGINT', onSignal('SIGINT', 130));
  process.once('SIGTERM', onSignal('SIGTERM', 143));

  const artifact = join(process.cwd(), DEFAULT_OUT_DIR, 'index.mjs');
  if (entry !== undefined || !existsSync(artifact)) await runBuild(entry);
  const mod = await import(`${pathToFileURL(artifact).href}?t=${Date.now()}`);
  const trainer = findTrainer(mod);
  const { jobId } = await trainer.start();
  process.stdout.write(`Started job ${jobId}\n`);
  const result = await trainer.wait();
  process.stdout.write(`Job ${jobId} finished with status=${result.status}\n`);
}

async function main(/** @type {string[]} */ argv) {
  const [command, ...rest] = argv;
  const positional = rest.filter((a) => !a.startsWith('-'));
  if (rest.some((a) => a.startsWith('-')))
    throw new Error(`Unknown option: ${rest.find((a) => a.startsWith('-'))}`);
  if (positional.length > 1) throw new Error(`Too many arguments: ${positional.join(' ')}`);
  switch (command) {
    case 'build':
      await runBuild(positional[0]);
      break;
    case 'start':
      await runStart(positional[0]);
      break;
    case '--version':
    case '-V':
      process.stdout.write(`${CLIENT_VERSION}\n`);
      break;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      break;
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
      return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  async (code) => {
    printDeprecation();
    await flushStdout();
    process.exit(code);
  },
  async (err) => {
    printDeprecation();
    await flushStdout();
    process.stderr.write(
      err instanceof ProjectStateMismatchError ||
        (err instanceof Error && err.name === 'ProjectStateMismatchError')
        ? `${err.message}\n`
        : `${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
    process.stderr.write('', () => process.exit(1));
  },
);
