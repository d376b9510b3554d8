import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type {
  Conversation,
  HostToPlayground,
  ModelRef,
  PlaygroundToHost,
  SamplingParams,
} from '../../src/protocol';
import type { HostChannel } from '../shared/hostChannel';
import { Button } from '../shared/toolkit';
import { ChatColumn, type ColumnActions } from './ChatColumn';
import { Composer } from './Composer';
import {
  type Action,
  chatMessages,
  hasTurns,
  initialState,
  isStreaming,
  type PlaygroundState,
  reduce,
  streamingRequestIds,
  toConversation,
} from './conversations';
import { suggestedName, toJsonl, toMarkdown } from './exporters';

export type PlaygroundChannel = HostChannel<HostToPlayground, PlaygroundToHost>;

/** What survives a reload in the webview's own state (`channel.setState`). */
export interface PlaygroundUiState {
  currentId?: string;
  /** The session as last seen, in case the debounced `saveConversations` did not reach the host. */
  session?: Conversation;
  lastPreselect?: string;
  draft?: string;
  historyOpen?: boolean;
}

let counter = 0;
function defaultId(): string {
  counter++;
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter}`;
}

export interface PlaygroundProps {
  channel: PlaygroundChannel;
  /** Debounce of `saveConversations` after a completed turn, clear or delete. */
  saveDelayMs?: number;
  newId?: () => string;
  now?: () => string;
}

/** The Playground editor tab: model pickers, one or two chat columns, history, export. */
export function PlaygroundApp({
  channel,
  saveDelayMs = 400,
  newId = defaultId,
  now = () => new Date().toISOString(),
}: PlaygroundProps) {
  const saved = useMemo(() => channel.getState<PlaygroundUiState>() ?? {}, [channel]);
  const [state, setState] = useState<PlaygroundState>(() => initialState(newId(), now()));
  const [draft, setDraftState] = useState(saved.draft ?? '');
  const [historyOpen, setHistoryOpen] = useState(saved.historyOpen ?? false);
  const stateRef = useRef(state);
  const ui = useRef({ draft, historyOpen });
  const saveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const persistUi = () => {
    const s = stateRef.current;
    channel.setState<PlaygroundUiState>({
      currentId: s.session.id,
      session: toConversation(s.session),
      lastPreselect: s.lastPreselect,
      draft: ui.current.draft,
      historyOpen: ui.current.historyOpen,
    });
  };

  const flushSave = () => {
    clearTimeout(saveTimer.current);
    saveTimer.current = undefined;
    channel.post({ type: 'saveConversations', conversations: stateRef.current.conversations });
  };
  const saveSoon = () => {
    clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(flushSave, saveDelayMs);
  };

  /** Applies an action synchronously (handlers post based on the result), then schedules renders/saves. */
  const apply = (action: Action): PlaygroundState => {
    const prev = stateRef.current;
    const next = reduce(prev, action);
    if (next === prev) return prev;
    stateRef.current = next;
    setState(next);
    if (action.type !== 'delta') persistUi();
    const listChanged =
      action.type === 'snapshot'
        ? next.conversations[0] !== undefined && !action.conversations.includes(next.conversations[0])
        : next.conversations !== prev.conversations;
    if (listChanged) saveSoon();
    return next;
  };

  const postChat = (s: PlaygroundState, column: number, requestId: string) => {
    const col = s.session.columns[column];
    if (!col?.model) return;
    channel.post({
      type: 'chat',
      requestId,
      model: col.model,
      systemPrompt: s.session.systemPrompt,
      messages: chatMessages(col),
      params: { ...s.session.params },
    });
  };

  const stopStreams = () => {
    for (const requestId of streamingRequestIds(stateRef.current.session))
      channel.post({ type: 'stop', requestId });
  };

  useEffect(() => {
    const off = channel.onMessage((m) => {
      switch (m.type) {
        case 'snapshot':
          apply({
            type: 'snapshot',
            models: m.models,
            conversations: m.conversations,
            preselect: m.preselect,
            saved,
            // The placeholder session's id becomes the new conversation's id if nothing is restored.
            newId: stateRef.current.session.id,
            now: now(),
          });
          return;
        case 'models':
          apply({ type: 'models', models: m.models });
          return;
        case 'select':
          apply({ type: 'select', model: m.model });
          return;
        case 'chatDelta':
          apply({ type: 'delta', requestId: m.requestId, text: m.text });
          return;
        case 'chatDone':
          apply({ type: 'done', requestId: m.requestId, stats: m.stats, now: now() });
          return;
        case 'chatError':
          apply({ type: 'error', requestId: m.requestId, message: m.message, action: m.action, now: now() });
          return;
      }
    });
    channel.post({ type: 'ready' });
    const flushOnHide = () => {
      if (saveTimer.current !== undefined) flushSave();
    };
    window.addEventListener('pagehide', flushOnHide);
    return () => {
      off();
      window.removeEventListener('pagehide', flushOnHide);
      flushOnHide();
    };
  }, [channel]);

  const setDraft = (text: string) => {
    ui.current.draft = text;
    setDraftState(text);
    persistUi();
  };

  const send = () => {
    const s = stateRef.current;
    const prompt = ui.current.draft.trim();
    if (!s.loaded || !prompt || isStreaming(s.session) || s.session.columns.some((c) => !c.model)) return;
    const ids = s.session.columns.map(() => newId());
    const next = apply({ type: 'send', prompt, requestIds: ids, now: now() });
    if (next === s) return;
    ids.forEach((id, i) => {
      postChat(next, i, id);
    });
    setDraft('');
  };

  const stop = () => {
    stopStreams();
    apply({ type: 'stop', now: now() });
  };

  // Stable callbacks for memoized messages; they read the latest state through refs.
  const actions = useMemo<ColumnActions>(
    () => ({
      regenerate(column) {
        const id = newId();
        const next = apply({ type: 'regenerate', column, requestId: id, now: now() });
        if (next.session.columns[column]?.turns.at(-1)?.requestId === id) {
          postChat(next, column, id);
        }
      },
      setModel(column, model: ModelRef) {
        apply({ type: 'setModel', column, model });
      },
    }),
    [],
  );

  const toggleCompare = () => {
    if (isStreaming(stateRef.current.session)) return;
    apply({ type: 'setCompare', on: stateRef.current.session.columns.length < 2 });
  };
  const clear = () => {
    stopStreams();
    apply({ type: 'clear', now: now() });
  };
  const newConversation = () => {
    stopStreams();
    apply({ type: 'new', id: newId(), now: now() });
  };
  const switchTo = (id: string) => {
    stopStreams();
    apply({ type: 'switch', id });
  };
  const remove = (id: string) => {
    if (id === stateRef.current.session.id) stopStreams();
    apply({ type: 'delete', id, newId: newId(), now: now() });
  };
  const exportAs = (format: 'jsonl' | 'markdown') => {
    const s = stateRef.current;
    const conversation = toConversation(s.session);
    channel.post({
      type: 'export',
      format,
      content: format === 'jsonl' ? toJsonl(conversation) : toMarkdown(conversation, s.models),
      suggestedName: suggestedName(conversation, format === 'jsonl' ? 'jsonl' : 'md'),
    });
  };
  const toggleHistory = () => {
    ui.current.historyOpen = !ui.current.historyOpen;
    setHistoryOpen(ui.current.historyOpen);
    persistUi();
  };

  if (!state.loaded) return <p class="muted pad">Loading Playground…</p>;

  const session = state.session;
  const streaming = isStreaming(session);
  const compare = session.columns.length > 1;
  const canSend = session.columns.every((c) => c.model !== undefined);
  return (
    <div class={historyOpen ? 'playground with-history' : 'playground'}>
      {historyOpen && (
        <History
          conversations={state.conversations}
          currentId={session.id}
          onNew={newConversation}
          onSwitch={switchTo}
          onDelete={remove}
        />
      )}
      <main class="pg-main">
        <div class="toolbar" role="toolbar" aria-label="Playground">
          <button
            type="button"
            class="action"
            aria-expanded={historyOpen}
            data-testid="history-toggle"
            onClick={toggleHistory}
          >
            History
          </button>
          <span class="title" title={session.title}>
            {session.title}
          </span>
          <span class="spacer" />
          <label class="toggle">
            <input
              type="checkbox"
              data-testid="compare-toggle"
              checked={compare}
              disabled={streaming}
              onChange={toggleCompare}
            />
            Compare
          </label>
          <button type="button" class="action" data-testid="new-conversation" onClick={newConversation}>
            New
          </button>
          <button
            type="button"
            class="action"
            data-testid="clear"
            disabled={!hasTurns(session)}
            onClick={clear}
          >
            Clear
          </button>
          <button
            type="button"
            class="action"
            data-testid="export-jsonl"
            disabled={!hasTurns(session)}
            onClick={() => exportAs('jsonl')}
          >
            Export JSONL
          </button>
          <button
            type="button"
            class="action"
            data-testid="export-markdown"
            disabled={!hasTurns(session)}
            onClick={() => exportAs('markdown')}
          >
            Export Markdown
          </button>
        </div>
        <Settings
          systemPrompt={session.systemPrompt}
          params={session.params}
          onSystemPrompt={(systemPrompt) => apply({ type: 'setSystemPrompt', systemPrompt })}
          onParams={(params) => apply({ type: 'setParams', params })}
        />
        <div class={compare ? 'columns compare' : 'columns'}>
          {session.columns.map((column, i) => (
            <ChatColumn
              // Keyed by conversation: a reply's view (and its incremental parse) is never reused for
              // another conversation's reply.
              key={`${session.id}:${i}`}
              index={i}
              compare={compare}
              column={column}
              models={state.models}
              busy={streaming}
              actions={actions}
            />
          ))}
        </div>
        <Composer
          draft={draft}
          streaming={streaming}
          canSend={canSend}
          onDraft={setDraft}
          onSend={send}
          onStop={stop}
        />
      </main>
    </div>
  );
}

function Settings(props: {
  systemPrompt: string;
  params: SamplingParams;
  onSystemPrompt(text: string): void;
  onParams(params: Partial<SamplingParams>): void;
}) {
  const { params } = props;
  const num = (e: Event) => Number((e.currentTarget as HTMLInputElement).value);
  return (
    <details class="settings">
      <summary>
        System prompt and parameters
        <span class="muted">
          {' '}
          · {props.systemPrompt.trim() ? 'system prompt set' : 'no system prompt'} · temperature{' '}
          {params.temperature} · top-p {params.topP} · max {params.maxTokens} tokens
        </span>
      </summary>
      <label class="field">
        <span>System prompt</span>
        <textarea
          data-testid="system-prompt"
          rows={3}
          value={props.systemPrompt}
          placeholder="You are a helpful assistant."
          onInput={(e) => props.onSystemPrompt((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="params">
        <label class="field">
          <span>Temperature {params.temperature.toFixed(2)}</span>
          <input
            type="range"
            data-testid="temperature"
            min={0}
            max={2}
            step={0.05}
            value={params.temperature}
            onInput={(e) => props.onParams({ temperature: num(e) })}
          />
        </label>
        <label class="field">
          <span>Top-p {params.topP.toFixed(2)}</span>
          <input
            type="range"
            data-testid="top-p"
            min={0}
            max={1}
            step={0.01}
            value={params.topP}
            onInput={(e) => props.onParams({ topP: num(e) })}
          />
        </label>
        <label class="field">
          <span>Max tokens</span>
          <input
            type="number"
            data-testid="max-tokens"
            min={1}
            max={32768}
            step={1}
            value={params.maxTokens}
            onChange={(e) => {
              const v = Math.round(num(e));
              if (Number.isFinite(v) && v >= 1) props.onParams({ maxTokens: Math.min(32768, v) });
            }}
          />
        </label>
      </div>
    </details>
  );
}

function History(props: {
  conversations: Conversation[];
  currentId: string;
  onNew(): void;
  onSwitch(id: string): void;
  onDelete(id: string): void;
}) {
  return (
    <aside class="history" aria-label="Conversation history" data-testid="history">
      <Button appearance="secondary" onClick={props.onNew}>
        New conversation
      </Button>
      {props.conversations.length === 0 && <p class="muted">No saved conversations yet.</p>}
      <ul>
        {props.conversations.map((c) => (
          <li key={c.id} class={c.id === props.currentId ? 'current' : undefined}>
            <button
              type="button"
              class="history-item"
              data-testid="history-item"
              aria-current={c.id === props.currentId ? 'true' : undefined}
              title={c.title}
              onClick={() => props.onSwitch(c.id)}
            >
              <span class="history-title">{c.title}</span>
              <span class="muted history-date">{new Date(c.updatedAt).toLocaleString()}</span>
            </button>
            <button
              type="button"
              class="action delete"
              data-testid="history-delete"
              aria-label={`Delete ${c.title}`}
              title="Delete"
              onClick={() => props.onDelete(c.id)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
