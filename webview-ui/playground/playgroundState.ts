/**
 * The Playground's state machine as pure functions: every change is
 * `playgroundReducer(state, action) -> state`, with ids and clocks passed in, so the whole chat logic
 * is testable without a DOM. Unchanged parts keep their identity (memoized components skip them); an
 * action that changes nothing returns the same state. What must reach the host (chat requests,
 * stops) is queued in `outbox` and posted by the app in an effect; `revision` and `saveRevision` say
 * when the webview state and the saved list must be written.
 */
import { sameOrigin } from '../../src/core/origin';
import type {
  ChatStats,
  ChatTurn,
  Conversation,
  JobOrigin,
  ModelChoice,
  ModelOption,
  ModelRef,
  PlaygroundToHost,
  SamplingParams,
  StoredTurn,
} from '../../src/protocol';

export type LiveTurn = StoredTurn & {
  /** What fixes the error ("Sign in"); shown live, not persisted (the protocol has no field). */
  action?: string;
  /** Set on assistant turns created in this page; matches `chatDelta`/`chatDone`/`chatError`. */
  requestId?: string;
  streaming?: boolean;
};

export interface LiveColumn {
  /** The model the next prompt goes to, its label when chosen, and the backend it was chosen on. */
  model?: ModelRef;
  label?: string;
  origin?: JobOrigin;
  turns: LiveTurn[];
}

/** The conversation on screen (a `Conversation` plus live streaming fields). */
export interface Session {
  id: string;
  title: string;
  updatedAt: string;
  systemPrompt: string;
  params: SamplingParams;
  columns: LiveColumn[];
}

export interface PlaygroundState {
  loaded: boolean;
  models: ModelOption[];
  /** The backend `models` are on (undefined while not connected). */
  origin?: JobOrigin;
  /** The host is still filling the list in (protocol `loading`). */
  modelsLoading?: boolean;
  /** Saved conversations, most recently updated first. The session is upserted on each commit. */
  conversations: Conversation[];
  session: Session;
  /** The last preselect applied, so a repeated snapshot does not re-apply it. */
  lastPreselect?: string;
  /** Messages for the host, posted (then dropped with `posted`) by the app. */
  outbox: PlaygroundToHost[];
  /** Bumped by every change except streamed text: the webview state is written when it changes. */
  revision: number;
  /** Bumped when the saved list changed and must be sent to the host (debounced). */
  saveRevision: number;
}

export const DEFAULT_PARAMS: SamplingParams = { temperature: 0.7, topP: 0.95, maxTokens: 1024 };
export const NEW_TITLE = 'New conversation';
export const MAX_SAVED = 500;

export type Action =
  | {
      type: 'snapshot';
      models: ModelOption[];
      origin?: JobOrigin;
      loading?: boolean;
      conversations: Conversation[];
      preselect?: ModelRef;
      /** The session saved in webview state before a reload, if any. */
      saved?: { currentId?: string; session?: Conversation; lastPreselect?: string };
      now: string;
    }
  | { type: 'posted'; count: number }
  | { type: 'models'; models: ModelOption[]; origin?: JobOrigin; loading?: boolean }
  | { type: 'select'; model: ModelRef }
  | { type: 'setModel'; column: number; model: ModelRef }
  | { type: 'setSystemPrompt'; systemPrompt: string }
  | { type: 'setParams'; params: Partial<SamplingParams> }
  | { type: 'setCompare'; on: boolean }
  | { type: 'send'; prompt: string; requestIds: string[]; now: string }
  | { type: 'regenerate'; column: number; requestId: string; now: string }
  | { type: 'delta'; requestId: string; text: string }
  | { type: 'done'; requestId: string; stats: ChatStats; now: string }
  | { type: 'error'; requestId: string; message: string; action?: string; now: string }
  | { type: 'stop'; now: string }
  | { type: 'clear'; now: string }
  | { type: 'new'; id: string; now: string }
  | { type: 'switch'; id: string }
  | { type: 'delete'; id: string; newId: string; now: string };

export function initialState(id: string, now: string): PlaygroundState {
  return {
    loaded: false,
    models: [],
    conversations: [],
    session: newSession(id, now),
    outbox: [],
    revision: 0,
    saveRevision: 0,
  };
}

export function newSession(id: string, now: string, from?: Session, model?: ModelRef): Session {
  return {
    id,
    title: NEW_TITLE,
    updatedAt: now,
    systemPrompt: from?.systemPrompt ?? '',
    params: from?.params ?? DEFAULT_PARAMS,
    columns: (from?.columns ?? [{ turns: [] }]).map((c, i) =>
      i === 0 && model
        ? { model, turns: [] }
        : { model: c.model, label: c.label, origin: c.origin, turns: [] },
    ),
  };
}

