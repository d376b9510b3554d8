// Deployments (endpoints), their API keys and their recorded requests, under the data directory:
//   deployments.json                 deployments, key rows (hashes, never secrets) and the port of
//                                    the endpoint listener; written atomically with a .bak, read
//                                    with the same recovery as jobs.json (store.ts)
//   endpoint-requests/<id>.jsonl     one line per recorded request, appended before the next one
//
// Keys: the secret is `ark_local_` + 32 random bytes (256 bits, base64url). Stored is
// sha256(salt ‖ secret) with a random 16-byte salt per key. A slow KDF (scrypt) protects secrets a
// person chose and might be guessed; a 256-bit random secret cannot be guessed, so one hash is as
// safe, and it keeps every request of a keyed endpoint from paying tens of milliseconds of scrypt.
// The salt makes each stored hash unique even for equal inputs. Comparison is constant-time.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  type CreatedDeploymentKey,
  DEFAULT_RUN_RETENTION_DAYS,
  type Deployment,
  type DeploymentKey,
  type DeploymentRequest,
  type DeploymentTarget,
  type RUN_RETENTION_MODES,
} from '../wire';
import { writeFileAtomic } from './engine/safetensors';
import { LOCAL_ORG, readJson, readJsonLines, saveWithBackup } from './store';

/** A deployment as stored: the wire row's fields, without `baseUrl` (it depends on the listener's port). */
export type StoredDeployment = Pick<
  Deployment,
  | 'id'
  | 'slug'
  | 'orgId'
  | 'projectId'
  | 'target'
  | 'authMode'
  | 'urlFormat'
  | 'enabled'
  | 'customDomain'
  | 'runRetentionDays'
  | 'createdAt'
  | 'updatedAt'
> & { runRetentionMode: (typeof RUN_RETENTION_MODES)[number] };

interface StoredKey {
  id: string;
  deploymentId: string;
  label: string;
  prefix: string;
  /** hex */
  salt: string;
  /** hex sha256(salt ‖ secret) */
  hash: string;
  enabled: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

interface DeploymentsFile {
  /** The endpoint listener's port, kept so the URLs stay the same across restarts. */
  endpointsPort: number | null;
  deployments: StoredDeployment[];
  keys: StoredKey[];
}

export const KEY_PREFIX = 'ark_local_';
/** The shown part of a key: the prefix and 8 characters of the secret. */
const SHOWN_CHARS = KEY_PREFIX.length + 8;
/** Requests kept in memory per deployment for listing (the file keeps what retention allows). */
const MAX_LISTED = 500;
/** How long `lastUsedAt` may wait in memory before it is written (it is best-effort, as on Arkor Cloud). */
const LAST_USED_FLUSH_MS = 2000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type KeyCheck = 'ok' | 'missing' | 'invalid' | 'revoked';

export class DeploymentStore {
  private data: DeploymentsFile;
  private requests = new Map<string, DeploymentRequest[]>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(readonly dataDir: string) {
    mkdirSync(this.requestsDir(), { recursive: true, mode: 0o700 });
    const read = readJson<Partial<DeploymentsFile>>(this.file());
    this.data = {
      endpointsPort: read?.endpointsPort ?? null,
      deployments: read?.deployments ?? [],
      keys: read?.keys ?? [],
    };
    for (const d of this.data.deployments) this.requests.set(d.id, this.readRequests(d.id));
    this.purge();
  }

  get endpointsPort(): number | null {
    return this.data.endpointsPort;
  }

  set endpointsPort(port: number) {
    if (this.data.endpointsPort === port) return;
    this.data.endpointsPort = port;
    this.save();
  }

  // --- deployments ----------------------------------------------------------------------------

