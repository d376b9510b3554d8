import type { ConnectionAction, ConnectionPhase } from './core/connection';
import type { JobOrigin } from './core/origin';
import type { JobRows } from './jobRows';

export type { ConnectionAction, ConnectionPhase, JobOrigin, JobRows };

/**
 * Every message between the extension host and a webview, as discriminated unions on `type`.
 * Both sides import this file (the host for `postMessage`, the Preact apps for their handlers), so a
 * renamed field is a compile error on both sides. Everything here is plain JSON: no tokens, no
 * functions, nothing a webview must not see. The host validates what webviews send
 * (src/vscode/messageSchemas.ts); webviews trust what the host sends.
 *
 * Lifecycle shared by all views: the webview posts `ready` once mounted; the host answers with a
 * `snapshot` (and again whenever the view is re-shown), then pushes deltas.
 */

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export interface CheckpointSummary {
  step: number;
  /** ISO time the checkpoint event was received or stamped. */
  savedAt: string;
  /** Training loss at (or just before) that step, when known. */
  loss?: number;
}

/** One job as the jobs view and job panel header show it. */
export interface JobSummary {
  id: string;
  name: string;
  /**
   * The run label every surface shows (`captain-speak #3`: the name and the run's ordinal among the
   * jobs of that name, src/core/runLabels.ts), so runs of one trainer can be told apart.
   */
  label: string;
  status: JobStatus | string;
  createdAt: string;
  startedAt?: string | null;
  completedAt?: string | null;
  model?: string;
  dataset?: string;
  error?: string | null;
  /** Latest step seen on the event stream, and the run's planned total when known. */
  step?: number;
  maxSteps?: number;
  lastLoss?: number;
  /** A few dozen recent loss values for the row sparkline. */
  sparkline?: number[];
  checkpoints: CheckpointSummary[];
  /**
   * The job was interrupted (failed or cancelled) on a backend that can resume it from a checkpoint
   * (the local backend; Arkor Cloud has no resume, only a re-run).
   */
  canResume?: boolean;
}

export interface BackendInfo {
  kind: 'local' | 'cloud';
  /** Human label, e.g. "Local backend · 127.0.0.1:4000" or "Arkor Cloud · api.arkor.ai". */
  label: string;
  /** Where the connection stands (src/core/connection.ts); absent means connected. */
  phase?: ConnectionPhase;
  /** What fixes the state, as buttons (each runs an Arkor command). */
  actions?: ConnectionAction[];
  /** The cause and the fix when the connection failed, shown as a banner; undefined when healthy. */
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// Jobs view (sidebar webview view `arkor.jobs`)

export type JobsViewToHost =
  | { type: 'ready' }
  | { type: 'runTraining' }
  | { type: 'refresh' }
  /** A button of the connection banner: Sign In, Select Backend, Retry, Choose Project, Show Output. */
  | { type: 'connectionAction'; action: ConnectionAction }
  | { type: 'openJob'; jobId: string }
  | { type: 'cancelJob'; jobId: string }
  | { type: 'openPlayground'; jobId?: string; step?: number }
  /** Rows the view shows that came without their detail (see `JobRows`): answered by a `jobsPatch`. */
  | { type: 'details'; jobIds: string[] };

/**
 * The list crosses as packed columns with whole rows for the top of the list only (`JobRows`,
 * src/jobRows.ts), so 10,000 jobs clone as a few arrays rather than 10,000 objects; the view asks for
 * the detail of the rows it shows (`details`).
 */
export type HostToJobsView =
  | { type: 'snapshot'; rows: JobRows; backend: BackendInfo; trusted: boolean }
  | { type: 'jobs'; rows: JobRows }
  /** Only these jobs changed (same ids, same order otherwise): a live update costs O(changed), not O(jobs). */
  | { type: 'jobsPatch'; jobs: JobSummary[] }
  | { type: 'backend'; backend: BackendInfo };

// ---------------------------------------------------------------------------------------------
// Job panel (editor webview panel `arkor.job`, one per job)

/**
 * Metric columns for the loss chart, index-aligned: entry i of every array belongs to step[i].
 * NaN where a frame did not carry that value. Sent whole in a snapshot, then as appended slices.
 * Typed arrays because they cross `postMessage` as raw buffers: VS Code passes them beside the JSON
 * and the webview receives a memory copy, where plain arrays of 100,000 rows cost tens of
 * milliseconds to serialise and clone element by element. The metrics are 32-bit, as the host's
 * job store keeps them (about 7 significant digits: ample for a loss): widening them to 64 bits
 * would add bytes to every snapshot and digits that were never measured.
 */
export interface MetricColumns {
  step: Float64Array;
  loss: Float32Array;
  evalLoss: Float32Array;
  learningRate: Float32Array;
  /**
   * Epoch milliseconds of the row's event (its timestamp, else when the host received it), for
   * elapsed, ETA, steps/s and the CSV; 0 when unknown.
   */
  time: Float64Array;
}

/** The job as the panel header shows it: the summary plus the resolved config. */
export interface JobDetail extends JobSummary {
  /** Every config value the run uses, defaults resolved (never the word "default"). */
  config: Record<string, string | number | boolean | null>;
  /**
   * Settings the job asked for that its backend does not implement (the local backend's `warnings`
   * job field), shown under the header. Absent or empty: nothing to warn about.
   */
  warnings?: string[];
  /**
   * Set when the job trained on the local backend, which runs a tiny model in place of the requested
   * one: the sentence the header shows beside the model name. Absent for a real model.
   */
  standIn?: string;
}

/** The job's event stream as the panel shows it (from the job store's `StreamPhase`). */
export type StreamView =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; attempt: number; error?: string }
  | { kind: 'ended' }
  | { kind: 'error'; error: string };

