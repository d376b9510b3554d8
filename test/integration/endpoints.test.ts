import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import { DEPLOYMENT_SLUG_MESSAGE } from '../../src/wire';
import {
  clickInWebview,
  clickNotificationButton,
  evalInWebview,
  evalInWorkbench,
  notificationText,
  pressKey,
  screenshot,
  selectInWebview,
  typeInWebview,
  waitFor,
} from './driver';
import { activateAndConnect, currentThemeSetting, setTheme, trainJob } from './helpers';

const run = promisify(execFile);

/** The text of the quick input widget (its placeholder included) while it is shown, else ''. */
const quickInput = () =>
  evalInWorkbench<string>(
    `const w = document.querySelector('.quick-input-widget');
     if (!w || w.style.display === 'none') return '';
     return w.textContent + ' ' + (w.querySelector('input')?.placeholder ?? '');`,
  );
const waitForQuickInput = (pattern: RegExp, what: string) =>
  waitFor(async () => pattern.test(await quickInput()), what);

/** Text of the element `testId` in the endpoint panel, or null. */
const panelText = (testId: string) =>
  evalInWebview<string | null>(
    'endpoint',
    `return document.querySelector('[data-testid=${testId}]')?.textContent ?? null;`,
  );

/** Posts one chat completion to the endpoint, as any OpenAI client would (non-streaming). */
async function callEndpoint(url: string, key: string | undefined): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({
      model: 'ignored',
      messages: [{ role: 'user', content: 'Hello!' }],
      max_tokens: 8,
    }),
  });
}

/**
 * Endpoints on the real local backend, through what a user clicks: Deploy from a completed job (with
 * a bad and a taken slug on the way), a key shown once, a sample that really runs, Try in Playground
 * through the endpoint's own URL, revoke, and the bad inputs (deleted target job, a key on screen
 * while deleting, the backend killed mid-request).
 */
