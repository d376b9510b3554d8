// Inference for the tiny GPT, one token at a time with a key/value cache, in plain JavaScript.
//
// Why not tfjs: at this size a forward pass is a few hundred small kernels, and their dispatch
// cost, not the arithmetic, is what a token costs (about 2 ms per byte when every byte re-ran the
// whole window through tfjs). One new position is ~115k multiply-adds (d=64, 2 layers): a plain
// loop over Float32Arrays does it in a fraction of that, and the cache means earlier positions are
// never recomputed.
//
// Positions are learned absolute embeddings (0..context-1), so a cached row is only valid while its
// position stays the same. When the window is full it therefore does not slide by one (that would
// shift every position and invalidate the whole cache at every byte); it drops the oldest
// `stride` tokens at once and re-encodes the rest from position 0. The model thus always sees
// between context-stride and context tokens, and re-encoding costs one window every `stride`
// bytes instead of one window every byte.
//
// LoRA adapters are merged into the weights once (W + (alpha/r)·A·B), so an adapter costs nothing
// per token. Every row is computed by the same code in the same order whether it is a new token or
// part of a re-encode, so decoding with and without the cache gives bit-identical logits.
import type { Lora } from './lora';
import type { Weights } from './model';
import type { ModelConfig } from './presets';

interface LayerWeights {
  ln1g: Float32Array;
  ln1b: Float32Array;
  qkvW: Float32Array;
  qkvB: Float32Array;
  projW: Float32Array;
  projB: Float32Array;
  ln2g: Float32Array;
  ln2b: Float32Array;
  fcW: Float32Array;
  fcB: Float32Array;
  fc2W: Float32Array;
  fc2B: Float32Array;
}

/** A model's weights as flat arrays, with an adapter (if any) merged in. Immutable once built. */
export interface DecoderWeights {
  config: ModelConfig;
  wte: Float32Array;
  wpe: Float32Array;
  layers: LayerWeights[];
  lnfG: Float32Array;
  lnfB: Float32Array;
}

/** A base model's weights with an adapter (if any) merged in; build once, reuse for every reply. */
export function decoderWeights(c: ModelConfig, w: Weights, lora?: Lora): DecoderWeights {
  const get = (name: string) => {
    const t = w[name];
    if (!t) throw new Error(`model is missing tensor ${name}`);
    return t;
  };
  // W + scale·A·B for an adapted layer (a copy: the base weights stay untouched).
  const merged = (name: string, din: number, dout: number) => {
    const base = get(`${name}.w`);
    const a = lora?.A[name];
    const b = lora?.B[name];
    if (!lora || !a || !b) return base;
    const A = a.dataSync() as Float32Array;
    const B = b.dataSync() as Float32Array;
    const r = lora.r;
    const out = Float32Array.from(base);
    for (let i = 0; i < din; i++) {
      for (let k = 0; k < r; k++) {
        const aik = (A[i * r + k] as number) * lora.scale;
        if (aik === 0) continue;
        const row = i * dout;
        const bRow = k * dout;
        for (let j = 0; j < dout; j++)
          out[row + j] = (out[row + j] as number) + aik * (B[bRow + j] as number);
      }
    }
    return out;
  };
  const d = c.d;
  const layers: LayerWeights[] = [];
  for (let i = 0; i < c.layers; i++) {
    const p = `h${i}`;
    layers.push({
      ln1g: get(`${p}.ln1.g`),
      ln1b: get(`${p}.ln1.b`),
      qkvW: merged(`${p}.qkv`, d, 3 * d),
      qkvB: get(`${p}.qkv.b`),
      projW: merged(`${p}.proj`, d, d),
      projB: get(`${p}.proj.b`),
      ln2g: get(`${p}.ln2.g`),
      ln2b: get(`${p}.ln2.b`),
      fcW: merged(`${p}.fc`, d, 4 * d),
      fcB: get(`${p}.fc.b`),
      fc2W: merged(`${p}.fc2`, 4 * d, d),
      fc2B: get(`${p}.fc2.b`),
    });
  }
  return { config: c, wte: get('wte'), wpe: get('wpe'), layers, lnfG: get('lnf.g'), lnfB: get('lnf.b') };
}

/** out = x·W + b for x [din], W [din, dout] row-major. */
function linear(x: Float32Array, w: Float32Array, b: Float32Array, out: Float32Array): void {
  const din = x.length;
  const dout = out.length;
  out.set(b);
  for (let i = 0; i < din; i++) {
    const xi = x[i] as number;
    if (xi === 0) continue;
    const row = i * dout;
    for (let j = 0; j < dout; j++) out[j] = (out[j] as number) + xi * (w[row + j] as number);
  }
}

function layerNorm(x: Float32Array, g: Float32Array, b: Float32Array, out: Float32Array): void {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i] as number;
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const c = (x[i] as number) - mean;
    variance += c * c;
  }
  variance /= n;
  const inv = 1 / Math.sqrt(variance + 1e-5);
  for (let i = 0; i < n; i++) out[i] = ((x[i] as number) - mean) * inv * (g[i] as number) + (b[i] as number);
}

/**
 * A decoding session: feed tokens with `push`, read the next-token logits with `logits`. Holds the
 * keys and values of every position in its window.
 */