export type HostToJobPanel =
  | {
      type: 'snapshot';
      job: JobDetail;
      /** Every metric row, or with `overview` set, an overview of them. */
      metrics: MetricColumns;
      /**
       * Set for a long run: `metrics` is an overview of its `rows` rows (a few thousand real rows that
       * draw like all of them at chart width, src/core/metricOverview.ts), so the panel paints at once.
       * Every row then follows from row 0 in `metrics` messages marked `load` (one per `moreRows`).
       * Until the last is in, the panel draws the overview and holds back what needs every row.
       */
      overview?: { rows: number };
      logTail: string[];
      stream: StreamView;
    }
  | { type: 'job'; job: JobDetail }
  /**
   * The job belongs to another backend than the one connected now (its panel stays open across a
   * switch): the panel says so and offers to switch back instead of showing a false status.
   */
  | { type: 'elsewhere'; belongsTo: string; connectedTo: string; backend: 'local' | 'cloud' }
  /**
   * Metric rows starting at row index `from` (same column layout as the snapshot). Usually `from` is
   * the current length (an append); a smaller `from` replaces rows from there on (a later frame filled
   * in a value, e.g. the eval loss of a step already shown).
   */
  | {
      type: 'metrics';
      from: number;
      rows: MetricColumns;
      /**
       * Set on the rows of an overview snapshot as they load: 'more' (the panel asks for the next
       * chunk with `moreRows` once it has taken this one in) or 'last' (every row is in). Any other
       * `metrics` message during the load (a row filled in) applies to the rows loaded so far.
       */
      load?: 'more' | 'last';
    }
  | { type: 'log'; lines: string[] }
  | { type: 'stream'; stream: StreamView };

export type JobPanelToHost =
  | { type: 'ready' }
  | { type: 'cancelJob' }
  /** Resume from the last checkpoint (local backend) or run the project's trainer again. */
  | { type: 'resumeJob' }
  | { type: 'rerunJob' }
  | { type: 'openPlayground'; step?: number }
  | { type: 'openFullLog' }
  | { type: 'saveCsv'; csv: string }
  /**
   * The panel painted an overview snapshot, or took in its last `load: 'more'` chunk: the next chunk
   * of rows, please (one chunk in flight keeps each webview task short and the panel responsive).
   */
  | { type: 'moreRows' }
  /**
   * The user used the panel (a click or a key inside it): it is kept, no longer replaced by the
   * next run's panel (as a VS Code preview editor becomes pinned). Sent once per panel.
   */
  | { type: 'pin' }
  /** From the "belongs to another backend" notice: switch to the job's backend. */
  | { type: 'switchBackend' }
  /** Deploy the job's final adapter, or the checkpoint at `step`. */
  | { type: 'deploy'; step?: number };

// ---------------------------------------------------------------------------------------------
// Playground (editor webview panel `arkor.playground`)

