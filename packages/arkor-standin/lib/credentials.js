// STAND-IN for the real `arkor` SDK (see ../README.md). Credentials:
// `~/.arkor/credentials.json`, the base-URL rule, and anonymous sign-up.
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CLIENT_HEADER } from './http.js';

export const DEFAULT_CLOUD_API_URL = 'https://api.arkor.ai';

export function credentialsPath() {
  return join(homedir(), '.arkor', 'credentials.json');
}

/**
 * The file's credentials, or why there are none: `missing` (ENOENT) or `corrupt` (invalid JSON).
 * Any other read error is thrown, so a present-but-unreadable login is never overwritten.
 * @returns {Promise<{ credentials: any } | { credentials: null, why: 'missing' | 'corrupt' }>}
 */
async function readCredentialsFile() {
  let text;
  try {
    text = await readFile(credentialsPath(), 'utf8');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT')
      return { credentials: null, why: 'missing' };
    throw err;
  }
  try {
    return { credentials: JSON.parse(text) };
  } catch {
    return { credentials: null, why: 'corrupt' };
  }
}

/** Parsed as-is (no schema check); null when missing or not JSON. */
export async function readCredentials() {
  return (await readCredentialsFile()).credentials;
}

/** Pretty JSON (no trailing newline), 0600, written to a temp file and renamed over the target. */
export async function writeCredentials(/** @type {any} */ credentials) {
  const path = credentialsPath();
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(credentials, null, 2), { mode: 0o600 });
    try {
      await chmod(tmp, 0o600);
    } catch (err) {
      process.stderr.write(
        `arkor: warning: could not set permissions on ${path}: ${/** @type {Error} */ (err).message}\n`,
      );
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** `ARKOR_CLOUD_API_URL` (even empty), else `credentials.arkorCloudApiUrl`, else production. */
export function defaultArkorCloudApiUrl(/** @type {any} */ credentials) {
  const fromEnv = process.env.ARKOR_CLOUD_API_URL;
  if (fromEnv !== undefined) return fromEnv.replace(/\/+$/, '');
  if (typeof credentials?.arkorCloudApiUrl === 'string')
    return credentials.arkorCloudApiUrl.replace(/\/+$/, '');
  return DEFAULT_CLOUD_API_URL;
}

export class AnonymousTokenRejectedError extends Error {
  constructor(/** @type {number} */ status, /** @type {string} */ body) {
    super(`Failed to acquire anonymous token (${status}): ${body.slice(0, 500)}`);
    this.name = 'AnonymousTokenRejectedError';
    this.status = status;
  }
}

const AnonymousTokenResponse = z.looseObject({
  token: z.string(),
  anonymousId: z.string(),
  kind: z.enum(['cli', 'web']),
  personalOrg: z.looseObject({ slug: z.string(), id: z.string(), name: z.string() }),
});

/**
 * `POST {baseUrl}/v1/auth/anonymous` (baseUrl used verbatim).
 * @param {string} baseUrl
 * @param {'cli' | 'web'} [kind]
 */
export async function requestAnonymousToken(baseUrl, kind = 'cli') {
  const res = await fetch(`${baseUrl}/v1/auth/anonymous`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Arkor-Client': CLIENT_HEADER },
    body: JSON.stringify({ kind }),
  });
  if (!res.ok) throw new AnonymousTokenRejectedError(res.status, await res.text().catch(() => ''));
  const body = AnonymousTokenResponse.parse(await res.json());
  return {
    token: body.token,
    anonymousId: body.anonymousId,
    kind: body.kind,
    orgSlug: body.personalOrg.slug,
  };
}

/** Existing credentials, or a freshly minted anonymous identity written to disk. */
export async function ensureCredentials() {
  const read = await readCredentialsFile();
  if (read.credentials) return read.credentials;
  if ('why' in read && read.why === 'corrupt') {
    process.stderr.write(
      `arkor: warning: ${credentialsPath()} could not be parsed and is being replaced. Run \`arkor login\` to sign in again.\n`,
    );
  }
  const baseUrl = defaultArkorCloudApiUrl();
  const minted = await requestAnonymousToken(baseUrl, 'cli');
  const credentials = {
    mode: 'anon',
    token: minted.token,
    anonymousId: minted.anonymousId,
    arkorCloudApiUrl: baseUrl,
    orgSlug: minted.orgSlug,
  };
  await writeCredentials(credentials);
  return credentials;
}
