// The frozen base model shipped in assets/base-model/: `<stem>.json` (architecture, tensor table,
// provenance) next to `<stem>.bin` (all tensors as little-endian float32, in table order). Written
// by scripts/pretrain-base.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { paramShapes } from './layout';
import type { Weights } from './model';
import type { ModelConfig, Preset } from './presets';
import { writeFileAtomic } from './safetensors';

export interface BaseHeader {
  format: 'arkor-tiny-gpt';
  preset: string;
  config: ModelConfig;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  /** Bytes seen in the pretraining corpus; sampling from the base emits only these. */
  allowedBytes: number[];
  /** Provenance, for humans: steps, seed, corpus hash, final loss. */
  training: Record<string, unknown>;
}

export interface BaseModel {
  header: BaseHeader;
  weights: Weights;
  /** Id reported to clients, e.g. in training.started metadata. */
  id: string;
}

/**
 * assets/base-model/ from either layout: bundled (dist/backend/main.js, the extension ships
 * assets/ next to dist/) or from source (src/backend/engine/*.ts under tsx).
 */
export function findBaseModelDir(): string {
  const candidates = [
    process.env.ARKOR_LOCAL_BASE_MODEL_DIR,
    path.resolve(__dirname, '../../assets/base-model'),
    path.resolve(__dirname, '../../../assets/base-model'),
    path.resolve(process.cwd(), 'assets/base-model'),
  ].filter((p): p is string => !!p);
  for (const dir of candidates) if (existsSync(path.join(dir, 'tiny-gpt.json'))) return dir;
  throw new Error(`base model not found (looked in ${candidates.join(', ')}); run scripts/pretrain-base.ts`);
}

export function loadBaseModel(preset: Preset, dir = findBaseModelDir()): BaseModel {
  const header = JSON.parse(readFileSync(path.join(dir, `${preset.baseFile}.json`), 'utf8')) as BaseHeader;
  const bin = readFileSync(path.join(dir, `${preset.baseFile}.bin`));
  for (const k of ['d', 'layers', 'heads', 'context', 'vocab'] as const) {
    if (header.config[k] !== preset.model[k]) {
      throw new Error(`base model ${preset.baseFile} does not match preset ${preset.name} (${k})`);
    }
  }
  const weights: Weights = {};
  for (const t of header.tensors) {
    const bytes = bin.subarray(t.offset, t.offset + t.length * 4);
    weights[t.name] = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
  }
  return { header, weights, id: `arkor-local/${preset.baseFile}` };
}

export function saveBaseModel(
  dir: string,
  preset: Preset,
  weights: Weights,
  allowedBytes: number[],
  training: Record<string, unknown>,
): void {
  const tensors: BaseHeader['tensors'] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, shape] of paramShapes(preset.model)) {
    const data = weights[name];
    if (!data) throw new Error(`missing ${name}`);
    tensors.push({ name, shape, offset, length: data.length });
    parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  const header: BaseHeader = {
    format: 'arkor-tiny-gpt',
    preset: preset.name,
    config: preset.model,
    tensors,
    allowedBytes,
    training,
  };
  writeFileAtomic(path.join(dir, `${preset.baseFile}.bin`), Buffer.concat(parts));
  writeFileAtomic(path.join(dir, `${preset.baseFile}.json`), `${JSON.stringify(header, null, 2)}\n`);
}
