import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { ArkorApiError, type ChatRequest, isAbortError, type JobStore } from '../core';
import type { Conversation, HostToPlayground, ModelOption, ModelRef, PlaygroundToHost } from '../protocol';
import { parseMessage, playgroundMessage } from './messageSchemas';
import type { ArkorSession } from './session';
import { webviewHtml, webviewOptions } from './webviewHtml';

const VIEW_TYPE = 'arkor.playground';
const HISTORY_KEY = 'arkor.playground.conversations';
/** The base models the SDK accepts (protocol §9); the local backend runs its tiny model for them. */
export const BASE_MODELS = ['unsloth/gemma-4-E4B-it'];
/** Jobs whose checkpoints the Playground lists (their event streams are opened while it is open). */
const WATCHED_JOBS = 20;

/**
 * The Playground editor tab: chat with a base model, a final adapter or any checkpoint, one or two
 * columns. All traffic goes through here (the webview has `connect-src 'none'`); conversations are
 * kept per workspace in workspaceState. Restored after a reload by the serializer.
 */
export class PlaygroundPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private pendingSelect: ModelRef | undefined;
  private readonly requests = new Map<string, AbortController>();
  private readonly watches = new Map<string, vscode.Disposable>();
  private watchedStore: JobStore | undefined;
  private readonly panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private modelsTimer: NodeJS.Timeout | undefined;
  private lastModelsJson = '';
  private readonly mountedEmitter = new vscode.EventEmitter<void>();
  readonly onDidMount = this.mountedEmitter.event;
  /** Requests in flight on the host (tests check Stop really ends them). */
  get inFlight(): number {
    return this.requests.size;
  }

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: ArkorSession,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.mountedEmitter,
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
    );
  }

  /** Opens or reveals the Playground, optionally with a model selected. */
  open(select?: ModelRef): void {
    this.pendingSelect = select;
    if (this.panel) {
      this.panel.reveal();
      if (select && this.ready) this.post({ type: 'select', model: select });
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Arkor Playground', vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri),
    });
    this.attach(panel);
  }

  get isMounted(): boolean {
    return this.ready;
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'arkor.svg');
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, {
      bundle: 'playground',
      title: 'Playground',
    });
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      this.session.onDidChangeStore((change) => {
        if (change.kind === 'jobs') this.watchJobs();
        if (change.kind === 'jobs' || change.kind === 'checkpoints' || change.kind === 'status') {
          this.scheduleModels();
        }
      }),
      this.session.onDidChange(() => {
        this.watchJobs();
        this.scheduleModels();
      }),
    );
    panel.onDidDispose(() => {
      for (const c of this.requests.values()) c.abort();
      this.requests.clear();
      for (const d of this.panelDisposables.splice(0)) d.dispose();
      for (const w of this.watches.values()) w.dispose();
      this.watches.clear();
      if (this.panel === panel) this.panel = undefined;
    });
  }

  /** Base models, final adapters of completed jobs, and every checkpoint seen (running jobs too). */
  models(): ModelOption[] {
    const options: ModelOption[] = BASE_MODELS.map((model) => ({
      ref: { kind: 'base', model },
      label: `Base · ${model}`,
      group: 'Base models',
    }));
    const store = this.session.connection?.store;
    if (!store) return options;
    for (const job of store.jobs()) {
      const snap = store.snapshot(job.id);
      const live = snap.status === 'running' || snap.status === 'queued';
      if (snap.status === 'completed') {
        options.push({
          ref: { kind: 'final', jobId: job.id },
          label: `${job.name} · final`,
          group: job.name,
        });
      }
      for (const c of [...snap.checkpoints].sort((a, b) => b.step - a.step)) {
        options.push({
          ref: { kind: 'checkpoint', jobId: job.id, step: c.step },
          label: `${job.name} · step ${c.step}`,
          group: job.name,
          live,
        });
      }
    }
    return options;
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

  private scheduleModels(): void {
    if (this.modelsTimer || !this.ready) return;
    this.modelsTimer = setTimeout(() => {
      this.modelsTimer = undefined;
      const models = this.models();
      const json = JSON.stringify(models);
      if (json === this.lastModelsJson) return;
      this.lastModelsJson = json;
      this.post({ type: 'models', models });
    }, 250);
  }

  private conversations(): Conversation[] {
    return this.state.get<Conversation[]>(HISTORY_KEY) ?? [];
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseMessage(playgroundMessage, raw);
    if (!message) {
      this.log.warn('Ignored a malformed message from the Playground');
      return;
    }
    switch (message.type) {
      case 'ready': {
        await this.session.connect().catch(() => {});
        this.watchJobs();
        const models = this.models();
        this.lastModelsJson = JSON.stringify(models);
        this.ready = true;
        this.post({
          type: 'snapshot',
          models,
          conversations: this.conversations(),
          preselect: this.pendingSelect,
        });
        this.pendingSelect = undefined;
        this.mountedEmitter.fire();
        return;
      }
      case 'chat':
        await this.chat(message);
        return;
      case 'stop':
        this.requests.get(message.requestId)?.abort();
        return;
      case 'saveConversations':
        await this.state.update(HISTORY_KEY, message.conversations);
        return;
      case 'export': {
        const ext = message.format === 'jsonl' ? 'jsonl' : 'md';
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(message.suggestedName.replace(/[^\w.-]+/g, '_')),
          filters: message.format === 'jsonl' ? { 'JSON Lines': [ext] } : { Markdown: [ext] },
        });
        if (target) await writeFile(target.fsPath, message.content, 'utf8');
        return;
      }
    }
  }

  private async chat(message: Extract<PlaygroundToHost, { type: 'chat' }>): Promise<void> {
    const { requestId } = message;
    const controller = new AbortController();
    this.requests.set(requestId, controller);
    try {
      const connection = await this.session.connect();
      const model: Pick<ChatRequest, 'baseModel' | 'adapter'> =
        message.model.kind === 'base' ? { baseModel: message.model.model } : { adapter: message.model };
      const result = await connection.client.streamChat(
        connection.scope,
        {
          ...model,
          messages: message.messages.map((m) => ({ role: m.role, content: m.content })),
          system: message.systemPrompt || undefined,
          temperature: message.params.temperature,
          topP: message.params.topP,
          maxTokens: message.params.maxTokens,
        } as ChatRequest,
        { signal: controller.signal, onDelta: (text) => this.post({ type: 'chatDelta', requestId, text }) },
      );
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
        this.post({ type: 'chatError', requestId, ...describeChatError(error) });
      }
    } finally {
      this.requests.delete(requestId);
    }
  }

  private post(message: HostToPlayground): void {
    if (this.panel) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.modelsTimer) clearTimeout(this.modelsTimer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
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
