import { useRef } from 'preact/hooks';
import { Button } from '../shared/toolkit';

/**
 * The message box. Enter sends, Shift+Enter inserts a newline, and Enter that confirms an IME
 * composition (isComposing, or keyCode 229 in Chromium) never sends.
 */
export function Composer(props: {
  draft: string;
  streaming: boolean;
  canSend: boolean;
  onDraft(text: string): void;
  onSend(): void;
  onStop(): void;
}) {
  const composing = useRef(false);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || e.shiftKey) return;
    if (e.isComposing || composing.current || e.keyCode === 229) return;
    e.preventDefault();
    if (props.canSend && !props.streaming) props.onSend();
  };
  const lines = props.draft.split('\n').length;
  return (
    <div class="composer">
      <textarea
        data-testid="composer"
        aria-label="Message"
        placeholder="Send a message…  (Enter to send · Shift+Enter for newline)"
        rows={Math.min(8, Math.max(2, lines))}
        value={props.draft}
        onInput={(e) => props.onDraft((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={onKeyDown}
        onCompositionStart={() => {
          composing.current = true;
        }}
        onCompositionEnd={() => {
          composing.current = false;
        }}
      />
      {props.streaming ? (
        <Button appearance="secondary" data-testid="stop" onClick={props.onStop}>
          Stop
        </Button>
      ) : (
        <Button
          data-testid="send"
          disabled={!props.canSend || !props.draft.trim()}
          onClick={() => {
            if (props.canSend && props.draft.trim()) props.onSend();
          }}
        >
          Send
        </Button>
      )}
    </div>
  );
}
