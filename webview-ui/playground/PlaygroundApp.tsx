import { useLayoutEffect, useMemo, useReducer, useState } from 'preact/hooks';
import type { Conversation, HostToPlayground, ModelRef, PlaygroundToHost } from '../../src/protocol';
import type { HostChannel } from '../shared/hostChannel';
import { readPersisted, useHost, usePersisted } from '../shared/useHost';
import { ChatColumn, type ColumnActions } from './ChatColumn';
import { Composer } from './Composer';
import { Elsewhere } from './Elsewhere';
import { suggestedName, toJsonl, toMarkdown } from './exporters';
import { History } from './History';
import {
  canSend as canSendNow,
  hasTurns,
  initialState,
  isStreaming,
  playgroundReducer,
  toConversation,
} from './playgroundState';
import { Settings } from './Settings';

export type PlaygroundChannel = HostChannel<HostToPlayground, PlaygroundToHost>;

/** What survives a reload in the webview's own state (`channel.setState`). */
export interface PlaygroundUiState {
  currentId?: string;
  /** The session as last seen, in case the `saveConversations` did not reach the host. */
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
  newId?: () => string;
  now?: () => string;
}

/** The Playground editor tab: model pickers, one or two chat columns, history, export. */
export function PlaygroundApp({
  channel,
  newId = defaultId,
  now = () => new Date().toISOString(),
}: PlaygroundProps) {
  const saved = useMemo(() => readPersisted<PlaygroundUiState>(channel), [channel]);
  const [state, dispatch] = useReducer(playgroundReducer, undefined, () => initialState(newId(), now()));
  const [draft, setDraft] = useState(saved.draft ?? '');
  const [historyOpen, setHistoryOpen] = useState(saved.historyOpen ?? false);

  const post = useHost(channel, (m) => {
    switch (m.type) {
      case 'snapshot':
        dispatch({
          type: 'snapshot',
          models: m.models,
          origin: m.origin,
          loading: m.loading,
          conversations: m.conversations,
          preselect: m.preselect,
          saved,
          now: now(),
        });
        return;
      case 'models':
        dispatch({ type: 'models', models: m.models, origin: m.origin, loading: m.loading });
        return;
      case 'select':
        dispatch({ type: 'select', model: m.model });
        return;
      case 'chatDelta':
        dispatch({ type: 'delta', requestId: m.requestId, text: m.text });
        return;
      case 'chatDone':
        dispatch({ type: 'done', requestId: m.requestId, stats: m.stats, now: now() });
        return;
      case 'chatError':
        dispatch({ type: 'error', requestId: m.requestId, message: m.message, action: m.action, now: now() });
        return;
    }
  });

  // Chat requests and stops the reducer queued go to the host right after the render.
  useLayoutEffect(() => {
    if (state.outbox.length === 0) return;
    for (const m of state.outbox) post(m);
    dispatch({ type: 'posted', count: state.outbox.length });
  }, [state.outbox, post]);

  // The saved list goes to the host as soon as a turn completes, a conversation is cleared or one is
  // deleted: not debounced, because a tab closed (or hidden, which destroys the webview) right after a
  // reply would otherwise take the pending save with it.
  useLayoutEffect(() => {
    if (state.saveRevision === 0) return;
    post({ type: 'saveConversations', conversations: state.conversations });
  }, [state.saveRevision]);

  // Webview state: written on every change but streamed text (the session without live turns).
  const persistedSession = useMemo(() => toConversation(state.session), [state.revision]);
  usePersisted<PlaygroundUiState>(
    channel,
    state.loaded
      ? {
          currentId: state.session.id,
          session: persistedSession,
          lastPreselect: state.lastPreselect,
          draft,
          historyOpen,
        }
      : {},
  );

  const session = state.session;
  const streaming = isStreaming(session);
  const canSend = canSendNow(state);

  const send = () => {
    const prompt = draft.trim();
    if (!state.loaded || !prompt || streaming || !canSend) return;
    dispatch({ type: 'send', prompt, requestIds: session.columns.map(() => newId()), now: now() });
    setDraft('');
  };

  // Stable callbacks for memoized messages: they only dispatch.
  const actions = useMemo<ColumnActions>(
    () => ({
      regenerate(column) {
        dispatch({ type: 'regenerate', column, requestId: newId(), now: now() });
      },
      setModel(column, model: ModelRef) {
        dispatch({ type: 'setModel', column, model });
      },
      deploy(model: ModelRef) {
        post({ type: 'deploy', model });
      },
    }),
    [post],
  );

  const toggleCompare = () => {
    if (!streaming) dispatch({ type: 'setCompare', on: session.columns.length < 2 });
  };
  const newConversation = () => dispatch({ type: 'new', id: newId(), now: now() });
  const switchTo = (id: string) => dispatch({ type: 'switch', id });
  const remove = (id: string) => dispatch({ type: 'delete', id, newId: newId(), now: now() });
  const exportAs = (format: 'jsonl' | 'markdown') => {
    const conversation = toConversation(session);
    const name = suggestedName(conversation, format === 'jsonl' ? 'jsonl' : 'md');
    if (format === 'markdown') {
      post({ type: 'export', format, content: toMarkdown(conversation, state.models), suggestedName: name });
      return;
    }
    const { content, note } = toJsonl(conversation);
    post(
      note
        ? { type: 'export', format, content, suggestedName: name, note }
        : { type: 'export', format, content, suggestedName: name },
    );
  };
  const toggleHistory = () => setHistoryOpen((open) => !open);
  /** The toolbar's actions on the conversation's turns: enabled once it has one. */
  const turnActions = [
    { testId: 'clear', label: 'Clear', run: () => dispatch({ type: 'clear', now: now() }) },
    { testId: 'export-jsonl', label: 'Export JSONL', run: () => exportAs('jsonl') },
    { testId: 'export-markdown', label: 'Export Markdown', run: () => exportAs('markdown') },
  ];

  if (!state.loaded) return <p class="muted pad">Loading Playground…</p>;

  const compare = session.columns.length > 1;
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
          {turnActions.map(({ testId, label, run }) => (
            <button
              key={testId}
              type="button"
              class="action"
              data-testid={testId}
              disabled={!hasTurns(session)}
              onClick={run}
            >
              {label}
            </button>
          ))}
        </div>
        <Settings
          systemPrompt={session.systemPrompt}
          params={session.params}
          onSystemPrompt={(systemPrompt) => dispatch({ type: 'setSystemPrompt', systemPrompt })}
          onParams={(params) => dispatch({ type: 'setParams', params })}
        />
        <Elsewhere
          columns={session.columns}
          origin={state.origin}
          onSwitch={(backend) => post({ type: 'switchBackend', backend })}
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
              origin={state.origin}
              joinedLate={column.turns.length === 0 && hasTurns(session)}
              models={state.models}
              modelsLoading={state.modelsLoading === true}
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
          onStop={() => dispatch({ type: 'stop', now: now() })}
        />
      </main>
    </div>
  );
}
