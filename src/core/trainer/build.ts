/**
 * Building the trainer exactly like `arkor build` (docs/wire-protocol.md, "The `arkor` CLI"), with two additions that fix the
 * stale-build problem of Studio (docs/arkor-studio-page.md):
 *
 * - Unsaved editor contents ("overlays") are bundled instead of what is on disk, so a run always
 *   uses the code on screen.
 * - A build is skipped only when nothing it depends on changed. Freshness is decided by content
 *   (sha256 of every input esbuild's metafile reports, plus the overlays used, the esbuild options
 *   and version, the project's tsconfig.json/package.json and the artifact itself), never by mtime:
 *   touching a file does not rebuild, editing any imported file does.
 *
 * The record lives next to the artifact in `<root>/.arkor/build/inputs.json`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type * as Esbuild from 'esbuild';
import type { ArkorProject } from './discovery';
import { type EsbuildModule, EsbuildUnavailableError, loadEsbuild } from './esbuildLoader';
import { hasOpaqueReexport, NO_TRAINER_EXPORT_MESSAGE, type TrainerExport, trainerExport } from './exports';
import { writeAtomic } from './writeAtomic';

export interface BuildDiagnostic {
  /** Absolute path of the file the message is about (the entry when esbuild gave no location). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 0-based column, in UTF-16 code units (VS Code's `Position.character`). */
  column: number;
  /** 0-based end column on the same line (UTF-16), when esbuild reported a length. */
  endColumn?: number;
  message: string;
  severity: 'error' | 'warning';
  /** esbuild's extra notes ("The original declaration is here", …), flattened. */
  notes?: string[];
}

export interface BuildInput {
  /** Absolute path. */
  path: string;
  /** sha256 (hex) of the content the build used: the overlay text when overlaid, else the file. */
  sha256: string;
  /** True when the build used unsaved editor contents for this file. */
  overlay: boolean;
}

interface BuildResultBase {
  /** Absolute path of `<root>/.arkor/build/index.mjs`. */
  outFile: string;
  durationMs: number;
  /** Absolute paths of the files bundled (from the last successful build when skipped). */
  inputs: string[];
  warnings: BuildDiagnostic[];
}

export interface BuildSuccess extends BuildResultBase {
  ok: true;
  /** True when the existing artifact was up to date and nothing was built. */
  skipped: boolean;
  /** The export `arkor start` will run (exports.ts); `unknown` behind an `export * from` a package. */
  trainerExport: TrainerExport | 'unknown';
}

export interface BuildFailure extends BuildResultBase {
  ok: false;
  skipped: false;
  errors: BuildDiagnostic[];
}

export type BuildResult = BuildSuccess | BuildFailure;

export interface BuildOptions {
  /** Unsaved editor contents by absolute path. Only files the bundle actually imports matter. */
  overlays?: Map<string, string>;
  /** Build even when the artifact is up to date. */
  force?: boolean;
  /** The esbuild module to use (tests). Default: the first that runs here (esbuildLoader.ts). */
  esbuild?: EsbuildModule;
}

/** The record written to `inputs.json`. Bump `version` when its meaning changes. */
interface InputsRecord {
  version: 2;
  entry: string;
  optionsHash: string;
  outputSha256: string;
  inputs: BuildInput[];
  /** Files that influence the build without being inputs; `null` hash = did not exist. */
  config: { path: string; sha256: string | null }[];
  /** The build's warnings, reported again when a later call skips. */
  warnings: BuildDiagnostic[];
  trainerExport: TrainerExport | 'unknown';
}

const RECORD_VERSION = 2;

export function buildDir(root: string): string {
  return join(root, '.arkor', 'build');
}

export function buildOutFile(root: string): string {
  return join(buildDir(root), 'index.mjs');
}

export function inputsRecordPath(root: string): string {
  return join(buildDir(root), 'inputs.json');
}

/** `arkor build`'s esbuild options, except output handling, which we do ourselves. */
export function arkorEsbuildOptions(root: string, entry: string, outFile: string) {
  return {
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22.22',
    packages: 'external',
    logLevel: 'silent',
  } satisfies Esbuild.BuildOptions;
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function hashFile(path: string): Promise<string | null> {
  try {
    return sha256(await readFile(path));
  } catch {
    return null;
  }
}

const LOADERS: Record<string, Esbuild.Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
  '.txt': 'text',
};

export function loaderFor(path: string): Esbuild.Loader {
  return LOADERS[extname(path).toLowerCase()] ?? 'default';
}

