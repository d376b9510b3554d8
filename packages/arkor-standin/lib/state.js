// Credentials (§4.1) and per-project scope (§4.3).
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ArkorApiError, arkorHome, CLIENT_HEADER, requestJson, resolveBaseUrl, scopeQuery } from './http.js';

export class ProjectStateMismatchError extends Error {
  constructor(/** @type {string} */ message) {
    super(message);
    this.name = 'ProjectStateMismatchError';
  }
}

/**
 * Atomic write: temp file with `mode`, then rename over the target.
 * @param {string} path
 * @param {string} text
 * @param {number} [mode]
 */
async function writeAtomic(path, text, mode) {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, text, mode === undefined ? undefined : { mode });
    if (mode !== undefined) await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export function credentialsPath() {
  return join(arkorHome(), 'credentials.json');
}

/**
 * Read `~/.arkor/credentials.json`. Missing or unparsable → undefined; other read errors are raised.
 * A legacy `mode: "auth0"` file is treated as OAuth.
 */
export async function readCredentials() {
  let text;
  try {
    text = await readFile(credentialsPath(), 'utf8');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const c = JSON.parse(text);
    if (c?.mode === 'anon' && typeof c.token === 'string' && typeof c.orgSlug === 'string') return c;
    if (c && c.mode !== 'anon' && typeof c.accessToken === 'string') return { ...c, mode: 'oauth' };
  } catch {
    // fall through
  }
  process.stderr.write(`Ignoring unreadable credentials at ${credentialsPath()}\n`);
  return undefined;
}

/** Existing credentials, or a new anonymous identity written to `~/.arkor/credentials.json`. */
export async function ensureCredentials() {
  const existing = await readCredentials();
  if (existing) return existing;
  const baseUrl = resolveBaseUrl(undefined);
  let res;
  try {
    res = await fetch(`${baseUrl}/v1/auth/anonymous`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Arkor-Client': CLIENT_HEADER },
      body: JSON.stringify({ kind: 'cli' }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new Error(`Failed to acquire anonymous token: ${/** @type {Error} */ (err).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`Failed to acquire anonymous token (${res.status}): ${text.slice(0, 500)}`);
  const body = JSON.parse(text);
  const credentials = {
    mode: 'anon',
    token: body.token,
    anonymousId: body.anonymousId,
    arkorCloudApiUrl: baseUrl,
    orgSlug: body.personalOrg?.slug,
  };
  await mkdir(arkorHome(), { recursive: true, mode: 0o700 });
  await writeAtomic(credentialsPath(), `${JSON.stringify(credentials, null, 2)}\n`, 0o600);
  return credentials;
}

/** @param {string} projectDir */
export function statePath(projectDir) {
  return join(projectDir, '.arkor', 'state.json');
}

/** @param {string} projectDir */
export async function readState(projectDir) {
  try {
    const s = JSON.parse(await readFile(statePath(projectDir), 'utf8'));
    if (
      typeof s?.orgSlug === 'string' &&
      typeof s.projectSlug === 'string' &&
      typeof s.projectId === 'string'
    ) {
      return { orgSlug: s.orgSlug, projectSlug: s.projectSlug, projectId: s.projectId };
    }
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    if (code && code !== 'ENOENT') throw err;
  }
  return undefined;
}

/** The SDK's slug rule (§4.3). @param {string} dirName */
export function deriveProjectSlug(dirName) {
  const slug = dirName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'project';
}

/**
 * §4.3 `ensureProjectState`: usable state → it; stale anonymous state → ProjectStateMismatchError
 * (never overwritten); no state + OAuth → error; no state + anonymous → create the project (409 →
 * look it up) and write `.arkor/state.json`.
 * @param {string} projectDir
 * @param {any} credentials
 * @param {string} baseUrl
 */
export async function ensureProjectState(projectDir, credentials, baseUrl) {
  const state = await readState(projectDir);
  if (state) {
    if (credentials.mode !== 'anon' || state.orgSlug === credentials.orgSlug) return state;
    throw new ProjectStateMismatchError(
      `.arkor/state.json belongs to another identity (org "${state.orgSlug}", you are "${credentials.orgSlug}"). Delete .arkor/state.json or log in with the account that created it.`,
    );
  }
  if (credentials.mode !== 'anon') {
    throw new Error(
      'No .arkor/state.json found. Create it by hand with { orgSlug, projectSlug, projectId } pointing at the project you want to use.',
    );
  }
  const name = basename(projectDir);
  const slug = deriveProjectSlug(name);
  const token = credentials.token;
  /** @type {{ id: string, slug: string }} */
  let project;
  try {
    const body = await requestJson(
      baseUrl,
      'POST',
      `/v1/projects?${scopeQuery({ orgSlug: credentials.orgSlug })}`,
      {
        token,
        body: { name, slug },
      },
    );
    project = body.project;
  } catch (err) {
    if (!(err instanceof ArkorApiError && err.status === 409)) throw err;
    const list = await requestJson(
      baseUrl,
      'GET',
      `/v1/projects?${scopeQuery({ orgSlug: credentials.orgSlug })}`,
      {
        token,
      },
    );
    project = (list.projects ?? []).find((/** @type {any} */ p) => p.slug === slug);
    if (!project)
      throw new Error(`Project "${slug}" already exists but is not listed in org ${credentials.orgSlug}`);
  }
  const next = { orgSlug: credentials.orgSlug, projectSlug: project.slug, projectId: project.id };
  await mkdir(join(projectDir, '.arkor'), { recursive: true });
  await writeAtomic(statePath(projectDir), `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
