// Sampling from the model one byte at a time. No KV cache: each new byte re-runs the (at most
// `context`-long) window, which at this size is a few milliseconds. The generator is async and
// yields to the event loop after every byte, so the HTTP server keeps answering while a reply is
// being written, and a closed request stops generation at the next byte.
import type { Lora } from './lora';
import type { TinyGpt } from './model';
import { mulberry32 } from './rng';
import { tf } from './tf';
import { type ChatMessage, END_OF_TURN, encodePrompt } from './tokenizer';

export interface GenerateOptions {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  /** Bytes that may be sampled (END_OF_TURN included); others get probability 0. */
  allowedBytes: number[];
  signal?: AbortSignal;
}

export interface Piece {
  text: string;
}

export type FinishReason = 'stop' | 'length';

/** Picks the next byte from logits with temperature and nucleus (top-p) sampling. */
export function sampleByte(
  logits: Float32Array,
  allowed: number[],
  temperature: number,
  topP: number,
  rng: () => number,
) {
  if (temperature <= 0) {
    let best = allowed[0] as number;
    for (const b of allowed) if ((logits[b] as number) > (logits[best] as number)) best = b;
    return best;
  }
  let max = -Infinity;
  for (const b of allowed) max = Math.max(max, (logits[b] as number) / temperature);
  const probs = allowed.map((b) => ({ b, p: Math.exp((logits[b] as number) / temperature - max) }));
  const z = probs.reduce((s, x) => s + x.p, 0);
  probs.sort((x, y) => y.p - x.p);
  const kept: { b: number; p: number }[] = [];
  let mass = 0;
  for (const x of probs) {
    kept.push(x);
    mass += x.p / z;
    if (mass >= topP) break;
  }
  const keptZ = kept.reduce((s, x) => s + x.p, 0);
  let r = rng() * keptZ;
  for (const x of kept) {
    r -= x.p;
    if (r <= 0) return x.b;
  }
  return (kept[kept.length - 1] as { b: number }).b;
}

/** Yields decoded text pieces; returns why it stopped. */
export async function* generate(
  model: TinyGpt,
  messages: ChatMessage[],
  lora: Lora | undefined,
  o: GenerateOptions,
): AsyncGenerator<Piece, FinishReason> {
  const T = model.config.context;
  const temperature = o.temperature ?? 0.7;
  const topP = o.topP ?? 0.9;
  const maxTokens = o.maxTokens ?? 200;
  const rng = mulberry32(o.seed ?? Date.now() & 0x7fffffff);
  const tokens = encodePrompt(messages);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for (let n = 0; n < maxTokens; n++) {
    if (o.signal?.aborted) return 'stop';
    const window = tokens.slice(-T);
    const logits = tf.tidy(() => {
      const all = model.logits(tf.tensor2d(window, [1, window.length], 'int32'), lora);
      return all.slice([window.length - 1, 0], [1, model.config.vocab]);
    });
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    const next = sampleByte(data, o.allowedBytes, temperature, topP, rng);
    if (next === END_OF_TURN) {
      const rest = decoder.decode();
      if (rest) yield { text: rest };
      return 'stop';
    }
    tokens.push(next);
    const text = decoder.decode(new Uint8Array([next]), { stream: true });
    if (text) yield { text };
    // Let pending HTTP work (other requests, a client disconnect) run between bytes.
    await new Promise((r) => setImmediate(r));
  }
  const rest = decoder.decode();
  if (rest) yield { text: rest };
  return 'length';
}