/**
 * Overlay lookup key: absolute, and case-folded on Windows, where editors and esbuild may disagree
 * on the drive letter's case (`c:\` vs `C:\`).
 */
function pathKey(path: string): string {
  const abs = resolve(path);
  return process.platform === 'win32' ? abs.toLowerCase() : abs;
}

/** Unsaved contents by {@link pathKey}. */
class Overlays {
  private readonly byKey = new Map<string, string>();
  constructor(overlays: Map<string, string> | undefined) {
    for (const [path, text] of overlays ?? []) this.byKey.set(pathKey(path), text);
  }
  get(path: string): string | undefined {
    return this.byKey.get(pathKey(path));
  }
}

/** The content the next build would use for `path`: the overlay, else the file on disk. */
async function currentHash(path: string, overlays: Overlays): Promise<string | null> {
  const overlay = overlays.get(path);
  return overlay !== undefined ? sha256(overlay) : hashFile(path);
}

async function readRecord(root: string): Promise<InputsRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(inputsRecordPath(root), 'utf8')) as InputsRecord;
    if (record?.version !== RECORD_VERSION || !Array.isArray(record.inputs)) return undefined;
    return record;
  } catch {
    return undefined;
  }
}

/** Files esbuild consults that never appear among the metafile inputs. */
function configFiles(root: string): string[] {
  return [join(root, 'tsconfig.json'), join(root, 'jsconfig.json'), join(root, 'package.json')];
}

async function isFresh(
  record: InputsRecord,
  entry: string,
  outFile: string,
  optionsHash: string,
  overlays: Overlays,
): Promise<boolean> {
  if (record.entry !== entry || record.optionsHash !== optionsHash) return false;
  if ((await hashFile(outFile)) !== record.outputSha256) return false;
  for (const c of record.config) if ((await hashFile(c.path)) !== c.sha256) return false;
  for (const input of record.inputs) {
    if ((await currentHash(input.path, overlays)) !== input.sha256) return false;
  }
  return true;
}

/** Byte column in `lineText` (esbuild) → UTF-16 column (editors). */
function utf16Column(lineText: string | undefined, byteColumn: number): number {
  if (!lineText) return byteColumn;
  return Buffer.from(lineText, 'utf8').subarray(0, byteColumn).toString('utf8').length;
}

export function toDiagnostic(
  message: Esbuild.Message,
  severity: 'error' | 'warning',
  root: string,
  entry: string,
): BuildDiagnostic {
  const loc = message.location;
  const diag: BuildDiagnostic = {
    file: entry,
    line: 1,
    column: 0,
    message: message.text,
    severity,
  };
  if (loc) {
    // esbuild reports paths relative to absWorkingDir (the project root); a plugin namespace prefix
    // like `file:` is not used for the default namespace.
    diag.file = isAbsolute(loc.file) ? loc.file : resolve(root, loc.file);
    diag.line = loc.line;
    diag.column = utf16Column(loc.lineText, loc.column);
    if (loc.length > 0) diag.endColumn = utf16Column(loc.lineText, loc.column + loc.length);
  }
  const notes = message.notes?.map((n) => n.text).filter(Boolean);
  if (notes?.length) diag.notes = notes;
  return diag;
}

