// Persistence under the data directory. Everything the server knows survives a restart:
//   auth.json                       issued bearer tokens and projects
//   jobs.json                       every job (rewritten atomically on each change)
//   events/<jobId>.jsonl            one line per event, appended synchronously before it is sent
//   adapters/<jobId>/final/         final adapter (adapter_model.safetensors + adapter_config.json)
//   adapters/<jobId>/checkpoints/step-<n>/   checkpoint adapters
// The data is small (tens of jobs, hundreds of events each), so it is all held in memory and the
// files are the durable copy; synchronous writes keep the on-disk order identical to what clients saw.
import { randomUUID } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
} from 'node:fs';
import path from 'node:path';
import { isTerminalStatus, type JobEventFields, type JobEventPayload } from '../wire';
import { writeFileAtomic } from './engine/safetensors';
import type { AdapterRef, JobStatus, Org, Project, StoredEvent, TrainingJob } from './types';

/**
 * The local backend is single-user: every anonymous sign-up lands in this one personal org. Its slug
 * is "local"; ARKOR_LOCAL_ORG_SLUG changes it only when the backend stands in for Arkor Cloud in
 * tests (a scope unlike the local backend's, as a real cloud org would be).
 */
const orgSlug = process.env.ARKOR_LOCAL_ORG_SLUG || 'local';
export const LOCAL_ORG: Org = {
  id: `org_${orgSlug}`,
  slug: orgSlug,
  name: orgSlug === 'local' ? 'Local' : orgSlug,
};

interface AuthFile {
  tokens: { token: string; anonymousId: string; createdAt: string }[];
  projects: Project[];
}

type Listener = (e: StoredEvent) => void;

/** Anonymous identities kept; signing up more drops the oldest. */
export const MAX_TOKENS = 256;

export class Store {
  private auth: AuthFile = { tokens: [], projects: [] };
  private jobs: TrainingJob[] = [];
  private events = new Map<string, StoredEvent[]>();
  private listeners = new Map<string, Set<Listener>>();

  constructor(readonly dataDir: string) {
    // Owner-only: the folder holds tokens, the user's training data and adapters.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    mkdirSync(path.join(dataDir, 'events'), { recursive: true, mode: 0o700 });
    mkdirSync(path.join(dataDir, 'adapters'), { recursive: true, mode: 0o700 });
    this.auth = readJson<AuthFile>(this.file('auth.json')) ?? { tokens: [], projects: [] };
    this.jobs = readJson<TrainingJob[]>(this.file('jobs.json')) ?? [];
    for (const job of this.jobs) this.events.set(job.id, this.readEvents(job.id));
  }

