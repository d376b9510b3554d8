// Sampling from the model one byte at a time, through the cached decoder (decoder.ts: each byte
// costs one new position, not a re-run of the window). The generator is async and yields to the
// event loop after every byte, so the HTTP server keeps answering while a reply is being written,
// and a closed request stops generation at the next byte.
import { Decoder, type DecoderWeights } from './decoder';
import { mulberry32 } from './rng';
import { type ChatMessage, END_OF_TURN, encodePrompt } from './tokenizer';

export interface GenerateOptions {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  /** Bytes that may be sampled (END_OF_TURN included); others get probability 0. */
  allowedBytes: number[];
  signal?: AbortSignal;
  /** false: recompute the window for every byte (the reference the cache is tested against). */
  cache?: boolean;
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
  weights: DecoderWeights,
  messages: ChatMessage[],
  o: GenerateOptions,
): AsyncGenerator<Piece, FinishReason> {
  const temperature = o.temperature ?? 0.7;
  const topP = o.topP ?? 0.9;
  const maxTokens = o.maxTokens ?? 200;
  const rng = mulberry32(o.seed ?? Date.now() & 0x7fffffff);
  const decoder = new Decoder(weights, o.cache ?? true);
  const text = new TextDecoder('utf-8', { fatal: false });
  let logits = decoder.push(encodePrompt(messages));
  for (let n = 0; n < maxTokens; n++) {
    if (o.signal?.aborted) return 'stop';
    const next = sampleByte(logits, o.allowedBytes, temperature, topP, rng);
    if (next === END_OF_TURN) {
      const rest = text.decode();
      if (rest) yield { text: rest };
      return 'stop';
    }
    const piece = text.decode(new Uint8Array([next]), { stream: true });
    if (piece) yield { text: piece };
    // Let pending HTTP work (other requests, a client disconnect) run between bytes.
    await new Promise((r) => setImmediate(r));
    if (n + 1 < maxTokens) logits = decoder.push([next]);
  }
  const rest = text.decode();
  if (rest) yield { text: rest };
  return 'length';
}
