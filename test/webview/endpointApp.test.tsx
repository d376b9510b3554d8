import * as assert from 'node:assert/strict';
import { act, cleanup, fireEvent, render } from '@testing-library/preact';
import type {
  EndpointKeySummary,
  EndpointPanelToHost,
  EndpointSummary,
  HostToEndpointPanel,
} from '../../src/protocol';
import { EndpointApp } from '../../webview-ui/endpoint/EndpointApp';
import { FakeHost } from './fakeChannel';

const URL = 'http://127.0.0.1:4100/captain/v1/chat/completions';
const SECRET = 'ark_live_abcd1234_0123456789abcdefSECRET';

function endpoint(over: Partial<EndpointSummary> = {}): EndpointSummary {
  return {
    id: 'dep-1',
    slug: 'captain',
    url: URL,
    target: { kind: 'adapter', adapter: { kind: 'final', jobId: 'job-1' } },
    targetLabel: 'captain-speak · final adapter',
    authMode: 'fixed_api_key',
    enabled: true,
    retention: { mode: 'days', days: 7 },
    retentionText: 'runs kept 7 days',
    createdAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
    ...over,
  };
}

const key = (over: Partial<EndpointKeySummary> = {}): EndpointKeySummary => ({
  id: 'key-1',
  label: 'production',
  prefix: 'ark_live_abcd',
  enabled: true,
  createdAt: '2026-11-29T10:05:00.000Z',
  lastUsedAt: null,
  ...over,
});

async function mount(over: Partial<Extract<HostToEndpointPanel, { type: 'snapshot' }>> = {}) {
  const host = new FakeHost<HostToEndpointPanel, EndpointPanelToHost>();
  const view = render(<EndpointApp channel={host} />);
  await act(() =>
    host.send({
      type: 'snapshot',
      endpoint: endpoint(),
      keys: [],
      runs: [],
      targets: [
        {
          target: { kind: 'adapter', adapter: { kind: 'final', jobId: 'job-1' } },
          label: 'captain-speak · final adapter',
          group: 'captain-speak',
        },
        {
          target: { kind: 'adapter', adapter: { kind: 'checkpoint', jobId: 'job-1', step: 20 } },
          label: 'captain-speak · step 20',
          group: 'captain-speak',
        },
      ],
      samples: [
        { language: 'curl', stream: false, code: `curl -X POST ${URL}` },
        { language: 'curl', stream: true, code: `curl -N -X POST ${URL}` },
        { language: 'python', stream: false, code: 'from openai import OpenAI' },
      ],
      backend: { kind: 'local', label: 'Local backend' },
      ...over,
    }),
  );
  return { host, view };
}

const last = (host: FakeHost<HostToEndpointPanel, EndpointPanelToHost>) =>
  host.posted[host.posted.length - 1]!;
const typeInto = (el: HTMLElement, value: string) => {
  (el as HTMLInputElement).value = value;
  fireEvent.input(el);
};

