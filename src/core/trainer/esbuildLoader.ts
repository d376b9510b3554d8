/**
 * Finding an esbuild that runs on this machine, to build the user's trainer.
 *
 * esbuild is a JavaScript API over a native binary that differs per platform. The extension is
 * published as one .vsix per VS Code platform target, each carrying the binary of its own platform
 * (scripts/package-vsix.mjs), so the extension's copy is tried first. When it cannot run (a .vsix of
 * another platform was side-loaded, or a platform no target covers), the project's own esbuild is
 * tried next: the real `arkor` package depends on esbuild, so any project whose dependencies are
 * installed has one that `arkor build` itself uses. When neither runs, the error says what was
 * tried, why each failed, and how to fix it; it never surfaces esbuild's own paragraphs or a stack.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Esbuild from 'esbuild';

export type EsbuildModule = typeof Esbuild;

export interface EsbuildCandidate {
  /** Where this copy comes from, as a user reads it ("the extension's", "the project's"). */
  label: string;
  /** Absolute path of the esbuild package's entry (what `require.resolve('esbuild')` returns). */
  entry: string;
}

export interface LoadedEsbuild {
  esbuild: EsbuildModule;
  candidate: EsbuildCandidate;
}

/** Thrown (and turned into a build error by buildTrainer) when no candidate runs. */
export class EsbuildUnavailableError extends Error {
  override readonly name = 'EsbuildUnavailableError';
  constructor(
    message: string,
    /** Each candidate tried, or looked for, and why it could not be used. */
    readonly attempts: { label: string; reason: string }[],
  ) {
    super(message);
  }
}

/** How long a candidate may take to start before it counts as broken (a first start can be slow). */
const PROBE_TIMEOUT_MS = 20_000;

/** One probe per entry for the life of the process: esbuild keeps its service running. */
const probed = new Map<string, Promise<EsbuildModule>>();

function resolveFrom(base: string, request: string): string | undefined {
  try {
    return createRequire(base).resolve(request);
  } catch {
    return undefined;
  }
}

/** The extension's own esbuild: next to the extension bundle (in the .vsix) or in node_modules. */
export function bundledEsbuild(): EsbuildCandidate | undefined {
  const entry = resolveFrom(__filename, 'esbuild');
  return entry ? { label: "the extension's esbuild", entry } : undefined;
}

/**
 * The project's esbuild: the project's own dependency, or the one its `arkor` package depends on
 * (nested under arkor when the package manager did not hoist it).
 */
export function projectEsbuild(root: string): EsbuildCandidate | undefined {
  const fromRoot = join(root, 'package.json');
  const direct = resolveFrom(fromRoot, 'esbuild');
  if (direct) return { label: "the project's esbuild", entry: direct };
  const arkor = resolveFrom(fromRoot, 'arkor/package.json');
  const viaArkor = arkor && resolveFrom(arkor, 'esbuild');
  return viaArkor ? { label: "the project's esbuild (through arkor)", entry: viaArkor } : undefined;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? 'unknown error'
  );
}

/** Load a candidate and prove its binary starts, by transforming an empty input. */
function probe(candidate: EsbuildCandidate): Promise<EsbuildModule> {
  let pending = probed.get(candidate.entry);
  if (!pending) {
    pending = (async () => {
      const esbuild = createRequire(candidate.entry)(candidate.entry) as EsbuildModule;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`did not start within ${PROBE_TIMEOUT_MS / 1000} s`)),
          PROBE_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([esbuild.transform('', { loader: 'ts' }), timeout]);
      } finally {
        clearTimeout(timer);
      }
      return esbuild;
    })();
    probed.set(candidate.entry, pending);
    // A failure is not cached: the user may fix it (npm install) and try again.
    pending.catch(() => probed.delete(candidate.entry));
  }
  return pending;
}

/**
 * The first esbuild of `candidates` that runs here. Default candidates: the extension's, then the
 * project's at `root`.
 */
export async function loadEsbuild(root: string, candidates?: EsbuildCandidate[]): Promise<LoadedEsbuild> {
  const attempts: { label: string; reason: string }[] = [];
  let list = candidates;
  if (!list) {
    const bundled = bundledEsbuild();
    const project = projectEsbuild(root);
    if (!bundled) attempts.push({ label: "the extension's esbuild", reason: 'not found' });
    if (!project) attempts.push({ label: "the project's esbuild", reason: 'not installed' });
    list = [bundled, project].filter((c): c is EsbuildCandidate => c !== undefined);
  }
  for (const candidate of list) {
    try {
      return { esbuild: await probe(candidate), candidate };
    } catch (error) {
      attempts.push({ label: candidate.label, reason: firstLine(error) });
    }
  }
  const platform = `${process.platform}-${process.arch}`;
  const tried = attempts.map((a) => `${a.label}: ${a.reason}`).join('; ');
  throw new EsbuildUnavailableError(
    `esbuild, which builds the trainer, could not run on this machine (${platform}). ` +
      `Tried ${tried}. To fix it, install the Arkor extension built for ${platform} ` +
      `(the Marketplace picks it for you), or run \`npm install\` in ${root} so that its arkor ` +
      'dependency brings its own esbuild.',
    attempts,
  );
}
