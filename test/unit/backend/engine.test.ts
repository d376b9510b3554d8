// The engine in-process: data parsing, adapter files, determinism, and that LoRA training really
// moves held-out loss below the frozen base's.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBaseModel } from '../../../src/backend/engine/baseModel';
import { parseChatJsonl, toWindows } from '../../../src/backend/engine/data';
import { Decoder, decoderWeights } from '../../../src/backend/engine/decoder';
import { generate } from '../../../src/backend/engine/generate';
import { createLora, disposeLora, loadLora, saveLora } from '../../../src/backend/engine/lora';
import { TinyGpt } from '../../../src/backend/engine/model';
import { PRESETS } from '../../../src/backend/engine/presets';
import { decodeSafetensors, encodeSafetensors } from '../../../src/backend/engine/safetensors';
import { initTf, tf } from '../../../src/backend/engine/tf';
import {
  allowedBytesOf,
  END_OF_TURN,
  encodeChat,
  ROLE_ASSISTANT,
} from '../../../src/backend/engine/tokenizer';
import { evaluate, train } from '../../../src/backend/engine/train';
import { FIXTURES } from './helpers';

const preset = PRESETS.test;
const T = preset.model.context;
const pirate = () => parseChatJsonl(readFileSync(path.join(FIXTURES, 'pirate-chat.jsonl'), 'utf8'));
const heldout = () => parseChatJsonl(readFileSync(path.join(FIXTURES, 'pirate-heldout.jsonl'), 'utf8'));