export function refKey(ref: ModelRef | undefined): string {
  if (!ref) return '';
  switch (ref.kind) {
    case 'base':
      return `base:${ref.model}`;
    case 'final':
      return `final:${ref.jobId}`;
    case 'checkpoint':
      return `checkpoint:${ref.jobId}:${ref.step}`;
    case 'endpoint':
      return `endpoint:${ref.endpointId}`;
  }
}

/** A label for a model: the option's label when listed, else a description of the ref. */
export function modelLabel(ref: ModelRef | undefined, models: ModelOption[]): string {
  if (!ref) return 'No model';
  const key = refKey(ref);
  const option = models.find((m) => refKey(m.ref) === key);
  return option ? option.label : describeRef(ref);
}

/** A model's name when it is not among the options (another backend's, or gone). */
export function describeRef(ref: ModelRef): string {
  switch (ref.kind) {
    case 'base':
      return `Base · ${ref.model}`;
    case 'final':
      return `${ref.jobId} · final`;
    case 'checkpoint':
      return `${ref.jobId} · step ${ref.step}`;
    case 'endpoint':
      return `Endpoint · ${ref.slug}`;
  }
}

/**
 * Whether a column's model lives on another backend than the one connected now (then it cannot be
 * chatted with here). Unknown origins (not connected, or saved before origins were recorded) are not.
 */
export function isElsewhere(column: LiveColumn, origin: JobOrigin | undefined): boolean {
  return column.origin !== undefined && origin !== undefined && !sameOrigin(column.origin, origin);
}

/** The column's model as its next reply records it. */
function choiceOf(column: LiveColumn, state: PlaygroundState): ModelChoice | undefined {
  if (!column.model) return undefined;
  const here = !isElsewhere(column, state.origin);
  const label = here ? modelLabel(column.model, state.models) : (column.label ?? describeRef(column.model));
  const choice: ModelChoice = { ref: column.model, label };
  const origin = column.origin ?? state.origin;
  if (origin) choice.origin = origin;
  return choice;
}

/** A column pointed at `model` of the backend connected now. */
function chosen(state: PlaygroundState, column: LiveColumn, model: ModelRef): LiveColumn {
  const next: LiveColumn = { ...column, model, label: modelLabel(model, state.models) };
  if (state.origin) next.origin = state.origin;
  else delete next.origin;
  return next;
}

export function isStreaming(session: Session): boolean {
  return session.columns.some((c) => c.turns[c.turns.length - 1]?.streaming === true);
}

export function streamingRequestIds(session: Session): string[] {
  const ids: string[] = [];
  for (const c of session.columns) {
    const last = c.turns[c.turns.length - 1];
    if (last?.streaming && last.requestId) ids.push(last.requestId);
  }
  return ids;
}

export function hasTurns(session: Session): boolean {
  return session.columns.some((c) => c.turns.length > 0);
}

/** The messages a `chat` request for a column carries: the history up to its last user turn. */
export function chatMessages(column: LiveColumn): ChatTurn[] {
  const out: ChatTurn[] = [];
  const turns = column.turns;
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i]!;
    if (t.role === 'user') {
      const reply = turns[i + 1];
      const isLastUser = !turns.slice(i + 1).some((x) => x.role === 'user');
      if (isLastUser) {
        out.push({ role: 'user', content: t.content });
        break;
      }
      // Skip exchanges that produced nothing (errors), so user/assistant keep alternating.
      if (reply?.role === 'assistant' && reply.content) {
        out.push({ role: 'user', content: t.content }, { role: 'assistant', content: reply.content });
      }
    }
  }
  return out;
}

/** What a session and its stored conversation have alike but the columns, copied. */
function copyHeading(from: Session | Conversation): Omit<Conversation, 'columns'> {
  const { id, title, updatedAt, systemPrompt, params } = from;
  return { id, title, updatedAt, systemPrompt, params: { ...DEFAULT_PARAMS, ...params } };
}