  list(projectId: string): StoredDeployment[] {
    return this.data.deployments
      .filter((d) => d.projectId === projectId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(projectId: string, id: string): StoredDeployment | undefined {
    return this.data.deployments.find((d) => d.id === id && d.projectId === projectId);
  }

  bySlug(slug: string): StoredDeployment | undefined {
    return this.data.deployments.find((d) => d.slug === slug);
  }

  /** `undefined` when the slug is taken (by any project: the URLs share one namespace). */
  create(
    projectId: string,
    input: {
      slug: string;
      target: DeploymentTarget;
      authMode: StoredDeployment['authMode'];
      runRetentionMode?: StoredDeployment['runRetentionMode'];
      runRetentionDays?: number;
    },
  ): StoredDeployment | undefined {
    if (this.bySlug(input.slug)) return undefined;
    const now = new Date().toISOString();
    // Neither retention field sent: the documented default, 7 days, written out so it shows.
    const mode = input.runRetentionMode ?? 'days';
    const d: StoredDeployment = {
      id: randomUUID(),
      slug: input.slug,
      orgId: LOCAL_ORG.id,
      projectId,
      target: input.target,
      authMode: input.authMode,
      urlFormat: 'openai_compat',
      enabled: true,
      customDomain: null,
      runRetentionMode: mode,
      ...(mode === 'days' ? { runRetentionDays: input.runRetentionDays ?? DEFAULT_RUN_RETENTION_DAYS } : {}),
      createdAt: now,
      updatedAt: now,
    };
    this.data.deployments.push(d);
    this.requests.set(d.id, []);
    this.save();
    return d;
  }

  update(
    d: StoredDeployment,
    patch: Partial<
      Pick<StoredDeployment, 'target' | 'authMode' | 'enabled' | 'runRetentionMode' | 'runRetentionDays'>
    >,
  ): StoredDeployment {
    // What the old rule no longer keeps is gone before a longer rule could show it again.
    this.purge();
    if (patch.target !== undefined) d.target = patch.target;
    if (patch.authMode !== undefined) d.authMode = patch.authMode;
    if (patch.enabled !== undefined) d.enabled = patch.enabled;
    if (patch.runRetentionMode !== undefined) d.runRetentionMode = patch.runRetentionMode;
    if (d.runRetentionMode === 'days') d.runRetentionDays = patch.runRetentionDays ?? d.runRetentionDays;
    else delete d.runRetentionDays;
    d.updatedAt = new Date().toISOString();
    this.save();
    // A shorter retention (or none) applies at once to what is already stored.
    this.purge();
    return d;
  }

  /** Removes the deployment, its keys and its recorded requests. */
  delete(d: StoredDeployment): void {
    this.data.deployments = this.data.deployments.filter((x) => x.id !== d.id);
    this.data.keys = this.data.keys.filter((k) => k.deploymentId !== d.id);
    this.save();
    this.requests.delete(d.id);
    rmSync(this.requestsFile(d.id), { force: true });
  }

  // --- keys -----------------------------------------------------------------------------------

  listKeys(deploymentId: string): DeploymentKey[] {
    return this.data.keys
      .filter((k) => k.deploymentId === deploymentId)
      .map(({ id, label, prefix, enabled, createdAt, lastUsedAt }) => ({
        id,
        label,
        prefix,
        enabled,
        createdAt,
        lastUsedAt,
      }));
  }

  /** The one time the secret exists outside the caller's hands: it is returned here and never kept. */
  createKey(deploymentId: string, label: string): CreatedDeploymentKey {
    const plaintext = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const salt = randomBytes(16);
    const key: StoredKey = {
      id: randomUUID(),
      deploymentId,
      label,
      prefix: plaintext.slice(0, SHOWN_CHARS),
      salt: salt.toString('hex'),
      hash: hashKey(salt, plaintext).toString('hex'),
      enabled: true,
      createdAt: new Date().toISOString(),
      lastUsedAt: null,
    };
    this.data.keys.push(key);
    this.save();
    return { id: key.id, label, plaintext, prefix: key.prefix, createdAt: key.createdAt };
  }

  /** `false` when there is no such key. The key stays listed, disabled; it is refused from now on. */
  revokeKey(deploymentId: string, keyId: string): boolean {
    const key = this.data.keys.find((k) => k.id === keyId && k.deploymentId === deploymentId);
    if (!key) return false;
    if (key.enabled) {
      key.enabled = false;
      this.save();
    }
    return true;
  }

  /** Checks a presented secret against the deployment's keys (every one, in constant time each). */
  checkKey(deploymentId: string, secret: string | undefined): KeyCheck {
    if (!secret) return 'missing';
    let found: StoredKey | undefined;
    for (const key of this.data.keys) {
      if (key.deploymentId !== deploymentId) continue;
      const expected = Buffer.from(key.hash, 'hex');
      const actual = hashKey(Buffer.from(key.salt, 'hex'), secret);
      if (expected.length === actual.length && timingSafeEqual(expected, actual)) found = key;
    }
    if (!found) return 'invalid';
    if (!found.enabled) return 'revoked';
    found.lastUsedAt = new Date().toISOString();
    this.flushSoon();
    return 'ok';
  }

  // --- recorded requests ------------------------------------------------------------------------

  /** Records a request if the deployment's retention keeps any (`disabled` keeps none). */
  record(d: StoredDeployment, row: DeploymentRequest): void {
    if (d.runRetentionMode === 'disabled' || !this.data.deployments.includes(d)) return;
    appendFileSync(this.requestsFile(d.id), `${JSON.stringify(row)}\n`, { mode: 0o600 });
    const list = this.requests.get(d.id) ?? [];
    list.push(row);
    if (list.length > MAX_LISTED) list.splice(0, list.length - MAX_LISTED);
    this.requests.set(d.id, list);
  }

  /** Newest first; what retention no longer allows is never listed, even between purges. */
  listRequests(d: StoredDeployment, limit: number): DeploymentRequest[] {
    const cutoff = cutoffOf(d, Date.now());
    return (this.requests.get(d.id) ?? [])
      .filter((r) => cutoff === undefined || Date.parse(r.at) >= cutoff)
      .slice(-limit)
      .reverse();
  }

  /** Drops what retention no longer allows, from memory and disk: all for `disabled`, older than N days for `days`. */
  purge(now = Date.now()): void {
    for (const d of this.data.deployments) {
      const list = this.requests.get(d.id) ?? [];
      const file = this.requestsFile(d.id);
      if (d.runRetentionMode === 'disabled') {
        this.requests.set(d.id, []);
        rmSync(file, { force: true });
        continue;
      }
      const cutoff = cutoffOf(d, now);
      if (cutoff === undefined || !existsSync(file)) continue;
      const all = this.readRequests(d.id, Number.POSITIVE_INFINITY);
      const kept = all.filter((r) => Date.parse(r.at) >= cutoff);
      if (kept.length === all.length) continue;
      writeFileAtomic(file, kept.map((r) => `${JSON.stringify(r)}\n`).join(''), 0o600);
      this.requests.set(
        d.id,
        list.filter((r) => Date.parse(r.at) >= cutoff),
      );
    }
  }

  /** Writes a pending `lastUsedAt` now (on shutdown). */
  flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.save();
    }
  }

  // --- internals ------------------------------------------------------------------------------

  private flushSoon() {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.save();
    }, LAST_USED_FLUSH_MS);
    this.flushTimer.unref();
  }

  private save() {
    saveWithBackup(this.file(), `${JSON.stringify(this.data, null, 2)}\n`);
  }

  private file() {
    return path.join(this.dataDir, 'deployments.json');
  }

  private requestsDir() {
    return path.join(this.dataDir, 'endpoint-requests');
  }

  private requestsFile(id: string) {
    return path.join(this.requestsDir(), `${id}.jsonl`);
  }

  private readRequests(id: string, keep = MAX_LISTED): DeploymentRequest[] {
    return readJsonLines<DeploymentRequest>(this.requestsFile(id)).slice(-keep);
  }
}

function hashKey(salt: Buffer, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest();
}

/** The oldest time retention keeps, or undefined when it keeps everything. */
function cutoffOf(d: StoredDeployment, now: number): number | undefined {
  if (d.runRetentionMode !== 'days') return undefined;
  return now - (d.runRetentionDays ?? DEFAULT_RUN_RETENTION_DAYS) * DAY_MS;
}
