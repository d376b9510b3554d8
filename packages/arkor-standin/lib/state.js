// STAND-IN for the real `arkor` SDK (see ../README.md). Project state:
// `<cwd>/.arkor/state.json` and `ensureProjectState`.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudApiError } from './http.js';

export const ANON_STATE_MISMATCH_MESSAGE =
  "This workspace's .arkor/state.json is scoped to a different organization than your current anonymous session. Delete .arkor/state.json to start a fresh anonymous project, or run `arkor login` with the account that owns that project.";
export const OAUTH_MISSING_STATE_MESSAGE =
  'No .arkor/state.json found. Create it by hand with { orgSlug, projectSlug, projectId } pointing at the project you want to use.';

export class ProjectStateMismatchError extends Error {
  constructor(message = ANON_STATE_MISMATCH_MESSAGE) {
    super(message);
    this.name = 'ProjectStateMismatchError';
  }
}

export function statePath(cwd = process.cwd()) {
  return join(cwd, '.arkor', 'state.json');
}

/** The parsed state (extra keys kept), or null when missing, unreadable, not JSON or mistyped. */
export async function readState(cwd = process.cwd()) {
  try {
    const s = JSON.parse(await readFile(statePath(cwd), 'utf8'));
    if (
      s &&
      typeof s === 'object' &&
      typeof s.orgSlug === 'string' &&
      typeof s.projectSlug === 'string' &&
      typeof s.projectId === 'string'
    ) {
      return s;
    }
  } catch {
    // missing, unreadable or not JSON: all read as "no state"
  }
  return null;
}

/** `mkdir -p .arkor`, then 2-space JSON plus a newline (non-atomic, default mode). */
export async function writeState(/** @type {any} */ state, cwd = process.cwd()) {
  await mkdir(join(cwd, '.arkor'), { recursive: true });
  await writeFile(statePath(cwd), `${JSON.stringify(state, null, 2)}\n`);
}

/** The last non-empty path segment of `cwd` (either separator), or "project". */
export function projectBaseName(/** @type {string} */ cwd) {
  return (
    cwd
      .split(/[/\\]/)
      .filter((s) => s !== '')
      .at(-1) ?? 'project'
  );
}

/** Lowercase, non-[a-z0-9-] → "-", trim "-", then cut to 40 (a trailing "-" may survive). */
export function deriveProjectSlug(/** @type {string} */ baseName) {
  const slug = baseName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'project';
}

/**
 * The bootstrap (docs/wire-protocol.md, "Credentials and project state"): usable state → it (no network); anonymous + other org → ProjectStateMismatchError;
 * OAuth + no state → Error; anonymous + no state → create the project (409 → reuse the listed one
 * with that slug) and write state.json.
 * @param {{ cwd: string, client: import('./client.js').CloudApiClient, credentials: any }} opts
 */
export async function ensureProjectState({ cwd, client, credentials }) {
  const state = await readState(cwd);
  const anon = credentials.mode === 'anon';
  if (state) {
    if (!anon || state.orgSlug === credentials.orgSlug) return state;
    throw new ProjectStateMismatchError();
  }
  if (!anon) throw new Error(OAUTH_MISSING_STATE_MESSAGE);
  const name = projectBaseName(cwd);
  const slug = deriveProjectSlug(name);
  let project;
  try {
    project = (await client.createProject({ orgSlug: credentials.orgSlug, name, slug })).project;
  } catch (err) {
    if (!(err instanceof CloudApiError && err.status === 409)) throw err;
    const listed = await client.listProjects(credentials.orgSlug);
    project = listed.projects.find((p) => p.slug === slug);
    if (!project) throw err;
  }
  const next = { orgSlug: credentials.orgSlug, projectSlug: project.slug, projectId: project.id };
  await writeState(next, cwd);
  return next;
}
