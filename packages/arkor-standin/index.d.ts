// Types of the STAND-IN `arkor` package (see README.md). Names and shapes follow the real SDK's
// public API; nothing here is stand-in-specific.

// ---- Models -----------------------------------------------------------------------------------

export declare const SUPPORTED_MODELS: readonly ['unsloth/gemma-4-E4B-it'];
export type SupportedModel = (typeof SUPPORTED_MODELS)[number];

// ---- Datasets -------------------------------------------------------------------------------

export interface HuggingfaceDatasetSource {
  type: 'huggingface';
  name: string;
  split?: string;
  subset?: string;
}
export interface BlobDatasetSource {
  type: 'blob';
  url: string;
  token?: string;
}
export type DatasetSource = HuggingfaceDatasetSource | BlobDatasetSource;

export interface LoraConfig {
  r: number;
  alpha: number;
  maxLength?: number;
  loadIn4bit?: boolean;
}

// ---- Jobs -----------------------------------------------------------------------------------

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Not exported by name upstream; reachable as `TrainingJob['config']`. */
interface JobConfig extends TrainingSettings {
  model: string;
  datasetSource: DatasetSource;
  loraR?: number;
  loraAlpha?: number;
  maxLength?: number;
  loadIn4bit?: boolean;
}

/**
 * The training settings `TrainerInput` takes and the job config carries under the same names (not a
 * name upstream exports: one declaration here for both).
 */
interface TrainingSettings {
  maxSteps?: number;
  numTrainEpochs?: number;
  learningRate?: number;
  batchSize?: number;
  optim?: string;
  lrSchedulerType?: string;
  weightDecay?: number;
  warmupSteps?: unknown;
  loggingSteps?: unknown;
  saveSteps?: unknown;
  evalSteps?: unknown;
  trainOnResponsesOnly?: unknown;
  datasetFormat?: unknown;
  datasetSplit?: unknown;
  dryRun?: boolean;
}

export interface TrainingJob {
  id: string;
  orgId: string;
  projectId: string;
  name: string;
  status: JobStatus;
  config: JobConfig;
  error?: string | null;
  createdAt: string;
  startedAt?: string | null;
  completedAt?: string | null;
}

export interface TrainingResult {
  job: TrainingJob;
  artifacts: unknown[];
}

// ---- Inference --------------------------------------------------------------------------------

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: ToolCall[] }
  | { role: 'assistant'; content?: string | null; tool_calls: [ToolCall, ...ToolCall[]] }
  | { role: 'tool'; content: string; tool_call_id: string };

export interface ToolDefinition {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean;
  };
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: {
        name: string;
        description?: string;
        schema: Record<string, unknown>;
        strict?: boolean;
      };
    };

interface StructuredOutputChoices {
  json: Record<string, unknown>;
  regex: string;
  choice: string[];
  grammar: string;
  json_object: true;
}
type ExactlyOne<T> = {
  [K in keyof T]: { [P in K]: T[P] } & { [P in Exclude<keyof T, K>]?: never };
}[keyof T];

export type StructuredOutputs = ExactlyOne<StructuredOutputChoices> & {
  disable_any_whitespace?: boolean;
  disable_additional_properties?: boolean;
  whitespace_pattern?: string;
};

export interface InferArgs {
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /** Defaults to `true` in `infer`: the Response body is then an SSE stream. */
  stream?: boolean;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  structuredOutputs?: StructuredOutputs;
  signal?: AbortSignal;
}

// ---- Trainer ------------------------------------------------------------------------------

/** Not exported by name upstream. */
interface TrainingLogContext {
  step: number;
  loss: number | null;
  evalLoss: number | null;
  learningRate: number | null;
  epoch: number | null;
  samplesPerSecond: number | null;
  job: TrainingJob;
}

/** Not exported by name upstream. */
interface CheckpointContext {
  step: number;
  adapter: { kind: 'checkpoint'; jobId: string; step: number };
  job: TrainingJob;
  /** The raw fetch Response (not parsed JSON). */
  infer: (args: InferArgs) => Promise<Response>;
  artifacts: unknown[] | undefined;
}

