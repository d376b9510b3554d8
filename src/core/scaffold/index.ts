/** New projects: `arkor init`'s layout and templates, and the dependency install. Plain Node. */
export { type InstallOptions, type InstallResult, MAX_OUTPUT, npmInstall } from './install';
export {
  ARKOR_SPEC_ENV,
  DEFAULT_ARKOR_SPEC,
  type ScaffoldedFile,
  type ScaffoldOptions,
  type ScaffoldResult,
  sanitizeProjectName,
  scaffoldProject,
} from './scaffold';
export { type ProjectTemplate, TEMPLATES, type TemplateId, templateById } from './templates';
