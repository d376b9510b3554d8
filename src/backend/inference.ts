// Chat inference on the server's own thread: the frozen base model is loaded once, adapters are
// loaded on demand, merged into a copy of the base weights for the cached decoder
// (engine/decoder.ts), and a few are kept. Generation yields to the event loop after every byte
// (engine/generate.ts), so the server stays responsive and an aborted request stops at once.
import { existsSync } from 'node:fs';
import { type BaseModel, loadBaseModel } from './engine/baseModel';
import { type DecoderWeights, decoderWeights } from './engine/decoder';
import { type FinishReason, generate } from './engine/generate';
import { type AdapterConfig, disposeLora, loadLora } from './engine/lora';
import { PRESETS, type PresetName } from './engine/presets';
import { initTf } from './engine/tf';
import type { ChatMessage } from './engine/tokenizer';
import type { Store } from './store';
import type { AdapterRef } from './types';

export class NotFound extends Error {}

const MAX_CACHED_ADAPTERS = 4;

export interface ChatParams {
  messages: ChatMessage[];
  adapter?: AdapterRef;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  signal?: AbortSignal;
}

export class Inference {
  private loaded: Promise<{ base: BaseModel; weights: DecoderWeights }> | undefined;
  private adapters = new Map<string, { weights: DecoderWeights; config: AdapterConfig }>();

  constructor(
    private readonly store: Store,
    private readonly preset: PresetName,
    private readonly baseModelDir?: string,
  ) {}

  get baseModelId(): string {
    return `arkor-local/${PRESETS[this.preset].baseFile}`;
  }

  /** Checks an adapter reference against the job store; throws NotFound with a message for clients. */
  resolveAdapter(ref: AdapterRef, projectId: string): string {
    const job = this.store.getJob(ref.jobId);
    if (!job || job.projectId !== projectId) throw new NotFound(`job ${ref.jobId} not found`);
    const dir = this.store.adapterDir(ref);
    if (!existsSync(dir)) {
      throw new NotFound(
        ref.kind === 'final'
          ? `job ${ref.jobId} has no final adapter (status: ${job.status})`
          : `job ${ref.jobId} has no checkpoint at step ${ref.step}`,
      );
    }
    return dir;
  }

  async *chat(p: ChatParams, adapterDir?: string): AsyncGenerator<string, FinishReason> {
    const { base, weights: baseWeights } = await this.load();
    let allowed = base.header.allowedBytes;
    let weights = baseWeights;
    if (adapterDir) {
      const a = this.adapter(adapterDir, base);
      weights = a.weights;
      allowed = [...new Set([...allowed, ...a.config.allowedBytes])].sort((x, y) => x - y);
    }
    const gen = generate(weights, p.messages, {
      temperature: p.temperature,
      topP: p.topP,
      maxTokens: p.maxTokens,
      seed: p.seed,
      allowedBytes: allowed,
      signal: p.signal,
    });
    while (true) {
      const r = await gen.next();
      if (r.done) return r.value;
      yield r.value.text;
    }
  }

  private load() {
    this.loaded ??= (async () => {
      await initTf();
      const base = loadBaseModel(PRESETS[this.preset], this.baseModelDir);
      return { base, weights: decoderWeights(PRESETS[this.preset].model, base.weights) };
    })().catch((e: unknown) => {
      // Do not cache a failure (e.g. assets missing): the next request tries again.
      this.loaded = undefined;
      throw e;
    });
    return this.loaded;
  }

  private adapter(dir: string, base: BaseModel) {
    let a = this.adapters.get(dir);
    if (a) {
      // Refresh its place in the LRU order.
      this.adapters.delete(dir);
      this.adapters.set(dir, a);
      return a;
    }
    const { lora, config } = loadLora(dir);
    try {
      a = { weights: decoderWeights(PRESETS[this.preset].model, base.weights, lora), config };
    } finally {
      // Merged into the weights: the tfjs tensors are no longer needed.
      disposeLora(lora);
    }
    this.adapters.set(dir, a);
    if (this.adapters.size > MAX_CACHED_ADAPTERS) {
      const oldest = this.adapters.keys().next().value as string;
      this.adapters.delete(oldest);
    }
    return a;
  }
}