describe('endpoint panel', () => {
  afterEach(cleanup);

  it('shows an issued key once, copies it through the host, then only its prefix', async () => {
    const { host, view } = await mount();
    typeInto(view.getByTestId('key-label'), '  production  ');
    fireEvent.click(view.getByTestId('issue-key'));
    const asked = last(host);
    assert.equal(asked.type, 'issueKey');
    assert.equal(asked.type === 'issueKey' && asked.label, 'production');
    const requestId = asked.type === 'issueKey' ? asked.requestId : '';

    await act(() =>
      host.send({
        type: 'keyIssued',
        key: {
          id: 'key-1',
          label: 'production',
          prefix: 'ark_live_abcd',
          createdAt: key().createdAt,
          plaintext: SECRET,
        },
      }),
    );
    await act(() => host.send({ type: 'done', requestId }));
    await act(() => host.send({ type: 'keys', keys: [key()] }));
    assert.equal(view.getByTestId('issued-secret').textContent, SECRET);
    assert.match(view.getByTestId('issued-key').textContent!, /cannot be shown again/);

    // Copy asks the host, which holds the key: the secret never travels back in a message.
    fireEvent.click(view.getByTestId('copy-issued'));
    assert.deepEqual(last(host), { type: 'copyIssuedKey' });
    // Nor is it ever in the webview's persisted state.
    assert.ok(!JSON.stringify(host.getState() ?? {}).includes(SECRET));
    assert.ok(!JSON.stringify(host.posted).includes(SECRET));

    // Dismissing asks first; keeping it leaves the key on screen.
    fireEvent.click(view.getByTestId('dismiss-issued'));
    assert.match(view.getByTestId('dismiss-confirm').textContent!, /only its prefix \(ark_live_abcd…\)/);
    fireEvent.click(view.getByTestId('dismiss-cancel'));
    assert.equal(view.getByTestId('issued-secret').textContent, SECRET);
    fireEvent.click(view.getByTestId('dismiss-issued'));
    fireEvent.click(view.getByTestId('dismiss-confirm-button'));
    assert.deepEqual(last(host), { type: 'acknowledgeKey' });

    assert.equal(view.queryByTestId('issued-secret'), null);
    assert.ok(!view.container.textContent!.includes(SECRET));
    assert.equal(view.getByTestId('key-prefix').textContent, 'ark_live_abcd…');
    assert.equal(view.getAllByTestId('key-row')[0]!.textContent!.includes('never'), true);
  });

  it('refuses an empty label with a message and sends nothing', async () => {
    const { host, view } = await mount();
    const before = host.posted.length;
    typeInto(view.getByTestId('key-label'), '   ');
    fireEvent.click(view.getByTestId('issue-key'));
    assert.equal(host.posted.length, before);
    assert.match(view.getByTestId('label-error').textContent!, /Enter a label/);
    typeInto(view.getByTestId('key-label'), 'ci');
    assert.equal(view.queryByTestId('label-error'), null);
  });

  it('keeps the typed label and shows the error when issuing fails (backend restarting)', async () => {
    const { host, view } = await mount();
    typeInto(view.getByTestId('key-label'), 'staging');
    fireEvent.click(view.getByTestId('issue-key'));
    const asked = last(host);
    const requestId = asked.type === 'issueKey' ? asked.requestId : '';
    await act(() =>
      host.send({
        type: 'done',
        requestId,
        error: 'Could not reach Arkor at http://127.0.0.1:4100 (ECONNREFUSED).',
      }),
    );
    assert.match(view.getByTestId('issue-error').textContent!, /ECONNREFUSED/);
    assert.equal((view.getByTestId('key-label') as HTMLInputElement).value, 'staging');
    // And the next try goes out.
    fireEvent.click(view.getByTestId('issue-key'));
    assert.equal(last(host).type, 'issueKey');
  });

  it('copies the URL and the chosen sample through the host', async () => {
    const { host, view } = await mount();
    assert.equal(view.getByTestId('endpoint-url').textContent, URL);
    fireEvent.click(view.getByTestId('copy-url'));
    assert.deepEqual(last(host), { type: 'copy', text: URL, what: 'endpoint URL' });

    const stream = view.getByTestId('sample-stream') as HTMLInputElement;
    stream.checked = true;
    fireEvent.change(stream);
    assert.equal(view.getByTestId('sample-code').textContent, `curl -N -X POST ${URL}`);
    fireEvent.click(view.getByTestId('copy-sample'));
    assert.deepEqual(last(host), { type: 'copy', text: `curl -N -X POST ${URL}`, what: 'cURL sample' });
    // The choice survives a reload of the webview (persisted, and it is not a secret).
    assert.deepEqual(host.getState(), { sampleLanguage: 'curl', sampleStream: true });
  });

  it('edits the run retention: days checked as typed, unlimited and disabled', async () => {
    const { host, view } = await mount();
    const save = () => view.getByTestId('retention-save');
    assert.ok(save().hasAttribute('disabled'), 'nothing to save before a change');
    typeInto(view.getByTestId('retention-days'), '0');
    assert.ok(save().hasAttribute('disabled'));
    assert.match(
      view.getByTestId('retention-days-error').textContent!,
      /whole number of days from 1 to 3650/,
    );
    typeInto(view.getByTestId('retention-days'), '30');
    assert.equal(view.queryByTestId('retention-days-error'), null);
    assert.ok(!save().hasAttribute('disabled'));
    fireEvent.click(save());
    const asked = last(host);
    assert.equal(asked.type, 'update');
    assert.deepEqual(asked.type === 'update' && asked.patch, { retention: { mode: 'days', days: 30 } });
    const requestId = asked.type === 'update' ? asked.requestId : '';
    await act(() => host.send({ type: 'done', requestId }));
    await act(() =>
      host.send({
        type: 'endpoint',
        endpoint: endpoint({ retention: { mode: 'days', days: 30 }, retentionText: 'runs kept 30 days' }),
        samples: [],
      }),
    );

    fireEvent.click(view.getByTestId('retention-mode-disabled'));
    fireEvent.click(save());
    const off = last(host);
    assert.deepEqual(off.type === 'update' && off.patch, { retention: { mode: 'disabled' } });
  });

  it('asks before deleting, naming the endpoint and the key on screen', async () => {
    const { host, view } = await mount({
      keys: [key()],
      issuedKey: {
        id: 'key-1',
        label: 'production',
        prefix: 'ark_live_abcd',
        createdAt: key().createdAt,
        plaintext: SECRET,
      },
    });
    const before = host.posted.length;
    fireEvent.click(view.getByTestId('delete'));
    assert.equal(host.posted.length, before, 'nothing is deleted before the confirmation');
    const confirm = view.getByTestId('delete-confirm');
    assert.match(confirm.textContent!, /Delete endpoint captain\?/);
    assert.match(confirm.textContent!, /1 API key is revoked/);
    assert.match(view.getByTestId('delete-confirm-key').textContent!, /\(ark_live_abcd…\) stops working too/);
    assert.equal(view.getByTestId('delete-confirm-button').textContent, 'Delete captain');
    fireEvent.click(view.getByTestId('delete-cancel'));
    assert.equal(view.queryByTestId('delete-confirm'), null);
    assert.equal(host.posted.length, before);

    fireEvent.click(view.getByTestId('delete'));
    fireEvent.click(view.getByTestId('delete-confirm-button'));
    assert.equal(last(host).type, 'deleteEndpoint');
  });

  it('revokes a key only after confirming, and shows a revoked key struck out', async () => {
    const { host, view } = await mount({ keys: [key()] });
    fireEvent.click(view.getByTestId('revoke'));
    assert.match(view.getByTestId('revoke-confirm').textContent!, /Revoke “production”\?/);
    fireEvent.click(view.getByTestId('revoke-confirm-button'));
    const asked = last(host);
    assert.deepEqual(asked.type === 'revokeKey' && asked.keyId, 'key-1');
    await act(() =>
      host.send({ type: 'done', requestId: asked.type === 'revokeKey' ? asked.requestId : '' }),
    );
    await act(() => host.send({ type: 'keys', keys: [key({ enabled: false })] }));
    const row = view.getByTestId('key-row');
    assert.ok(row.classList.contains('revoked'));
    assert.equal(view.queryByTestId('revoke'), null);
  });

  it('re-targets to a checkpoint keeping the URL, and toggles enabled and auth', async () => {
    const { host, view } = await mount();
    const select = view.getByTestId('target-select') as HTMLSelectElement;
    select.value = 'checkpoint:job-1:20';
    fireEvent.change(select);
    fireEvent.click(view.getByTestId('retarget'));
    const asked = last(host);
    assert.deepEqual(asked.type === 'update' && asked.patch, {
      target: { kind: 'adapter', adapter: { kind: 'checkpoint', jobId: 'job-1', step: 20 } },
    });
    // One change at a time: a second click while the first is pending sends nothing.
    const n = host.posted.length;
    fireEvent.click(view.getByTestId('toggle-enabled'));
    assert.equal(host.posted.length, n);
    await act(() => host.send({ type: 'done', requestId: asked.type === 'update' ? asked.requestId : '' }));
    fireEvent.click(view.getByTestId('toggle-enabled'));
    const toggled = last(host);
    assert.deepEqual(toggled.type === 'update' && toggled.patch, { enabled: false });
  });

  it('says why an endpoint cannot be shown (deleted elsewhere)', async () => {
    const { host, view } = await mount({
      endpoint: undefined,
      error: 'Arkor could not find endpoint dep-1 (HTTP 404).',
    });
    assert.match(view.getByTestId('endpoint-error').textContent!, /HTTP 404/);
    fireEvent.click(view.getByTestId('refresh'));
    assert.deepEqual(last(host), { type: 'refresh' });
  });

  it('lists recent requests while runs are retained', async () => {
    const { view } = await mount({
      runs: [
        {
          id: 'r1',
          time: new Date().toISOString(),
          status: '200',
          latencyMs: 412.4,
          promptTokens: 12,
          completionTokens: 30,
          preview: 'Hello! → Ahoy, matey!',
        },
      ],
    });
    const row = view.getByTestId('run-row');
    assert.match(row.textContent!, /200/);
    assert.match(row.textContent!, /412 ms/);
    assert.match(row.textContent!, /12 \/ 30/);
    assert.match(row.textContent!, /Ahoy, matey!/);
  });
});