export class Decoder {
  readonly context: number;
  readonly stride: number;
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  /** Tokens in the window, oldest first; position i holds window[i]. */
  private window: number[] = [];
  /** Scratch buffers, allocated once per session. */
  private readonly h: Float32Array;
  private readonly xn: Float32Array;
  private readonly qkv: Float32Array;
  private readonly att: Float32Array;
  private readonly scores: Float32Array;
  private readonly tmp: Float32Array;
  private readonly hidden: Float32Array;
  private readonly out: Float32Array;

  constructor(
    private readonly w: DecoderWeights,
    /** false: recompute the whole window for every token (the reference the cache must equal). */
    private readonly cache = true,
  ) {
    const { d, context, layers, vocab } = w.config;
    this.context = context;
    this.stride = Math.max(1, context >> 1);
    this.keys = Array.from({ length: layers }, () => new Float32Array(context * d));
    this.values = Array.from({ length: layers }, () => new Float32Array(context * d));
    this.h = new Float32Array(d);
    this.xn = new Float32Array(d);
    this.qkv = new Float32Array(3 * d);
    this.att = new Float32Array(d);
    this.scores = new Float32Array(context);
    this.tmp = new Float32Array(d);
    this.hidden = new Float32Array(4 * d);
    this.out = new Float32Array(vocab);
  }

  /** Tokens the next `logits()` is conditioned on. */
  get windowTokens(): readonly number[] {
    return this.window;
  }

  /** Appends tokens (a prompt, or one sampled byte) and returns the logits for the next token. */
  push(tokens: readonly number[]): Float32Array {
    if (this.cache && this.window.length + tokens.length <= this.context) {
      // Positions already encoded keep their keys and values: encode only the new ones.
      const from = this.window.length;
      this.window.push(...tokens);
      for (let pos = from; pos < this.window.length; pos++) this.encode(this.window[pos] as number, pos);
      return this.head();
    }
    // Without the cache, or past the window: a prompt longer than the window keeps its last
    // `context` tokens, a full window drops the oldest `stride` (see the file comment), and every
    // position is encoded afresh.
    const next = [...this.window, ...tokens];
    const keep = this.window.length === 0 ? this.context : this.context - this.stride;
    this.window = next.length > this.context ? next.slice(-keep) : next;
    for (let pos = 0; pos < this.window.length; pos++) this.encode(this.window[pos] as number, pos);
    return this.head();
  }

  /** Runs one position through every block, storing its key and value; leaves its state in `h`. */
  private encode(token: number, pos: number): void {
    const { d, heads } = this.w.config;
    const hd = d / heads;
    const scale = 1 / Math.sqrt(hd);
    const { h, xn, qkv, att, scores, tmp, hidden } = this;
    for (let i = 0; i < d; i++)
      h[i] = (this.w.wte[token * d + i] as number) + (this.w.wpe[pos * d + i] as number);
    for (let l = 0; l < this.w.layers.length; l++) {
      const L = this.w.layers[l] as LayerWeights;
      const K = this.keys[l] as Float32Array;
      const V = this.values[l] as Float32Array;
      layerNorm(h, L.ln1g, L.ln1b, xn);
      linear(xn, L.qkvW, L.qkvB, qkv);
      K.set(qkv.subarray(d, 2 * d), pos * d);
      V.set(qkv.subarray(2 * d, 3 * d), pos * d);
      // Causal attention of this position over positions 0..pos, head by head.
      for (let hh = 0; hh < heads; hh++) {
        const off = hh * hd;
        let max = -Infinity;
        for (let t = 0; t <= pos; t++) {
          let s = 0;
          for (let k = 0; k < hd; k++) s += (qkv[off + k] as number) * (K[t * d + off + k] as number);
          s *= scale;
          scores[t] = s;
          if (s > max) max = s;
        }
        let z = 0;
        for (let t = 0; t <= pos; t++) {
          const e = Math.exp((scores[t] as number) - max);
          scores[t] = e;
          z += e;
        }
        for (let k = 0; k < hd; k++) att[off + k] = 0;
        for (let t = 0; t <= pos; t++) {
          const p = (scores[t] as number) / z;
          for (let k = 0; k < hd; k++)
            att[off + k] = (att[off + k] as number) + p * (V[t * d + off + k] as number);
        }
      }
      linear(att, L.projW, L.projB, tmp);
      for (let i = 0; i < d; i++) h[i] = (h[i] as number) + (tmp[i] as number);
      layerNorm(h, L.ln2g, L.ln2b, xn);
      linear(xn, L.fcW, L.fcB, hidden);
      for (let i = 0; i < hidden.length; i++) if ((hidden[i] as number) < 0) hidden[i] = 0;
      linear(hidden, L.fc2W, L.fc2B, tmp);
      for (let i = 0; i < d; i++) h[i] = (h[i] as number) + (tmp[i] as number);
    }
  }

  /** Logits of the last encoded position: the tied head, h · wteᵀ. */
  private head(): Float32Array {
    const { d, vocab } = this.w.config;
    layerNorm(this.h, this.w.lnfG, this.w.lnfB, this.xn);
    for (let v = 0; v < vocab; v++) {
      let s = 0;
      const row = v * d;
      for (let i = 0; i < d; i++) s += (this.xn[i] as number) * (this.w.wte[row + i] as number);
      this.out[v] = s;
    }
    return this.out;
  }
}
