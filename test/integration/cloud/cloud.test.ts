import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../../src/extension';
import {
  clickInWebview,
  clickNotificationButton,
  evalInWebview,
  evalInWorkbench,
  notificationText,
  pressKey,
  screenshot,
  typeInWebview,
  waitFor,
} from '../driver';
import { EXTENSION_ID, waitForChartPoints } from '../helpers';

/**
 * Runs in its own VS Code session (test/integration/run.mjs, phase "cloud") against a loopback
 * server that speaks the Arkor Cloud protocol with its own org ("acme-cloud", unlike the local
 * backend's "local"), with a HOME whose ~/.arkor/credentials.json holds an `arkor` CLI login for it,
 * and a copy of the quickstart as the workspace. The whole cloud path as a user meets it: the one-time
 * offer to use the CLI's login, Run Training, the live chart, a Playground chat, sign out, and
 * sign in again anonymously and by importing.
 */
const CLOUD_ORG = 'acme-cloud';
const folder = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

/** The Jobs view's footer / banner text (where the backend and errors are shown). */
const jobsViewText = () => evalInWebview<string>('jobs', 'return document.body.innerText;');

describe('Arkor Cloud (loopback cloud server)', function () {
  this.timeout(300_000);
  let api: ArkorExtensionApi;
  let cloudUrl = '';

  before(async () => {
    api = await vscode.extensions.getExtension<ArkorExtensionApi>(EXTENSION_ID)!.activate();
  });

  it('offers once to use the arkor CLI login, and switches to Arkor Cloud', async () => {
    assert.equal(vscode.workspace.getConfiguration('arkor').get('backend'), 'local', 'starts on local');
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    // The offer comes as a toast when the Jobs view is first shown; if the toast has hidden itself
    // already, it is in the notification centre.
    const offered = async () => {
      const t = await notificationText();
      return /found an anonymous Arkor Cloud session of the arkor CLI/.test(t) ? t : null;
    };
    let text = await waitFor(offered, 'the offer to use the CLI login', 20_000).catch(() => null);
    if (!text) {
      await vscode.commands.executeCommand('notifications.showList');
      text = await waitFor(offered, 'the offer in the notification centre', 10_000);
    }
    assert.match(text, /credentials\.json/);
    await screenshot('60-cloud-offer');
    if (!(await clickNotificationButton('Use Arkor Cloud'))) {
      await vscode.commands.executeCommand('notifications.showList');
      await waitFor(
        () => clickNotificationButton('Use Arkor Cloud'),
        'the offer’s Use Arkor Cloud button',
        5000,
      );
    }
    await waitFor(
      () => vscode.workspace.getConfiguration('arkor').get('backend') === 'cloud',
      'the backend setting to become cloud',
    );
    const connection = await waitFor(
      () => api.session.connect().then((c) => (c.kind === 'cloud' ? c : null)),
      'a connection to the cloud',
    );
    assert.equal(connection.scope.orgSlug, CLOUD_ORG);
    assert.equal(connection.credentials.mode, 'anon');
    // The project's state file now names the cloud project, as the real CLI would write it.
    const state = JSON.parse(readFileSync(path.join(folder(), '.arkor/state.json'), 'utf8'));
    assert.equal(state.orgSlug, CLOUD_ORG);
    await waitFor(async () => /Arkor Cloud/.test(await jobsViewText()), 'the Jobs view to name Arkor Cloud');
    await screenshot('61-cloud-connected');
  });

  it('runs a training on Arkor Cloud and streams its loss chart', async () => {
    const run = await vscode.commands.executeCommand<{ jobId?: string; exited: Promise<number | null> }>(
      'arkor.runTraining',
    );
    assert.ok(run, 'the run started');
    const jobId = await waitFor(() => run.jobId, 'the job id from `Started job`', 60_000);
    const store = api.session.connection!.store;
    await waitFor(
      async () => {
        if (store.status(jobId) !== 'completed') await store.refresh().catch(() => {});
        return store.status(jobId) === 'completed';
      },
      'the cloud job to complete',
      240_000,
    );
    const points = store.metrics(jobId).step.length;
    assert.ok(points >= 30, `the job logged its steps (${points})`);
    await waitForChartPoints(points);
    await screenshot('62-cloud-job-panel');
    // A cloud run is the real CLI's: no local run directory in the project.
    assert.equal(existsSync(path.join(folder(), '.arkor/local-backend')), false);
    (globalThis as { arkorCloudJob?: string }).arkorCloudJob = jobId;
  });

  it('chats with the cloud job’s adapter in the Playground, streamed', async () => {
    const jobId = (globalThis as { arkorCloudJob?: string }).arkorCloudJob;
    assert.ok(jobId, 'the previous test trained a job');
    await vscode.commands.executeCommand('arkor.openJobInPlayground', { jobId });
    await waitFor(() => api.playground.isMounted, 'the Playground to mount');
    await typeInWebview('playground', '[data-testid=composer]', 'Ahoy! Where be the treasure?');
    await clickInWebview('playground', '[data-testid=send]');
    const reply = await waitFor(
      () =>
        evalInWebview<{ text: string; stats: string } | null>(
          'playground',
          `const m = [...document.querySelectorAll('[data-testid=assistant-message]')].pop();
           if (!m || m.getAttribute('data-streaming') !== 'false') return null;
           return { text: m.textContent, stats: m.querySelector('[data-testid=reply-stats]')?.textContent ?? '' };`,
        ),
      'the reply to finish streaming',
      120_000,
    );
    assert.ok(reply.text.trim().length > 0, 'a non-empty reply');
    assert.match(reply.stats, /tok\/s/);
    await screenshot('63-cloud-playground');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('signs out only when confirmed, and the Jobs view then says signed out', async () => {
    // VS Code answers modal dialogs with their cancel button while extension tests run, so this is
    // the user pressing Cancel: the login must stay.
    await vscode.commands.executeCommand('arkor.signOut');
    assert.ok(await api.session.credentialStore('cloud').get(), 'a cancelled sign-out keeps the login');
    cloudUrl = api.session.connection?.baseUrl ?? '';
    // Confirmed: what the command does after "Sign Out".
    await api.session.credentialStore('cloud').clear();
    await assert.rejects(api.session.connect(), /Not signed in to Arkor Cloud/);
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await waitFor(async () => /Not signed in/.test(await jobsViewText()), 'the Jobs view to say signed out');
    // The fix is the main action: Sign In is the banner's primary button, Run Training is not offered,
    // and the view's title bar shows Sign In where Run Training was.
    const view = await evalInWebview<{ primary: string | null; run: boolean }>(
      'jobs',
      `return {
         primary: document.querySelector('[data-testid=connection-banner] [appearance=primary]')?.textContent ?? null,
         run: !!document.querySelector('[data-testid=run-training]'),
       };`,
    );
    assert.deepEqual(view, { primary: 'Sign In', run: false });
    const titleActions = () =>
      evalInWorkbench<string[]>(
        `const pane = [...document.querySelectorAll('.pane-header, .composite.title')].find((h) => /Jobs/.test(h.textContent));
         return pane ? [...pane.querySelectorAll('.action-label')].map((a) => a.getAttribute('aria-label') ?? '') : [];`,
      );
    const actions = await waitFor(async () => {
      const a = await titleActions();
      return a.some((l) => /Sign In/.test(l)) ? a : null;
    }, 'Sign In in the Jobs view title bar');
    assert.ok(!actions.some((l) => /Run Training/.test(l)), `no Run Training in ${actions.join(', ')}`);
    await screenshot('64-cloud-signed-out');
  });

  it('a failed anonymous sign-in says why in the Jobs view, with Sign In and Try Again', async () => {
    const dead = 'http://127.0.0.1:9';
    await vscode.workspace
      .getConfiguration('arkor')
      .update('cloud.apiUrl', dead, vscode.ConfigurationTarget.Global);
    try {
      await signInWith(2);
      const banner = await waitFor(async () => {
        const t = await jobsViewText();
        return /Signing in to Arkor Cloud failed: anonymous sign-in at 127\.0\.0\.1:9: Could not reach/.test(
          t,
        )
          ? t
          : null;
      }, 'the banner to give the sign-in failure');
      assert.doesNotMatch(banner, /"Arkor: |Run `/);
      const primary = await evalInWebview<string | null>(
        'jobs',
        `return document.querySelector('[data-testid=connection-banner] [appearance=primary]')?.textContent ?? null;`,
      );
      assert.equal(primary, 'Sign In');
      // A toast, or (if it hid itself already) in the notification centre, with its buttons.
      const failed = async () => /signing in failed/.test(await notificationText());
      if (!(await waitFor(failed, 'the failure toast', 10_000).catch(() => false))) {
        await vscode.commands.executeCommand('notifications.showList');
        await waitFor(failed, 'the failure notification');
      }
      const buttons = await evalInWorkbench<string[]>(
        `return [...document.querySelectorAll('.notification-list-item')]
           .filter((n) => /signing in failed/.test(n.textContent))
           .flatMap((n) => [...n.querySelectorAll('.monaco-button')].map((b) => b.textContent.trim()));`,
      );
      assert.ok(buttons.includes('Try Again') && buttons.includes('Select Backend'), buttons.join(', '));
      await screenshot('64b-cloud-anonymous-sign-in-failed');
      assert.equal(await api.session.credentialStore('cloud').get(), undefined, 'still signed out');
    } finally {
      await vscode.workspace
        .getConfiguration('arkor')
        .update('cloud.apiUrl', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  /**
   * Runs Sign In and picks the `index`th entry of its quick pick with the keyboard. `done` is the
   * command, still running when the entry asks for more (a token, a project).
   */
  async function startSignIn(index: number): Promise<{ done: Thenable<unknown> }> {
    const done = vscode.commands.executeCommand('arkor.signIn');
    await waitFor(
      () =>
        evalInWorkbench<boolean>(
          `const w = document.querySelector('.quick-input-widget');
           return !!w && w.style.display !== 'none' && /sign in to Arkor Cloud/.test(w.textContent);`,
        ),
      'the Sign In quick pick',
    );
    for (let i = 0; i < index; i++) await pressKey('ArrowDown');
    await pressKey('Enter');
    return { done };
  }

  const signInWith = async (index: number) => {
    const { done } = await startSignIn(index);
    await done;
  };

  /** The `arkor` CLI's login the session's HOME holds (see run.mjs). */
  const cliLogin = () =>
    JSON.parse(readFileSync(path.join(process.env.HOME ?? '', '.arkor/credentials.json'), 'utf8'));

  it('signs in anonymously from the quick pick, as a new identity of the cloud', async () => {
    // Without a login to take the URL from, a sign-up goes to the configured cloud (as `arkor login
    // --anonymous` does with ARKOR_CLOUD_API_URL): a user of another cloud sets arkor.cloud.apiUrl.
    assert.match(cloudUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    await vscode.workspace
      .getConfiguration('arkor')
      .update('cloud.apiUrl', cloudUrl, vscode.ConfigurationTarget.Global);
    await signInWith(2);
    const credentials = await api.session.credentialStore('cloud').get();
    assert.equal(credentials?.mode, 'anon');
    const connection = await waitFor(
      () => api.session.connect().catch(() => null),
      'a connection with the new identity',
    );
    assert.equal(connection.scope.orgSlug, CLOUD_ORG);
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await waitFor(async () => !/Not signed in/.test(await jobsViewText()), 'the Jobs view to reconnect');
  });

  it('signs in by importing ~/.arkor/credentials.json', async () => {
    await api.session.credentialStore('cloud').clear();
    await signInWith(0);
    const cli = cliLogin();
    const credentials = await api.session.credentialStore('cloud').get();
    assert.equal(credentials?.mode === 'anon' && credentials.token, cli.token, 'the CLI login was imported');
    const connection = await waitFor(() => api.session.connect().catch(() => null), 'a connection');
    assert.equal(connection.kind, 'cloud');
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
    await waitFor(async () => /Arkor Cloud/.test(await jobsViewText()), 'the Jobs view on Arkor Cloud');
    await screenshot('65-cloud-signed-in-again');
  });

  it('signs in with a pasted token, then picks the organisation and project the API lists', async () => {
    const cli = cliLogin();
    const statePath = path.join(folder(), '.arkor/state.json');
    const before = JSON.parse(readFileSync(statePath, 'utf8'));
    // A token has no project: start from a folder without a state file, as a new checkout would be.
    rmSync(statePath);
    await api.session.credentialStore('cloud').clear();
    const { done } = await startSignIn(1);
    await waitFor(
      () =>
        evalInWorkbench<boolean>(
          `return /Arkor access token/.test(document.querySelector('.quick-input-widget')?.textContent ?? '');`,
        ),
      'the token input',
    );
    await typeInWebview('', '.quick-input-widget input', cli.token);
    await pressKey('Enter');
    // Choose Project: one organisation (picked by itself), then the project list.
    await waitFor(
      () =>
        evalInWorkbench<boolean>(
          `return /which project of acme-cloud/.test(document.querySelector('.quick-input-widget')?.textContent ?? '');`,
        ),
      'the project picker',
    );
    await screenshot('65b-cloud-choose-project');
    await pressKey('Enter'); // the first project listed: the quickstart's own
    await done;
    await waitFor(() => existsSync(statePath), 'the state file the real CLI reads');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    assert.deepEqual(
      { orgSlug: state.orgSlug, projectSlug: state.projectSlug, projectId: state.projectId },
      { orgSlug: before.orgSlug, projectSlug: before.projectSlug, projectId: before.projectId },
    );
    const credentials = await api.session.credentialStore('cloud').get();
    assert.equal(credentials?.mode, 'oauth', 'a pasted token is an access token');
    await waitFor(
      () => api.session.state.phase === 'connected' && api.session.connection?.kind === 'cloud',
      'connected with the pasted token',
    );
  });
});

/**
 * The connection lifecycle (issue 18) in the same session: each transition reconnects by itself and
 * every state is shown with the action that fixes it; nothing needs a manual Refresh.
 */
describe('Connection lifecycle (loopback cloud and the local backend)', function () {
  this.timeout(300_000);
  let api: ArkorExtensionApi;
  const settings = () => vscode.workspace.getConfiguration('arkor');

  before(async () => {
    api = await vscode.extensions.getExtension<ArkorExtensionApi>(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('workbench.view.extension.arkor');
  });

  it('a dead cloud URL is shown as unreachable with its cause, and recovers by itself when fixed', async () => {
    const good = settings().get<string>('cloud.apiUrl') || api.session.connection?.baseUrl || '';
    assert.match(good, /^http:\/\/127\.0\.0\.1:\d+$/);
    await settings().update('cloud.apiUrl', 'http://127.0.0.1:9', vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => api.session.state.phase === 'unreachable', 'the state to become unreachable');
      assert.match(api.session.state.message ?? '', /ECONNREFUSED|127\.0\.0\.1:9/);
      const text = await waitFor(async () => {
        const t = await jobsViewText();
        return /Could not reach/.test(t) ? t : null;
      }, 'the Jobs view to show the cause');
      assert.doesNotMatch(text, /No training jobs yet/, 'an unreachable backend never reads as "no jobs"');
      assert.match(text, /Retry/, 'the fix is offered');
      assert.match(text, /Arkor Cloud · 127\.0\.0\.1:9\b/, 'the footer names the URL that failed');
      await screenshot('66-conn-unreachable');
    } finally {
      await settings().update('cloud.apiUrl', good, vscode.ConfigurationTarget.Global);
    }
    await waitFor(() => api.session.state.phase === 'connected', 'the connection to come back by itself');
    await waitFor(async () => /captain-speak/.test(await jobsViewText()), "the cloud's jobs listed again");
  });

  it('switching backends both ways lists each backend’s jobs without a Refresh; a panel stays with its job', async () => {
    const cloudJobs = api.session.connection?.store.jobs() ?? [];
    assert.ok(cloudJobs.length >= 1, 'the cloud has the job trained above');
    const cloudJob = cloudJobs[0]!;
    await vscode.commands.executeCommand('arkor.openJob', cloudJob.id);
    await waitFor(
      () =>
        evalInWebview<string | null>(
          'job',
          `return document.querySelector('[data-testid=status-badge]')?.textContent ?? null;`,
        ),
      'the cloud job panel',
    );
    await settings().update('backend', 'local', vscode.ConfigurationTarget.Global);
    await waitFor(
      () => api.session.state.phase === 'connected' && api.session.connection?.kind === 'local',
      'a connection to the local backend',
      60_000,
    );
    await waitFor(
      async () => /Local backend/.test(await jobsViewText()),
      'the Jobs view on the local backend',
    );
    // The cloud job's panel says where the job is, instead of a false status with a Cancel button.
    const notice = await waitFor(
      () =>
        evalInWebview<string | null>(
          'job',
          `return document.querySelector('[data-testid=job-elsewhere]')?.textContent ?? null;`,
        ),
      'the panel to say the job belongs to Arkor Cloud',
    );
    assert.match(notice, /belongs to Arkor Cloud \(acme-cloud/);
    await screenshot('67-conn-panel-on-other-backend');
    await clickInWebview('job', '[data-testid=switch-backend]');
    await waitFor(
      () => api.session.state.phase === 'connected' && api.session.connection?.kind === 'cloud',
      'a connection to the cloud again, from the panel',
    );
    await waitFor(
      async () => /captain-speak/.test(await jobsViewText()),
      "the cloud's jobs, without a Refresh",
    );
    assert.equal(api.session.connection?.store.jobs().length, cloudJobs.length);
    const badge = await waitFor(
      () =>
        evalInWebview<string | null>(
          'job',
          `return document.querySelector('[data-testid=status-badge]')?.textContent ?? null;`,
        ),
      'the panel to show its job again',
    );
    assert.equal(badge, 'completed');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a Playground conversation stays with its backend: on another it says so and switches back', async () => {
    await settings().update('backend', 'local', vscode.ConfigurationTarget.Global);
    await waitFor(
      () => api.session.state.phase === 'connected' && api.session.connection?.kind === 'local',
      'a connection to the local backend',
      60_000,
    );
    await vscode.commands.executeCommand('arkor.openPlayground');
    await waitFor(() => api.playground.isMounted, 'the Playground to mount');
    // The chat with the cloud adapter (earlier in this session), picked from the history.
    await clickInWebview('playground', '[data-testid=history-toggle]');
    await waitFor(
      () =>
        evalInWebview<boolean>(
          'playground',
          `const b = [...document.querySelectorAll('[data-testid=history-item]')].find((x) => /Ahoy/.test(x.textContent));
           if (!b) return false;
           b.click();
           return true;`,
        ),
      'the cloud chat in the history',
    );
    const notice = await waitFor(
      () =>
        evalInWebview<string | null>(
          'playground',
          `return document.querySelector('[data-testid=playground-elsewhere]')?.textContent ?? null;`,
        ),
      'the Playground to say where the model is',
    );
    assert.match(notice, /This conversation's model ‘.+ · final’ is on Arkor Cloud \(acme-cloud\//);
    assert.match(notice, /connected to the local backend/);
    await typeInWebview('playground', '[data-testid=composer]', 'Still there?');
    const view = await evalInWebview<{ send: boolean; options: string[] }>(
      'playground',
      `return {
         send: document.querySelector('[data-testid=send]').hasAttribute('disabled'),
         options: [...document.querySelectorAll('[data-testid=model-picker] optgroup option')].map((o) => o.value),
       };`,
    );
    assert.ok(view.send, 'Send is disabled: no chat goes to a backend without the model');
    const cloudJob = (globalThis as { arkorCloudJob?: string }).arkorCloudJob!;
    assert.ok(
      !view.options.some((o) => o.includes(cloudJob)),
      `the picker lists only the local backend's models: ${view.options.join(', ')}`,
    );
    await screenshot('67b-conn-playground-on-other-backend');
    await clickInWebview('playground', '[data-testid=playground-switch-backend]');
    await waitFor(
      () => api.session.state.phase === 'connected' && api.session.connection?.kind === 'cloud',
      'a connection to the cloud again, from the Playground',
      60_000,
    );
    await waitFor(
      async () =>
        !(await evalInWebview<boolean>(
          'playground',
          `return !!document.querySelector('[data-testid=playground-elsewhere]');`,
        )),
      'the notice to go once the cloud is back',
    );
    assert.equal(
      await evalInWebview<number>(
        'playground',
        `return document.querySelectorAll('[data-testid=assistant-message]').length;`,
      ),
      1,
      'the cloud chat holds its one reply',
    );
    await clickInWebview('playground', '[data-testid=send]');
    const reply = await waitFor(
      () =>
        evalInWebview<{ text: string; model: string; error: string | null } | null>(
          'playground',
          `const all = [...document.querySelectorAll('[data-testid=assistant-message]')];
           const m = all[1];
           if (!m || m.getAttribute('data-streaming') !== 'false') return null;
           return {
             text: m.querySelector('.md')?.textContent ?? '',
             model: m.querySelector('[data-testid=reply-model]')?.textContent ?? '',
             error: m.querySelector('[data-testid=chat-error]')?.textContent ?? null,
           };`,
        ),
      'the cloud adapter to answer in the same conversation',
      120_000,
    );
    assert.equal(reply.error, null);
    assert.match(reply.model, / · final$/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a local backend killed mid-run is restarted by itself and the view recovers', async () => {
    await settings().update('backend', 'local', vscode.ConfigurationTarget.Global);
    const connection = await waitFor(
      () =>
        api.session.state.phase === 'connected' && api.session.connection?.kind === 'local'
          ? api.session.connection
          : null,
      'the local backend',
      60_000,
    );
    const c = connection;
    const { job } = {
      job: await c.client.createJob(c.scope, {
        name: 'killed-mid-run',
        config: {
          model: 'unsloth/gemma-4-E4B-it',
          datasetSource: { type: 'blob', url: './data/captain.jsonl' },
          maxSteps: 100_000,
        },
      }),
    };
    await c.store.refresh();
    await waitFor(async () => {
      await c.store.refresh().catch(() => {});
      return c.store.status(job.id) === 'running';
    }, 'the job to be training');
    const pid = api.localBackend.pid;
    assert.ok(pid, 'the local backend runs');
    process.kill(pid, 'SIGKILL');
    await waitFor(
      () => api.localBackend.pid !== undefined && api.localBackend.pid !== pid,
      'a new backend process',
      60_000,
    );
    await waitFor(
      () => api.session.state.phase === 'connected',
      'connected to the restarted backend',
      60_000,
    );
    const store = api.session.connection!.store;
    await waitFor(async () => {
      await store.refresh().catch(() => {});
      return store.status(job.id) === 'failed';
    }, 'the interrupted job to be reported (failed: the backend stopped)');
    await waitFor(async () => /killed-mid-run/.test(await jobsViewText()), 'the Jobs view to list it again');
    await screenshot('68-conn-local-restarted');
    await settings().update('backend', 'cloud', vscode.ConfigurationTarget.Global);
  });
});
