// The layout of the tiny GPT: the name and shape of every base tensor and the linear layers LoRA
// attaches to. Pure functions of the model config, shared by the model, the LoRA adapters and the
// base-model builder (kept apart from model.ts so lora.ts does not depend on the model).
import type { ModelConfig } from './presets';

/** Names and shapes of every base tensor, in a fixed order (the order of the weights file). */
export function paramShapes(c: ModelConfig): [string, number[]][] {
  const { vocab: V, d, context: T } = c;
  const out: [string, number[]][] = [
    ['wte', [V, d]],
    ['wpe', [T, d]],
  ];
  for (let i = 0; i < c.layers; i++) {
    out.push(
      [`h${i}.ln1.g`, [d]],
      [`h${i}.ln1.b`, [d]],
      [`h${i}.qkv.w`, [d, 3 * d]],
      [`h${i}.qkv.b`, [3 * d]],
      [`h${i}.proj.w`, [d, d]],
      [`h${i}.proj.b`, [d]],
      [`h${i}.ln2.g`, [d]],
      [`h${i}.ln2.b`, [d]],
      [`h${i}.fc.w`, [d, 4 * d]],
      [`h${i}.fc.b`, [4 * d]],
      [`h${i}.fc2.w`, [4 * d, d]],
      [`h${i}.fc2.b`, [d]],
    );
  }
  out.push(['lnf.g', [d]], ['lnf.b', [d]]);
  return out;
}

/** The linear layers LoRA attaches to, with their input and output widths. */
export function loraTargets(c: ModelConfig): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (let i = 0; i < c.layers; i++) {
    out.push(
      [`h${i}.qkv`, c.d, 3 * c.d],
      [`h${i}.proj`, c.d, c.d],
      [`h${i}.fc`, c.d, 4 * c.d],
      [`h${i}.fc2`, 4 * c.d, c.d],
    );
  }
  return out;
}
