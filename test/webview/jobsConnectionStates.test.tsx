import * as assert from 'node:assert/strict';
import { act, cleanup, fireEvent, render } from '@testing-library/preact';
import {
  type BackendKind,
  CONNECTION_ACTIONS,
  failureState,
  NoProjectError,
  NotSignedInError,
  UntrustedScopeError,
} from '../../src/core/connection';
import { ArkorApiError, MissingProjectStateError, ProjectStateMismatchError } from '../../src/core/errors';
import { packJobRows } from '../../src/jobRows';
import type { BackendInfo, HostToJobsView, JobsViewToHost } from '../../src/protocol';
import { JobsApp } from '../../webview-ui/jobsView/JobsApp';
import { FakeHost } from './fakeChannel';

/** What the session sends the view for a failure (the same mapping as ArkorSession.info()). */
function infoFor(error: unknown, kind: BackendKind): BackendInfo {
  const s = failureState(error, kind, kind === 'cloud' ? 'https://api.arkor.ai' : 'http://127.0.0.1:4000');
  return { kind: s.backend, label: s.label, phase: s.phase, actions: s.actions, error: s.message };
}

/** Every state a connection can fail into, as the real failure paths produce them. */
const STATES: [string, BackendInfo][] = [
  ['signed out on Arkor Cloud', infoFor(new NotSignedInError(), 'cloud')],
  [
    'a failed anonymous sign-in',
    infoFor(new NotSignedInError('anonymous sign-in at api.arkor.ai: HTTP 403'), 'cloud'),
  ],
  [
    'credentials rejected',
    infoFor(
      new ArkorApiError({ kind: 'auth', status: 401, message: 'Arkor rejected the credentials (HTTP 401).' }),
      'cloud',
    ),
  ],
  ['cloud unreachable', infoFor(new ArkorApiError({ kind: 'network', message: 'ECONNREFUSED' }), 'cloud')],
  [
    'local backend unreachable',
    infoFor(new ArkorApiError({ kind: 'timeout', message: 'timed out' }), 'local'),
  ],
  ['no state file', infoFor(new MissingProjectStateError(), 'cloud')],
  ['a state file of another identity', infoFor(new ProjectStateMismatchError('acme', 'anon-1'), 'cloud')],
  [
    'an unknown project',
    infoFor(new ArkorApiError({ kind: 'not-found', status: 404, message: 'no project' }), 'cloud'),
  ],
  [
    'not an Arkor API',
    infoFor(new ArkorApiError({ kind: 'invalid-response', message: 'unexpected body' }), 'cloud'),
  ],
  ['no project in the workspace', infoFor(new NoProjectError(), 'local')],
  ['an untrusted workspace without a scope', infoFor(new UntrustedScopeError('no state file'), 'cloud')],
  ['anything else', infoFor(new Error('disk full'), 'local')],
];

async function mount(backend: BackendInfo, trusted = true) {
  const host = new FakeHost<HostToJobsView, JobsViewToHost>();
  const view = render(<JobsApp channel={host} />);
  await act(() => host.send({ type: 'snapshot', rows: packJobRows([]), backend, trusted }));
  return { host, view };
}

describe('Jobs view: every connection state offers its fix as the main action', () => {
  afterEach(cleanup);

  for (const [name, backend] of STATES) {
    it(`${name}: a banner with the cause and a primary button for the fix; no Run Training`, async () => {
      const { host, view } = await mount(backend);
      const banner = view.getByTestId('connection-banner');
      assert.equal(banner.getAttribute('data-phase'), backend.phase);
      assert.ok((banner.textContent ?? '').includes(backend.error ?? '∅'), 'the cause');
      assert.doesNotMatch(banner.textContent ?? '', /"Arkor: |Run `/, 'no command to go and type');
      const buttons = [...banner.querySelectorAll('vscode-button')];
      assert.ok(buttons.length > 0, 'a button');
      assert.equal(buttons[0]?.getAttribute('appearance'), 'primary');
      assert.equal(buttons[0]?.getAttribute('data-action'), backend.actions?.[0]);
      for (const b of buttons.slice(1)) assert.equal(b.getAttribute('appearance'), 'secondary');
      assert.equal(view.queryByText('Run Training'), null, 'Run Training is not offered');
      assert.equal(view.queryByTestId('empty-state'), null);
      for (const [i, button] of buttons.entries()) {
        fireEvent.click(button);
        assert.deepEqual(host.posted.at(-1), { type: 'connectionAction', action: backend.actions?.[i] });
      }
    });
  }

  it('signed out on Cloud: Sign In is the primary action', async () => {
    const { view } = await mount(infoFor(new NotSignedInError(), 'cloud'));
    const primary = view.getByTestId('connection-banner').querySelector('[appearance=primary]');
    assert.equal(primary?.textContent, 'Sign In');
  });

  it('these are all the states: every action is offered by one of them', () => {
    const used = new Set(STATES.flatMap(([, b]) => b.actions ?? []));
    for (const action of CONNECTION_ACTIONS) {
      if (action !== 'manageTrust') assert.ok(used.has(action), `${action} is offered`);
    }
  });

  it('an untrusted workspace, connected, offers Manage Workspace Trust as the main action', async () => {
    const { host, view } = await mount({ kind: 'local', label: 'Local backend', phase: 'connected' }, false);
    const trust = view.getByText('Manage Workspace Trust');
    assert.equal(trust.getAttribute('appearance'), 'primary');
    assert.ok(view.getByText('Run Training').closest('vscode-button')?.hasAttribute('disabled'));
    fireEvent.click(trust);
    assert.deepEqual(host.posted.at(-1), { type: 'connectionAction', action: 'manageTrust' });
  });
});
