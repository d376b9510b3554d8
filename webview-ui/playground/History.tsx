import type { Conversation } from '../../src/protocol';
import { localDateTime } from '../jobsView/format';
import { Button } from '../shared/toolkit';

/** The side list of saved conversations: open one, delete one, or start a new one. */
export function History(props: {
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
              <span class="muted history-date">{localDateTime(new Date(c.updatedAt))}</span>
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