/** The persisted form of a session: protocol fields only, streaming turns left out. */
export function toConversation(session: Session): Conversation {
  return {
    ...copyHeading(session),
    columns: session.columns
      .filter((c): c is LiveColumn & { model: ModelRef } => c.model !== undefined)
      .map((c) => {
        const column: Conversation['columns'][number] = {
          model: c.model,
          turns: c.turns
            .filter((t) => !t.streaming)
            .map((t) => {
              const turn: StoredTurn = { role: t.role, content: t.content };
              if (t.stats) turn.stats = { ...t.stats };
              if (t.error) turn.error = t.error;
              if (t.model) turn.model = t.model;
              return turn;
            }),
        };
        if (c.label !== undefined) column.label = c.label;
        if (c.origin) column.origin = c.origin;
        return column;
      }),
  };
}

export function fromConversation(c: Conversation): Session {
  return {
    ...copyHeading(c),
    columns: (c.columns.length ? c.columns : [{ turns: [] }]).slice(0, 2).map((col) => ({
      ...col,
      turns: col.turns.map((t) => ({ ...t })),
    })),
  };
}

function titleFrom(prompt: string): string {
  const line = prompt.trim().split('\n')[0]!.trim();
  return line.length > 48 ? `${line.slice(0, 47)}…` : line || NEW_TITLE;
}

/** Puts the session into the saved list (most recent first) if it has anything worth keeping. */
function commit(state: PlaygroundState, now: string): PlaygroundState {
  const session = { ...state.session, updatedAt: now };
  const others = state.conversations.filter((c) => c.id !== session.id);
  // The host accepts at most MAX_SAVED conversations per save (its schema); the oldest drop off.
  const conversations = (hasTurns(session) ? [toConversation(session), ...others] : others).slice(
    0,
    MAX_SAVED,
  );
  return { ...state, session, conversations };
}

function defaultModel(state: PlaygroundState): ModelRef | undefined {
  return state.models[0]?.ref;
}

/**
 * Fills columns without a model from the options (first option), records the backend of columns
 * chosen before it was known (or saved before origins were), and points a column that holds no turns
 * yet at this backend when its model is another's: only a column with replies keeps its backend.
 */
function fillModels(state: PlaygroundState): PlaygroundState {
  const { origin } = state;
  const needs = (c: LiveColumn) =>
    !c.model ||
    (origin !== undefined && c.origin === undefined) ||
    (!c.turns.length && isElsewhere(c, origin));
  if (!state.session.columns.some(needs)) return state;
  const fallback = defaultModel(state);
  let changed = false;
  const columns = state.session.columns.map((c, i) => {
    if (!needs(c)) return c;
    if (c.model && !isElsewhere(c, origin)) {
      changed = true;
      return { ...c, origin };
    }
    // The same model if this backend lists it (a base model), else the default.
    const listed = c.model && state.models.some((m) => refKey(m.ref) === refKey(c.model));
    // A second column defaults to something other than the first when possible.
    const other = i > 0 ? state.session.columns[0]?.model : undefined;
    const pick = listed
      ? c.model
      : (state.models.find((m) => refKey(m.ref) !== refKey(other))?.ref ?? fallback);
    if (!pick) return c;
    changed = true;
    return chosen(state, c, pick);
  });
  return changed ? { ...state, session: { ...state.session, columns } } : state;
}

function updateTurn(
  state: PlaygroundState,
  requestId: string,
  update: (turn: LiveTurn) => LiveTurn,
): PlaygroundState {
  const columns = state.session.columns;
  for (let ci = 0; ci < columns.length; ci++) {
    const col = columns[ci]!;
    const last = col.turns[col.turns.length - 1];
    if (!last || last.requestId !== requestId || !last.streaming) continue;
    const turns = col.turns.slice(0, -1);
    turns.push(update(last));
    const next = columns.slice();
    next[ci] = { ...col, turns };
    return { ...state, session: { ...state.session, columns: next } };
  }
  return state;
}

function setColumns(state: PlaygroundState, columns: LiveColumn[]): PlaygroundState {
  return { ...state, session: { ...state.session, columns } };
}

function stopAll(session: Session): Session {
  if (!isStreaming(session)) return session;
  return {
    ...session,
    columns: session.columns.map((c) => {
      const last = c.turns[c.turns.length - 1];
      if (!last?.streaming) return c;
      return {
        ...c,
        turns: [
          ...c.turns.slice(0, -1),
          { ...last, streaming: false, stats: { ...last.stats, finishReason: 'stopped' } },
        ],
      };
    }),
  };
}

/** From "Open in Playground": the first column, or the second (the adapter side) when comparing. */
function select(state: PlaygroundState, model: ModelRef): PlaygroundState {
  return setModel(state, state.session.columns.length > 1 ? 1 : 0, model);
}

