/**
 * Projects (docs/wire-protocol.md, "Projects"). Org-scoped routes take `?orgSlug=`; the local-only
 * `POST /v1/local/projects` (marked LOCAL-ONLY below) exists on the embedded backend alone.
 */
import { z } from 'zod';
import { OrgSchema } from './auth';

/** A project as a server sends it. */
export const ProjectSchema = z.looseObject({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  orgId: z.string(),
  createdAt: z.string().optional(),
});

/** As clients read it: `orgId` may be missing on rows from older servers. */
export const ProjectReadSchema = ProjectSchema.extend({ orgId: z.string().optional() });
export type Project = z.output<typeof ProjectReadSchema>;

/** The org of a project list: only the slug is relied on. */
const ListOrgSchema = z.looseObject({ slug: z.string() });

const projectList = <P extends z.ZodType>(project: P) =>
  z.looseObject({ org: ListOrgSchema, projects: z.array(project) });
const projectEnvelope = <P extends z.ZodType>(project: P) => z.looseObject({ project });

/** `GET /v1/projects?orgSlug=`. */
export const ProjectListResponseSchema = projectList(ProjectSchema);
export const ProjectListReadSchema = projectList(ProjectReadSchema);
export type ProjectList = z.output<typeof ProjectListReadSchema>;

/** A project slug: lowercase letters, digits and hyphens, starting with a letter or digit. */
export const PROJECT_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** `POST /v1/projects?orgSlug=` body. 409 when the slug is taken. */
export const CreateProjectRequestSchema = z.object({
  name: z.string().min(1).max(200),
  slug: z.string().regex(PROJECT_SLUG),
});
export type CreateProjectRequest = z.input<typeof CreateProjectRequestSchema>;

/** `POST /v1/projects` response (201). */
export const ProjectResponseSchema = projectEnvelope(ProjectSchema);
export const ProjectReadResponseSchema = projectEnvelope(ProjectReadSchema);

// ---- LOCAL-ONLY: not an Arkor Cloud route -----------------------------------------------------

/**
 * LOCAL-ONLY `POST /v1/local/projects` body: the absolute path of a folder on the backend's machine.
 * The project bound to it is created on first use; dataset paths of its jobs resolve against it.
 */
export const LocalProjectRequestSchema = z.object({ root: z.string().min(1) });
export type LocalProjectRequest = z.input<typeof LocalProjectRequestSchema>;

/** LOCAL-ONLY `POST /v1/local/projects` response (200): the org and the folder's project. */
export const LocalProjectResponseSchema = z.looseObject({ org: OrgSchema, project: ProjectSchema });
export const LocalProjectReadSchema = z.looseObject({ org: ListOrgSchema, project: ProjectReadSchema });
