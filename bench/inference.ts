// Local chat inference speed: the cached decoder (src/backend/engine/decoder.ts) against the path it
// replaced, measured in the same run. Prints figures; asserts nothing.
//
//   npx tsx bench/inference.ts        (about half a minute on 2 cores)
//
// Baseline ("tfjs window"): what generation did before the cache, kept here only to measure
// against: every byte re-runs the last `context` tokens through the tfjs model and keeps the last
// row of logits. Both paths sample the same way and yield to the event loop after every byte, as
// the server does. Figures, default preset (d=64, 2 layers, context 64), from the shipped base:
//   - tokens/s (bytes/s) of a 600-byte reply, and the ratio (target: at least 4x);
//   - cost per byte early and late in a reply: the mean over the 32 bytes (one window refill
//     period) around byte 10 and around byte 500, and their ratio (target: within 1.5x);
//   - time to the first byte, which also encodes the prompt.
import { loadBaseModel } from '../src/backend/engine/baseModel';
import { decoderWeights } from '../src/backend/engine/decoder';
import { generate, sampleByte } from '../src/backend/engine/generate';
import { TinyGpt } from '../src/backend/engine/model';
import { PRESETS } from '../src/backend/engine/presets';
import { mulberry32 } from '../src/backend/engine/rng';
import { initTf, tf } from '../src/backend/engine/tf';
import { type ChatMessage, encodePrompt } from '../src/backend/engine/tokenizer';

const BYTES = 600;
const messages: ChatMessage[] = [
  { role: 'system', content: 'You are a ship captain. Answer in full sentences.' },
  { role: 'user', content: 'Tell me a long story about the sea, the wind and the crew.' },
];

/** The pre-cache path: the tfjs model over the sliding window, for every byte. */
async function* tfjsWindow(model: TinyGpt, allowed: number[]) {
  const T = model.config.context;
  const rng = mulberry32(1);
  const tokens = encodePrompt(messages);
  for (let n = 0; n < BYTES; n++) {
    const window = tokens.slice(-T);
    const logits = tf.tidy(() =>
      model
        .logits(tf.tensor2d(window, [1, window.length], 'int32'))
        .slice([window.length - 1, 0], [1, model.config.vocab]),
    );
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    const next = sampleByte(data, allowed, 0.7, 0.9, rng);
    tokens.push(next);
    yield next;
    await new Promise((r) => setImmediate(r));
  }
}

/** Milliseconds spent producing each byte. */
async function perByte(gen: AsyncIterable<unknown>): Promise<number[]> {
  const out: number[] = [];
  let t = performance.now();
  for await (const _ of gen) {
    const now = performance.now();
    out.push(now - t);
    t = now;
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
/**
 * Mean cost of the 32 bytes around byte `n`, leaving out byte 0 (it also encodes the prompt: that
 * is time to first token, printed apart).
 */
const around = (ms: number[], n: number) => mean(ms.slice(Math.max(1, n - 16), Math.max(1, n - 16) + 32));

async function main() {
  await initTf();
  const preset = PRESETS.default;
  const base = loadBaseModel(preset);
  // No end-of-turn byte, so every reply is exactly BYTES long.
  const allowed = base.header.allowedBytes.filter((b) => b !== 4);
  const model = TinyGpt.fromWeights(preset.model, base.weights);
  const weights = decoderWeights(preset.model, base.weights);
  const cached = () =>
    generate(weights, messages, {
      allowedBytes: allowed,
      maxTokens: BYTES,
      seed: 1,
      temperature: 0.7,
      topP: 0.9,
    });

  // Warm up both (JIT, wasm), then interleave rounds so background load hits both alike.
  await perByte(tfjsWindow(model, allowed));
  await perByte(cached());
  const rounds: { old: number[]; neu: number[] }[] = [];
  for (let i = 0; i < 3; i++)
    rounds.push({ old: await perByte(tfjsWindow(model, allowed)), neu: await perByte(cached()) });
  const pick = (k: 'old' | 'neu') => {
    const sorted = rounds.map((r) => r[k]).sort((a, b) => mean(a) - mean(b));
    return sorted[1] as number[];
  };
  const old = pick('old');
  const neu = pick('neu');
  const tps = (ms: number[]) => (ms.length * 1000) / ms.reduce((s, x) => s + x, 0);
  const f = (x: number, d = 2) => x.toFixed(d);
  console.log(
    `local chat inference, default preset (d=64, L=2, context 64), ${BYTES}-byte replies, median of 3\n`,
  );
  console.log(`tfjs window (before):  ${f(tps(old), 0)} tokens/s`);
  console.log(
    `cached decoder:        ${f(tps(neu), 0)} tokens/s  → ${f(tps(neu) / tps(old), 1)}x (target ≥ 4x)`,
  );
  console.log(
    `time to first byte (prompt encoded): before ${f(old[0] as number, 1)} ms, cached ${f(neu[0] as number, 1)} ms`,
  );
  for (const [name, ms] of [
    ['tfjs window', old],
    ['cached decoder', neu],
  ] as const) {
    const early = around(ms, 10);
    const late = around(ms, 500);
    console.log(
      `${name.padEnd(15)} cost per byte: around byte 10 ${f(early, 3)} ms, around byte 500 ${f(late, 3)} ms → ${f(late / early)}x (target ≤ 1.5x)`,
    );
  }
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
