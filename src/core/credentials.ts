/**
 * Credentials (docs/wire-protocol.md, "Credentials and project state"): the model, a storage interface the VS Code layer backs with
 * SecretStorage, import of the CLI's `~/.arkor/credentials.json`, anonymous sign-up, and base URL
 * resolution. Nothing here writes the CLI's file: the extension keeps its own copy.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ArkorApiClient, DEFAULT_CLOUD_API_URL, stripTrailingSlashes } from './apiClient';
import { CredentialsFileSchema } from './schemas';

export interface AnonCredentials {
  mode: 'anon';
  token: string;
  anonymousId: string;
  /** The anonymous user's personal org; project state must match it. */
  orgSlug: string;
  arkorCloudApiUrl?: string;
}

export interface OAuthCredentials {
  mode: 'oauth';
  accessToken: string;
  refreshToken?: string;
  /** Epoch seconds. */
  expiresAt?: number;
  auth0Domain?: string;
  audience?: string;
  clientId?: string;
  arkorCloudApiUrl?: string;
}

export type Credentials = AnonCredentials | OAuthCredentials;

/** Where credentials live. The extension implements it over SecretStorage. */
export interface CredentialStore {
  get(): Promise<Credentials | undefined>;
  set(credentials: Credentials): Promise<void>;
  clear(): Promise<void>;
}

/** For tests and for callers that must not persist anything. */
export class InMemoryCredentialStore implements CredentialStore {
  constructor(private value?: Credentials) {}
  async get(): Promise<Credentials | undefined> {
    return this.value;
  }
  async set(credentials: Credentials): Promise<void> {
    this.value = credentials;
  }
  async clear(): Promise<void> {
    this.value = undefined;
  }
}

/** The bearer token: `token` for anonymous credentials, `accessToken` otherwise. */
export function bearerToken(credentials: Credentials | undefined): string | undefined {
  if (!credentials) return undefined;
  return credentials.mode === 'anon' ? credentials.token : credentials.accessToken;
}

/** Validate and normalise a parsed credentials object; legacy `auth0` becomes `oauth`. */
export function parseCredentials(value: unknown): Credentials | undefined {
  const parsed = CredentialsFileSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const c = parsed.data;
  if (c.mode === 'anon') {
    return {
      mode: 'anon',
      token: c.token,
      anonymousId: c.anonymousId,
      orgSlug: c.orgSlug,
      ...(c.arkorCloudApiUrl !== undefined && { arkorCloudApiUrl: c.arkorCloudApiUrl }),
    };
  }
  const out: OAuthCredentials = { mode: 'oauth', accessToken: c.accessToken };
  for (const key of ['refreshToken', 'auth0Domain', 'audience', 'clientId', 'arkorCloudApiUrl'] as const) {
    const v = c[key];
    if (typeof v === 'string') out[key] = v;
  }
  if (typeof c.expiresAt === 'number') out.expiresAt = c.expiresAt;
  return out;
}

/**
 * Read the CLI's `<homeDir>/.arkor/credentials.json`. A missing file, JSON that does not parse or a
 * shape we do not recognise all mean "no credentials"; any other read error (EACCES, EISDIR…) is
 * raised so the caller never mistakes an unreadable login for no login.
 */
export async function importCliCredentials(homeDir: string): Promise<Credentials | undefined> {
  let text: string;
  try {
    text = await readFile(join(homeDir, '.arkor', 'credentials.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return parseCredentials(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export interface BaseUrlSources {
  /** The `arkor.cloud.apiUrl` setting. Empty means unset. */
  setting?: string;
  /** Usually `process.env`. */
  env?: Record<string, string | undefined>;
  credentials?: Credentials;
}

/**
 * Base URL order: explicit setting, `ARKOR_CLOUD_API_URL`, the credentials' URL, the default.
 * Trailing slashes are stripped. Unlike the SDK, an empty env var counts as unset: an empty base URL
 * can only produce broken relative requests.
 */
export function resolveBaseUrl(sources: BaseUrlSources = {}): string {
  const candidates = [
    sources.setting,
    sources.env?.ARKOR_CLOUD_API_URL,
    sources.credentials?.arkorCloudApiUrl,
  ];
  for (const candidate of candidates) {
    const trimmed = candidate?.trim();
    if (trimmed) return stripTrailingSlashes(trimmed);
  }
  return DEFAULT_CLOUD_API_URL;
}

/**
 * Throws unless `baseUrl` is safe to send a bearer token to: https, or plain http only to this
 * machine's loopback (the local backend, tests). A setting or variable naming an http:// host would
 * otherwise send the user's Arkor Cloud token across the network in clear text.
 */
export function assertSafeCloudUrl(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`The Arkor Cloud URL "${baseUrl}" is not a valid URL. Check arkor.cloud.apiUrl.`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return;
  throw new Error(
    `The Arkor Cloud URL ${url.origin} must use https: a token is never sent over ${url.protocol.replace(':', '')} to another machine. Check arkor.cloud.apiUrl and ARKOR_CLOUD_API_URL.`,
  );
}

/** Every secret of `credentials`, for redaction of logs and output. */
export function credentialSecrets(credentials: Credentials | undefined): string[] {
  if (!credentials) return [];
  return credentials.mode === 'anon'
    ? [credentials.token]
    : [credentials.accessToken, credentials.refreshToken].filter((s): s is string => !!s);
}

const inFlightSignups = new WeakMap<CredentialStore, Promise<Credentials>>();

/**
 * Return the stored credentials, or sign up anonymously and store the result (as `arkor dev`).
 * Concurrent callers share one sign-up.
 */
export async function ensureCredentials(
  store: CredentialStore,
  client: ArkorApiClient,
): Promise<Credentials> {
  const existing = await store.get();
  if (existing) return existing;
  let pending = inFlightSignups.get(store);
  if (!pending) {
    pending = (async () => {
      const signup = await client.signUpAnonymous();
      const credentials: AnonCredentials = {
        mode: 'anon',
        token: signup.token,
        anonymousId: signup.anonymousId,
        orgSlug: signup.personalOrg.slug,
        arkorCloudApiUrl: client.baseUrl,
      };
      await store.set(credentials);
      return credentials;
    })();
    inFlightSignups.set(store, pending);
    pending.then(
      () => inFlightSignups.delete(store),
      () => inFlightSignups.delete(store),
    );
  }
  return pending;
}
