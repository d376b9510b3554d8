import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import {
  ArkorApiError,
  type ChatRequest,
  type ChatResult,
  type Event,
  isAbortError,
  isActiveStatus,
  type JobStore,
  type StreamChatOptions,
  sameOrigin,
} from '../core';
import { DisposableStore, toDisposable } from '../core/lifecycle';
import type { Conversation, HostToPlayground, ModelOption, ModelRef, PlaygroundToHost } from '../protocol';
import { CHAT_LIMITS } from '../wire/chatLimits';
import { config } from './config';
import { defaultExportUri } from './exportUri';
import { errorText } from './log';
import type { ArkorSession } from './session';
import { playgroundStandInNote } from './viewModels';
import { createPanel, registerPanelSerializer, WebviewHost } from './webviewHost';

const VIEW_TYPE = 'arkor.playground';
const HISTORY_KEY = 'arkor.playground.conversations';
/** The base models the SDK accepts (SUPPORTED_MODELS); the local backend runs its tiny model for them. */
export const BASE_MODELS = ['unsloth/gemma-4-E4B-it'];
/** Jobs whose checkpoints the Playground lists (their event streams are opened while it is open). */
const WATCHED_JOBS = 20;

/** Models served by a deployed endpoint's own URL (src/vscode/endpointModels.ts): listed and chatted with. */
export interface EndpointModelSource {
  options(): ModelOption[];
  readonly onDidChange: Event<void>;
  chat(
    ref: Extract<ModelRef, { kind: 'endpoint' }>,
    request: Omit<ChatRequest, 'baseModel' | 'adapter'>,
    opts: StreamChatOptions,
  ): Promise<ChatResult>;
}

/**
 * The Playground editor tab: chat with a base model, a final adapter or any checkpoint, one or two
 * columns. All traffic goes through here (the webview has `connect-src 'none'`); conversations are
 * kept per workspace in workspaceState. Restored after a reload by the serializer. One host for the
 * window's single Playground: closing the tab and opening it again attaches a new panel to it.
 */