function setModel(state: PlaygroundState, column: number, model: ModelRef): PlaygroundState {
  const col = state.session.columns[column];
  if (!col || (refKey(col.model) === refKey(model) && !isElsewhere(col, state.origin))) return state;
  const columns = state.session.columns.slice();
  columns[column] = chosen(state, col, model);
  return setColumns(state, columns);
}

function chatRequest(session: Session, column: number, requestId: string): PlaygroundToHost[] {
  const col = session.columns[column];
  if (!col?.model) return [];
  const request: PlaygroundToHost = {
    type: 'chat',
    requestId,
    model: col.model,
    systemPrompt: session.systemPrompt,
    messages: chatMessages(col),
    params: { ...session.params },
  };
  if (col.origin) request.origin = col.origin;
  return [request];
}

/** Whether a prompt can go out now: every column has a model of the backend connected now. */
export function canSend(state: PlaygroundState): boolean {
  return state.loaded && state.session.columns.every((c) => c.model && !isElsewhere(c, state.origin));
}

/**
 * The Playground reducer: `reduce` plus what the change means outside the state (messages for the
 * host, webview state and saved-list revisions).
 */
export function playgroundReducer(state: PlaygroundState, action: Action): PlaygroundState {
  if ((action.type === 'send' || action.type === 'regenerate') && !canSend(state)) return state;
  const next = reduce(state, action);
  if (next === state || action.type === 'posted') return next;
  const outbox: PlaygroundToHost[] = [];
  // Streams in flight end (each gets a `stop` to the host) on Stop, Clear and leaving the session.
  if (action.type === 'stop' || action.type === 'clear' || next.session.id !== state.session.id) {
    for (const requestId of streamingRequestIds(state.session)) outbox.push({ type: 'stop', requestId });
  }
  if (action.type === 'send') {
    action.requestIds.forEach((id, i) => {
      outbox.push(...chatRequest(next.session, i, id));
    });
  } else if (action.type === 'regenerate') {
    if (next.session.columns[action.column]?.turns.at(-1)?.requestId === action.requestId) {
      outbox.push(...chatRequest(next.session, action.column, action.requestId));
    }
  }
  const listChanged =
    action.type === 'snapshot'
      ? next.conversations[0] !== undefined && !action.conversations.includes(next.conversations[0])
      : next.conversations !== state.conversations;
  return {
    ...next,
    outbox: outbox.length ? [...next.outbox, ...outbox] : next.outbox,
    revision: action.type === 'delta' ? next.revision : next.revision + 1,
    saveRevision: listChanged ? next.saveRevision + 1 : next.saveRevision,
  };
}

/** The model list a `snapshot` or `models` message brings, as the state keeps it. */
function modelList(
  action: Extract<Action, { type: 'snapshot' | 'models' }>,
): Pick<PlaygroundState, 'models' | 'origin' | 'modelsLoading'> {
  return { models: action.models, origin: action.origin, modelsLoading: action.loading };
}

