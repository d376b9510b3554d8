// STAND-IN for the real `arkor` SDK (see README.md): written from the public API reference
// (arkor-sdk-api.md), not from the real package's source. It exports what the real `arkor`
// exports, with the same shapes, messages and wire behaviour, so that code written against the
// real SDK runs here unchanged.
export { CloudApiClient } from './lib/client.js';
export {
  credentialsPath,
  defaultArkorCloudApiUrl,
  ensureCredentials,
  readCredentials,
  requestAnonymousToken,
  writeCredentials,
} from './lib/credentials.js';
export { CloudApiError } from './lib/http.js';
export { createArkor, isArkor, runTrainer } from './lib/runner.js';
export { readState, statePath, writeState } from './lib/state.js';
export { createTrainer, SUPPORTED_MODELS } from './lib/trainer.js';