function overlayPlugin(overlays: Overlays): Esbuild.Plugin {
  return {
    name: 'arkor-editor-overlays',
    setup(build) {
      build.onLoad({ filter: /.*/ }, (args) => {
        if (args.namespace !== 'file') return undefined;
        const contents = overlays.get(args.path);
        if (contents === undefined) return undefined;
        return { contents, loader: loaderFor(args.path), resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Serialises builds of the same project inside this process. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Bundle `project.entry` into `<root>/.arkor/build/index.mjs` like `arkor build`, or skip when the
 * artifact is up to date (see the module comment). Never throws for build problems: a missing
 * entry or esbuild errors come back as `{ ok: false, errors }` with absolute file paths.
 */
export function buildTrainer(
  project: Pick<ArkorProject, 'root' | 'entry'>,
  opts: BuildOptions = {},
): Promise<BuildResult> {
  const root = resolve(project.root);
  const previous = queues.get(root) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => buildNow(root, resolve(project.entry), opts));
  queues.set(root, run);
  void run.finally(() => {
    if (queues.get(root) === run) queues.delete(root);
  });
  return run;
}

async function buildNow(root: string, entry: string, opts: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const outFile = buildOutFile(root);
  const elapsed = () => Math.round(performance.now() - started);
  const overlays = new Overlays(opts.overlays);

  // The entry must exist on disk (esbuild resolves it there), even when an overlay replaces it.
  let entryExists: boolean;
  try {
    entryExists = (await stat(entry)).isFile();
  } catch {
    entryExists = false;
  }
  // A problem before bundling is reported like a build error at the entry's first line, so it
  // reaches Problems and the notification.
  const failAtEntry = (message: string): BuildFailure => ({
    ok: false,
    skipped: false,
    outFile,
    durationMs: elapsed(),
    inputs: [],
    warnings: [],
    errors: [{ file: entry, line: 1, column: 0, severity: 'error', message }],
  });
  if (!entryExists) {
    return failAtEntry(
      `Build entry not found: ${entry}. Create src/arkor/index.ts that exports your trainer (export const arkor = createArkor({ trainer })).`,
    );
  }

  let esbuild: EsbuildModule;
  try {
    esbuild = opts.esbuild ?? (await loadEsbuild(root)).esbuild;
  } catch (error) {
    if (!(error instanceof EsbuildUnavailableError)) throw error;
    return failAtEntry(error.message);
  }
  const options = arkorEsbuildOptions(root, entry, outFile);
  const optionsHash = sha256(JSON.stringify({ esbuild: esbuild.version, options }));

  if (!opts.force) {
    const record = await readRecord(root);
    if (record && (await isFresh(record, entry, outFile, optionsHash, overlays))) {
      return {
        ok: true,
        skipped: true,
        outFile,
        durationMs: elapsed(),
        inputs: record.inputs.map((i) => i.path),
        warnings: Array.isArray(record.warnings) ? record.warnings : [],
        trainerExport: record.trainerExport,
      };
    }
  }

  let result: Esbuild.BuildResult<{ metafile: true; write: false }>;
  try {
    result = await esbuild.build({
      ...options,
      metafile: true,
      write: false,
      plugins: [overlayPlugin(overlays)],
    });
  } catch (err) {
    const failure = err as Partial<Esbuild.BuildFailure>;
    if (!Array.isArray(failure.errors)) throw err;
    return {
      ok: false,
      skipped: false,
      outFile,
      durationMs: elapsed(),
      inputs: [],
      errors: failure.errors.map((m) => toDiagnostic(m, 'error', root, entry)),
      warnings: (failure.warnings ?? []).map((m) => toDiagnostic(m, 'warning', root, entry)),
    };
  }

  const output = result.outputFiles.find((f) => resolve(f.path) === outFile) ?? result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  // A module the CLI cannot run is an error here, at the entry, with the CLI's own message (the
  // artifact is not written: nothing could start it).
  const meta = Object.entries(result.metafile.outputs).find(([key]) => resolve(root, key) === outFile)?.[1];
  const exported = trainerExport(meta?.exports ?? [], hasOpaqueReexport(output.text));
  if (!exported) return failAtEntry(NO_TRAINER_EXPORT_MESSAGE);

  // Hash exactly what esbuild read. Inputs outside the default namespace (none without plugins
  // of our own) are skipped: they have no file to compare.
  const inputs: BuildInput[] = [];
  for (const key of Object.keys(result.metafile.inputs)) {
    if (/^[a-z-]+:/i.test(key) && !isAbsolute(key)) continue;
    const path = resolve(root, key);
    const overlay = overlays.get(path);
    const hash = overlay !== undefined ? sha256(overlay) : await hashFile(path);
    if (hash === null) continue;
    inputs.push({ path, sha256: hash, overlay: overlay !== undefined });
  }
  const warnings = result.warnings.map((m) => toDiagnostic(m, 'warning', root, entry));
  const config = await Promise.all(
    configFiles(root).map(async (p) => ({ path: p, sha256: await hashFile(p) })),
  );
  const record: InputsRecord = {
    version: RECORD_VERSION,
    entry,
    optionsHash,
    outputSha256: sha256(output.contents),
    inputs,
    config,
    warnings,
    trainerExport: exported,
  };

  await mkdir(dirname(outFile), { recursive: true });
  // Artifact first, record second: a crash in between leaves a record that does not match the
  // artifact's hash, which only costs a rebuild.
  await writeAtomic(outFile, output.contents);
  await writeAtomic(inputsRecordPath(root), `${JSON.stringify(record, null, 2)}\n`);

  return {
    ok: true,
    skipped: false,
    outFile,
    durationMs: elapsed(),
    inputs: inputs.map((i) => i.path),
    warnings,
    trainerExport: exported,
  };
}
