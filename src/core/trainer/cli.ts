/**
 * Locating the workspace's own `arkor` CLI and the arguments to run a freshly built trainer.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { buildOutFile } from './build';

export interface ArkorCli {
  /** The executable: `node` unless the caller passes another Node binary. */
  command: string;
  /** Arguments before the subcommand: the absolute path of the CLI's bin script. */
  args: string[];
  /** `workspace`: the project's own `arkor` package. `bundled`: a runner shipped with the extension. */
  kind: 'workspace' | 'bundled';
  /** Absolute (realpath'd) path of the bin script. */
  binPath: string;
  /** `version` of the `arkor` package found, for `X-Arkor-Client` and diagnostics. */
  version?: string;
  /** Absolute folder of the `arkor` package. */
  packageDir: string;
}

export interface ResolveCliOptions {
  /** Node binary to run the bin script with. Default `node`. */
  nodePath?: string;
}

/**
 * The `arkor` CLI the project would use: walks up from `projectRoot` looking for
 * `node_modules/arkor/package.json` with a `bin.arkor` (or a string `bin`), the same lookup Node's
 * resolution and `npx arkor` do. Returns `undefined` when there is none (the caller then runs the
 * built artifact with its own runner). The bin is run as `node <bin>` rather than through
 * `node_modules/.bin/arkor` so no shell or `.cmd` shim is involved on Windows.
 */
export function resolveArkorCli(projectRoot: string, options: ResolveCliOptions = {}): ArkorCli | undefined {
  let dir = resolve(projectRoot);
  for (;;) {
    // As Node's resolution: `…/node_modules/node_modules` is never consulted.
    if (basename(dir) !== 'node_modules') {
      const pkgDir = join(dir, 'node_modules', 'arkor');
      const pkgJson = join(pkgDir, 'package.json');
      if (existsSync(pkgJson)) {
        const found = readCli(pkgDir, pkgJson, options.nodePath ?? 'node');
        if (found) return found;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readCli(pkgDir: string, pkgJson: string, nodePath: string): ArkorCli | undefined {
  let pkg: { bin?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
  } catch {
    return undefined;
  }
  const bin =
    typeof pkg.bin === 'string'
      ? pkg.bin
      : pkg.bin && typeof pkg.bin === 'object'
        ? (pkg.bin as Record<string, unknown>).arkor
        : undefined;
  if (typeof bin !== 'string' || !bin) return undefined;
  let binPath = join(pkgDir, bin);
  if (!existsSync(binPath)) return undefined;
  try {
    binPath = realpathSync(binPath);
  } catch {
    // Keep the unresolved path.
  }
  return {
    command: nodePath,
    args: [binPath],
    kind: 'workspace',
    binPath,
    packageDir: pkgDir,
    ...(typeof pkg.version === 'string' && { version: pkg.version }),
  };
}

/**
 * The `arkor start` arguments for a trainer we have just built with `buildTrainer`: `['start']`,
 * with **no entry**, run with the project root as cwd.
 *
 * Why no entry: `arkor start <entry>` always rebuilds from the files on disk (docs/wire-protocol.md, "The `arkor` CLI"), which would
 * overwrite our artifact — built from the editor's unsaved contents — with the saved version, and
 * would build twice. Without an entry, `arkor start` runs `.arkor/build/index.mjs` as is, which is
 * exactly the artifact `buildTrainer` just wrote (and only rebuilds if it is missing). This avoids
 * Studio's stale-build problem because we always build (or verify freshness) right before.
 *
 * `built` must be the artifact at the fixed path `arkor start` reads; anything else is an error.
 */
export function startArgs(built: { outFile: string; root?: string }): string[] {
  const expectedTail = join('.arkor', 'build', 'index.mjs');
  const outFile = resolve(built.outFile);
  const ok = built.root
    ? outFile === buildOutFile(resolve(built.root))
    : outFile.endsWith(`${sep}${expectedTail}`);
  if (!ok) throw new Error(`arkor start only runs <project>/${expectedTail}; got ${outFile}`);
  return ['start'];
}
