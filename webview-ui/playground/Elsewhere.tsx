import type { JobOrigin } from '../../src/protocol';
import { Button } from '../shared/toolkit';
import { describeRef, isElsewhere, type LiveColumn } from './playgroundState';

/**
 * The notice of a conversation whose model lives on another backend than the one connected now: it
 * says where, and offers to switch back (or to pick a model of this backend in the column's picker)
 * instead of sending a chat that would 404.
 */
export function Elsewhere(props: {
  columns: LiveColumn[];
  origin: JobOrigin | undefined;
  onSwitch(backend: JobOrigin['backend']): void;
}) {
  const byOrigin = new Map<string, { origin: JobOrigin; labels: string[] }>();
  for (const c of props.columns) {
    if (!c.model || !isElsewhere(c, props.origin)) continue;
    const origin = c.origin!;
    const entry = byOrigin.get(origin.label) ?? { origin, labels: [] };
    const label = `‘${c.label ?? describeRef(c.model)}’`;
    if (!entry.labels.includes(label)) entry.labels.push(label);
    byOrigin.set(origin.label, entry);
  }
  if (byOrigin.size === 0) return null;
  return (
    <>
      {[...byOrigin.values()].map(({ origin, labels }) => (
        <section key={origin.label} class="banner" role="status" data-testid="playground-elsewhere">
          <p>
            {labels.length === 1
              ? `This conversation's model ${labels[0]} is on ${origin.label}.`
              : `This conversation's models ${labels.join(' and ')} are on ${origin.label}.`}{' '}
            You are connected to {props.origin!.label}: switch back to go on with it, or pick a model of this
            backend above its column.
          </p>
          <div class="banner-actions">
            <Button data-testid="playground-switch-backend" onClick={() => props.onSwitch(origin.backend)}>
              Switch to {origin.backend === 'local' ? 'the Local Backend' : 'Arkor Cloud'}
            </Button>
          </div>
        </section>
      ))}
    </>
  );
}
