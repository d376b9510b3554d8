import { useEffect, useLayoutEffect, useReducer, useRef } from 'preact/hooks';
import { isPinnedToBottom, type LogFeed } from './logTail';

/** The log tail: the newest lines, kept scrolled to the bottom unless the user scrolled up. */
export function LogView({ feed }: { feed: LogFeed }) {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => feed.subscribe(() => bump(undefined)), [feed]);
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  });
  const lines = feed.tail.lines;
  return (
    <div
      ref={ref}
      class="log"
      role="log"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable log must be focusable to scroll by keyboard.
      tabIndex={0}
      aria-label="Training log (last 500 lines)"
      data-testid="log-tail"
      onScroll={(e) => {
        pinned.current = isPinnedToBottom(e.currentTarget as HTMLDivElement);
      }}
    >
      {lines.length === 0 ? (
        <span class="muted">No log output yet.</span>
      ) : (
        lines.map((l) => (
          <div key={l.id} class="log-line">
            {l.text || '\u00a0'}
          </div>
        ))
      )}
    </div>
  );
}
