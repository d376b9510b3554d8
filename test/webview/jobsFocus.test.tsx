import * as assert from 'node:assert/strict';
import { act, cleanup, render } from '@testing-library/preact';
import { packJobRows } from '../../src/jobRows';
import type { HostToJobsView, JobSummary, JobsViewToHost } from '../../src/protocol';
import { JobsApp, jobKey } from '../../webview-ui/jobsView/JobsApp';
import { FakeHost } from './fakeChannel';

const backend = { kind: 'local' as const, label: 'Local backend' };
const job = (id: string, name: string): JobSummary => ({
  id,
  name,
  label: name,
  status: 'completed',
  createdAt: new Date().toISOString(),
  checkpoints: [],
});

/** VS Code focusing the view: the webview's window gets focus, no element in it does. */
async function focusView(): Promise<void> {
  (document.activeElement as HTMLElement | null)?.blur?.();
  await act(async () => {
    window.dispatchEvent(new FocusEvent('focus'));
    await new Promise((r) => setTimeout(r, 5));
  });
}

describe('Jobs view: focusing the view focuses the tree', () => {
  afterEach(cleanup);

  async function mount(jobs: JobSummary[], b: typeof backend & Record<string, unknown> = backend) {
    const host = new FakeHost<HostToJobsView, JobsViewToHost>();
    const view = render(<JobsApp channel={host} />);
    await act(() => host.send({ type: 'snapshot', rows: packJobRows(jobs), backend: b, trusted: true }));
    return { host, view };
  }

  it('puts keyboard focus on the first row when none is selected', async () => {
    await mount([job('j1', 'first'), job('j2', 'second')]);
    assert.equal(document.activeElement, document.body);
    await focusView();
    assert.equal(document.activeElement?.getAttribute('data-key'), jobKey('j1'));
    assert.equal(document.activeElement?.getAttribute('role'), 'treeitem');
  });

  it('puts it on the selected row, which keeps working with the keys', async () => {
    const { view } = await mount([job('j1', 'first'), job('j2', 'second'), job('j3', 'third')]);
    const second = view.container.querySelector<HTMLElement>(`[data-key="${jobKey('j2')}"]`);
    assert.ok(second);
    await act(() => second.click());
    await focusView();
    assert.equal(document.activeElement?.getAttribute('data-key'), jobKey('j2'));
    await act(() => {
      document.activeElement?.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }),
      );
    });
    assert.equal(document.activeElement?.getAttribute('data-key'), jobKey('j3'), 'arrow keys move on');
  });

  it('without jobs, focuses the main action: the fix when not connected', async () => {
    // The toolkit's button is focusable (jsdom knows no such element: give it the same tab stop).
    const registry = window.customElements;
    if (!registry.get('vscode-button')) {
      registry.define(
        'vscode-button',
        class extends window.HTMLElement {
          connectedCallback() {
            this.tabIndex = 0;
          }
        },
      );
    }
    await mount([], {
      kind: 'cloud',
      label: 'Arkor Cloud',
      phase: 'signed-out',
      actions: ['signIn', 'selectBackend'],
      error: 'Not signed in to Arkor Cloud.',
    } as never);
    await focusView();
    assert.equal(document.activeElement?.textContent, 'Sign In');
  });

  it('leaves focus where a click put it', async () => {
    const { view } = await mount([job('j1', 'first')]);
    const search = view.getByTestId('job-search');
    search.focus();
    await act(async () => {
      window.dispatchEvent(new FocusEvent('focus'));
      await new Promise((r) => setTimeout(r, 5));
    });
    assert.equal(document.activeElement, search);
  });
});
