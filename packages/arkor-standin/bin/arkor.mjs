#!/usr/bin/env node
// STAND-IN `arkor` CLI (see ../README.md), written from the SDK's CLI reference: `build [entry]` and
// `start [entry]` only. Exit 0 on success, 1 on any thrown error (stack on stderr, except a
// ProjectStateMismatchError, recognised by name: message only).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build, DEFAULT_OUT_DIR } from '../lib/build.js';
import { deprecationStore, SDK_VERSION, upgradeCommand } from '../lib/http.js';
import { runTrainer } from '../lib/runner.js';

const USAGE = `Usage: arkor [options] [command]

Arkor CLI (STAND-IN: only build and start are implemented)

Options:
  -V, --version    output the version number
  -h, --help       display help for command

Commands:
  build [entry]    Bundle src/arkor/index.ts (or entry) into .arkor/build/index.mjs
  start [entry]    Run the trainer in .arkor/build/index.mjs (building first when entry is given
                   or the artifact is missing)
`;

/** Clack-style lines: a gutter bar, then `<glyph>  <message>`, on stdout. */
const success = (/** @type {string} */ message) => process.stdout.write(`│\n◆  ${message}\n`);
const warn = (/** @type {string} */ message) => process.stdout.write(`│\n▲  ${message}\n`);

function printDeprecation() {
  const n = deprecationStore.latest;
  if (!n) return;
  warn(
    `${n.message} (current: ${SDK_VERSION}).${n.sunset ? ` Cutoff: ${n.sunset}.` : ''} Run \`${upgradeCommand()}\`.`,
  );
}

async function runBuild(/** @type {string | undefined} */ entry) {
  const out = await build({ cwd: process.cwd(), entry });
  success(`Built ${out.relEntry} → ${out.relOutFile}`);
}

async function runStart(/** @type {string | undefined} */ entry) {
  const artifact = join(process.cwd(), DEFAULT_OUT_DIR, 'index.mjs');
  if (entry !== undefined || !existsSync(artifact)) await runBuild(entry);
  await runTrainer(artifact);
}

/** @returns {Promise<number>} the exit code */
async function main(/** @type {string[]} */ argv) {
  const [command, ...rest] = argv;
  const option = rest.find((a) => a.startsWith('-'));
  if ((command === 'build' || command === 'start') && option) {
    process.stderr.write(`error: unknown option '${option}'\n`);
    return 1;
  }
  if (rest.length > 1) {
    process.stderr.write(
      `error: too many arguments for '${command}'. Expected 1 argument but got ${rest.length}.\n`,
    );
    return 1;
  }
  switch (command) {
    case 'build':
      await runBuild(rest[0]);
      return 0;
    case 'start':
      await runStart(rest[0]);
      return 0;
    case '-V':
    case '--version':
      process.stdout.write(`${SDK_VERSION}\n`);
      return 0;
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case undefined:
      process.stderr.write(USAGE);
      return 1;
    default:
      process.stderr.write(`error: unknown command '${command}'\n`);
      return 1;
  }
}

/** @type {number} */
let code;
try {
  code = await main(process.argv.slice(2));
} catch (err) {
  code = 1;
  const e = /** @type {any} */ (err);
  process.stderr.write(
    e?.name === 'ProjectStateMismatchError' ? `${e.message}\n` : `${e?.stack ?? e?.message ?? String(err)}\n`,
  );
} finally {
  printDeprecation();
}
// Exit once stdout has drained; idle keep-alive sockets must not hold the process open.
process.stdout.write('', () => process.exit(code));
