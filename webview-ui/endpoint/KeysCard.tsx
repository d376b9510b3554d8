import { useState } from 'preact/hooks';
import {
  type EndpointKeySummary,
  type EndpointSummary,
  type IssuedKey,
  KEY_LABEL_MAX,
} from '../../src/protocol';
import { localDateTime, relativeTime } from '../jobsView/format';
import { Card } from '../shared/Card';
import { DataTable } from '../shared/DataTable';
import { Button } from '../shared/toolkit';
import type { Actions } from './EndpointApp';
import { AreaError } from './SettingsCard';

/** The problem with a key label as typed, or undefined (the wire's rule: 1-80 characters trimmed). */
export function labelProblem(label: string): string | undefined {
  const n = label.trim().length;
  if (n === 0) return 'Enter a label for the key (for example "production").';
  if (n > KEY_LABEL_MAX) return `A label is at most ${KEY_LABEL_MAX} characters.`;
  return undefined;
}

const KEY_COLUMNS = ['Label', 'Key', 'Created', 'Last used', { label: 'Actions', visuallyHidden: true }];

/**
 * API keys: issue one with a label (its secret is shown once, here, until the user confirms saving
 * it), and the list with prefix, created and last-used times, each revocable after a confirmation.
 */
export function KeysCard(props: {
  endpoint: EndpointSummary;
  keys: EndpointKeySummary[];
  issued: IssuedKey | undefined;
  actions: Actions;
  onCopyIssued(): void;
  onDismissIssued(): void;
}) {
  const { endpoint, keys, issued, actions } = props;
  const [label, setLabel] = useState('');
  const [shownProblem, setShownProblem] = useState<string | undefined>(undefined);
  const [confirmDismiss, setConfirmDismiss] = useState(false);
  const [confirmRevoke, setConfirmRevoke] = useState<string | undefined>(undefined);
  const [lastIssued, setLastIssued] = useState<string | undefined>(undefined);
  const busy = actions.busy !== undefined;
  // The label is cleared only once a key came back for it; a failed request keeps what was typed.
  if (issued && issued.id !== lastIssued) {
    setLastIssued(issued.id);
    setLabel('');
    setConfirmDismiss(false);
  }
  const now = Date.now();

  const issue = () => {
    const problem = labelProblem(label);
    setShownProblem(problem);
    if (!problem) actions.issueKey(label.trim());
  };

  return (
    <Card id="keys" title="API keys" testId="keys-card">
      {endpoint.authMode === 'none' && (
        <p class="muted small" data-testid="keys-not-enforced">
          Auth is set to none: keys are not enforced.
        </p>
      )}
      {issued ? (
        <div class="banner one-time-key" role="status" data-testid="issued-key">
          <p>
            <strong>Copy this key now. It cannot be shown again.</strong> ({issued.label})
          </p>
          <div class="url-row">
            <code class="secret" data-testid="issued-secret">
              {issued.plaintext}
            </code>
            <Button onClick={props.onCopyIssued} data-testid="copy-issued">
              Copy
            </Button>
          </div>
          {confirmDismiss ? (
            <div class="banner-actions" data-testid="dismiss-confirm">
              <span>Hide the key? From now on only its prefix ({issued.prefix}…) is shown.</span>
              <Button onClick={props.onDismissIssued} data-testid="dismiss-confirm-button">
                Hide Key
              </Button>
              <Button
                appearance="secondary"
                onClick={() => setConfirmDismiss(false)}
                data-testid="dismiss-cancel"
              >
                Keep Showing
              </Button>
            </div>
          ) : (
            <div class="banner-actions">
              <Button
                appearance="secondary"
                onClick={() => setConfirmDismiss(true)}
                data-testid="dismiss-issued"
              >
                I've Saved It
              </Button>
            </div>
          )}
        </div>
      ) : (
        <form
          class="issue-row"
          onSubmit={(e) => {
            e.preventDefault();
            issue();
          }}
        >
          <input
            type="text"
            class="label-input"
            placeholder="Label (e.g. production)"
            maxLength={KEY_LABEL_MAX}
            value={label}
            aria-label="Key label"
            aria-invalid={shownProblem ? 'true' : undefined}
            data-testid="key-label"
            onInput={(e) => {
              const v = (e.currentTarget as HTMLInputElement).value;
              setLabel(v);
              if (shownProblem) setShownProblem(labelProblem(v));
            }}
          />
          <Button disabled={busy} onClick={issue} data-testid="issue-key">
            {actions.busy === 'issue' ? 'Issuing…' : 'Issue Key'}
          </Button>
        </form>
      )}
      {shownProblem && !issued && (
        <p class="error-text" role="alert" data-testid="label-error">
          {shownProblem}
        </p>
      )}
      <AreaError actions={actions} area="issue" />
      <AreaError actions={actions} area="revoke" />
      <DataTable testId="keys" columns={KEY_COLUMNS} rows={keys} empty="No keys yet.">
        {(k) => (
          <tr key={k.id} class={k.enabled ? '' : 'revoked'} data-testid="key-row" data-key-id={k.id}>
            <td>{k.label}</td>
            <td>
              <code data-testid="key-prefix">{k.prefix}…</code>
            </td>
            <td title={localDateTime(new Date(k.createdAt))}>{relativeTime(k.createdAt, now)}</td>
            <td title={k.lastUsedAt ? localDateTime(new Date(k.lastUsedAt)) : undefined}>
              {k.lastUsedAt ? relativeTime(k.lastUsedAt, now) : 'never'}
            </td>
            <td class="actions">
              {!k.enabled ? (
                <span class="muted">revoked</span>
              ) : confirmRevoke === k.id ? (
                <span class="inline-confirm" data-testid="revoke-confirm">
                  Revoke “{k.label}”? Callers using it are refused.{' '}
                  <Button
                    disabled={busy}
                    onClick={() => {
                      setConfirmRevoke(undefined);
                      actions.revokeKey(k.id);
                    }}
                    data-testid="revoke-confirm-button"
                  >
                    Revoke
                  </Button>
                  <Button appearance="secondary" onClick={() => setConfirmRevoke(undefined)}>
                    Cancel
                  </Button>
                </span>
              ) : (
                <Button
                  appearance="secondary"
                  disabled={busy}
                  onClick={() => setConfirmRevoke(k.id)}
                  data-testid="revoke"
                >
                  Revoke…
                </Button>
              )}
            </td>
          </tr>
        )}
      </DataTable>
    </Card>
  );
}
