import { useRef, useState } from 'preact/hooks';
import type { EndpointPanelToHost, EndpointPatch, HostToEndpointPanel, IssuedKey } from '../../src/protocol';
import { Card } from '../shared/Card';
import type { HostChannel } from '../shared/hostChannel';
import { Button } from '../shared/toolkit';
import { useHost } from '../shared/useHost';
import { KeysCard } from './KeysCard';
import { QuickStart } from './QuickStart';
import { RunsCard } from './RunsCard';
import { SettingsCard } from './SettingsCard';

export type EndpointChannel = HostChannel<HostToEndpointPanel, EndpointPanelToHost>;

/** Which part of the panel a request belongs to: its error is shown there. */
export type Area = 'enabled' | 'authMode' | 'retention' | 'target' | 'issue' | 'revoke' | 'delete';

/** What the host sent, but for the issued key (kept apart: it is never part of anything persisted). */
type Data = Omit<Extract<HostToEndpointPanel, { type: 'snapshot' }>, 'type' | 'issuedKey'>;

/** What the panel's parts get to act with. */
export interface Actions {
  /** A request is in flight: one mutation at a time. */
  busy: Area | undefined;
  errors: Partial<Record<Area, string>>;
  update(area: Area, patch: EndpointPatch): void;
  issueKey(label: string): void;
  revokeKey(keyId: string): void;
  copy(text: string, what: string): void;
}

/**
 * One endpoint: its URL, settings, API keys, quick start samples and recent requests. Everything the
 * host knows arrives in the snapshot and the messages after it; every change is a request to the host,
 * answered by `done` (with the error to show in the part that asked) and then the new data.
 *
 * A just-issued key's secret lives in this component's memory only: never in `setState`, never in a
 * log. The host keeps it until the user confirms they saved it, so a panel that was hidden (and thus
 * torn down) shows it again; after that only its prefix is ever shown.
 */
