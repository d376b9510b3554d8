/**
 * Public surface of the core: the Arkor protocol without VS Code. Nothing under `src/core/` may
 * import `vscode`; everything here runs (and is tested) in plain Node 20.
 */

export {
  isActiveStatus,
  isTerminalStatus,
  type JobEventParseContext,
  type ParsedJobEventData,
  parseJobEventData,
} from '../wire';
export {
  ArkorApiClient,
  type ArkorApiClientOptions,
  DEFAULT_CLOUD_API_URL,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  type DeprecationNotice,
  type OpenStream,
  type RequestOptions,
  scopeQuery,
  stripTrailingSlashes,
} from './apiClient';
export {
  buildChatBody,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  type ChunkInfo,
  parseChatChunk,
  readChatStream,
  type StreamChatOptions,
  streamChat,
} from './chatStream';
export {
  type BackendKind,
  backendLabel,
  CONNECTION_ACTIONS,
  type ConnectionAction,
  type ConnectionPhase,
  type ConnectionState,
  failureState,
  type JobOrigin,
  NoProjectError,
  NotSignedInError,
  originOf,
  retryDelayMs,
  sameOrigin,
  UntrustedScopeError,
} from './connection';
export {
  type AnonCredentials,
  assertSafeCloudUrl,
  type BaseUrlSources,
  bearerToken,
  type CredentialStore,
  type Credentials,
  credentialSecrets,
  ensureCredentials,
  InMemoryCredentialStore,
  importCliCredentials,
  type OAuthCredentials,
  parseCredentials,
  resolveBaseUrl,
} from './credentials';
export { type EndpointChatTarget, openAiChatBody, streamEndpointChat } from './endpointChat';
export { type EndpointAction, type EndpointContext, endpointErrorMessage } from './endpointErrors';
export {
  endpointSummary,
  jobLookup,
  keySummary,
  retentionFields,
  retentionOf,
  retentionText,
  slugMessage,
  slugProblem,
  suggestSlug,
  targetLabel,
  targetOptions,
} from './endpointModel';
export {
  API_KEY_PLACEHOLDER,
  chatCompletionsUrl,
  deploymentBaseUrl,
  endpointSample,
  SAMPLE_LANGUAGES,
  type SampleLanguage,
  type SampleOptions,
} from './endpointSamples';
export {
  ArkorApiError,
  type ArkorErrorKind,
  isAbortError,
  MissingProjectStateError,
  ProjectStateMismatchError,
} from './errors';
export {
  type BackoffOptions,
  backoffDelay,
  type JobEventStreamOptions,
  type JobEventStreamResult,
  type JobStreamStatus,
  SeenEventIds,
  streamJobEvents,
} from './jobEvents';
export { JobHistoryLoader } from './jobHistory';
export {
  type Checkpoint,
  clientJobSource,
  formatLogText,
  type JobLogLine,
  type JobRowData,
  type JobSnapshot,
  type JobSource,
  JobStore,
  type JobStoreChange,
  type JobStoreOptions,
  logTypeOf,
  type StreamInfo,
  type StreamPhase,
  type Timers,
} from './jobStore';
// The `Disposable` base class is imported from './lifecycle' directly: here the name is the interface.
export {
  DisposableStore,
  Emitter,
  type Event,
  type IDisposable,
  onUnexpectedError,
  setUnexpectedErrorHandler,
  toDisposable,
} from './lifecycle';
export * from './metricOverview';
export * from './metrics';
export {
  deriveProjectSlug,
  ensureProjectState,
  isStateUsable,
  type ProjectState,
  projectStatePath,
  readProjectState,
  resolveScope,
  type ScopeResolution,
  writeProjectState,
} from './projectState';
export { REDACTED, redact, redactValue } from './redact';
export { formatRunLabel, type RunLabelJob, runLabels } from './runLabels';
export { readSse, type SseFrame } from './sse';
export * from './types';
export { type PostMessage, WebviewChannel, type WebviewChannelOptions } from './webviewChannel';