describe('engine', function () {
  this.timeout(30_000);
  before(() => initTf());

  describe('data', () => {
    it('parses chat JSONL and names the first bad line', () => {
      assert.equal(pirate().length, 80);
      assert.throws(
        () => parseChatJsonl('{"messages":[{"role":"assistant","content":"a"}]}\n{nope'),
        /line 2: not valid JSON/,
      );
      assert.throws(() => parseChatJsonl('\n\n{"foo":1}'), /line 3: expected an object/);
      assert.throws(
        () => parseChatJsonl('{"messages":[{"role":"user","content":"hi"}]}'),
        /line 1: no assistant/,
      );
      assert.throws(
        () => parseChatJsonl('{"messages":[{"role":"user","content":3}]}'),
        /line 1: messages\[0\]/,
      );
      assert.throws(() => parseChatJsonl('  \n'), /empty/);
    });

    it('weights assistant tokens only when training on responses', () => {
      const msgs = [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'Arr' },
      ];
      const { tokens } = encodeChat(msgs);
      assert.deepEqual(tokens, [1, 104, 105, END_OF_TURN, ROLE_ASSISTANT, 65, 114, 114, END_OF_TURN]);
      const [w] = toWindows([{ line: 1, messages: msgs }], 16, true);
      // Targets are tokens[1..]; weighted exactly where the target is "A", "r", "r", END_OF_TURN.
      assert.deepEqual(Array.from(w?.weights ?? []).slice(0, 9), [0, 0, 0, 0, 1, 1, 1, 1, 0]);
      const [all] = toWindows([{ line: 1, messages: msgs }], 16, false);
      assert.equal(
        Array.from(all?.weights ?? []).reduce((a, b) => a + b, 0),
        8,
      );
    });
  });

  it('round-trips safetensors', () => {
    const data = new Float32Array([1.5, -2, 3.25, 0]);
    const buf = encodeSafetensors({ 'a.lora_A': { shape: [2, 2], data } }, { format: 'pt' });
    assert.equal((8 + Number(buf.readBigUInt64LE(0))) % 8, 0);
    const back = decodeSafetensors(buf);
    assert.deepEqual(back.tensors['a.lora_A']?.shape, [2, 2]);
    assert.deepEqual(Array.from(back.tensors['a.lora_A']?.data ?? []), Array.from(data));
    assert.equal(back.metadata.format, 'pt');
  });

  const base = () => TinyGpt.fromWeights(preset.model, loadBaseModel(preset).weights);

  it('trains deterministically for a given seed', () => {
    const run = (seed: number) => {
      const model = base();
      const lora = createLora(preset.model, 8, 16, seed);
      const losses: number[] = [];
      train({
        model,
        lora,
        train: toWindows(pirate(), T, true),
        batchSize: 8,
        maxSteps: 15,
        learningRate: 1e-2,
        seed,
        onLog: (m) => losses.push(m.loss as number),
      });
      disposeLora(lora);
      model.dispose();
      return losses;
    };
    const a = run(7);
    assert.deepEqual(run(7), a);
    assert.notDeepEqual(run(8), a);
  });

  it('learns: on held-out examples the adapter loss is clearly below the base loss, and survives save/load', () => {
    const model = base();
    const lora = createLora(preset.model, 8, 16, 42);
    const test = toWindows(heldout(), T, true);
    const baseLoss = evaluate(model, test, 8);
    // A fresh adapter (B = 0) is exactly the base model.
    assert.ok(Math.abs(evaluate(model, test, 8, lora) - baseLoss) < 1e-5);
    train({
      model,
      lora,
      train: toWindows(pirate(), T, true),
      batchSize: 8,
      maxSteps: 120,
      learningRate: 1e-2,
      seed: 42,
    });
    const tuned = evaluate(model, test, 8, lora);
    assert.ok(
      tuned < baseLoss * 0.75,
      `held-out loss: base ${baseLoss.toFixed(3)}, adapter ${tuned.toFixed(3)}`,
    );

    const dir = mkdtempSync(path.join(tmpdir(), 'arkor-lora-'));
    try {
      saveLora(lora, dir, { preset: 'test', baseModel: 'x', allowedBytes: [65], step: 120 });
      const loaded = loadLora(dir);
      assert.equal(loaded.config.step, 120);
      assert.ok(Math.abs(evaluate(model, test, 8, loaded.lora) - tuned) < 1e-5);
      disposeLora(loaded.lora);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      disposeLora(lora);
      model.dispose();
    }
  });

  it('generates within maxTokens, only allowed bytes, and stops when aborted', async () => {
    const model = base();
    const allowed = allowedBytesOf(['abc ']);
    const out: string[] = [];
    const weights = decoderWeights(model.config, model.weights());
    const gen = generate(weights, [{ role: 'user', content: 'Hello!' }], {
      allowedBytes: allowed.filter((b) => b !== END_OF_TURN),
      maxTokens: 12,
      seed: 1,
    });
    let r = await gen.next();
    while (!r.done) {
      out.push(r.value.text);
      r = await gen.next();
    }
    assert.equal(r.value, 'length');
    assert.equal(out.join('').length, 12);
    assert.match(out.join(''), /^[abc ]+$/);

    const abort = new AbortController();
    const gen2 = generate(weights, [{ role: 'user', content: 'Hello!' }], {
      allowedBytes: allowed.filter((b) => b !== END_OF_TURN),
      maxTokens: 1000,
      signal: abort.signal,
    });
    await gen2.next();
    abort.abort();
    const end = await gen2.next();
    assert.deepEqual(end, { done: true, value: 'stop' });
    model.dispose();
    assert.ok(tf.memory().numTensors < 50, `tensor leak: ${tf.memory().numTensors}`);
  });

  describe('cached decoder', () => {
    // A LoRA whose B is not zero, so the merged weights differ from the base.
    const nonTrivialLora = () => {
      const lora = createLora(preset.model, 4, 8, 7);
      for (const b of Object.values(lora.B)) b.assign(tf.randomNormal(b.shape, 0, 0.05, 'float32', 3));
      return lora;
    };
    const reply = async (weights: ReturnType<typeof decoderWeights>, cache: boolean) => {
      let out = '';
      const gen = generate(
        weights,
        [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Tell me about the sea, sailor.' },
        ],
        {
          allowedBytes: allowedBytesOf(['abcdefghijklmnopqrstuvwxyz .,!']).filter((b) => b !== END_OF_TURN),
          maxTokens: 5 * T,
          seed: 42,
          temperature: 0.9,
          cache,
        },
      );
      for await (const p of gen) out += p.text;
      return out;
    };

    it('computes the same next-token logits as the training model (base and adapter)', () => {
      const model = base();
      const lora = nonTrivialLora();
      try {
        const ids = Array.from({ length: T }, (_, i) => (i * 37 + 11) % 256);
        for (const l of [undefined, lora]) {
          const want = tf.tidy(() =>
            model
              .logits(tf.tensor2d(ids, [1, T], 'int32'), l)
              .slice([T - 1, 0], [1, 256])
              .dataSync(),
          ) as Float32Array;
          const got = new Decoder(decoderWeights(model.config, model.weights(), l)).push(ids);
          let diff = 0;
          for (let v = 0; v < 256; v++)
            diff = Math.max(diff, Math.abs((got[v] as number) - (want[v] as number)));
          assert.ok(diff < 1e-4, `max logit difference ${diff}`);
        }
      } finally {
        disposeLora(lora);
        model.dispose();
      }
    });

    it('writes exactly the reply that recomputing the window for every byte writes, across window resets', async () => {
      const model = base();
      const lora = nonTrivialLora();
      try {
        for (const l of [undefined, lora]) {
          const w = decoderWeights(model.config, model.weights(), l);
          const cached = await reply(w, true);
          assert.equal(cached.length, 5 * T, 'long enough to refill the window several times');
          assert.equal(cached, await reply(w, false));
        }
        // And the adapter really changes the reply (the comparison above is not of two base replies).
        assert.notEqual(
          await reply(decoderWeights(model.config, model.weights()), true),
          await reply(decoderWeights(model.config, model.weights(), lora), true),
        );
      } finally {
        disposeLora(lora);
        model.dispose();
      }
    });

    it('keeps the newest tokens when the window is full and re-encodes them from position 0', () => {
      const model = base();
      try {
        const w = decoderWeights(model.config, model.weights());
        const d = new Decoder(w);
        const prompt = Array.from({ length: T + 5 }, (_, i) => 32 + (i % 90));
        d.push(prompt);
        assert.deepEqual(d.windowTokens, prompt.slice(5), 'a long prompt keeps its last `context` tokens');
        const full = [...d.windowTokens];
        const logits = Float32Array.from(d.push([65]));
        const kept = [...full, 65].slice(-(T - d.stride));
        assert.deepEqual(d.windowTokens, kept, 'a full window drops the oldest `stride` tokens at once');
        // The same window encoded from scratch gives the same logits.
        assert.deepEqual(Array.from(new Decoder(w).push(kept)), Array.from(logits));
      } finally {
        model.dispose();
      }
    });
  });
});