export function EndpointApp({ channel }: { channel: EndpointChannel }) {
  const [data, setData] = useState<Data | undefined>(undefined);
  const [issued, setIssued] = useState<IssuedKey | undefined>(undefined);
  const [busy, setBusy] = useState<Area | undefined>(undefined);
  const [errors, setErrors] = useState<Partial<Record<Area, string>>>({});
  const [confirmDelete, setConfirmDelete] = useState(false);
  const pending = useRef(new Map<string, Area>());
  const nextId = useRef(0);

  const post = useHost<HostToEndpointPanel, EndpointPanelToHost>(channel, (m) => {
    switch (m.type) {
      case 'snapshot': {
        const { type: _t, issuedKey, ...rest } = m;
        setData(rest);
        setIssued(issuedKey);
        return;
      }
      case 'endpoint':
        setData((d) => d && { ...d, endpoint: m.endpoint, samples: m.samples, error: undefined });
        return;
      case 'keys':
        setData((d) => d && { ...d, keys: m.keys });
        return;
      case 'runs':
        setData((d) => d && { ...d, runs: m.runs });
        return;
      case 'targets':
        setData((d) => d && { ...d, targets: m.targets });
        return;
      case 'keyIssued':
        setIssued(m.key);
        return;
      case 'done': {
        const area = pending.current.get(m.requestId);
        if (!area) return;
        pending.current.delete(m.requestId);
        setBusy(undefined);
        setErrors((e) => ({ ...e, [area]: m.error }));
        if (area === 'delete' && !m.error) setConfirmDelete(false);
        return;
      }
    }
  });

  const request = (area: Area, make: (requestId: string) => EndpointPanelToHost) => {
    if (busy) return;
    const requestId = `r${++nextId.current}`;
    pending.current.set(requestId, area);
    setBusy(area);
    setErrors((e) => ({ ...e, [area]: undefined }));
    post(make(requestId));
  };

  const actions: Actions = {
    busy,
    errors,
    update: (area, patch) => request(area, (requestId) => ({ type: 'update', requestId, patch })),
    issueKey: (label) => request('issue', (requestId) => ({ type: 'issueKey', requestId, label })),
    revokeKey: (keyId) => request('revoke', (requestId) => ({ type: 'revokeKey', requestId, keyId })),
    copy: (text, what) => post({ type: 'copy', text, what }),
  };

  if (!data) return <p class="muted pad">Loading endpoint…</p>;
  const { endpoint, backend } = data;
  const banner = backend.error && (
    <div class="banner error" role="alert" data-testid="backend-error">
      {backend.error}
    </div>
  );
  if (!endpoint) {
    return (
      <main class="endpoint-panel">
        {banner}
        <div class="banner error" role="alert" data-testid="endpoint-error">
          <p>{data.error ?? 'This endpoint is not available.'}</p>
          <div class="banner-actions">
            <Button appearance="secondary" onClick={() => post({ type: 'refresh' })} data-testid="refresh">
              Try Again
            </Button>
          </div>
        </div>
      </main>
    );
  }

  const activeKeys = data.keys.filter((k) => k.enabled).length;
  return (
    <main class="endpoint-panel">
      {banner}
      {data.error && (
        <div class="banner error" role="alert" data-testid="load-error">
          Could not refresh this endpoint: {data.error} What is shown may be out of date.
        </div>
      )}
      <header class="endpoint-header">
        <div class="title-row">
          <h1 class="endpoint-slug" data-testid="endpoint-slug">
            {endpoint.slug}
          </h1>
          <span class={`pill ${endpoint.enabled ? 'pill-on' : 'pill-off'}`} data-testid="endpoint-state">
            {endpoint.enabled ? 'enabled' : 'disabled'}
          </span>
          <span class="spacer" />
          <Button onClick={() => post({ type: 'tryInPlayground' })} data-testid="try-in-playground">
            Try in Playground
          </Button>
          <Button appearance="secondary" onClick={() => post({ type: 'refresh' })} data-testid="refresh">
            Refresh
          </Button>
          <Button
            appearance="secondary"
            disabled={busy !== undefined}
            onClick={() => setConfirmDelete(true)}
            data-testid="delete"
          >
            Delete…
          </Button>
        </div>
        <p class="muted target-line" data-testid="target-label">
          Serves {endpoint.targetLabel}
          {endpoint.targetMissing && (
            <span class="warn-text" data-testid="target-missing">
              {' '}
              (its job is no longer listed: re-target it below)
            </span>
          )}
        </p>
      </header>

      {confirmDelete && (
        <div class="banner error confirm" role="alertdialog" data-testid="delete-confirm">
          <p>
            Delete endpoint <strong>{endpoint.slug}</strong>? Its URL stops answering and its{' '}
            {activeKeys === 1 ? '1 API key is' : `${activeKeys} API keys are`} revoked. This cannot be undone.
          </p>
          {issued && (
            <p data-testid="delete-confirm-key">
              The key on screen ({issued.prefix}…) stops working too, and is not shown again.
            </p>
          )}
          {errors.delete && (
            <p class="error-text" role="alert" data-testid="delete-error">
              {errors.delete}
            </p>
          )}
          <div class="banner-actions">
            <Button
              disabled={busy !== undefined}
              onClick={() => request('delete', (requestId) => ({ type: 'deleteEndpoint', requestId }))}
              data-testid="delete-confirm-button"
            >
              Delete {endpoint.slug}
            </Button>
            <Button
              appearance="secondary"
              onClick={() => setConfirmDelete(false)}
              data-testid="delete-cancel"
            >
              Cancel
            </Button>
          </div>
        </div>
      )}

      <Card id="url" title="Endpoint URL">
        <div class="url-row">
          <code class="url" data-testid="endpoint-url">
            {endpoint.url}
          </code>
          <Button
            appearance="secondary"
            onClick={() => actions.copy(endpoint.url, 'endpoint URL')}
            data-testid="copy-url"
          >
            Copy
          </Button>
        </div>
        <p class="muted small">
          OpenAI-compatible Chat Completions.{' '}
          {endpoint.authMode === 'fixed_api_key'
            ? 'Callers send an API key as Authorization: Bearer <key> (or x-api-key).'
            : 'Auth is off: anyone who can reach the URL can call it.'}
        </p>
      </Card>

      <SettingsCard endpoint={endpoint} targets={data.targets} actions={actions} />
      <KeysCard
        endpoint={endpoint}
        keys={data.keys}
        issued={issued}
        actions={actions}
        onCopyIssued={() => post({ type: 'copyIssuedKey' })}
        onDismissIssued={() => {
          setIssued(undefined);
          post({ type: 'acknowledgeKey' });
        }}
      />
      <QuickStart channel={channel} samples={data.samples} onCopy={actions.copy} />
      <RunsCard endpoint={endpoint} runs={data.runs} />
    </main>
  );
}