function reduce(state: PlaygroundState, action: Action): PlaygroundState {
  switch (action.type) {
    case 'snapshot': {
      const preselectKey = action.preselect ? refKey(action.preselect) : undefined;
      if (state.loaded) {
        // A re-sent snapshot (view shown again): keep the live session, refresh models, and
        // apply a preselect only if it is new.
        let next: PlaygroundState = { ...state, ...modelList(action) };
        if (action.preselect && preselectKey !== state.lastPreselect) {
          next = select({ ...next, lastPreselect: preselectKey }, action.preselect);
        }
        return fillModels(next);
      }
      const saved = action.saved;
      let conversations = action.conversations
        .slice()
        .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
      let session: Session | undefined;
      const stored = conversations.find((c) => c.id === (saved?.session?.id ?? saved?.currentId));
      if (saved?.session && (!stored || stored.updatedAt <= saved.session.updatedAt)) {
        // Webview state is at least as new as the host's copy (a debounced save may not have landed,
        // and it also holds unsaved model/parameter choices).
        session = fromConversation(saved.session);
        if (saved.session.columns.some((c) => c.turns.length > 0)) {
          conversations = [saved.session, ...conversations.filter((c) => c.id !== saved.session!.id)];
        }
      } else if (stored) {
        session = fromConversation(stored);
      }
      // The placeholder session's id becomes the new conversation's id if nothing is restored.
      session ??= newSession(state.session.id, action.now);
      let next: PlaygroundState = {
        ...state,
        loaded: true,
        ...modelList(action),
        conversations,
        session,
        lastPreselect: saved?.lastPreselect,
      };
      if (action.preselect && preselectKey !== saved?.lastPreselect) {
        next = select({ ...next, lastPreselect: preselectKey }, action.preselect);
      }
      return fillModels(next);
    }
    case 'models':
      return fillModels({ ...state, ...modelList(action) });
    case 'select':
      return select(state, action.model);
    case 'setModel':
      return setModel(state, action.column, action.model);
    case 'posted':
      return action.count > 0 ? { ...state, outbox: state.outbox.slice(action.count) } : state;
    case 'setSystemPrompt':
      return { ...state, session: { ...state.session, systemPrompt: action.systemPrompt } };
    case 'setParams':
      return {
        ...state,
        session: { ...state.session, params: { ...state.session.params, ...action.params } },
      };
    case 'setCompare': {
      const cols = state.session.columns;
      if (action.on === cols.length > 1) return state;
      if (action.on) {
        // The second column starts empty: it shows only replies its own model wrote (a copy of the
        // first's would pass them off as this model's, and export them twice as training data).
        return fillModels(setColumns(state, [cols[0]!, { turns: [] }]));
      }
      return setColumns(state, [cols[0]!]);
    }
    case 'send': {
      const prompt = action.prompt;
      if (!prompt.trim() || isStreaming(state.session)) return state;
      const columns = state.session.columns.map((c, i) => ({
        ...c,
        turns: [
          ...c.turns,
          { role: 'user' as const, content: prompt },
          {
            role: 'assistant' as const,
            content: '',
            // Which model writes this reply, fixed now: the column's model may change later.
            model: choiceOf(c, state),
            requestId: action.requestIds[i],
            streaming: true,
          },
        ],
      }));
      const title = state.session.title === NEW_TITLE ? titleFrom(prompt) : state.session.title;
      return { ...state, session: { ...state.session, title, columns, updatedAt: action.now } };
    }
    case 'regenerate': {
      const col = state.session.columns[action.column];
      if (!col || isStreaming(state.session)) return state;
      let end = col.turns.length;
      while (end > 0 && col.turns[end - 1]!.role === 'assistant') end--;
      if (end === 0) return state;
      const columns = state.session.columns.slice();
      columns[action.column] = {
        ...col,
        turns: [
          ...col.turns.slice(0, end),
          {
            role: 'assistant',
            content: '',
            model: choiceOf(col, state),
            requestId: action.requestId,
            streaming: true,
          },
        ],
      };
      return setColumns(state, columns);
    }
    case 'delta':
      if (!action.text) return state;
      return updateTurn(state, action.requestId, (t) => ({ ...t, content: t.content + action.text }));
    case 'done': {
      const next = updateTurn(state, action.requestId, (t) => ({
        ...t,
        streaming: false,
        stats: action.stats,
      }));
      return next === state ? state : commit(next, action.now);
    }
    case 'error': {
      const next = updateTurn(state, action.requestId, (t) => ({
        ...t,
        streaming: false,
        error: action.message.slice(0, 10_000),
        action: action.action,
      }));
      return next === state ? state : commit(next, action.now);
    }
    case 'stop': {
      const session = stopAll(state.session);
      return session === state.session ? state : commit({ ...state, session }, action.now);
    }
    case 'clear': {
      const session = stopAll(state.session);
      // Emptied, a conversation has nothing to keep on another backend: it moves to this one.
      const cleared = commit(
        {
          ...state,
          session: {
            ...session,
            title: NEW_TITLE,
            columns: session.columns.map((c) => ({ ...c, turns: [] })),
          },
        },
        action.now,
      );
      return fillModels(cleared);
    }
    case 'new': {
      const stopped = commit({ ...state, session: stopAll(state.session) }, action.now);
      return fillModels({ ...stopped, session: newSession(action.id, action.now, stopped.session) });
    }
    case 'switch': {
      if (action.id === state.session.id) return state;
      const target = state.conversations.find((c) => c.id === action.id);
      if (!target) return state;
      const stopped = isStreaming(state.session)
        ? commit({ ...state, session: stopAll(state.session) }, state.session.updatedAt)
        : state;
      return fillModels({ ...stopped, session: fromConversation(target) });
    }
    case 'delete': {
      const conversations = state.conversations.filter((c) => c.id !== action.id);
      if (action.id !== state.session.id) {
        return conversations.length === state.conversations.length ? state : { ...state, conversations };
      }
      const session = newSession(action.newId, action.now, stopAll(state.session));
      return fillModels({ ...state, conversations, session });
    }
  }
}
