/**
 * Where a job (and so its adapter and checkpoints) lives: one local backend per machine, or an Arkor
 * Cloud server, organisation and project. Job panels and Playground columns record it, and say so
 * instead of showing a false status or sending a chat that 404s when another backend is connected.
 * No imports: the Playground webview compares origins with the same function as the host.
 */
export type BackendKind = 'local' | 'cloud';

/** Which backend a job belongs to (and, on Arkor Cloud, which server, organisation and project). */
export interface JobOrigin {
  backend: BackendKind;
  baseUrl?: string;
  orgSlug?: string;
  /** Absent in origins recorded before projects were told apart: then any project matches. */
  projectSlug?: string;
  /** As the user reads it: "the local backend", "Arkor Cloud (acme/demo on api.arkor.ai)". */
  label: string;
}

export function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

export function originOf(
  backend: BackendKind,
  baseUrl: string,
  orgSlug: string,
  projectSlug?: string,
): JobOrigin {
  if (backend === 'local') return { backend, label: 'the local backend' };
  const scope = projectSlug ? `${orgSlug}/${projectSlug}` : orgSlug;
  return {
    backend,
    baseUrl,
    orgSlug,
    projectSlug,
    label: `Arkor Cloud (${scope} on ${safeHost(baseUrl) ?? baseUrl})`,
  };
}

/** Whether a job of `a` can be shown (or chatted with) while connected to `b`. */
export function sameOrigin(a: JobOrigin, b: JobOrigin): boolean {
  if (a.backend !== b.backend) return false;
  // One local backend per machine; its port changes with every start.
  if (a.backend === 'local') return true;
  if (a.baseUrl !== b.baseUrl || a.orgSlug !== b.orgSlug) return false;
  return a.projectSlug === undefined || b.projectSlug === undefined || a.projectSlug === b.projectSlug;
}
