// STAND-IN for the real `arkor` SDK (see ../README.md). `createTrainer`.
import { CloudApiClient } from './client.js';
import { defaultArkorCloudApiUrl, ensureCredentials } from './credentials.js';
import { CallbackFailure, runEventLoop } from './events.js';
import { ensureProjectState } from './state.js';

export const SUPPORTED_MODELS = Object.freeze(/** @type {const} */ (['unsloth/gemma-4-E4B-it']));

/** Top-level TrainerInput fields copied into `config` under the same name, after the LoRA ones. */
const FORWARDED = /** @type {const} */ ([
  'maxSteps',
  'numTrainEpochs',
  'learningRate',
  'batchSize',
  'optim',
  'lrSchedulerType',
  'weightDecay',
  'warmupSteps',
  'loggingSteps',
  'saveSteps',
  'evalSteps',
  'trainOnResponsesOnly',
  'datasetFormat',
  'datasetSplit',
  'dryRun',
]);

/**
 * The wire JobConfig: known fields only, each only when `!== undefined` (null is sent),
 * in the SDK's key order. The dataset object goes in verbatim: no path or URL resolution.
 * @param {Record<string, any>} input
 */
function buildJobConfig(input) {
  /** @type {Record<string, unknown>} */
  const config = { model: input.model, datasetSource: input.dataset };
  const lora = input.lora;
  if (lora) {
    config.loraR = lora.r;
    config.loraAlpha = lora.alpha;
    if (lora.maxLength !== undefined) config.maxLength = lora.maxLength;
    if (lora.loadIn4bit !== undefined) config.loadIn4bit = lora.loadIn4bit;
  }
  for (const key of FORWARDED) if (input[key] !== undefined) config[key] = input[key];
  return config;
}

/** Stand-in-only knob (a CLI child cannot receive the internal context): default backoff. */
function envMs(/** @type {string} */ name, /** @type {number} */ fallback) {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * @param {Record<string, any>} input
 * @param {{ baseUrl?: string, credentials?: any, cwd?: string, reconnectDelayMs?: number,
 *   maxReconnectDelayMs?: number, maxReconnectAttempts?: number }} [context] internal, as upstream
 */
export function createTrainer(input, context = {}) {
  if (!SUPPORTED_MODELS.includes(input.model)) {
    throw new Error(
      `Unsupported model "${input.model}". This arkor release supports: ${SUPPORTED_MODELS.join(', ')}. If the backend already accepts this model, upgrade arkor or submit through CloudApiClient.createJob.`,
    );
  }
  const name = input.name;
  const config = buildJobConfig(input);
  const callbacks = input.callbacks ?? {};
  const abortSignal = input.abortSignal;

  /** @type {any} */
  let credentials;
  /** @type {CloudApiClient | undefined} */
  let client;
  /** @type {{ orgSlug: string, projectSlug: string } | undefined} */
  let scope;
  /** @type {any} */
  let job;

  async function getClient() {
    if (!credentials) credentials = context.credentials ?? (await ensureCredentials());
    if (!client) {
      client = new CloudApiClient({
        baseUrl: context.baseUrl ?? defaultArkorCloudApiUrl(credentials),
        credentials,
      });
    }
    return client;
  }

  async function start() {
    if (job) return { jobId: job.id };
    const c = await getClient();
    const state = await ensureProjectState({ cwd: context.cwd ?? process.cwd(), client: c, credentials });
    const s = { orgSlug: state.orgSlug, projectSlug: state.projectSlug };
    const created = await c.createJob({ ...s, name, config });
    scope = s;
    job = created.job;
    return { jobId: job.id };
  }

  /** @param {number} step */
  function inferFor(step) {
    const adapter = { kind: 'checkpoint', jobId: job.id, step };
    /** @param {Record<string, any>} args */
    return (args) =>
      /** @type {CloudApiClient} */ (client).chat({
        scope: /** @type {{ orgSlug: string, projectSlug: string }} */ (scope),
        body: {
          messages: args.messages,
          adapter,
          temperature: args.temperature,
          topP: args.topP,
          maxTokens: args.maxTokens,
          stream: args.stream ?? true,
          tools: args.tools,
          toolChoice: args.toolChoice,
          responseFormat: args.responseFormat,
          structuredOutputs: args.structuredOutputs,
        },
        signal: args.signal,
      });
  }

  /** One payload: update the snapshot, run the callback; true when terminal. */
  async function dispatch(/** @type {any} */ p, /** @type {{ artifacts: unknown[] }} */ out) {
    const run = async (/** @type {() => unknown} */ fn) => {
      try {
        await fn();
      } catch (err) {
        throw new CallbackFailure(err);
      }
    };
    switch (p?.type) {
      case 'training.started':
        job = { ...job, status: 'running', startedAt: p.timestamp };
        await run(() => callbacks.onStarted?.({ job }));
        return false;
      case 'training.log':
        await run(() =>
          callbacks.onLog?.({
            step: p.step,
            loss: p.loss ?? null,
            evalLoss: p.evalLoss ?? null,
            learningRate: p.learningRate ?? null,
            epoch: p.epoch ?? null,
            samplesPerSecond: p.samplesPerSecond ?? null,
            job,
          }),
        );
        return false;
      case 'checkpoint.saved':
        await run(() =>
          callbacks.onCheckpoint?.({
            step: p.step,
            adapter: { kind: 'checkpoint', jobId: job.id, step: p.step },
            job,
            infer: inferFor(p.step),
            artifacts: p.artifacts,
          }),
        );
        return false;
      case 'training.completed':
        job = { ...job, status: 'completed', completedAt: p.timestamp };
        out.artifacts = p.artifacts ?? [];
        await run(() => callbacks.onCompleted?.({ job, artifacts: out.artifacts }));
        return true;
      case 'training.failed':
        job = { ...job, status: 'failed', error: p.error, completedAt: p.timestamp };
        await run(() => callbacks.onFailed?.({ job, error: p.error }));
        return true;
      default:
        return false; // unknown types are skipped
    }
  }

  async function wait() {
    if (!job) await start();
    /** @type {{ artifacts: unknown[] }} */
    const out = { artifacts: [] };
    try {
      await runEventLoop({
        client: /** @type {CloudApiClient} */ (client),
        jobId: job.id,
        scope: /** @type {{ orgSlug: string, projectSlug: string }} */ (scope),
        signal: abortSignal,
        reconnectDelayMs: context.reconnectDelayMs ?? envMs('ARKOR_STANDIN_BACKOFF_BASE_MS', 1000),
        maxReconnectDelayMs: context.maxReconnectDelayMs ?? envMs('ARKOR_STANDIN_BACKOFF_CAP_MS', 60_000),
        maxReconnectAttempts: context.maxReconnectAttempts,
        onPayload: (p) => dispatch(p, out),
      });
    } catch (err) {
      throw err instanceof CallbackFailure ? err.error : err;
    }
    return { job, artifacts: out.artifacts };
  }

  async function cancel() {
    if (!job) return;
    await /** @type {CloudApiClient} */ (client).cancelJob(
      job.id,
      /** @type {{ orgSlug: string, projectSlug: string }} */ (scope),
    );
  }

  return { name, start, wait, cancel };
}