export interface TrainerCallbacks {
  onStarted(ctx: { job: TrainingJob }): unknown | Promise<unknown>;
  onLog(ctx: TrainingLogContext): unknown | Promise<unknown>;
  onCheckpoint(ctx: CheckpointContext): unknown | Promise<unknown>;
  onCompleted(ctx: { job: TrainingJob; artifacts: unknown[] }): unknown | Promise<unknown>;
  onFailed(ctx: { job: TrainingJob; error: string }): unknown | Promise<unknown>;
}

export interface TrainerInput extends TrainingSettings {
  name: string;
  model: SupportedModel;
  dataset: DatasetSource;
  lora?: LoraConfig;
  callbacks?: Partial<TrainerCallbacks>;
  /** Stops the local `wait()` loop only; no cancel request is sent. */
  abortSignal?: AbortSignal;
}

export interface Trainer {
  readonly name: string;
  start(): Promise<{ jobId: string }>;
  wait(): Promise<TrainingResult>;
  cancel(): Promise<void>;
}

export declare function createTrainer(input: TrainerInput): Trainer;

// ---- Manifest and runner ------------------------------------------------------------------

export interface ArkorInput {
  trainer?: Trainer;
}
export interface Arkor {
  readonly _kind: 'arkor';
  readonly trainer?: Trainer;
}
export interface ArkorProjectState {
  orgSlug: string;
  projectSlug: string;
  projectId: string;
}

export declare function createArkor(input: ArkorInput): Arkor;
export declare function isArkor(value: unknown): value is Arkor;
export declare function runTrainer(file?: string): Promise<void>;

// ---- Credentials -----------------------------------------------------------------------------

export interface AnonymousCredentials {
  mode: 'anon';
  token: string;
  anonymousId: string;
  arkorCloudApiUrl: string;
  orgSlug: string;
}
export interface OAuthCredentials {
  mode: 'oauth';
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  auth0Domain: string;
  audience: string;
  clientId: string;
  arkorCloudApiUrl?: string;
}
export type Credentials = OAuthCredentials | AnonymousCredentials;

export declare function credentialsPath(): string;
export declare function readCredentials(): Promise<Credentials | null>;
export declare function writeCredentials(credentials: Credentials): Promise<void>;
export declare function defaultArkorCloudApiUrl(credentials?: Credentials | null): string;
export declare function requestAnonymousToken(
  baseUrl: string,
  kind?: 'cli' | 'web',
): Promise<{ token: string; anonymousId: string; kind: 'cli' | 'web'; orgSlug: string }>;
export declare function ensureCredentials(): Promise<Credentials>;

// ---- Project state ---------------------------------------------------------------------------

export declare function statePath(cwd?: string): string;
export declare function readState(cwd?: string): Promise<ArkorProjectState | null>;
export declare function writeState(state: ArkorProjectState, cwd?: string): Promise<void>;

// ---- Deployments ---------------------------------------------------------

export type DeploymentTarget =
  | {
      kind: 'adapter';
      adapter: { kind: 'final'; jobId: string } | { kind: 'checkpoint'; jobId: string; step: number };
    }
  | { kind: 'base_model'; baseModel: string };
export type DeploymentAuthMode = 'none' | 'fixed_api_key';
export type DeploymentRunRetentionMode = 'unlimited' | 'disabled' | 'days';
export interface DeploymentScope {
  orgSlug: string;
  projectSlug: string;
}
export interface DeploymentDto {
  id: string;
  slug: string;
  orgId: string;
  projectId: string;
  target: DeploymentTarget;
  authMode: DeploymentAuthMode;
  urlFormat: 'openai_compat';
  enabled: boolean;
  customDomain: string | null;
  runRetentionMode?: DeploymentRunRetentionMode | (string & {});
  runRetentionDays?: number;
  createdAt: string;
  updatedAt: string;
}
export interface DeploymentKeyDto {
  id: string;
  label: string;
  prefix: string;
  enabled: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}
