// One place that sets up TensorFlow.js: tfjs-core plus the wasm backend (never tfjs-node, whose
// install downloads native binaries and fails offline). Every engine file imports `tf` from here so
// the gradient registrations below are guaranteed to have run.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients: without this, optimizer.minimize throws on the first op.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// Chained ops (`x.add(y)`) are registered separately from the ops themselves in tfjs-core.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export { tf };

let ready: Promise<void> | undefined;

/**
 * Where the tfjs `.wasm` kernels live. Bundled (dist/backend/*.js) they are copied next to the
 * bundle by esbuild.mjs; run from source (tsx, tests) they are in node_modules.
 */
export function findWasmDir(): string {
  const candidates = [
    __dirname,
    path.resolve(__dirname, '../../../node_modules/@tensorflow/tfjs-backend-wasm/dist'),
    path.resolve(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/dist'),
  ];
  for (const dir of candidates) {
    if (existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'))) return dir;
  }
  throw new Error(`tfjs wasm files not found (looked in ${candidates.join(', ')})`);
}

/** Initialises the wasm backend once per thread. Idempotent; safe to call from every entry point. */
export function initTf(): Promise<void> {
  ready ??= (async () => {
    // Node never gets the threaded wasm build (tfjs disables it under Node), so this is the
    // single-threaded SIMD kernel; training runs in its own worker thread to use the second core.
    setWasmPaths(`${findWasmDir()}${path.sep}`);
    setThreadsCount(1);
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('could not initialise the tfjs wasm backend');
    await tf.ready();
  })();
  return ready;
}
