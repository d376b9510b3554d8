import * as assert from 'node:assert/strict';
import { act, cleanup, fireEvent, render } from '@testing-library/preact';
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

    await act(() => host.send({ type: 'snapshot', jobs: [], backend, trusted: true }));
    fireEvent.click(view.getByText('Run Training'));
    assert.deepEqual(host.posted.at(-1), { type: 'runTraining' });
  });

  it('disables Run Training in an untrusted workspace and says why', async () => {
    const host = new FakeHost<HostToJobsView, JobsViewToHost>();
    const view = render(<JobsApp channel={host} />);
    await act(() => host.send({ type: 'snapshot', jobs: [], backend, trusted: false }));
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
        jobs: [{ id: 'j1', name, status: 'running', createdAt: new Date().toISOString(), checkpoints: [] }],
        backend,
        trusted: true,
      }),
    );
    assert.equal(view.container.querySelector('img'), null);
    assert.ok(view.getByText(name));
  });
});
