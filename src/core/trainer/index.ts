/**
 * Building and running a user's trainer, without VS Code: project discovery, the `arkor build`
 * equivalent with editor overlays and content-based freshness, locating the workspace's `arkor`
 * CLI, a private HOME for the child, and parsing the child's output.
 */
export {
  arkorEsbuildOptions,
  type BuildDiagnostic,
  type BuildFailure,
  type BuildInput,
  type BuildOptions,
  type BuildResult,
  type BuildSuccess,
  buildDir,
  buildOutFile,
  buildTrainer,
  inputsRecordPath,
  loaderFor,
} from './build';
export { type ChildHome, prepareChildHome, sdkCredentialsFile, sweepStaleChildHomes } from './childEnv';
export { type ArkorCli, type ResolveCliOptions, resolveArkorCli, startArgs } from './cli';
export {
  type ArkorProject,
  DEFAULT_MAX_DEPTH,
  ENTRY_RELATIVE_PATH,
  type FindProjectsOptions,
  findArkorProjects,
  findTrainerCalls,
  IGNORED_DIRS,
  isTrainerSource,
  maskSource,
  type TrainerCall,
} from './discovery';
export {
  hasOpaqueReexport,
  NO_TRAINER_EXPORT_MESSAGE,
  TRAINER_EXPORTS,
  type TrainerExport,
  trainerExport,
} from './exports';
export { failureReason } from './failureReason';
export { localRunDir, prepareLocalRunDir } from './localRunDir';
export { LineSplitter, parseRunLine, type RunLineEvent, stripAnsi } from './output';
export { type JobOnBackend, type RunEnd, runEnd } from './runEnd';
export {
  type OutputStream,
  type RunOutcome,
  SupervisedRun,
  type SuperviseOptions,
  superviseRun,
} from './supervisedRun';
