// STAND-IN for the `arkor` SDK (see README.md). It implements the documented protocol only:
// createTrainer → POST /v1/jobs → the job event stream with callbacks, and createArkor.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { streamJobEvents } from './lib/events.js';
import { bearerToken, CLIENT_VERSION, requestJson, resolveBaseUrl, scopeQuery } from './lib/http.js';
import { ensureCredentials, ensureProjectState } from './lib/state.js';

export { ArkorApiError } from './lib/http.js';
export { ProjectStateMismatchError } from './lib/state.js';

/** The SDK version this stand-in implements. */
export const version = CLIENT_VERSION;

/** Base models the trainer accepts (the SDK's SUPPORTED_MODELS). */
export const SUPPORTED_MODELS = Object.freeze(['unsloth/gemma-4-E4B-it']);

const CALLBACK_NAMES = ['onStarted', 'onLog', 'onCheckpoint', 'onCompleted', 'onFailed'];

/**
 * `dataset` → `datasetSource`. A blob with a local path (relative to the project root, i.e. the
 * cwd, or absolute) becomes an absolute `file://` URL, which the offline local backend reads.
 * @param {any} dataset
 * @param {string} cwd
 */
function mapDataset(dataset, cwd) {
  if (!dataset || typeof dataset !== 'object') return dataset;
  if (dataset.type !== 'blob' || typeof dataset.url !== 'string') return { ...dataset };
  const url = dataset.url;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^[a-z]:[\\/]/i.test(url)) return { ...dataset };
  const abs = isAbsolute(url) ? url : resolve(cwd, url);
  return { ...dataset, url: pathToFileURL(abs).href };
}

/**
 * The wire `JobConfig` for a `createTrainer` config (protocol §3). `name`, `callbacks` and
 * `abortSignal` are not part of it; `lora.*` is flattened; everything else keeps its name.
 * When the dataset is a local file, `localProjectRoot` (the project root) is added so the local
 * backend knows which folder the dataset must lie in (Arkor Cloud ignores unknown config keys).
 * @param {Record<string, any>} config
 * @param {string} [cwd]
 */
