// HTTP conventions of the Arkor cloud API (protocol §1.1): base URL, version gate header, bearer
// token, JSON error bodies, deprecation headers.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The SDK version this stand-in speaks for (sent as `X-Arkor-Client: arkor/<v>`). */
export const CLIENT_VERSION = '0.0.3-alpha.1';
export const CLIENT_HEADER = `arkor/${CLIENT_VERSION}`;
export const DEFAULT_BASE_URL = 'https://api.arkor.ai';
const REQUEST_TIMEOUT_MS = 30_000;

export class ArkorApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {unknown} [body]
   */
  constructor(status, message, body) {
    super(message);
    this.name = 'ArkorApiError';
    this.status = status;
    this.body = body;
  }
}

/** `~/.arkor` of the current user (`os.homedir()`, so `HOME` / `USERPROFILE`). */
export function arkorHome() {
  return join(homedir(), '.arkor');
}

/**
 * §1.1: `ARKOR_CLOUD_API_URL` first, then `arkorCloudApiUrl` from the credentials, then the default.
 * Deviation: an empty `ARKOR_CLOUD_API_URL` counts as unset (an empty base URL cannot work).
 * @param {{ arkorCloudApiUrl?: unknown } | undefined} credentials
 */
export function resolveBaseUrl(credentials) {
  const fromEnv = process.env.ARKOR_CLOUD_API_URL;
  const candidate =
    fromEnv !== undefined && fromEnv.trim() !== ''
      ? fromEnv
      : typeof credentials?.arkorCloudApiUrl === 'string' && credentials.arkorCloudApiUrl
        ? credentials.arkorCloudApiUrl
        : DEFAULT_BASE_URL;
  return candidate.trim().replace(/\/+$/, '');
}

/** @param {{ mode: string, token?: string, accessToken?: string }} credentials */
export function bearerToken(credentials) {
  return credentials.mode === 'anon' ? credentials.token : credentials.accessToken;
}

/** @param {{ orgSlug: string, projectSlug?: string }} scope */
export function scopeQuery(scope) {
  const q = new URLSearchParams({ orgSlug: scope.orgSlug });
  if (scope.projectSlug !== undefined) q.set('projectSlug', scope.projectSlug);
  return q.toString();
}

/** The last deprecation notice seen on any response (§1.1), printed once at the end of a command. */
export const deprecation = {
  notice: /** @type {undefined | { message: string, sunset?: string }} */ (undefined),
};

/** @param {Response} res */
export function noteDeprecation(res) {
  if (res.headers.get('deprecation') === null) return;
  const warning = res.headers.get('warning') ?? '';
  const m = /^\s*299\s+\S+\s+"((?:[^"\\]|\\.)*)"/.exec(warning);
  deprecation.notice = {
    message: m ? m[1].replace(/\\(.)/g, '$1') : 'This version of arkor is deprecated',
    ...(res.headers.get('sunset') ? { sunset: res.headers.get('sunset') ?? '' } : {}),
  };
}

/**
 * An error for a non-2xx response: 426 always becomes an upgrade message (§1.1), otherwise the
 * body's `error`, the raw text, or `cloud-api <status>`.
 * @param {Response} res
 */
export async function errorFromResponse(res) {
  const text = await res.text().catch(() => '');
  /** @type {any} */
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.status === 426) {
    const range = body?.supportedRange ? ` (supported: ${body.supportedRange})` : '';
    return new ArkorApiError(
      426,
      `This version of arkor (${CLIENT_VERSION}) is no longer supported by the Arkor API${range}. Run \`${body?.upgrade ?? 'npm install arkor@latest'}\`.`,
      body,
    );
  }
  const message = (typeof body?.error === 'string' && body.error) || text || `cloud-api ${res.status}`;
  return new ArkorApiError(res.status, message, body);
}

/**
 * One JSON request to the API. Returns the parsed body; throws ArkorApiError on non-2xx.
 * @param {string} baseUrl
 * @param {string} method
 * @param {string} path  path plus query
 * @param {{ token?: string, body?: unknown, signal?: AbortSignal }} [opts]
 */
export async function requestJson(baseUrl, method, path, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'X-Arkor-Client': CLIENT_HEADER, Accept: 'application/json' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
  });
  noteDeprecation(res);
  if (!res.ok) throw await errorFromResponse(res);
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

/** @param {string} path */
export async function readJsonFile(path) {
  return JSON.parse(await readFile(path, 'utf8'));
}
