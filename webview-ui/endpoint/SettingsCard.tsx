import { useState } from 'preact/hooks';
import {
  type EndpointAuthMode,
  type EndpointSummary,
  RUN_RETENTION_DAYS_MAX,
  type RunRetention,
  type TargetOption,
  targetKey,
} from '../../src/protocol';
import { Card } from '../shared/Card';
import { Button } from '../shared/toolkit';
import type { Actions } from './EndpointApp';

/** Enable/disable, auth mode, run retention and the target (re-targeting keeps the URL). */
export function SettingsCard(props: {
  endpoint: EndpointSummary;
  targets: TargetOption[];
  actions: Actions;
}) {
  const { endpoint, actions } = props;
  const busy = actions.busy !== undefined;
  return (
    <Card id="settings" title="Settings">
      <div class="setting">
        <span class="setting-name">Serving</span>
        <Button
          appearance="secondary"
          disabled={busy}
          onClick={() => actions.update('enabled', { enabled: !endpoint.enabled })}
          data-testid="toggle-enabled"
        >
          {endpoint.enabled ? 'Disable' : 'Enable'}
        </Button>
        <span class="muted small">
          {endpoint.enabled
            ? 'The URL answers requests.'
            : 'The URL answers 404 until enabled; the slug stays reserved.'}
        </span>
        <AreaError actions={actions} area="enabled" />
      </div>
      <div class="setting">
        <label class="setting-name" for="auth-mode">
          Auth mode
        </label>
        <select
          id="auth-mode"
          data-testid="auth-mode"
          value={endpoint.authMode}
          disabled={busy}
          onChange={(e) =>
            actions.update('authMode', {
              authMode: (e.currentTarget as HTMLSelectElement).value as EndpointAuthMode,
            })
          }
        >
          <option value="fixed_api_key">API key required</option>
          <option value="none">No auth (public)</option>
        </select>
        <AreaError actions={actions} area="authMode" />
      </div>
      <RetentionEditor endpoint={endpoint} actions={actions} />
      <TargetEditor endpoint={endpoint} targets={props.targets} actions={actions} />
    </Card>
  );
}

export function AreaError({ actions, area }: { actions: Actions; area: keyof Actions['errors'] }) {
  const error = actions.errors[area];
  return error ? (
    <p class="error-text" role="alert" data-testid={`${area}-error`}>
      {error}
    </p>
  ) : null;
}

/** The problem with a typed number of days, or undefined when it is a valid retention. */
export function daysProblem(text: string): string | undefined {
  const days = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(days) && days >= 1 && days <= RUN_RETENTION_DAYS_MAX
    ? undefined
    : `Enter a whole number of days from 1 to ${RUN_RETENTION_DAYS_MAX}.`;
}

function RetentionEditor({ endpoint, actions }: { endpoint: EndpointSummary; actions: Actions }) {
  const current = endpoint.retention;
  const [mode, setMode] = useState<RunRetention['mode'] | undefined>(current?.mode);
  const [days, setDays] = useState(String(current?.mode === 'days' ? current.days : 7));
  // A new value from the host (saved here or elsewhere) resets the editor.
  const [seen, setSeen] = useState(JSON.stringify(current));
  if (seen !== JSON.stringify(current)) {
    setSeen(JSON.stringify(current));
    setMode(current?.mode);
    setDays(String(current?.mode === 'days' ? current.days : 7));
  }
  const problem = mode === 'days' ? daysProblem(days) : undefined;
  const next: RunRetention | undefined =
    mode === 'days' ? (problem ? undefined : { mode, days: Number(days.trim()) }) : mode && { mode };
  const changed = next !== undefined && JSON.stringify(next) !== JSON.stringify(current);
  const choice = (value: RunRetention['mode'], label: string) => (
    <label class="radio">
      <input
        type="radio"
        name="retention"
        value={value}
        checked={mode === value}
        data-testid={`retention-mode-${value}`}
        onChange={() => setMode(value)}
      />
      {label}
    </label>
  );
  return (
    <fieldset class="setting retention" data-testid="retention">
      <legend class="setting-name">Run retention</legend>
      <div class="radios">
        {choice('unlimited', 'Keep forever')}
        {choice('disabled', 'Do not store')}
        {choice('days', 'Keep for')}
        <input
          type="number"
          class="days"
          min={1}
          max={RUN_RETENTION_DAYS_MAX}
          step={1}
          value={days}
          disabled={mode !== 'days'}
          aria-label="Days to keep runs"
          aria-invalid={problem ? 'true' : undefined}
          data-testid="retention-days"
          onInput={(e) => setDays((e.currentTarget as HTMLInputElement).value)}
        />
        <span>days</span>
        <Button
          appearance="secondary"
          disabled={!changed || actions.busy !== undefined}
          onClick={() => changed && next && actions.update('retention', { retention: next })}
          data-testid="retention-save"
        >
          Save
        </Button>
      </div>
      {!current && <p class="muted small">Now: {endpoint.retentionText}</p>}
      {problem && (
        <p class="error-text" role="alert" data-testid="retention-days-error">
          {problem}
        </p>
      )}
      <AreaError actions={actions} area="retention" />
    </fieldset>
  );
}

function TargetEditor(props: { endpoint: EndpointSummary; targets: TargetOption[]; actions: Actions }) {
  const { endpoint, targets, actions } = props;
  const currentKey = targetKey(endpoint.target);
  const [picked, setPicked] = useState(currentKey);
  const groups = new Map<string, TargetOption[]>();
  for (const t of targets) groups.set(t.group, [...(groups.get(t.group) ?? []), t]);
  const option = targets.find((t) => targetKey(t.target) === picked);
  const listed = targets.some((t) => targetKey(t.target) === currentKey);
  return (
    <div class="setting">
      <label class="setting-name" for="target">
        Target
      </label>
      <select
        id="target"
        data-testid="target-select"
        value={picked}
        disabled={actions.busy !== undefined}
        onChange={(e) => setPicked((e.currentTarget as HTMLSelectElement).value)}
      >
        {!listed && <option value={currentKey}>{endpoint.targetLabel}</option>}
        {[...groups].map(([group, options]) => (
          <optgroup key={group} label={group}>
            {options.map((t) => (
              <option key={targetKey(t.target)} value={targetKey(t.target)}>
                {t.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <Button
        appearance="secondary"
        disabled={!option || picked === currentKey || actions.busy !== undefined}
        onClick={() => option && picked !== currentKey && actions.update('target', { target: option.target })}
        data-testid="retarget"
      >
        Re-target
      </Button>
      <span class="muted small">The URL stays the same.</span>
      <AreaError actions={actions} area="target" />
    </div>
  );
}
