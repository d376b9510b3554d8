/**
 * Which export of a built trainer module the `arkor` CLI will run (`runTrainer`, arkor-sdk-api.md
 * §8). The CLI tries, in order: a named `arkor` (a `createArkor` manifest, or a trainer), a named
 * `trainer`, the `default` export (manifest or trainer), then `default.trainer`. So a module with
 * none of the names `arkor`, `trainer` or `default` can never run, and saying so at build time puts
 * the error in Problems instead of at the end of a started run. (Arkor Studio's manifest reads only
 * `arkor` and `default`; the CLI, which the extension runs, also takes a bare `export const trainer`.)
 */

/** The export names the CLI looks at, in its order. */
export const TRAINER_EXPORTS = ['arkor', 'trainer', 'default'] as const;
export type TrainerExport = (typeof TRAINER_EXPORTS)[number];

/** The CLI's own error when the entry exports none of them (word for word). */
export const NO_TRAINER_EXPORT_MESSAGE =
  'Training entry must export `arkor` (from createArkor({...})) or `trainer` (from createTrainer({...})), or default-export one of them.';

/**
 * The first export the CLI would look at, from the module's export names (esbuild's metafile);
 * undefined when it has none of them. `opaque` means the module re-exports a package with
 * `export * from '…'`, whose names are unknown until it runs: then nothing is ruled out.
 */
export function trainerExport(
  names: readonly string[],
  opaque = false,
): TrainerExport | 'unknown' | undefined {
  const found = TRAINER_EXPORTS.find((n) => names.includes(n));
  if (found) return found;
  return opaque ? 'unknown' : undefined;
}

/** True when the bundle re-exports everything of an external package (names unknown statically). */
export function hasOpaqueReexport(bundle: string): boolean {
  return /^\s*export\s*\*\s*from\s*["']/m.test(bundle);
}
