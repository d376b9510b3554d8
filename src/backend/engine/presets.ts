// Model sizes. `default` is what the extension ships and trains (about 3 steps/s on 2 cores);
// `test` is small enough for the unit suite (about 28 steps/s). The preset also names the base
// model file, because a base checkpoint only fits the architecture it was trained with.

export interface ModelConfig {
  /** Vocabulary: bytes, so always 256. */
  vocab: number;
  /** Embedding width. */
  d: number;
  /** Transformer blocks. */
  layers: number;
  heads: number;
  /** Context length in bytes (positional embeddings are learned, so this is fixed per base). */
  context: number;
}

export interface Preset {
  name: PresetName;
  model: ModelConfig;
  /** Default training batch size when the job config does not set `batchSize`. */
  batchSize: number;
  /** Base model file stem under assets/base-model/. */
  baseFile: string;
}

export type PresetName = 'default' | 'test';

export const PRESETS: Record<PresetName, Preset> = {
  default: {
    name: 'default',
    model: { vocab: 256, d: 64, layers: 2, heads: 4, context: 64 },
    batchSize: 16,
    baseFile: 'tiny-gpt',
  },
  test: {
    name: 'test',
    model: { vocab: 256, d: 32, layers: 1, heads: 2, context: 32 },
    batchSize: 8,
    baseFile: 'tiny-gpt-test',
  },
};

export function isPresetName(s: string): s is PresetName {
  return s === 'default' || s === 'test';
}