export function toJobConfig(config, cwd = process.cwd()) {
  const { name: _name, callbacks: _cb, abortSignal: _signal, dataset, lora, ...rest } = config;
  /** @type {Record<string, unknown>} */
  const out = { ...rest, datasetSource: mapDataset(dataset, cwd) };
  if (lora && typeof lora === 'object') {
    const { r, alpha, maxLength, loadIn4bit, ...otherLora } = lora;
    Object.assign(out, { loraR: r, loraAlpha: alpha, maxLength, loadIn4bit });
    // Unknown lora keys are forwarded unchanged (the server validates loosely).
    for (const [k, v] of Object.entries(otherLora)) if (!(k in out)) out[k] = v;
  }
  const ds = /** @type {any} */ (out.datasetSource);
  if (
    ds?.type === 'blob' &&
    typeof ds.url === 'string' &&
    ds.url.startsWith('file:') &&
    !out.localProjectRoot
  ) {
    out.localProjectRoot = resolve(cwd);
  }
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/**
 * @param {Record<string, any>} config
 */
export function createTrainer(config) {
  if (!config || typeof config !== 'object')
    throw new TypeError('createTrainer(config): config must be an object');
  if (!SUPPORTED_MODELS.includes(config.model)) {
    throw new Error(`Unsupported model "${config.model}". Supported: ${SUPPORTED_MODELS.join(', ')}`);
  }
  if (config.dataset === undefined) throw new Error('createTrainer(config): `dataset` is required');
  const callbacks = config.callbacks ?? {};
  for (const key of Object.keys(callbacks)) {
    if (!CALLBACK_NAMES.includes(key))
      throw new Error(`Unknown callback "${key}" (${CALLBACK_NAMES.join(', ')})`);
  }
  const name = typeof config.name === 'string' && config.name ? config.name : 'arkor-training';

  /** @type {undefined | { job: any, jobId: string, baseUrl: string, token: string, scope: any }} */
  let run;
  /** @type {Promise<{ jobId: string }> | undefined} */
  let starting;

  async function start() {
    if (!starting) {
      starting = (async () => {
        const cwd = process.cwd();
        const credentials = await ensureCredentials();
        const baseUrl = resolveBaseUrl(credentials);
        const token = /** @type {string} */ (bearerToken(credentials));
        const state = await ensureProjectState(cwd, credentials, baseUrl);
        const scope = { orgSlug: state.orgSlug, projectSlug: state.projectSlug };
        const body = await requestJson(baseUrl, 'POST', `/v1/jobs?${scopeQuery(scope)}`, {
          token,
          body: { name, config: toJobConfig(config, cwd) },
        });
        const job = body.job;
        if (!job || typeof job.id !== 'string') throw new Error('POST /v1/jobs returned no job');
        run = { job, jobId: job.id, baseUrl, token, scope };
        return { jobId: job.id };
      })();
      starting.catch(() => {
        starting = undefined; // allow a retry after a failed start
      });
    }
    return starting;
  }

  /** A minimal non-streaming `infer` for checkpoint callbacks. @param {any} adapter */
  function inferFor(adapter) {
    return async (/** @type {{ messages: unknown[], [k: string]: unknown }} */ request) => {
      if (!run) throw new Error('trainer not started');
      return requestJson(run.baseUrl, 'POST', `/v1/inference/chat?${scopeQuery(run.scope)}`, {
        token: run.token,
        body: { ...request, adapter, stream: false },
      });
    };
  }

  async function wait() {
    if (!run) await start();
    const current = /** @type {NonNullable<typeof run>} */ (run);
    const { jobId } = current;
    /** @type {unknown[] | undefined} */
    let artifacts;
    /** @type {string | undefined} */
    let error;
    const result = await streamJobEvents({
      baseUrl: current.baseUrl,
      token: current.token,
      scope: current.scope,
      jobId,
      signal: config.abortSignal,
      onEvent: async (type, data) => {
        switch (type) {
          case 'training.started':
            current.job = { ...current.job, status: 'running', startedAt: data.timestamp ?? null };
            await callbacks.onStarted?.({ job: current.job, jobId, metadata: data.metadata });
            break;
          case 'training.log':
            await callbacks.onLog?.(data);
            break;
          case 'checkpoint.saved': {
            const adapter = { kind: 'checkpoint', jobId, step: data.step };
            await callbacks.onCheckpoint?.({ ...data, adapter, infer: inferFor(adapter) });
            break;
          }
          case 'training.completed':
            artifacts = data.artifacts;
            current.job = { ...current.job, status: 'completed', completedAt: data.timestamp ?? null };
            await callbacks.onCompleted?.({ job: current.job, jobId, artifacts, metrics: data.metrics });
            break;
          case 'training.failed':
            error = data.error;
            current.job = { ...current.job, status: 'failed', error: data.error ?? null };
            await callbacks.onFailed?.({ job: current.job, jobId, error: data.error, step: data.step });
            break;
          default:
            break; // unknown events are ignored (forward compatibility)
        }
      },
    });
    // After `event: end` the status is whatever the job row said (e.g. `queued`).
    return {
      job: current.job,
      jobId,
      status: current.job.status,
      terminal: result.terminal,
      artifacts,
      error,
    };
  }

  async function cancel() {
    if (!run) return;
    await requestJson(
      run.baseUrl,
      'POST',
      `/v1/jobs/${encodeURIComponent(run.jobId)}/cancel?${scopeQuery(run.scope)}`,
      {
        token: run.token,
      },
    );
  }

  return Object.freeze({
    name,
    config,
    start,
    wait,
    cancel,
    get jobId() {
      return run?.jobId;
    },
  });
}

/**
 * The project manifest `arkor start` looks for (`export const arkor = createArkor({ trainer })`).
 * @param {{ trainer: ReturnType<typeof createTrainer> }} manifest
 */
export function createArkor(manifest) {
  if (!manifest || typeof manifest.trainer?.start !== 'function') {
    throw new TypeError('createArkor({ trainer }): trainer must come from createTrainer()');
  }
  return Object.freeze({ _kind: 'arkor', trainer: manifest.trainer });
}
