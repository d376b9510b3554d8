import * as assert from 'node:assert/strict';
import { act, cleanup, fireEvent, render } from '@testing-library/preact';
import { packJobRows } from '../../src/jobRows';
import type { HostToJobsView, JobsViewToHost } from '../../src/protocol';
import { JobsApp } from '../../webview-ui/jobsView/JobsApp';
import { FakeHost } from './fakeChannel';

const backend = { kind: 'local' as const, label: 'Local backend' };

describe('Jobs view app', () => {
  afterEach(cleanup);

  it('says it is ready on mount, then shows the empty state with Run Training', async () => {
    const host = new FakeHost<HostToJobsView, JobsViewToHost>();
    const view = render(<JobsApp channel={host} />);
    assert.deepEqual(host.posted, [{ type: 'ready' }]);
    assert.ok(view.getByText('Loading jobs…'));

    await act(() => host.send({ type: 'snapshot', rows: packJobRows([]), backend, trusted: true }));
    fireEvent.click(view.getByText('Run Training'));
    assert.deepEqual(host.posted.at(-1), { type: 'runTraining' });
  });

  it('disables Run Training in an untrusted workspace and says why', async () => {
    const host = new FakeHost<HostToJobsView, JobsViewToHost>();
    const view = render(<JobsApp channel={host} />);
    await act(() => host.send({ type: 'snapshot', rows: packJobRows([]), backend, trusted: false }));
    assert.ok(view.getByText('Run Training').closest('vscode-button')?.hasAttribute('disabled'));
    assert.ok(view.getByText(/Trust this workspace/));
  });

  it('renders job names as text, never as HTML', async () => {
    const host = new FakeHost<HostToJobsView, JobsViewToHost>();
    const view = render(<JobsApp channel={host} />);
    const name = '<img src=x onerror="window.pwned=1">';
    await act(() =>
      host.send({
        type: 'snapshot',
        rows: packJobRows([
          {
            id: 'j1',
            name,
            label: name,
            status: 'running',
            createdAt: new Date().toISOString(),
            checkpoints: [],
          },
        ]),
        backend,
        trusted: true,
      }),
    );
    assert.equal(view.container.querySelector('img'), null);
    assert.ok(view.getByText(name));
  });

  it('an unreachable backend is a banner with its cause and fixes, never "No training jobs yet"', async () => {
    const host = new FakeHost<HostToJobsView, JobsViewToHost>();
    const view = render(<JobsApp channel={host} />);
    const down = {
      kind: 'cloud' as const,
      label: 'Arkor Cloud · 127.0.0.1:9',
      phase: 'unreachable' as const,
      actions: ['retry' as const, 'selectBackend' as const],
      error: 'Could not reach Arkor at http://127.0.0.1:9 (ECONNREFUSED). Retrying by itself.',
    };
    await act(() => host.send({ type: 'snapshot', rows: packJobRows([]), backend: down, trusted: true }));
    const banner = view.getByTestId('connection-banner');
    assert.match(banner.textContent ?? '', /ECONNREFUSED/);
    assert.equal(view.queryByTestId('empty-state'), null);
    assert.equal(view.queryByText('Run Training'), null);
    fireEvent.click(view.getByText('Retry'));
    assert.deepEqual(host.posted.at(-1), { type: 'connectionAction', action: 'retry' });
    fireEvent.click(view.getByText('Select Backend'));
    assert.deepEqual(host.posted.at(-1), { type: 'connectionAction', action: 'selectBackend' });

    // Signed out: Sign In is the main action; once connected the banner goes and the empty state shows.
    await act(() =>
      host.send({
        type: 'backend',
        backend: {
          ...down,
          phase: 'signed-out',
          actions: ['signIn', 'selectBackend'],
          error: 'Not signed in.',
        },
      }),
    );
    fireEvent.click(view.getByText('Sign In'));
    assert.deepEqual(host.posted.at(-1), { type: 'connectionAction', action: 'signIn' });
    await act(() => host.send({ type: 'backend', backend: { ...backend, phase: 'connected', actions: [] } }));
    assert.equal(view.queryByTestId('connection-banner'), null);
    assert.ok(view.getByTestId('empty-state'));
  });

  it('while connecting says so instead of claiming there are no jobs', async () => {
    const host = new FakeHost<HostToJobsView, JobsViewToHost>();
    const view = render(<JobsApp channel={host} />);
    await act(() =>
      host.send({
        type: 'snapshot',
        rows: packJobRows([]),
        backend: { ...backend, phase: 'connecting', actions: [] },
        trusted: true,
      }),
    );
    assert.match(view.getByTestId('connecting').textContent ?? '', /Connecting to Local backend/);
    assert.equal(view.queryByTestId('empty-state'), null);
  });
});
