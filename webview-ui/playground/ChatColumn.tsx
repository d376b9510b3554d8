import { Component } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { JobOrigin, ModelOption, ModelRef } from '../../src/protocol';
import { copyText } from './clipboard';
import { formatStats } from './exporters';
import { MarkdownView } from './markdown';
import { describeRef, isElsewhere, type LiveColumn, type LiveTurn, refKey } from './playgroundState';

/** Callbacks shared by every message; one stable object so memoized messages never re-render for them. */
export interface ColumnActions {
  regenerate(column: number): void;
  setModel(column: number, model: ModelRef): void;
  /** Deploy the column's model as an endpoint (not offered for an endpoint itself). */
  deploy(model: ModelRef): void;
}

export function ModelPicker(props: {
  testId: string;
  models: ModelOption[];
  value: ModelRef | undefined;
  /**
   * The backend the value's model is on, when it is another one than this: shown as such, never as
   * this backend's option.
   */
  elsewhere?: string;
  /** The host is still filling the list in: a value not listed yet is loading, not unavailable. */
  loading?: boolean;
  /** The value's label when it was chosen (a value not listed now is named by it). */
  valueLabel?: string;
  disabled?: boolean;
  label: string;
  onChange(model: ModelRef): void;
}) {
  const { models, value } = props;
  const key = props.elsewhere ? `elsewhere:${refKey(value)}` : refKey(value);
  const groups = new Map<string, ModelOption[]>();
  for (const m of models) {
    const list = groups.get(m.group);
    if (list) list.push(m);
    else groups.set(m.group, [m]);
  }
  const listed = models.some((m) => refKey(m.ref) === key);
  const onChange = (e: Event) => {
    const v = (e.currentTarget as HTMLSelectElement).value;
    const option = models.find((m) => refKey(m.ref) === v);
    if (option) props.onChange(option.ref);
  };
  return (
    <select
      class="model-picker"
      data-testid={props.testId}
      aria-label={props.label}
      value={key}
      disabled={props.disabled || models.length === 0}
      onChange={onChange}
    >
      {models.length === 0 && (
        <option value="">{props.loading ? 'Loading models…' : 'No models available'}</option>
      )}
      {value && !listed && (
        <option value={key} disabled>
          {`${props.valueLabel ?? describeRef(value)}${
            props.elsewhere ? ` · on ${props.elsewhere}` : ` (${props.loading ? 'loading…' : 'unavailable'})`
          }`}
        </option>
      )}
      {[...groups].map(([group, options]) => (
        <optgroup key={group} label={group}>
          {options.map((m) => (
            <option key={refKey(m.ref)} value={refKey(m.ref)}>
              {m.live ? `${m.label} (live)` : m.label}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

export function ChatColumn(props: {
  index: number;
  compare: boolean;
  column: LiveColumn;
  /** The backend connected now. */
  origin: JobOrigin | undefined;
  /** The column has no turns while the other has: Compare was turned on after some. */
  joinedLate: boolean;
  models: ModelOption[];
  /** The host is still filling the model list in. */
  modelsLoading: boolean;
  busy: boolean;
  actions: ColumnActions;
}) {
  const { index, column, compare, actions } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const frame = useRef(0);
  /** Where our own last auto-scroll put scrollTop; scrolling above it is the user's doing. */
  const autoTop = useRef(0);

  // Keep the newest text in view while streaming, unless the user scrolled up. At most once a frame.
  useLayoutEffect(() => {
    if (!stick.current || frame.current || typeof requestAnimationFrame !== 'function') return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = scroller.current;
      if (el && stick.current) {
        el.scrollTop = el.scrollHeight;
        autoTop.current = el.scrollTop;
      }
    });
  });
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  const onScroll = () => {
    const el = scroller.current;
    // The scroll event of an auto-scroll can arrive after more text grew the log: still stuck.
    if (el) {
      stick.current =
        el.scrollTop >= autoTop.current - 1 || el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    }
  };

  const lastAssistant = column.turns.length - 1;
  // Another backend's model cannot answer here: no Regenerate until the column is pointed elsewhere.
  const away = column.model !== undefined && isElsewhere(column, props.origin);
  // On the local backend the chosen model is a tiny stand-in: said next to the picker, so its
  // gibberish-like replies are not mistaken for failed fine-tuning.
  const standIn = away
    ? undefined
    : props.models.find((m) => refKey(m.ref) === refKey(column.model))?.standIn;
  return (
    <section class="column" aria-label={compare ? `Column ${index + 1}` : 'Chat'}>
      <header class="column-head">
        <ModelPicker
          testId={compare ? `model-picker-${index}` : 'model-picker'}
          label={compare ? `Model for column ${index + 1}` : 'Model'}
          models={props.models}
          value={column.model}
          elsewhere={away ? column.origin!.label : undefined}
          loading={props.modelsLoading}
          valueLabel={column.label}
          disabled={props.busy}
          onChange={(m) => actions.setModel(index, m)}
        />
        {column.model && column.model.kind !== 'endpoint' && !away && (
          <button
            type="button"
            class="action deploy-model"
            title="Deploy this model as an endpoint (an OpenAI-compatible URL)"
            data-testid={compare ? `deploy-model-${index}` : 'deploy-model'}
            onClick={() => column.model && actions.deploy(column.model)}
          >
            Deploy…
          </button>
        )}
        {standIn && (
          <p class="muted stand-in-note" data-testid="stand-in-note">
            {standIn}
          </p>
        )}
      </header>
      <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-live="polite">
        {column.turns.length === 0 ? (
          <p class="muted empty-chat">
            {!props.models.length
              ? 'No models yet: train a job or check the backend.'
              : props.joinedLate
                ? "This column's model answers from the next prompt on."
                : 'Ready when you are.'}
          </p>
        ) : (
          column.turns.map((turn, i) =>
            turn.role === 'user' ? (
              <UserMessage key={i} turn={turn} />
            ) : (
              <AssistantMessage
                key={turn.requestId ?? `a${i}`}
                turn={turn}
                column={index}
                canRegenerate={i === lastAssistant && !props.busy && !away}
                actions={actions}
              />
            ),
          )
        )}
      </div>
    </section>
  );
}

class UserMessage extends Component<{ turn: LiveTurn }> {
  override shouldComponentUpdate(next: { turn: LiveTurn }) {
    return next.turn !== this.props.turn;
  }
  override render() {
    return (
      <div class="msg user" data-testid="user-message">
        {this.props.turn.content}
      </div>
    );
  }
}

interface AssistantProps {
  turn: LiveTurn;
  column: number;
  canRegenerate: boolean;
  actions: ColumnActions;
}

class AssistantMessage extends Component<AssistantProps> {
  override shouldComponentUpdate(next: AssistantProps) {
    return next.turn !== this.props.turn || next.canRegenerate !== this.props.canRegenerate;
  }
  override render() {
    const { turn, column, canRegenerate, actions } = this.props;
    const streaming = turn.streaming === true;
    const stats = formatStats(turn.stats);
    return (
      <div class="msg assistant" data-testid="assistant-message" data-streaming={String(streaming)}>
        {turn.model && (
          <div class="msg-head muted" data-testid="reply-model" title={turn.model.origin?.label}>
            {turn.model.label}
          </div>
        )}
        {turn.content || streaming ? (
          <MarkdownView text={turn.content} streaming={streaming} />
        ) : turn.error ? null : (
          <p class="muted">(empty reply)</p>
        )}
        {turn.error && (
          <div class="chat-error" data-testid="chat-error" role="alert">
            <span>{turn.error}</span>
            {turn.action && <strong class="chat-error-action">{turn.action}</strong>}
          </div>
        )}
        {!streaming && (
          <div class="msg-foot">
            {stats && (
              <span class="reply-stats muted" data-testid="reply-stats">
                {stats}
              </span>
            )}
            <span class="msg-actions">
              {turn.content && <CopyButton text={turn.content} />}
              {canRegenerate && (
                <button
                  type="button"
                  class="action"
                  data-testid="regenerate"
                  onClick={() => actions.regenerate(column)}
                >
                  Regenerate
                </button>
              )}
            </span>
          </div>
        )}
      </div>
    );
  }
}

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const onClick = async () => {
    const ok = await copyText(text);
    setState(ok ? 'copied' : 'failed');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), 1500);
  };
  return (
    <button type="button" class="action" data-testid="copy-reply" onClick={onClick}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}
