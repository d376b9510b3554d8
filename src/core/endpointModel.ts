/**
 * Endpoints (deployments) as the extension shows and edits them, without VS Code: the slug rule the
 * Deploy input checks as the user types, run retention both ways, and the summary rows the tree and
 * the panel render. The wire shapes are src/wire/deployments.ts.
 */
import type {
  EndpointKeySummary,
  EndpointSummary,
  EndpointTarget,
  RunRetention,
  TargetOption,
} from '../protocol';
import {
  DEPLOYMENT_SLUG_MESSAGE,
  type Deployment,
  type DeploymentKey,
  DeploymentSlugSchema,
  RESERVED_DEPLOYMENT_SLUGS,
  type UpdateDeploymentRequest,
} from '../wire/deployments';
import type { TrainingJob } from './types';

export { DEPLOYMENT_SLUG_MESSAGE };

/**
 * What is wrong with a slug as typed: the documented rule's message, or that Arkor reserves it;
 * undefined when it may be sent (a slug already taken is only known from the server's 409).
 */
export function slugProblem(slug: string): string | undefined {
  if (!DeploymentSlugSchema.safeParse(slug).success) return DEPLOYMENT_SLUG_MESSAGE;
  if (RESERVED_DEPLOYMENT_SLUGS.includes(slug)) return `"${slug}" is reserved by Arkor; choose another slug.`;
  return undefined;
}

/** What the Deploy slug box says as the user types: the rule, reserved names, this project's own slugs. */
export function slugMessage(slug: string, taken: readonly Pick<Deployment, 'slug'>[]): string | undefined {
  return (
    slugProblem(slug) ??
    (taken.some((d) => d.slug === slug)
      ? `"${slug}" is already used by one of this project's endpoints.`
      : undefined)
  );
}

/** A valid slug made from a job or model name ("Captain Speak!" -> "captain-speak"), or "". */
export function suggestSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slugProblem(slug) ? '' : slug;
}

/** The retention a deployment reports; undefined for a mode this client does not know. */
export function retentionOf(
  d: Pick<Deployment, 'runRetentionMode' | 'runRetentionDays'>,
): RunRetention | undefined {
  switch (d.runRetentionMode) {
    case 'unlimited':
    case 'disabled':
      return { mode: d.runRetentionMode };
    case 'days':
      return typeof d.runRetentionDays === 'number' ? { mode: 'days', days: d.runRetentionDays } : undefined;
    default:
      return undefined;
  }
}

/** How a retention reads in the tree and the panel. */
export function retentionText(d: Pick<Deployment, 'runRetentionMode' | 'runRetentionDays'>): string {
  const r = retentionOf(d);
  if (!r) return d.runRetentionMode ? `runs: ${d.runRetentionMode}` : 'runs: server default';
  if (r.mode === 'unlimited') return 'runs kept forever';
  if (r.mode === 'disabled') return 'runs not stored';
  return `runs kept ${r.days} day${r.days === 1 ? '' : 's'}`;
}

/** The wire fields of a retention (`runRetentionDays` only with mode `days`). */
export function retentionFields(
  r: RunRetention,
): Pick<UpdateDeploymentRequest, 'runRetentionMode' | 'runRetentionDays'> {
  return r.mode === 'days'
    ? { runRetentionMode: 'days', runRetentionDays: r.days }
    : { runRetentionMode: r.mode };
}

/** A job by id: its name (slugs are made from it) and its run label (`captain-speak #3`), if known. */
type JobLookup = (jobId: string) => { name: string; label?: string | undefined } | undefined;

/** The lookup every endpoint surface uses: jobs named by their run label, as everywhere else. */
export function jobLookup(store: {
  job(jobId: string): Pick<TrainingJob, 'name'> | undefined;
  runLabel(jobId: string): string | undefined;
}): JobLookup {
  return (jobId) => {
    const job = store.job(jobId);
    return job && { name: job.name, label: store.runLabel(jobId) };
  };
}

/** "captain-speak #1 · final adapter", "captain-speak #1 · step 20", "Base · <model>". */
export function targetLabel(target: EndpointTarget, job: JobLookup): string {
  if (target.kind === 'base_model') return `Base · ${target.baseModel}`;
  const a = target.adapter;
  const found = job(a.jobId);
  const name = found?.label ?? found?.name ?? `job ${a.jobId.slice(0, 8)}`;
  return a.kind === 'final' ? `${name} · final adapter` : `${name} · step ${a.step}`;
}

/** The wire target as the protocol's plain JSON (extra fields dropped). */
export function endpointTarget(target: Deployment['target']): EndpointTarget {
  if (target.kind === 'base_model') return { kind: 'base_model', baseModel: target.baseModel };
  const a = target.adapter;
  return a.kind === 'checkpoint'
    ? { kind: 'adapter', adapter: { kind: 'checkpoint', jobId: a.jobId, step: a.step } }
    : { kind: 'adapter', adapter: { kind: 'final', jobId: a.jobId } };
}

/** One endpoint as the tree and the panel show it. `url` is the chat completions URL. */
export function endpointSummary(
  d: Deployment,
  url: string,
  job: JobLookup,
  jobsKnown: boolean,
): EndpointSummary {
  const target = endpointTarget(d.target);
  return {
    id: d.id,
    slug: d.slug,
    url,
    target,
    targetLabel: targetLabel(target, job),
    targetMissing: jobsKnown && target.kind === 'adapter' && !job(target.adapter.jobId) ? true : undefined,
    authMode: d.authMode,
    enabled: d.enabled,
    retention: retentionOf(d),
    retentionText: retentionText(d),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export function keySummary(k: DeploymentKey): EndpointKeySummary {
  return {
    id: k.id,
    label: k.label,
    prefix: k.prefix,
    enabled: k.enabled,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
  };
}

/** What `targetOptions` reads: the connection's job store has it all. */
export interface TargetSource {
  jobs(): readonly Pick<TrainingJob, 'id' | 'name' | 'status'>[];
  checkpoints(jobId: string): readonly { step: number }[];
  runLabel(jobId: string): string | undefined;
}

/**
 * What can be deployed: every completed job's final adapter and its checkpoints (newest step first),
 * checkpoints of other jobs that saved some, then the base models.
 */
export function targetOptions(source: TargetSource, baseModels: readonly string[]): TargetOption[] {
  const options: TargetOption[] = [];
  for (const job of source.jobs()) {
    const name = source.runLabel(job.id) ?? job.name;
    if (job.status === 'completed') {
      options.push({
        target: { kind: 'adapter', adapter: { kind: 'final', jobId: job.id } },
        label: `${name} · final adapter`,
        group: name,
      });
    }
    for (const c of [...source.checkpoints(job.id)].sort((a, b) => b.step - a.step)) {
      options.push({
        target: { kind: 'adapter', adapter: { kind: 'checkpoint', jobId: job.id, step: c.step } },
        label: `${name} · step ${c.step}`,
        group: name,
      });
    }
  }
  for (const model of baseModels) {
    options.push({
      target: { kind: 'base_model', baseModel: model },
      label: `Base · ${model}`,
      group: 'Base models',
    });
  }
  return options;
}
