import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { ArkorApiClient, type Credentials, importCliCredentials, resolveScope } from '../core';
import type { CommandHandlers } from './commands';
import { withErrors } from './jobCommands';
import { errorText } from './log';
import { type ArkorSession, type BackendKind, CLIENT_VERSION, cloudBaseUrl } from './session';

/** Sign In / Sign Out / Select Backend. Credentials go to SecretStorage only. */
export function accountCommands(
  session: ArkorSession,
): Pick<CommandHandlers, 'arkor.selectBackend' | 'arkor.signIn' | 'arkor.signOut'> {
  return {
    'arkor.selectBackend': async () => {
      const current = session.kind;
      const items: (vscode.QuickPickItem & { backend: BackendKind })[] = [
        {
          backend: 'local',
          label: '$(vm) Local backend',
          description: current === 'local' ? 'current' : undefined,
          detail: 'Trains a tiny model on this machine. Offline, no account.',
        },
        {
          backend: 'cloud',
          label: '$(cloud) Arkor Cloud',
          description: current === 'cloud' ? 'current' : undefined,
          detail: 'Trains open-weight models on Arkor Cloud. Needs a sign-in (anonymous is fine).',
        },
      ];
      const picked = await vscode.window.showQuickPick(items, {
        title: 'Arkor: where should trainings run?',
      });
      if (!picked || picked.backend === current) return;
      await vscode.workspace
        .getConfiguration('arkor')
        .update('backend', picked.backend, vscode.ConfigurationTarget.Global);
      if (
        picked.backend === 'cloud' &&
        !(await session
          .credentialStore('cloud')
          .get()
          .catch(() => undefined))
      ) {
        const action = await vscode.window.showInformationMessage('Arkor Cloud needs a sign-in.', 'Sign In');
        if (action) await vscode.commands.executeCommand('arkor.signIn');
      }
    },
    'arkor.signIn': () =>
      signInFailures(session, async () => {
        const choice = await vscode.window.showQuickPick(
          [
            {
              id: 'import',
              label: '$(file) Import ~/.arkor/credentials.json',
              detail: 'Use the login of the arkor CLI.',
            },
            { id: 'token', label: '$(key) Paste an access token' },
            {
              id: 'anon',
              label: '$(person) Anonymous workspace',
              detail: 'As `arkor dev` does: no account needed.',
            },
          ],
          { title: 'Arkor: sign in to Arkor Cloud' },
        );
        if (!choice) return;
        const store = session.credentialStore('cloud');
        let credentials: Credentials | undefined;
        if (choice.id === 'import') {
          credentials = await importCliCredentials(homedir());
          if (!credentials) {
            throw new Error(
              'there is no usable ~/.arkor/credentials.json (the arkor CLI writes it when you log in there). Sign in anonymously or with a token instead.',
            );
          }
        } else if (choice.id === 'token') {
          const token = await vscode.window.showInputBox({
            title: 'Arkor access token',
            password: true,
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim().length < 8 ? 'That does not look like a token.' : undefined),
          });
          if (!token) return;
          credentials = { mode: 'oauth', accessToken: token.trim() };
        } else {
          const baseUrl = cloudBaseUrl();
          const client = new ArkorApiClient({
            baseUrl,
            clientVersion: CLIENT_VERSION,
            getToken: () => undefined,
          });
          const signup = await client.signUpAnonymous().catch((error: unknown) => {
            throw new Error(`anonymous sign-in at ${hostOf(baseUrl)}: ${errorText(error)}`);
          });
          credentials = {
            mode: 'anon',
            token: signup.token,
            anonymousId: signup.anonymousId,
            orgSlug: signup.personalOrg.slug,
            arkorCloudApiUrl: baseUrl,
          };
        }
        await store.set(credentials);
        // A pasted token (OAuth) has no project yet: the real CLI needs .arkor/state.json naming one.
        if (choice.id === 'token') {
          const dir = await session.projectRoot();
          const scope = dir ? await resolveScope(dir, credentials) : undefined;
          if (scope?.kind !== 'ok') await vscode.commands.executeCommand('arkor.chooseProject');
        }
        if (session.kind !== 'cloud') {
          const action = await vscode.window.showInformationMessage(
            'Signed in to Arkor Cloud. Trainings still run on the local backend.',
            'Switch to Arkor Cloud',
          );
          if (action) {
            await vscode.workspace
              .getConfiguration('arkor')
              .update('backend', 'cloud', vscode.ConfigurationTarget.Global);
          }
        } else {
          void vscode.window.showInformationMessage('Signed in to Arkor Cloud.');
        }
      }),
    'arkor.signOut': () =>
      withErrors(async () => {
        const store = session.credentialStore('cloud');
        if (!(await store.get())) {
          void vscode.window.showInformationMessage('Arkor: not signed in to Arkor Cloud.');
          return;
        }
        const current = await store.get();
        // An anonymous identity exists only in its token: once it is gone, so are its jobs.
        const detail =
          current?.mode === 'anon'
            ? 'This is an anonymous identity. Unless ~/.arkor/credentials.json still holds it, its jobs and projects cannot be reached again after signing out.'
            : 'The credentials are removed from VS Code (not from ~/.arkor).';
        const ok = await vscode.window.showWarningMessage(
          'Sign out of Arkor Cloud?',
          { modal: true, detail },
          'Sign Out',
        );
        if (ok) await store.clear();
      }),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Runs a sign-in; when it fails, the session shows why (the Jobs view banner, the status bar) and a
 * notification offers the fixes as buttons: try again (the Sign In picker), or another backend.
 */
async function signInFailures(session: ArkorSession, op: () => Promise<void>): Promise<void> {
  try {
    await op();
  } catch (error) {
    const reason = errorText(error);
    session.signInFailed(reason);
    // Not awaited: the command ends now, whenever (if ever) the notification is answered.
    void vscode.window
      .showErrorMessage(`Arkor: signing in failed: ${reason}`, 'Try Again', 'Select Backend')
      .then((action) => {
        if (action === 'Try Again') void vscode.commands.executeCommand('arkor.signIn');
        else if (action === 'Select Backend') void vscode.commands.executeCommand('arkor.selectBackend');
      });
  }
}