/** What a chat column talks to. */
export type ModelRef =
  | { kind: 'base'; model: string }
  | { kind: 'final'; jobId: string }
  | { kind: 'checkpoint'; jobId: string; step: number }
  /** Chat through a deployed endpoint's own URL (Try in Playground on an endpoint). */
  | { kind: 'endpoint'; endpointId: string; slug: string };

export interface ModelOption {
  ref: ModelRef;
  /** e.g. "Base · unsloth/gemma-4-E4B-it", "captain-speak #3 · final", "captain-speak #3 · step 40". */
  label: string;
  /** Group heading in the picker: "Base models", or the job's run label. */
  group: string;
  /** True while the job is still running (checkpoint options of a live run). */
  live?: boolean;
  /** Set on the local backend, whose models are tiny stand-ins: what to expect, shown by the picker. */
  standIn?: string;
}

export interface SamplingParams {
  temperature: number;
  topP: number;
  maxTokens: number;
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatStats {
  ttftMs?: number;
  tokensPerSecond?: number;
  tokens?: number;
  finishReason?: string;
}

/** A model as a reply recorded it when it was sent: which one, its label then, and where it lives. */
export interface ModelChoice {
  ref: ModelRef;
  label: string;
  origin?: JobOrigin;
}

/** A saved turn. An assistant turn names the model that wrote it (absent in older saved state). */
export type StoredTurn = ChatTurn & { stats?: ChatStats; error?: string; model?: ModelChoice };

/**
 * A persisted conversation: one or two columns (compare mode). A column's `model` is the one its next
 * prompt goes to, `origin` the backend it was chosen on and `label` its name then (absent in older
 * saved state); each reply names its own model.
 */
export interface Conversation {
  id: string;
  title: string;
  updatedAt: string;
  systemPrompt: string;
  params: SamplingParams;
  columns: { model: ModelRef; label?: string; origin?: JobOrigin; turns: StoredTurn[] }[];
}

export type HostToPlayground =
  | {
      type: 'snapshot';
      models: ModelOption[];
      conversations: Conversation[];
      /** Model to select on open (from "Open in Playground" on a job or checkpoint). */
      preselect?: ModelRef;
      /** The backend the listed models are on; absent while not connected. */
      origin?: JobOrigin;
      /**
       * The list is still filling in (connecting, the job list not polled yet, or recent jobs'
       * checkpoints on their way): a chosen model not listed yet is loading, not unavailable.
       */
      loading?: boolean;
    }
  | { type: 'models'; models: ModelOption[]; origin?: JobOrigin; loading?: boolean }
  | { type: 'select'; model: ModelRef }
  | { type: 'chatDelta'; requestId: string; text: string }
  | { type: 'chatDone'; requestId: string; stats: ChatStats }
  /** `action` names what fixes it, e.g. "Sign in", "Start the local backend". */
  | { type: 'chatError'; requestId: string; message: string; action?: string };

export type PlaygroundToHost =
  | { type: 'ready' }
  | {
      type: 'chat';
      requestId: string;
      model: ModelRef;
      systemPrompt: string;
      messages: ChatTurn[];
      params: SamplingParams;
      /** Where the model lives: the host refuses a chat with another backend's model. */
      origin?: JobOrigin;
    }
  | { type: 'stop'; requestId: string }
  | { type: 'saveConversations'; conversations: Conversation[] }
  /** `note` says what the export left out and why (shown with the save dialog and after saving). */
  | { type: 'export'; format: 'jsonl' | 'markdown'; content: string; suggestedName: string; note?: string }
  /** From the "this conversation's model is on another backend" notice. */
  | { type: 'switchBackend'; backend: 'local' | 'cloud' }
  /** Deploy the model selected in a column as an endpoint. */
  | { type: 'deploy'; model: ModelRef };

// ---------------------------------------------------------------------------------------------
// Endpoints (deployments): the `arkor.endpoints` tree and one editor panel `arkor.endpoint` each

/** What an endpoint serves (the wire's DeploymentTarget, as plain JSON). */
export type EndpointTarget =
  | { kind: 'adapter'; adapter: { kind: 'final'; jobId: string } }
  | { kind: 'adapter'; adapter: { kind: 'checkpoint'; jobId: string; step: number } }
  | { kind: 'base_model'; baseModel: string };

/** One string per target, to compare and key them (host and webview alike). */
export function targetKey(target: EndpointTarget): string {
  if (target.kind === 'base_model') return `base:${target.baseModel}`;
  const a = target.adapter;
  return a.kind === 'final' ? `final:${a.jobId}` : `checkpoint:${a.jobId}:${a.step}`;
}

export type EndpointAuthMode = 'none' | 'fixed_api_key';

/** A key's label: 1 to this many characters once trimmed (the wire's rule). */
export const KEY_LABEL_MAX = 80;
/** The longest run retention the panel offers, in days (ten years). */
export const RUN_RETENTION_DAYS_MAX = 3650;

/** Stored chat-completion runs: forever, not at all, or `days` days. */
export type RunRetention = { mode: 'unlimited' } | { mode: 'disabled' } | { mode: 'days'; days: number };

export interface EndpointSummary {
  id: string;
  slug: string;
  /** The chat completions URL callers POST to. */
  url: string;
  target: EndpointTarget;
  /** e.g. "captain-speak · final adapter", "captain-speak · step 20", "Base · unsloth/gemma-4-E4B-it". */
  targetLabel: string;
  /** Set when the target's job is not (or no longer) among the project's jobs. */
  targetMissing?: boolean;
  authMode: EndpointAuthMode;
  enabled: boolean;
  /** Undefined when the backend reported a mode this extension does not know. */
  retention?: RunRetention;
  /** The mode as the backend sent it (shown when `retention` is undefined). */
  retentionText: string;
  createdAt: string;
  updatedAt: string;
}

/** A key row: never the secret. */
export interface EndpointKeySummary {
  id: string;
  label: string;
  prefix: string;
  enabled: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A just-issued key: the only message that carries a secret (kept in the webview's memory only). */
export interface IssuedKey {
  id: string;
  label: string;
  prefix: string;
  createdAt: string;
  plaintext: string;
}

/** One stored request of the endpoint (shown while runs are retained). */
export interface EndpointRunSummary {
  id: string;
  time: string;
  status: string;
  latencyMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  /** The start of the last user message and of the reply. */
  preview: string;
}

export interface TargetOption {
  target: EndpointTarget;
  label: string;
  group: string;
}

export interface EndpointSample {
  language: 'curl' | 'python' | 'javascript';
  stream: boolean;
  code: string;
}

/** Changes the panel may ask for; omitted fields stay as they are. */
export interface EndpointPatch {
  enabled?: boolean;
  authMode?: EndpointAuthMode;
  retention?: RunRetention;
  target?: EndpointTarget;
}

export type HostToEndpointPanel =
  | {
      type: 'snapshot';
      endpoint: EndpointSummary | undefined;
      keys: EndpointKeySummary[];
      /** Undefined: runs are not retained (or the backend keeps none for this endpoint). */
      runs: EndpointRunSummary[] | undefined;
      targets: TargetOption[];
      samples: EndpointSample[];
      backend: BackendInfo;
      /** Why the endpoint could not be loaded (e.g. it was deleted elsewhere). */
      error?: string;
      /** A key issued but not yet confirmed saved: shown again after the panel was hidden. */
      issuedKey?: IssuedKey;
    }
  | { type: 'endpoint'; endpoint: EndpointSummary; samples: EndpointSample[] }
  | { type: 'keys'; keys: EndpointKeySummary[] }
  | { type: 'runs'; runs: EndpointRunSummary[] | undefined }
  | { type: 'targets'; targets: TargetOption[] }
  | { type: 'keyIssued'; key: IssuedKey }
  /** The outcome of a request the panel made (`requestId`); `error` is the message to show. */
  | { type: 'done'; requestId: string; error?: string };

export type EndpointPanelToHost =
  | { type: 'ready' }
  | { type: 'update'; requestId: string; patch: EndpointPatch }
  | { type: 'issueKey'; requestId: string; label: string }
  | { type: 'revokeKey'; requestId: string; keyId: string }
  /** Confirmed in the panel, which names the endpoint. */
  | { type: 'deleteEndpoint'; requestId: string }
  /** The user confirmed they saved the issued key: the host forgets it. */
  | { type: 'acknowledgeKey' }
  /** Copy a non-secret text (URL, a sample); `what` names it in the status bar. */
  | { type: 'copy'; text: string; what: string }
  /** Copy the issued key the host still holds (the secret never travels back from the webview). */
  | { type: 'copyIssuedKey' }
  | { type: 'tryInPlayground' }
  | { type: 'refresh' };
