import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  ArkorApiClient,
  ArkorApiError,
  bearerToken,
  type Credentials,
  deriveProjectSlug,
  writeProjectState,
} from '../core';
import { type ArkorSession, CLIENT_VERSION, cloudBaseUrl } from './session';

/** A client for Arkor Cloud with `credentials` (the connection may not be up: that is why we ask). */
export function cloudClient(credentials: Credentials): ArkorApiClient {
  return new ArkorApiClient({
    baseUrl: cloudBaseUrl(credentials),
    clientVersion: CLIENT_VERSION,
    getToken: () => bearerToken(credentials),
  });
}

/**
 * Arkor: Choose Project. Which Arkor Cloud organisation and project this folder's runs go to,
 * picked from the lists the API gives (or a new project), recorded in `.arkor/state.json` the way the
 * real CLI reads it ({ orgSlug, projectSlug, projectId }), so `arkor start` in a terminal uses the
 * same project. Returns true when a project was chosen.
 */
export async function chooseProject(session: ArkorSession, projectDir: string | undefined): Promise<boolean> {
  if (!projectDir) {
    void vscode.window.showErrorMessage('Arkor: open a folder with an Arkor project first.');
    return false;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage('Arkor: trust this workspace to choose its Arkor Cloud project.');
    return false;
  }
  const credentials = await session.credentialStore('cloud').get();
  if (!credentials) {
    const action = await vscode.window.showInformationMessage(
      'Arkor: sign in to Arkor Cloud first.',
      'Sign In',
    );
    if (action) await vscode.commands.executeCommand('arkor.signIn');
    return false;
  }
  const client = cloudClient(credentials);
  const me = await client.me();
  const orgs = me.orgs.map((o) => String((o as { slug?: unknown }).slug ?? '')).filter(Boolean);
  if (orgs.length === 0) throw new Error('This Arkor Cloud account has no organisation to put a project in.');
  const orgSlug =
    orgs.length === 1
      ? orgs[0]
      : (
          await vscode.window.showQuickPick(
            orgs.map((slug) => ({ label: slug })),
            { title: 'Arkor: which organisation?' },
          )
        )?.label;
  if (!orgSlug) return false;

  const { projects } = await client.listProjects(orgSlug);
  const NEW = '$(add) Create a new project…';
  const picked = await vscode.window.showQuickPick(
    [
      ...projects.map((p) => ({
        label: p.slug,
        description: p.name === p.slug ? undefined : p.name,
        project: p,
      })),
      { label: NEW, project: undefined },
    ],
    { title: `Arkor: which project of ${orgSlug} should ${basename(projectDir)} use?` },
  );
  if (!picked) return false;
  let project = picked.project;
  if (!project) {
    const name = await vscode.window.showInputBox({
      title: 'Arkor: new project name',
      value: basename(projectDir),
      validateInput: (v) => (deriveProjectSlug(v.trim()) && v.trim() ? undefined : 'Enter a name.'),
    });
    if (!name) return false;
    try {
      project = await client.createProject(orgSlug, {
        name: name.trim(),
        slug: deriveProjectSlug(name.trim()),
      });
    } catch (error) {
      if (error instanceof ArkorApiError && error.kind === 'conflict') {
        throw new Error(
          `A project with the slug "${deriveProjectSlug(name.trim())}" exists already: pick it from the list.`,
        );
      }
      throw error;
    }
  }
  await writeProjectState(projectDir, { orgSlug, projectSlug: project.slug, projectId: project.id });
  session.reset(`project ${orgSlug}/${project.slug} chosen`);
  void vscode.window.showInformationMessage(
    `Arkor: ${basename(projectDir)} now uses ${orgSlug}/${project.slug} on Arkor Cloud.`,
  );
  return true;
}