describe('Endpoints (local backend)', function () {
  this.timeout(300_000);
  let api: ArkorExtensionApi;
  let jobId: string;
  let endpointId: string;
  let url: string;
  let secret: string;
  let themeBefore: ReturnType<typeof currentThemeSetting>;

  before(async () => {
    themeBefore = currentThemeSetting();
    api = await activateAndConnect();
    jobId = (await trainJob(api, 'endpoint-adapter', 30)).id;
  });

  after(async () => {
    await setTheme(themeBefore);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const panelMounted = () =>
    waitFor(() => api.endpointPanels.get(endpointId)?.isMounted, 'the endpoint panel to mount');

  it('deploys a completed job from the Jobs view menu; a bad and a taken slug are inline errors', async () => {
    const c = api.session.connection!;
    // What the Jobs view's context menu passes (its row's data-vscode-context).
    const done = vscode.commands.executeCommand('arkor.deploy', {
      webviewSection: 'job',
      jobId,
      jobStatus: 'completed',
    });
    await waitForQuickInput(/Who may call the endpoint\?/, 'the auth step');
    assert.match(await quickInput(), /endpoint-adapter #1 · final adapter/);
    await pressKey('Enter'); // API key required
    await waitForQuickInput(/slug/, 'the slug step');
    const suggested = await evalInWorkbench<string>(
      `return document.querySelector('.quick-input-widget input').value;`,
    );
    assert.equal(suggested, 'endpoint-adapter');

    await typeInWebview('', '.quick-input-widget input', 'Bad_Slug');
    await waitForQuickInput(/slug must be 2-50 chars/, 'the slug rule, as typed');
    assert.ok((await quickInput()).includes(DEPLOYMENT_SLUG_MESSAGE));
    await pressKey('Enter'); // refused locally: nothing is sent
    await screenshot('80-deploy-invalid-slug');

    // Someone else takes a slug after the list was loaded: the server's 409 shows in the box.
    await c.client.createDeployment(c.scope, {
      slug: 'taken-elsewhere',
      target: { kind: 'base_model', baseModel: 'unsloth/gemma-4-E4B-it' },
      authMode: 'none',
    });
    await typeInWebview('', '.quick-input-widget input', 'taken-elsewhere');
    await pressKey('Enter');
    await waitForQuickInput(/already (taken|used)/, 'the taken slug message');
    assert.match(await quickInput(), /taken-elsewhere/);
    await screenshot('81-deploy-slug-taken');
    // Still in the box: fix the slug and deploy.
    await typeInWebview('', '.quick-input-widget input', 'endpoint-e2e');
    await pressKey('Enter');
    await done;

    const created = await waitFor(
      () => api.endpoints.all.find((d) => d.slug === 'endpoint-e2e'),
      'the new endpoint in the list',
    );
    endpointId = created.id;
    assert.deepEqual(created.target, { kind: 'adapter', adapter: { kind: 'final', jobId } });
    assert.equal(created.authMode, 'fixed_api_key');
    await panelMounted();
    url = (await waitFor(() => panelText('endpoint-url'), 'the endpoint URL'))!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/endpoint-e2e\/v1\/chat\/completions$/);
    assert.match((await panelText('target-label'))!, /endpoint-adapter #1 · final adapter/);
    // The URL really answers, and refuses a call without a key.
    assert.equal((await callEndpoint(url, undefined)).status, 401);
  });

  it('lists endpoints in the sidebar, light and dark', async () => {
    await vscode.commands.executeCommand('arkor.endpoints.focus');
    await waitFor(async () => api.endpoints.all.length >= 2, 'both endpoints listed');
    const rows = await waitFor(
      () =>
        evalInWorkbench<string>(
          `const v = [...document.querySelectorAll('.pane')].find((p) => /Endpoints/i.test(p.querySelector('.pane-header')?.textContent ?? ''));
           return v ? [...v.querySelectorAll('.monaco-list-row')].map((r) => r.textContent).join('\\n') : '';`,
        ).then((t) => (/endpoint-e2e/.test(t) && /taken-elsewhere/.test(t) ? t : null)),
      'the tree rows',
    );
    assert.match(rows, /endpoint-e2e.*endpoint-adapter #1 · final adapter · API key/);
    assert.match(rows, /taken-elsewhere.*Base · unsloth\/gemma-4-E4B-it · public/);
    for (const theme of ['Default Light Modern', 'Default Dark Modern'] as const) {
      await setTheme(theme);
      await screenshot(`82-endpoints-list-${theme.includes('Light') ? 'light' : 'dark'}`);
    }
  });

  it('issues a key shown once (copied through the host), then shows only its prefix', async () => {
    api.endpointPanels.open(endpointId);
    await panelMounted();
    // An empty label is refused in the panel.
    await clickInWebview('endpoint', '[data-testid=issue-key]');
    await waitFor(() => panelText('label-error'), 'the empty label message');
    await typeInWebview('endpoint', '[data-testid=key-label]', '  e2e test key  ');
    await clickInWebview('endpoint', '[data-testid=issue-key]');
    secret = (await waitFor(() => panelText('issued-secret'), 'the one-time key'))!;
    const keys = await api.session.connection!.client.listDeploymentKeys(
      api.session.connection!.scope,
      endpointId,
    );
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!.label, 'e2e test key', 'the label was trimmed');
    assert.ok(secret.startsWith(keys[0]!.prefix));
    for (const theme of ['Default Light Modern', 'Default Dark Modern'] as const) {
      await setTheme(theme);
      const tone = theme.includes('Light') ? 'light' : 'dark';
      await screenshot(`83-endpoint-one-time-key-${tone}`);
      await screenshot(`84-endpoint-panel-${tone}`, 'endpoint');
    }
    // The panel is torn down while hidden: shown again, the key is still there until confirmed.
    await vscode.commands.executeCommand('workbench.action.openSettings2');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    api.endpointPanels.open(endpointId);
    await panelMounted();
    assert.equal(await waitFor(() => panelText('issued-secret'), 'the key again'), secret);

    await clickInWebview('endpoint', '[data-testid=copy-issued]');
    await waitFor(async () => (await vscode.env.clipboard.readText()) === secret, 'the key on the clipboard');
    assert.equal((await callEndpoint(url, secret)).status, 200, 'the key works');

    await clickInWebview('endpoint', '[data-testid=dismiss-issued]');
    await clickInWebview('endpoint', '[data-testid=dismiss-confirm-button]');
    await waitFor(async () => (await panelText('issued-secret')) === null, 'the key hidden');
    const row = (await panelText('key-row'))!;
    assert.match(row, new RegExp(`${keys[0]!.prefix}…`));
    assert.ok(!row.includes(secret));
    const html = await evalInWebview<string>('endpoint', 'return document.body.innerHTML;');
    assert.ok(!html.includes(secret), 'the secret is nowhere in the panel any more');
  });

  it('copies a quick start sample that runs as it is (with the key filled in)', async () => {
    await selectInWebview('endpoint', '[data-testid=sample-language]', 'curl');
    await clickInWebview('endpoint', '[data-testid=copy-sample]');
    const sample = await waitFor(async () => {
      const t = await vscode.env.clipboard.readText();
      return t.startsWith('curl') ? t : null;
    }, 'the cURL sample on the clipboard');
    assert.ok(sample.includes(url), 'the real URL');
    assert.ok(sample.includes('Authorization: Bearer YOUR_API_KEY'), 'the auth line of its mode');
    const { stdout } = await run('bash', ['-c', sample.replace('YOUR_API_KEY', secret)]);
    const answer = JSON.parse(stdout);
    assert.equal(typeof answer.choices[0].message.content, 'string');

    await selectInWebview('endpoint', '[data-testid=sample-language]', 'python');
    await clickInWebview('endpoint', '[data-testid=sample-stream]');
    await clickInWebview('endpoint', '[data-testid=copy-sample]');
    const python = await waitFor(async () => {
      const t = await vscode.env.clipboard.readText();
      return t.startsWith('from openai') ? t : null;
    }, 'the Python sample on the clipboard');
    assert.match(python, /stream=True/);
    assert.ok(python.includes(url.replace(/\/chat\/completions$/, '')), 'the SDK base URL');
  });

  it('Try in Playground chats through the endpoint URL, and the request shows in the panel', async () => {
    await clickInWebview('endpoint', '[data-testid=try-in-playground]');
    await waitFor(() => api.playground.isMounted, 'the Playground to mount');
    const picked = await waitFor(
      () =>
        evalInWebview<string | null>(
          'playground',
          `return document.querySelector('[data-testid=model-picker]')?.value || null;`,
        ),
      'the endpoint selected',
    );
    assert.equal(picked, `endpoint:${endpointId}`);
    await typeInWebview('playground', '[data-testid=composer]', 'Ahoy from the endpoint!');
    await clickInWebview('playground', '[data-testid=send]');
    // The key on screen was confirmed saved: the Playground asks for it (kept in memory only).
    await waitForQuickInput(/API key of endpoint endpoint-e2e/, 'the key prompt');
    await typeInWebview('', '.quick-input-widget input', secret);
    await pressKey('Enter');
    const reply = await waitFor(
      () =>
        evalInWebview<{ text: string; error: string | null } | null>(
          'playground',
          `const m = [...document.querySelectorAll('[data-testid=assistant-message]')].pop();
           if (!m || m.getAttribute('data-streaming') !== 'false') return null;
           return { text: m.textContent, error: m.querySelector('[data-testid=chat-error]')?.textContent ?? null };`,
        ),
      'the reply through the endpoint',
      120_000,
    );
    assert.equal(reply.error, null);
    assert.ok(reply.text.length > 0);
    const c = api.session.connection!;
    const requests = await c.client.listDeploymentRequests(c.scope, endpointId);
    assert.ok(
      requests.some(
        (r) => r.stream && r.status === 200 && r.preview?.prompt.includes('Ahoy from the endpoint'),
      ),
      'the backend recorded the Playground’s streamed request',
    );
    await screenshot('85-playground-through-endpoint');

    api.endpointPanels.open(endpointId);
    await panelMounted();
    await clickInWebview('endpoint', '[data-testid=refresh]');
    await waitFor(
      async () => /Ahoy from the endpoint/.test((await panelText('runs')) ?? ''),
      'the request in Recent requests',
    );
  });

  it('revokes the key after a confirmation; the endpoint then refuses it', async () => {
    await clickInWebview('endpoint', '[data-testid=revoke]');
    assert.match((await panelText('revoke-confirm'))!, /Revoke “e2e test key”\?/);
    await clickInWebview('endpoint', '[data-testid=revoke-confirm-button]');
    await waitFor(
      () =>
        evalInWebview<boolean>(
          'endpoint',
          `return !!document.querySelector('[data-testid=key-row].revoked');`,
        ),
      'the key shown revoked',
    );
    assert.equal((await callEndpoint(url, secret)).status, 401);
  });

  it('saves run retention across a backend killed mid-request, losing nothing', async () => {
    await clickInWebview('endpoint', '[data-testid=retention-mode-days]');
    await typeInWebview('endpoint', '[data-testid=retention-days]', '0');
    await waitFor(() => panelText('retention-days-error'), 'the days rule');
    await typeInWebview('endpoint', '[data-testid=retention-days]', '30');
    const pid = api.localBackend.pid!;
    process.kill(pid, 'SIGKILL');
    await clickInWebview('endpoint', '[data-testid=retention-save]');
    // Either the save waited for the restarted backend, or it says why it failed and keeps the value.
    const outcome = await waitFor(
      async () => {
        const error = await panelText('retention-error');
        if (error) return { error };
        const d = api.endpoints.find(endpointId);
        return d?.runRetentionDays === 30 ? { error: null } : null;
      },
      'the save to finish or fail clearly',
      60_000,
    );
    if (outcome.error) {
      assert.match(outcome.error, /reach|stopped|ECONNREFUSED|ECONNRESET|socket/i);
      const kept = await evalInWebview<string>(
        'endpoint',
        `return document.querySelector('[data-testid=retention-days]').value;`,
      );
      assert.equal(kept, '30', 'what was typed is kept');
      // The shared backend is noticed dead within a liveness check (2 s) and restarted on the next
      // request: Save again, as a user would, until the restarted backend takes it.
      await waitFor(
        async () => {
          if (api.endpoints.find(endpointId)?.runRetentionDays === 30) return true;
          await clickInWebview('endpoint', '[data-testid=retention-save]');
          await new Promise((r) => setTimeout(r, 2_000));
          return api.endpoints.find(endpointId)?.runRetentionDays === 30;
        },
        'the retry to save on the restarted backend',
        90_000,
      );
    }
    assert.notEqual(api.localBackend.pid, pid, 'the backend was restarted');
    const c = await api.session.connect();
    assert.equal((await c.client.getDeployment(c.scope, endpointId)).runRetentionDays, 30);
    await waitFor(
      async () => /runs kept 30 days/.test((await panelText('runs-card')) ?? ''),
      'the panel updated',
    );
  });

  it('refuses to deploy a target job that no longer exists, in the slug box', async () => {
    const done = vscode.commands.executeCommand('arkor.deploy', { jobId: 'deleted-job-0000', step: 10 });
    await waitForQuickInput(/Who may call the endpoint\?/, 'the auth step');
    await pressKey('Enter');
    await waitForQuickInput(/slug/, 'the slug step');
    await typeInWebview('', '.quick-input-widget input', 'ghost-target');
    await pressKey('Enter');
    await waitForQuickInput(/HTTP 404/, 'the missing target message');
    assert.match(await quickInput(), /target/);
    await screenshot('86-deploy-target-missing');
    await pressKey('Escape');
    await done;
    assert.ok(!api.endpoints.all.some((d) => d.slug === 'ghost-target'));
  });

  it('deleting with a key on screen names the endpoint and the key, then closes the panel', async () => {
    api.endpointPanels.open(endpointId);
    await panelMounted();
    await typeInWebview('endpoint', '[data-testid=key-label]', 'short-lived');
    await clickInWebview('endpoint', '[data-testid=issue-key]');
    await waitFor(() => panelText('issued-secret'), 'the new key');
    await clickInWebview('endpoint', '[data-testid=delete]');
    const confirm = (await panelText('delete-confirm'))!;
    assert.match(confirm, /Delete endpoint endpoint-e2e\?/);
    assert.match(confirm, /The key on screen \(.+…\) stops working too/);
    await screenshot('87-endpoint-delete-confirm', 'endpoint');
    await clickInWebview('endpoint', '[data-testid=delete-confirm-button]');
    await waitFor(() => !api.endpointPanels.get(endpointId), 'the panel to close');
    await vscode.commands.executeCommand('notifications.showList');
    await waitFor(async () => /deleted endpoint endpoint-e2e/.test(await notificationText()), 'the notice');
    assert.ok(!/cannot be shown again/.test(await notificationText()), 'no lost-key warning: it was deleted');
    await vscode.commands.executeCommand('notifications.hideList');
    assert.ok(!api.endpoints.find(endpointId));
    assert.equal((await callEndpoint(url, undefined)).status, 404);
  });

  it('closing the tab with an unconfirmed key says it is gone and offers another', async () => {
    const other = api.endpoints.all.find((d) => d.slug === 'taken-elsewhere')!;
    endpointId = other.id;
    api.endpointPanels.open(endpointId);
    await panelMounted();
    await typeInWebview('endpoint', '[data-testid=key-label]', 'forgotten');
    await clickInWebview('endpoint', '[data-testid=issue-key]');
    await waitFor(() => panelText('issued-secret'), 'the new key');
    api.endpointPanels.get(endpointId)!.panel.dispose();
    await vscode.commands.executeCommand('notifications.showList');
    await waitFor(
      async () => /API key "forgotten" .* cannot be shown again/.test(await notificationText()),
      'the lost-key warning',
    );
    await screenshot('88-endpoint-key-lost-warning');
    assert.ok(await clickNotificationButton('Issue Another'));
    await vscode.commands.executeCommand('notifications.hideList');
    await panelMounted();
    assert.equal(await panelText('issued-secret'), null, 'the lost key is not shown again');
  });
});
