// LoRA adapters: for each targeted linear layer W [din, dout] a pair A [din, r], B [r, dout] with
// y = xW + (alpha/r)·xAB. B starts at zero, so a fresh adapter leaves the base model unchanged and
// training moves away from the base only as far as the data pushes it. Only A and B are trainable;
// the base stays frozen because only these variables are handed to the optimizer.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loraTargets } from './layout';
import type { ModelConfig } from './presets';
import { encodeSafetensors, type NamedTensor, readSafetensors, writeFileAtomic } from './safetensors';
import { tf } from './tf';

export interface Lora {
  r: number;
  alpha: number;
  /** alpha / r, the factor applied to the low-rank update. */
  scale: number;
  A: Record<string, tf.Variable>;
  B: Record<string, tf.Variable>;
}

export interface AdapterConfig {
  format: 'arkor-local-lora';
  r: number;
  alpha: number;
  targets: string[];
  preset: string;
  baseModel: string;
  /** Bytes seen in the training data; sampling with this adapter may also emit these. */
  allowedBytes: number[];
  step: number;
}

export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
export const ADAPTER_CONFIG = 'adapter_config.json';

export function createLora(config: ModelConfig, r: number, alpha: number, seed: number): Lora {
  const A: Record<string, tf.Variable> = {};
  const B: Record<string, tf.Variable> = {};
  let s = seed;
  for (const [name, din, dout] of loraTargets(config)) {
    const a = tf.randomNormal([din, r], 0, 1 / Math.sqrt(din), 'float32', s++);
    A[name] = tf.variable(a, true);
    a.dispose();
    B[name] = tf.variable(tf.zeros([r, dout]), true);
  }
  return { r, alpha, scale: alpha / r, A, B };
}

export function loraVariables(l: Lora): tf.Variable[] {
  return Object.keys(l.A).flatMap((k) => [l.A[k] as tf.Variable, l.B[k] as tf.Variable]);
}

export function disposeLora(l: Lora): void {
  for (const v of loraVariables(l)) v.dispose();
}

/** Writes adapter_model.safetensors + adapter_config.json into `dir`; returns the files written. */
export function saveLora(
  l: Lora,
  dir: string,
  meta: Omit<AdapterConfig, 'format' | 'r' | 'alpha' | 'targets'>,
) {
  mkdirSync(dir, { recursive: true });
  const tensors: Record<string, NamedTensor> = {};
  for (const name of Object.keys(l.A)) {
    const a = l.A[name] as tf.Variable;
    const b = l.B[name] as tf.Variable;
    tensors[`${name}.lora_A`] = { shape: a.shape, data: a.dataSync() as Float32Array };
    tensors[`${name}.lora_B`] = { shape: b.shape, data: b.dataSync() as Float32Array };
  }
  const cfg: AdapterConfig = {
    format: 'arkor-local-lora',
    r: l.r,
    alpha: l.alpha,
    targets: Object.keys(l.A),
    ...meta,
  };
  const weightsFile = path.join(dir, ADAPTER_WEIGHTS);
  const configFile = path.join(dir, ADAPTER_CONFIG);
  const bytes = encodeSafetensors(tensors, { format: 'pt' });
  writeFileAtomic(weightsFile, bytes);
  writeFileAtomic(configFile, `${JSON.stringify(cfg, null, 2)}\n`);
  return { weightsFile, configFile, bytes: bytes.length };
}

/** An adapter saved by `saveLora`; `trainable` when training goes on from it (a resumed job). */
export function loadLora(dir: string, trainable = false): { lora: Lora; config: AdapterConfig } {
  const config = JSON.parse(readFileSync(path.join(dir, ADAPTER_CONFIG), 'utf8')) as AdapterConfig;
  const { tensors } = readSafetensors(path.join(dir, ADAPTER_WEIGHTS));
  const A: Record<string, tf.Variable> = {};
  const B: Record<string, tf.Variable> = {};
  for (const name of config.targets) {
    const a = tensors[`${name}.lora_A`];
    const b = tensors[`${name}.lora_B`];
    if (!a || !b) throw new Error(`adapter is missing tensors for ${name}`);
    A[name] = toVariable(a, trainable);
    B[name] = toVariable(b, trainable);
  }
  return { lora: { r: config.r, alpha: config.alpha, scale: config.alpha / config.r, A, B }, config };
}

function toVariable(t: NamedTensor, trainable: boolean): tf.Variable {
  const x = tf.tensor(t.data, t.shape);
  const v = tf.variable(x, trainable);
  x.dispose();
  return v;
}
