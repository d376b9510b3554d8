// Types of the STAND-IN `arkor` package (see README.md). They follow the documented SDK surface.

export declare const version: string;
export declare const SUPPORTED_MODELS: readonly ['unsloth/gemma-4-E4B-it'];
export type SupportedModel = (typeof SUPPORTED_MODELS)[number];

export type DatasetSource =
  | { type: 'huggingface'; name: string; split?: string; subset?: string }
  /** An https URL, or (stand-in + local backend) a path relative to the project root / a file:// URL. */
  | { type: 'blob'; url: string; token?: string };

export interface LoraConfig {
  r?: number;
  alpha?: number;
  maxLength?: number;
  loadIn4bit?: boolean;
}

export interface TrainingJob {
  id: string;
  name: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | (string & {});
  config: Record<string, unknown>;
  error?: string | null;
  createdAt?: string;
  startedAt?: string | null;
  completedAt?: string | null;
  [key: string]: unknown;
}

export interface TrainingLogEvent {
  type: 'training.log';
  jobId: string;
  timestamp: string;
  step: number;
  loss?: number | null;
  evalLoss?: number | null;
  learningRate?: number | null;
  epoch?: number | null;
  samplesPerSecond?: number | null;
}

export type AdapterRef =
  | { kind: 'final'; jobId: string }
  | { kind: 'checkpoint'; jobId: string; step: number };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  [key: string]: unknown;
}

export interface TrainerCallbacks {
  onStarted?: (info: { job: TrainingJob; jobId: string; metadata?: unknown }) => unknown;
  onLog?: (event: TrainingLogEvent) => unknown;
  onCheckpoint?: (info: {
    jobId: string;
    step: number;
    artifacts?: unknown[];
    adapter: Extract<AdapterRef, { kind: 'checkpoint' }>;
    /** Non-streaming chat against this checkpoint. */
    infer: (request: { messages: ChatMessage[]; [key: string]: unknown }) => Promise<unknown>;
  }) => unknown;
  onCompleted?: (info: {
    job: TrainingJob;
    jobId: string;
    artifacts?: unknown[];
    metrics?: unknown;
  }) => unknown;
  onFailed?: (info: { job: TrainingJob; jobId: string; error: string; step?: number }) => unknown;
}

export interface TrainerConfig {
  name?: string;
  model: SupportedModel;
  dataset: DatasetSource;
  datasetFormat?: unknown;
  maxSteps?: number;
  numTrainEpochs?: number;
  learningRate?: number;
  batchSize?: number;
  optim?: string;
  lrSchedulerType?: string;
  weightDecay?: number;
  warmupSteps?: number;
  loggingSteps?: number;
  saveSteps?: number;
  evalSteps?: number;
  trainOnResponsesOnly?: boolean;
  datasetSplit?: unknown;
  dryRun?: boolean;
  lora?: LoraConfig;
  callbacks?: TrainerCallbacks;
  /** Stops the local event loop only; it does not cancel the job. */
  abortSignal?: AbortSignal;
  [key: string]: unknown;
}

export interface WaitResult {
  job: TrainingJob;
  jobId: string;
  /** `completed` / `failed`, or the creation-time status when the stream ended with `event: end`. */
  status: string;
  terminal: 'training.completed' | 'training.failed' | 'end';
  artifacts?: unknown[];
  error?: string;
}

export interface Trainer {
  readonly name: string;
  readonly config: TrainerConfig;
  readonly jobId: string | undefined;
  /** Credentials, project scope (creating `.arkor/state.json` if needed), then `POST /v1/jobs`. */
  start(): Promise<{ jobId: string }>;
  /** Stream the job's events (with resume) until a terminal event, invoking the callbacks. */
  wait(): Promise<WaitResult>;
  /** `POST /v1/jobs/:id/cancel`. */
  cancel(): Promise<void>;
}

export interface ArkorManifest {
  readonly _kind: 'arkor';
  readonly trainer: Trainer;
}

export declare function createTrainer(config: TrainerConfig): Trainer;
export declare function createArkor(manifest: { trainer: Trainer }): ArkorManifest;
/** The wire JobConfig for a trainer config (protocol §3). */
export declare function toJobConfig(config: TrainerConfig, cwd?: string): Record<string, unknown>;

export declare class ArkorApiError extends Error {
  readonly status: number;
  readonly body: unknown;
}
export declare class ProjectStateMismatchError extends Error {}