export interface CreateDeploymentKeyResult {
  id: string;
  label: string;
  plaintext: string;
  prefix: string;
  createdAt: string;
}
type RunRetentionFields =
  | { runRetentionMode?: undefined; runRetentionDays?: undefined }
  | { runRetentionMode: 'unlimited' | 'disabled'; runRetentionDays?: undefined }
  | { runRetentionMode: 'days'; runRetentionDays: number };
export type CreateDeploymentInput = {
  slug: string;
  target: DeploymentTarget;
  authMode: DeploymentAuthMode;
} & RunRetentionFields;
export type UpdateDeploymentInput = {
  target?: DeploymentTarget;
  authMode?: DeploymentAuthMode;
  enabled?: boolean;
} & RunRetentionFields;
export interface CreateDeploymentKeyInput {
  label: string;
}

// ---- Cloud API client -------------------------------------------------------------------------

interface DeprecationNotice {
  sdkVersion: string;
  message: string;
  sunset: string | null;
}

export interface CloudApiClientOptions {
  baseUrl: string;
  credentials: Credentials;
  fetch?: typeof fetch;
  onDeprecation?: (notice: DeprecationNotice) => void;
}

interface Project {
  id: string;
  slug: string;
  name: string;
  orgId: string;
  [key: string]: unknown;
}
type Scope = { orgSlug: string; projectSlug: string };

export declare class CloudApiError extends Error {
  status: number;
  name: 'CloudApiError';
  constructor(status: number, message: string);
}

export declare class CloudApiClient {
  constructor(options: CloudApiClientOptions);
  listProjects(
    orgSlug: string,
  ): Promise<{ org: { slug: string; [key: string]: unknown }; projects: Project[] }>;
  createProject(input: { orgSlug: string; name: string; slug: string }): Promise<{ project: Project }>;
  createJob(input: {
    orgSlug: string;
    projectSlug: string;
    name: string;
    config: { model: string; [key: string]: unknown };
  }): Promise<{ job: TrainingJob }>;
  getJob(jobId: string, scope: Scope): Promise<{ job: TrainingJob; events?: unknown[] }>;
  cancelJob(jobId: string, scope: Scope): Promise<void>;
  openEventStream(
    jobId: string,
    scope: Scope,
    opts?: { lastEventId?: string; signal?: AbortSignal },
  ): Promise<Response>;
  chat(input: {
    scope: Scope;
    body: {
      messages: ChatMessage[];
      adapter?: { kind: 'final' | 'checkpoint'; jobId: string; step?: number };
      baseModel?: string;
      temperature?: number;
      topP?: number;
      maxTokens?: number;
      stream?: boolean;
      tools?: ToolDefinition[];
      toolChoice?: ToolChoice;
      responseFormat?: ResponseFormat;
      structuredOutputs?: StructuredOutputs;
    };
    signal?: AbortSignal;
  }): Promise<Response>;
  listDeployments(scope: DeploymentScope): Promise<{ deployments: DeploymentDto[] }>;
  getDeployment(id: string, scope: DeploymentScope): Promise<{ deployment: DeploymentDto }>;
  createDeployment(
    scope: DeploymentScope,
    input: CreateDeploymentInput,
  ): Promise<{ deployment: DeploymentDto }>;
  updateDeployment(
    id: string,
    scope: DeploymentScope,
    input: UpdateDeploymentInput,
  ): Promise<{ deployment: DeploymentDto }>;
  deleteDeployment(id: string, scope: DeploymentScope): Promise<void>;
  listDeploymentKeys(id: string, scope: DeploymentScope): Promise<{ keys: DeploymentKeyDto[] }>;
  createDeploymentKey(
    id: string,
    scope: DeploymentScope,
    input: CreateDeploymentKeyInput,
  ): Promise<{ key: CreateDeploymentKeyResult }>;
  revokeDeploymentKey(id: string, keyId: string, scope: DeploymentScope): Promise<void>;
}
