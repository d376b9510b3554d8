// The tiny byte-level GPT: pre-LayerNorm transformer blocks (causal self-attention + ReLU MLP),
// learned positional embeddings, output head tied to the token embedding. Written against the
// wasm backend's performance traps (see docs/local-engine.md): embeddings are a one-hot matmul
// (tf.gather's gradient is not implemented on wasm) and every matmul goes through `mm`, whose
// gradient avoids tfjs' slow transposeA/transposeB kernels.

import { paramShapes } from './layout';
import type { Lora } from './lora';
import type { ModelConfig } from './presets';
import { tf } from './tf';

type Tensor = tf.Tensor;

function swapLast(t: Tensor): Tensor {
  const perm = [...Array(t.rank).keys()];
  const r = t.rank;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1] as number, perm[r - 2] as number];
  return tf.transpose(t, perm);
}

/**
 * matMul with a hand-written gradient. tfjs' own MatMul gradient calls matMul with the transpose
 * flags, which the wasm backend runs 10-27x slower than an explicit transpose followed by a plain
 * matMul. This alone halves a training step.
 */
const customMm = tf.customGrad(((a: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [sa, sb] = saved as [Tensor, Tensor];
      return [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)];
    },
  };
  // biome-ignore lint/suspicious/noExplicitAny: tfjs types customGrad's function as variadic.
}) as any) as unknown as (a: Tensor, b: Tensor) => Tensor;

/**
 * x·W for a frozen W: the gradient flows to x only. A customGrad computes every input's gradient
 * eagerly, so routing frozen weights through `customMm` would waste one matmul per layer on a
 * gradient nobody uses. `wT` is Wᵀ, cached by the model because a frozen W never changes.
 */
function frozenMm(x: Tensor, w: Tensor, wT: Tensor): Tensor {
  const f = tf.customGrad(((a: Tensor) => {
    return { value: tf.matMul(a, w), gradFunc: (dy: Tensor) => tf.matMul(dy, wT) };
    // biome-ignore lint/suspicious/noExplicitAny: tfjs types customGrad's function as variadic.
  }) as any) as unknown as (a: Tensor) => Tensor;
  return f(x);
}

/** Which matmul gradient to use; `tfjs` exists only so the bench can measure the difference. */
export type MatmulGrad = 'custom' | 'tfjs';

export type Weights = Record<string, Float32Array>;

export class TinyGpt {
  private readonly mask: Tensor;
  readonly mm: (a: Tensor, b: Tensor) => Tensor;
  /** [W, Wᵀ] of frozen weights for frozenMm (a frozen W never changes, so Wᵀ is computed once). */
  private readonly frozen = new Map<string, [Tensor, Tensor]>();
  private readonly owned: Tensor[] = [];

  private constructor(
    readonly config: ModelConfig,
    readonly params: Record<string, tf.Variable>,
    private readonly matmulGrad: MatmulGrad,
  ) {
    const T = config.context;
    // Additive causal mask: position t may attend to positions <= t only.
    const m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
    this.mask = tf.keep(tf.tensor2d(m, [T, T]));
    this.mm = matmulGrad === 'custom' ? customMm : (a, b) => tf.matMul(a, b);
  }

  /** Fresh random weights (GPT-2 style init), seeded so pretraining is reproducible. */
  static init(
    config: ModelConfig,
    seed: number,
    opts: { trainable?: boolean; matmulGrad?: MatmulGrad } = {},
  ) {
    const params: Record<string, tf.Variable> = {};
    let s = seed;
    for (const [name, shape] of paramShapes(config)) {
      const leaf = name.split('.').pop();
      let t: Tensor;
      if (leaf === 'g') t = tf.ones(shape);
      else if (leaf === 'b') t = tf.zeros(shape);
      else {
        // Residual projections get a smaller init so the residual stream does not grow with depth.
        const std =
          name.endsWith('proj.w') || name.endsWith('fc2.w') ? 0.02 / Math.sqrt(2 * config.layers) : 0.02;
        t = tf.randomNormal(shape, 0, std, 'float32', s++);
      }
      params[name] = tf.variable(t, opts.trainable ?? true);
      t.dispose();
    }
    return new TinyGpt(config, params, opts.matmulGrad ?? 'custom');
  }

  /** A model from stored weights; frozen (not trainable) unless asked, as a LoRA base must be. */
  static fromWeights(
    config: ModelConfig,
    weights: Weights,
    opts: { trainable?: boolean; matmulGrad?: MatmulGrad } = {},
  ): TinyGpt {
    const params: Record<string, tf.Variable> = {};
    for (const [name, shape] of paramShapes(config)) {
      const data = weights[name];
      if (!data) throw new Error(`base model is missing tensor ${name}`);
      const t = tf.tensor(data, shape);
      params[name] = tf.variable(t, opts.trainable ?? false);
      t.dispose();
    }
    return new TinyGpt(config, params, opts.matmulGrad ?? 'custom');
  }