  /**
   * A job still marked running was interrupted by a crash or kill of the previous server process:
   * there is no worker any more, so it is failed with an explanation (and a training.failed event,
   * so streams of it terminate like any other failed job). Queued jobs are returned to be re-run.
   */
  recover(): TrainingJob[] {
    for (const job of this.jobs) {
      if (job.status === 'running') {
        const error =
          'The local backend stopped while this job was running. Resume it from its last checkpoint, or run it again.';
        this.appendEvent(job.id, 'training.failed', { error });
        this.updateJob(job.id, { status: 'failed', error, completedAt: new Date().toISOString() });
      }
    }
    return this.jobs
      .filter((j) => j.status === 'queued')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  // --- auth ---------------------------------------------------------------------------------

  issueToken(): { token: string; anonymousId: string } {
    const token = `arkl_${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}`;
    const anonymousId = randomUUID();
    this.auth.tokens.push({ token, anonymousId, createdAt: new Date().toISOString() });
    // Bounded: the oldest identities go first (the extension itself uses its host token).
    if (this.auth.tokens.length > MAX_TOKENS)
      this.auth.tokens.splice(0, this.auth.tokens.length - MAX_TOKENS);
    this.saveAuth();
    return { token, anonymousId };
  }

  hasToken(token: string): boolean {
    return this.auth.tokens.some((t) => t.token === token);
  }

  // --- projects -----------------------------------------------------------------------------

  listProjects(): Project[] {
    return [...this.auth.projects];
  }

  findProject(slug: string): Project | undefined {
    return this.auth.projects.find((p) => p.slug === slug);
  }

  findProjectById(id: string): Project | undefined {
    return this.auth.projects.find((p) => p.id === id);
  }

  /**
   * The project bound to the folder `root` (a realpath), created on first use with a slug derived
   * from the folder name (suffixed -2, -3, … when another folder of the same name has it).
   */
  projectForRoot(root: string, name: string, slug: string): Project {
    const bound = this.auth.projects.find((p) => p.root === root);
    if (bound) return bound;
    let candidate = slug;
    for (let n = 2; this.findProject(candidate); n++) candidate = `${slug.slice(0, 36)}-${n}`;
    const project = this.createProject(name, candidate) as Project;
    project.root = root;
    this.saveAuth();
    return project;
  }

  createProject(name: string, slug: string): Project | undefined {
    if (this.findProject(slug)) return undefined;
    const project: Project = {
      id: randomUUID(),
      slug,
      name,
      orgId: LOCAL_ORG.id,
      createdAt: new Date().toISOString(),
    };
    this.auth.projects.push(project);
    this.saveAuth();
    return project;
  }

  // --- jobs ---------------------------------------------------------------------------------

  /** Newest first, as Arkor Studio expects. */
  listJobs(projectId: string): TrainingJob[] {
    return this.jobs
      .filter((j) => j.projectId === projectId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  getJob(id: string): TrainingJob | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  createJob(
    projectId: string,
    name: string,
    config: TrainingJob['config'],
    extra: Pick<TrainingJob, 'warnings' | 'resumedFrom'> = {},
  ): TrainingJob {
    const job: TrainingJob = {
      id: randomUUID(),
      orgId: LOCAL_ORG.id,
      projectId,
      name,
      status: 'queued',
      config,
      error: null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      completedAt: null,
      ...(extra.warnings ? { warnings: extra.warnings } : {}),
      ...(extra.resumedFrom ? { resumedFrom: extra.resumedFrom } : {}),
    };
    this.jobs.push(job);
    this.events.set(job.id, []);
    this.saveJobs();
    return job;
  }

  updateJob(id: string, patch: Partial<Pick<TrainingJob, 'status' | 'error' | 'startedAt' | 'completedAt'>>) {
    const job = this.getJob(id);
    if (!job) return undefined;
    Object.assign(job, patch);
    this.saveJobs();
    if (isTerminalStatus(patch.status)) this.notify(id, { id: 0, event: 'end', data: {} });
    return job;
  }

  setStatus(id: string, status: JobStatus, extra: Partial<Pick<TrainingJob, 'error'>> = {}) {
    const now = new Date().toISOString();
    return this.updateJob(id, {
      status,
      ...extra,
      ...(status === 'running' ? { startedAt: now } : {}),
      ...(isTerminalStatus(status) ? { completedAt: now } : {}),
    });
  }

  // --- events -------------------------------------------------------------------------------

  /**
   * Appends (durably, before anyone sees it) and broadcasts one event of `type`, stamped with the
   * job's id and the time. `fields` are typed by the wire schema of that event type.
   */
  appendEvent<T extends JobEventPayload['type']>(
    jobId: string,
    type: T,
    fields: JobEventFields<T>,
  ): StoredEvent {
    const list = this.events.get(jobId) ?? [];
    this.events.set(jobId, list);
    const ev: StoredEvent = {
      id: (list[list.length - 1]?.id ?? 0) + 1,
      event: type,
      data: { type, jobId, timestamp: new Date().toISOString(), ...fields } as JobEventPayload,
    };
    appendFileSync(this.eventsFile(jobId), `${JSON.stringify(ev)}\n`);
    list.push(ev);
    this.notify(jobId, ev);
    return ev;
  }

  eventsAfter(jobId: string, afterId: number): StoredEvent[] {
    return (this.events.get(jobId) ?? []).filter((e) => e.id > afterId);
  }

  /**
   * Live events of a job. The listener also gets a synthetic `end` (id 0) when the job reaches a
   * terminal status, which is when streams close.
   */
  subscribe(jobId: string, l: Listener): () => void {
    let set = this.listeners.get(jobId);
    if (!set) {
      set = new Set();
      this.listeners.set(jobId, set);
    }
    set.add(l);
    return () => set.delete(l);
  }

  // --- adapters -----------------------------------------------------------------------------

  jobAdapterRoot(jobId: string): string {
    return path.join(this.dataDir, 'adapters', jobId);
  }

  adapterDir(ref: AdapterRef): string {
    const root = this.jobAdapterRoot(ref.jobId);
    return ref.kind === 'final'
      ? path.join(root, 'final')
      : path.join(root, 'checkpoints', `step-${ref.step}`);
  }

  // --- internals ----------------------------------------------------------------------------

  private notify(jobId: string, e: StoredEvent) {
    for (const l of [...(this.listeners.get(jobId) ?? [])]) l(e);
  }

  private file(name: string) {
    return path.join(this.dataDir, name);
  }

  private eventsFile(jobId: string) {
    return path.join(this.dataDir, 'events', `${jobId}.jsonl`);
  }

  private readEvents(jobId: string): StoredEvent[] {
    return readJsonLines<StoredEvent>(this.eventsFile(jobId));
  }

  private saveJobs() {
    saveWithBackup(this.file('jobs.json'), `${JSON.stringify(this.jobs, null, 2)}\n`);
  }

  private saveAuth() {
    saveWithBackup(this.file('auth.json'), `${JSON.stringify(this.auth, null, 2)}\n`);
  }
}

/** Reads a JSON Lines file (none: empty). A torn last line from a crash mid-write is skipped. */
export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const out: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // Everything before a torn line is intact.
    }
  }
  return out;
}

/** Writes atomically (owner-only), keeping the previous version as `<file>.bak`. */
export function saveWithBackup(file: string, text: string): void {
  if (existsSync(file)) copyFileSync(file, `${file}.bak`);
  writeFileAtomic(file, text, 0o600);
}

/**
 * Reads a JSON file. A damaged one (edited by hand, a disk fault) never stops the backend from
 * starting: it is set aside as `<file>.corrupt-<time>` and the last good version (`.bak`) is used,
 * which loses at most the last change.
 */
export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
    let backup: T | undefined;
    try {
      backup = existsSync(`${file}.bak`) ? (JSON.parse(readFileSync(`${file}.bak`, 'utf8')) as T) : undefined;
    } catch {
      backup = undefined;
    }
    console.error(
      `${path.basename(file)} could not be read (${error instanceof Error ? error.message : error}); set aside as ${path.basename(aside)}, ${backup ? 'restored the previous version' : 'starting without it'}`,
    );
    return backup;
  }
}
