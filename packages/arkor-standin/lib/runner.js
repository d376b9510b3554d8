// STAND-IN for the real `arkor` SDK (see ../README.md). `createArkor`, `isArkor` and
// `runTrainer`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** @param {{ trainer?: any }} input */
export function createArkor(input) {
  return Object.freeze({ _kind: 'arkor', trainer: input.trainer });
}

/** @param {unknown} value */
export function isArkor(value) {
  return typeof value === 'object' && value !== null && /** @type {any} */ (value)._kind === 'arkor';
}

/** @param {any} x */
const isTrainer = (x) =>
  typeof x === 'object' &&
  x !== null &&
  typeof x.start === 'function' &&
  typeof x.wait === 'function' &&
  typeof x.cancel === 'function';

/** A manifest's trainer, or the value itself when it is a trainer. @param {unknown} x */
const trainerOf = (x) => {
  if (isArkor(x) && isTrainer(/** @type {any} */ (x).trainer)) return /** @type {any} */ (x).trainer;
  return isTrainer(x) ? x : undefined;
};

/** @param {Record<string, any>} mod */
function findTrainer(mod) {
  const found =
    trainerOf(mod.arkor) ??
    (isTrainer(mod.trainer) ? mod.trainer : undefined) ??
    trainerOf(mod.default) ??
    (isTrainer(mod.default?.trainer) ? mod.default.trainer : undefined);
  if (!found) {
    throw new Error(
      'Training entry must export `arkor` (from createArkor({...})) or `trainer` (from createTrainer({...})), or default-export one of them.',
    );
  }
  return found;
}

/** Import the entry, start its trainer and wait for it, printing two lines to stdout. */
export async function runTrainer(/** @type {string | undefined} */ file) {
  const abs = resolve(process.cwd(), file ?? 'src/arkor/index.ts');
  if (!existsSync(abs)) {
    throw new Error(`Training entry not found: ${abs}. Provide a path or create src/arkor/index.ts.`);
  }
  const trainer = findTrainer(await import(pathToFileURL(abs).href));
  const { jobId } = await trainer.start();
  process.stdout.write(`Started job ${jobId}\n`);
  const { job } = await trainer.wait();
  process.stdout.write(`Job ${job.id} finished with status=${job.status}\n`);
}
