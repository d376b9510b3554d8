/**
 * Project scope from `.arkor/state.json` (docs/wire-protocol.md, "Credentials and project state"), reconciled with the credentials.
 *
 * Rule of thumb: a state file we did not create is never deleted or overwritten. A stale anonymous
 * state (left behind after a logout) is reported as unusable and the user decides what to do.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ArkorApiClient } from './apiClient';
import type { Credentials } from './credentials';
import { ArkorApiError, MissingProjectStateError, ProjectStateMismatchError } from './errors';
import { ProjectStateSchema } from './schemas';
import type { Scope } from './types';

export interface ProjectState extends Scope {
  projectId: string;
}

export function projectStatePath(projectDir: string): string {
  return join(projectDir, '.arkor', 'state.json');
}

/**
 * Read `<projectDir>/.arkor/state.json`. Missing, unparsable, or without string `orgSlug`,
 * `projectSlug` and `projectId` means absent. Other read errors are raised.
 */
export async function readProjectState(projectDir: string): Promise<ProjectState | undefined> {
  let text: string;
  try {
    text = await readFile(projectStatePath(projectDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = ProjectStateSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    return {
      orgSlug: parsed.data.orgSlug,
      projectSlug: parsed.data.projectSlug,
      projectId: parsed.data.projectId,
    };
  } catch {
    return undefined;
  }
}

/** Anonymous state must belong to the anonymous user's org; OAuth state is always usable. */
export function isStateUsable(state: ProjectState, credentials: Credentials): boolean {
  return credentials.mode !== 'anon' || state.orgSlug === credentials.orgSlug;
}

export type ScopeResolution =
  | { kind: 'ok'; state: ProjectState }
  | { kind: 'missing' }
  /** A state file exists but belongs to another anonymous identity. It is left untouched. */
  | { kind: 'stale'; state: ProjectState };

/** Read-only resolution, for listing jobs: never creates anything (read-only paths never bootstrap). */
export async function resolveScope(projectDir: string, credentials: Credentials): Promise<ScopeResolution> {
  const state = await readProjectState(projectDir);
  if (!state) return { kind: 'missing' };
  return isStateUsable(state, credentials) ? { kind: 'ok', state } : { kind: 'stale', state };
}

/**
 * The SDK's slug rule: lowercase, anything outside `[a-z0-9-]` becomes `-`, trim `-`, cut to 40,
 * `project` if nothing is left.
 */
export function deriveProjectSlug(dirName: string): string {
  const slug = dirName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'project';
}

/** Pretty JSON plus newline, written atomically (temp file + rename) so a crash never truncates it. */
export async function writeProjectState(projectDir: string, state: ProjectState): Promise<void> {
  const file = projectStatePath(projectDir);
  await mkdir(join(projectDir, '.arkor'), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const data = { orgSlug: state.orgSlug, projectSlug: state.projectSlug, projectId: state.projectId };
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, 'utf8');
  await rename(tmp, file);
}

/**
 * The SDK's `ensureProjectState`: return a usable state, creating the project and the file for
 * anonymous users who have none. Throws `ProjectStateMismatchError` for stale anonymous state and
 * `MissingProjectStateError` for OAuth users without a state file.
 */
export async function ensureProjectState(opts: {
  projectDir: string;
  credentials: Credentials;
  client: ArkorApiClient;
}): Promise<ProjectState> {
  const { projectDir, credentials, client } = opts;
  const existing = await readProjectState(projectDir);
  if (existing) {
    if (isStateUsable(existing, credentials)) return existing;
    throw new ProjectStateMismatchError(
      existing.orgSlug,
      credentials.mode === 'anon' ? credentials.orgSlug : undefined,
    );
  }
  if (credentials.mode !== 'anon') throw new MissingProjectStateError();

  const orgSlug = credentials.orgSlug;
  const name = basename(projectDir);
  const slug = deriveProjectSlug(name);
  let project: { id: string; slug: string };
  try {
    project = await client.createProject(orgSlug, { name, slug });
  } catch (err) {
    if (!(err instanceof ArkorApiError && err.kind === 'conflict')) throw err;
    // The slug exists already (created earlier from this folder, or by the CLI): adopt it.
    const list = await client.listProjects(orgSlug);
    const found = list.projects.find((p) => p.slug === slug);
    if (!found) {
      throw new ArkorApiError({
        kind: 'conflict',
        status: 409,
        message: `A project with slug "${slug}" exists but is not visible in org "${orgSlug}". Rename the folder or create .arkor/state.json by hand.`,
      });
    }
    project = found;
  }
  const state: ProjectState = { orgSlug, projectSlug: project.slug, projectId: project.id };
  await writeProjectState(projectDir, state);
  return state;
}