  weights(): Weights {
    const out: Weights = {};
    for (const [name] of paramShapes(this.config)) out[name] = this.p(name).dataSync() as Float32Array;
    return out;
  }

  variables(): tf.Variable[] {
    return paramShapes(this.config).map(([n]) => this.p(n));
  }

  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
    for (const t of this.owned) t.dispose();
    this.mask.dispose();
  }

  private p(name: string): tf.Variable {
    const v = this.params[name];
    if (!v) throw new Error(`unknown parameter ${name}`);
    return v;
  }

  /** x·W (or x·Wᵀ) for a base weight, taking the cheaper gradient path when the weight is frozen. */
  private mmW(x: Tensor, name: string, transposeW = false): Tensor {
    const v = this.p(name);
    if (v.trainable || this.matmulGrad === 'tfjs') return this.mm(x, transposeW ? swapLast(v) : v);
    const key = `${name}${transposeW ? 'ᵀ' : ''}`;
    let pair = this.frozen.get(key);
    if (!pair) {
      const t = tf.keep(swapLast(v));
      this.owned.push(t);
      pair = transposeW ? [t, v] : [v, t];
      this.frozen.set(key, pair);
    }
    return frozenMm(x, pair[0], pair[1]);
  }

  /** x·W + b, plus the LoRA update (alpha/r)·x·A·B when an adapter targets this layer. */
  private lin(x: Tensor, name: string, lora?: Lora): Tensor {
    let y = this.mmW(x, `${name}.w`).add(this.p(`${name}.b`));
    const a = lora?.A[name];
    const b = lora?.B[name];
    if (lora && a && b) y = y.add(this.mm(this.mm(x, a), b).mul(lora.scale));
    return y;
  }

  private layerNorm(x: Tensor, name: string): Tensor {
    const mean = x.mean(-1, true);
    const xc = x.sub(mean);
    const variance = xc.square().mean(-1, true);
    return xc
      .mul(variance.add(1e-5).rsqrt())
      .mul(this.p(`${name}.g`))
      .add(this.p(`${name}.b`));
  }

  /** Logits [B*T, V] for token ids [B, T] (T <= context). */
  logits(ids: tf.Tensor2D, lora?: Lora): tf.Tensor2D {
    const { d, heads: H, vocab: V } = this.config;
    const [B, T] = ids.shape as [number, number];
    const hd = d / H;
    const tok = this.mmW(tf.oneHot(ids.reshape([-1]), V).toFloat(), 'wte');
    const pos = this.p('wpe').slice([0, 0], [T, d]);
    let h = tok
      .reshape([B, T, d])
      .add(pos)
      .reshape([B * T, d]);
    const mask = T === this.config.context ? this.mask : this.mask.slice([0, 0], [T, T]);
    const split = (t: Tensor) => t.reshape([B, T, H, hd]).transpose([0, 2, 1, 3]);
    for (let i = 0; i < this.config.layers; i++) {
      const qkv = this.lin(this.layerNorm(h, `h${i}.ln1`), `h${i}.qkv`, lora);
      const [q, k, v] = tf.split(qkv, 3, 1) as [Tensor, Tensor, Tensor];
      const att = tf.softmax(
        this.mm(split(q), swapLast(split(k)))
          .mul(1 / Math.sqrt(hd))
          .add(mask),
      );
      const y = this.mm(att, split(v))
        .transpose([0, 2, 1, 3])
        .reshape([B * T, d]);
      h = h.add(this.lin(y, `h${i}.proj`, lora));
      const m = this.lin(
        tf.relu(this.lin(this.layerNorm(h, `h${i}.ln2`), `h${i}.fc`, lora)),
        `h${i}.fc2`,
        lora,
      );
      h = h.add(m);
    }
    // Tied output head: logits = h · wteᵀ.
    return this.mmW(this.layerNorm(h, 'lnf'), 'wte', true) as tf.Tensor2D;
  }

  /**
   * Weighted mean cross-entropy of predicting `targets` [B, T] from `ids` [B, T]. `weights` [B, T]
   * is 1 on the tokens that count (assistant replies, when training on responses only), 0 elsewhere.
   */
  loss(ids: tf.Tensor2D, targets: tf.Tensor2D, weights: tf.Tensor2D, lora?: Lora): tf.Scalar {
    const logits = this.logits(ids, lora);
    const logp = tf.logSoftmax(logits);
    const picked = logp.mul(tf.oneHot(targets.reshape([-1]), this.config.vocab)).sum(1);
    const w = weights.reshape([-1]);
    return picked.mul(w).sum().neg().div(w.sum().maximum(1)) as tf.Scalar;
  }
}