export class PlaygroundPanel extends WebviewHost<PlaygroundToHost, HostToPlayground> {
  private panel: vscode.WebviewPanel | undefined;
  /** A model to select that could not be sent yet: it goes out with the next snapshot. */
  private pendingSelect: ModelRef | undefined;
  private readonly requests = new Map<string, AbortController>();
  private readonly watches = new Map<string, vscode.Disposable>();
  private watchedStore: JobStore | undefined;
  /** Subscriptions that live as long as the panel shown now. */
  private readonly panelSubscriptions = this._register(new DisposableStore());
  private modelsTimer: NodeJS.Timeout | undefined;
  private lastModelsJson = '';
  private endpointModels: EndpointModelSource | undefined;
  /** Requests in flight on the host (tests check Stop really ends them). */
  get inFlight(): number {
    return this.requests.size;
  }

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: ArkorSession,
    private readonly state: vscode.Memento,
    log: vscode.LogOutputChannel,
  ) {
    super({
      name: 'the Playground',
      extensionUri,
      log,
      bundle: 'playground',
      commands: { deploy: ({ model }) => ['arkor.deploy', { model }] },
    });
    this._register(registerPanelSerializer(VIEW_TYPE, log, (panel) => this.attach(panel)));
    this._register(
      toDisposable(() => {
        if (this.modelsTimer) clearTimeout(this.modelsTimer);
        this.panel?.dispose();
      }),
    );
  }

  /** Lists deployed endpoints as models too (Try in Playground on an endpoint chats through its URL). */
  useEndpointModels(source: EndpointModelSource): void {
    this.endpointModels = source;
    this._register(source.onDidChange(() => this.scheduleModels()));
  }

  /** Opens or reveals the Playground, optionally with a model selected. */
  open(select?: ModelRef): void {
    if (this.panel) {
      this.panel.reveal();
      if (select && this.channel.isReady) this.channel.post({ type: 'select', model: select });
      else this.pendingSelect = select;
      return;
    }
    this.pendingSelect = select;
    this.attach(createPanel(VIEW_TYPE, 'Arkor Playground', this.extensionUri));
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panelSubscriptions.clear();
    this.panel = panel;
    this.attachWebview(panel);
    this.panelSubscriptions.add(
      this.session.onDidChangeStore((change) => {
        if (change.kind === 'jobs') this.watchJobs();
        const list = change.kind === 'jobs' || change.kind === 'checkpoints' || change.kind === 'status';
        // A watched job's stream opening or ending can end the list's loading.
        if (list || (change.kind === 'stream' && this.watches.has(change.jobId))) {
          this.scheduleModels();
        }
      }),
    );
    this.panelSubscriptions.add(
      this.session.onDidChange(() => {
        this.watchJobs();
        this.scheduleModels();
      }),
    );
  }

  protected override onWebviewDisposed(): void {
    for (const c of this.requests.values()) c.abort();
    this.requests.clear();
    this.panelSubscriptions.clear();
    for (const w of this.watches.values()) w.dispose();
    this.watches.clear();
    this.panel = undefined;
  }

  /**
   * Base models, final adapters of completed jobs, and every checkpoint seen (running jobs too), each
   * job by its run label (`captain-speak #3 · final`): all of the backend connected now
   * (`session.origin()`), the only one whose models a chat can reach. On the local backend every
   * option carries the note that a tiny stand-in model answers.
   */
  models(): ModelOption[] {
    const store = this.session.connection?.store;
    const local = this.session.connection?.kind === 'local';
    const jobs = store?.jobs() ?? [];
    // The stand-in's size, from any job that reported it (the local backend has one model).
    const parameters = jobs.map((j) => store?.startedMetadata(j.id)?.parameters).find((p) => p !== undefined);
    const standIn = (model: unknown) =>
      local && typeof model === 'string' ? { standIn: playgroundStandInNote(model, parameters) } : {};
    const options: ModelOption[] = BASE_MODELS.map((model) => ({
      ref: { kind: 'base', model },
      label: `Base · ${model}`,
      group: 'Base models',
      ...standIn(model),
    }));
    options.push(...(this.endpointModels?.options() ?? []));
    if (!store) return options;
    for (const job of jobs) {
      // `jobs()` already carries the status the event streams report.
      const live = isActiveStatus(job.status);
      const label = store.runLabel(job.id) ?? job.name;
      const note = standIn(job.config.model ?? BASE_MODELS[0]);
      if (job.status === 'completed') {
        options.push({
          ref: { kind: 'final', jobId: job.id },
          label: `${label} · final`,
          group: label,
          ...note,
        });
      }
      for (const c of store.checkpoints(job.id).sort((a, b) => b.step - a.step)) {
        options.push({
          ref: { kind: 'checkpoint', jobId: job.id, step: c.step },
          label: `${label} · step ${c.step}`,
          group: label,
          live,
          ...note,
        });
      }
    }
    return options;
  }

  /**
   * Whether the list is still filling in: connecting, the job list not polled yet, or a recent job's
   * event stream (which brings its checkpoints) not open yet. A restored conversation's adapter is
   * then loading, not unavailable. A backend that cannot be reached is not loading: it says why.
   */
  private modelsLoading(): boolean {
    const phase = this.session.info().phase;
    if (phase === 'connecting' || phase === 'idle') return true;
    const store = this.session.connection?.store;
    if (phase !== 'connected' || !store) return false;
    if (!store.listed) return true;
    for (const jobId of this.watches.keys()) {
      const state = store.stream(jobId).state;
      if (state === 'idle' || state === 'connecting') return true;
    }
    return false;
  }

  /** Checkpoints are known from job event streams: open them for the most recent jobs. */
  private watchJobs(): void {
    const store = this.session.connection?.store;
    if (store !== this.watchedStore) {
      // A reconnect brings a new store: the old watches belong to the old one.
      for (const w of this.watches.values()) w.dispose();
      this.watches.clear();
      this.watchedStore = store;
    }
    if (!store) return;
    for (const job of store.jobs().slice(0, WATCHED_JOBS)) {
      if (!this.watches.has(job.id)) this.watches.set(job.id, store.watch(job.id));
    }
  }

  /** What the webview's picker shows: the models, the backend they are on, whether more are coming. */
  private modelList() {
    return { models: this.models(), origin: this.session.origin(), loading: this.modelsLoading() };
  }

  /** The model list changes in bursts (a poll, a checkpoint): send it at most every 250 ms, if changed. */
  private scheduleModels(): void {
    if (this.modelsTimer || !this.channel.isReady) return;
    this.modelsTimer = setTimeout(() => {
      this.modelsTimer = undefined;
      const list = this.modelList();
      const json = JSON.stringify(list);
      if (json === this.lastModelsJson) return;
      if (this.channel.postDelta({ type: 'models', ...list })) this.lastModelsJson = json;
    }, 250);
  }

  private conversations(): Conversation[] {
    return this.state.get<Conversation[]>(HISTORY_KEY) ?? [];
  }

  protected override async prepare(): Promise<void> {
    try {
      await this.session.connect();
    } catch (error) {
      // The session logs the failure too; the Playground still offers the base models.
      this.log.warn(`The Playground could not connect: ${errorText(error)}`);
    }
    this.watchJobs();
  }

  protected override snapshot(): HostToPlayground {
    const list = this.modelList();
    this.lastModelsJson = JSON.stringify(list);
    const preselect = this.pendingSelect;
    this.pendingSelect = undefined;
    return { type: 'snapshot', ...list, conversations: this.conversations(), preselect };
  }

  protected override async onMessage(message: Exclude<PlaygroundToHost, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'chat':
        await this.chat(message);
        return;
      case 'stop':
        this.requests.get(message.requestId)?.abort();
        return;
      case 'saveConversations':
        await this.state.update(HISTORY_KEY, message.conversations);
        return;
      case 'export':
        await this.export(message);
        return;
      case 'switchBackend':
        await config.update('backend', message.backend, vscode.ConfigurationTarget.Global);
        return;
    }
  }

  private async export(message: Extract<PlaygroundToHost, { type: 'export' }>): Promise<void> {
    const jsonl = message.format === 'jsonl';
    if (jsonl && !message.content) {
      void vscode.window.showWarningMessage(
        `Arkor: this conversation has no complete reply to export as training data.${message.note ? ` ${message.note}` : ''}`,
      );
      return;
    }
    const target = await vscode.window.showSaveDialog({
      defaultUri: defaultExportUri(this.session, message.suggestedName),
      filters: jsonl ? { 'JSON Lines': ['jsonl'] } : { Markdown: ['md'] },
      saveLabel: 'Export',
      title: `Export ${jsonl ? 'training data (JSONL)' : 'Markdown'}${message.note ? `: ${message.note}` : ''}`,
    });
    if (!target) return;
    try {
      await writeFile(target.fsPath, message.content, 'utf8');
    } catch (error) {
      void vscode.window.showErrorMessage(`Arkor: could not save ${target.fsPath}: ${errorText(error)}`);
      return;
    }
    void vscode.window.showInformationMessage(
      `Arkor: saved ${target.fsPath}.${message.note ? ` ${message.note}` : ''}`,
    );
  }

  private async chat(message: Extract<PlaygroundToHost, { type: 'chat' }>): Promise<void> {
    const { requestId } = message;
    const controller = new AbortController();
    this.requests.set(requestId, controller);
    try {
      // The webview has not seen a switch yet: another backend does not have this model.
      const here = this.session.origin();
      if (message.origin && here && !sameOrigin(message.origin, here)) {
        this.post({
          type: 'chatError',
          requestId,
          message: `This conversation's model is on ${message.origin.label}; you are connected to ${here.label}.`,
          action: `Switch to ${message.origin.backend === 'local' ? 'the Local Backend' : 'Arkor Cloud'}, or pick another model`,
        });
        return;
      }
      const request = {
        messages: message.messages.map((m) => ({ role: m.role, content: m.content })),
        system: message.systemPrompt || undefined,
        temperature: message.params.temperature,
        // Clamped to what the backend accepts (settings saved by an older version may lie outside).
        topP: clamp(message.params.topP, CHAT_LIMITS.topP),
        maxTokens: clamp(message.params.maxTokens, CHAT_LIMITS.maxTokens),
      };
      const options = {
        signal: controller.signal,
        onDelta: (text: string) => this.post({ type: 'chatDelta', requestId, text }),
      };
      const ref = message.model;
      let result: ChatResult;
      if (ref.kind === 'endpoint') {
        if (!this.endpointModels) throw new Error('Endpoints are not available in this window.');
        result = await this.endpointModels.chat(ref, request, options);
      } else {
        const connection = await this.session.connect();
        const model: Pick<ChatRequest, 'baseModel' | 'adapter'> =
          ref.kind === 'base' ? { baseModel: ref.model } : { adapter: ref };
        result = await connection.client.streamChat(
          connection.scope,
          { ...model, ...request } as ChatRequest,
          options,
        );
      }
      this.post({
        type: 'chatDone',
        requestId,
        stats: {
          ttftMs: result.timeToFirstTokenMs,
          tokensPerSecond: result.tokensPerSecond,
          tokens: result.tokens,
          finishReason: result.aborted ? 'stopped' : result.finishReason,
        },
      });
    } catch (error) {
      if (isAbortError(error)) {
        this.post({ type: 'chatDone', requestId, stats: { finishReason: 'stopped' } });
      } else {
        // An endpoint's refusals (its key, its state) are not fixed by signing in to Arkor.
        const described =
          message.model.kind === 'endpoint' ? { message: errorText(error) } : describeChatError(error);
        this.post({ type: 'chatError', requestId, ...described });
      }
    } finally {
      this.requests.delete(requestId);
    }
  }

  /** Chat replies are events: a webview that is not ready gets them after its next snapshot. */
  private post(message: HostToPlayground): void {
    this.channel.post(message);
  }
}

/** A message a user can act on, and the action's name. The core already scrubbed tokens. */
export function describeChatError(error: unknown): { message: string; action?: string } {
  if (error instanceof ArkorApiError) {
    switch (error.kind) {
      case 'auth':
        return { message: error.message, action: 'Sign in' };
      case 'not-found':
        return { message: error.message, action: 'Pick another model' };
      case 'upgrade':
        return { message: error.message, action: error.upgrade ?? 'Upgrade arkor' };
      case 'network':
      case 'timeout':
        return { message: error.message, action: 'Check the backend (Arkor: Select Backend)' };
      case 'bad-request':
        return error.code === 'tool_calling_not_configured'
          ? { message: error.message, action: 'Remove tools from the request' }
          : { message: error.message };
      default:
        return { message: error.message };
    }
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

function clamp(value: number, range: { min: number; max: number }): number {
  return Math.min(range.max, Math.max(range.min, value));
}
