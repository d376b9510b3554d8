/**
 * Writing a new Arkor project the way `arkor init` lays it out (arkor-sdk-api.md §13.2): the
 * manifest `src/arkor/index.ts` (`export const arkor = createArkor({ trainer })`), the template's
 * `src/arkor/trainer.ts`, a placeholder `arkor.config.ts`, `README.md`, `.gitignore` and a
 * `package.json` whose scripts are `arkor dev` / `arkor build` / `arkor start` and whose devDependency
 * is `arkor`. Like `arkor init` it never overwrites: an existing file is kept. Plain Node.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type ProjectTemplate, templateById } from './templates';

/** The `arkor` version `arkor init` writes (§13.2). */
export const DEFAULT_ARKOR_SPEC = '^0.0.3-alpha.1';
/** The variable `arkor init` reads to write another `arkor` spec; honoured here too (tests, this repo). */
export const ARKOR_SPEC_ENV = 'ARKOR_INTERNAL_SCAFFOLD_ARKOR_SPEC';

export interface ScaffoldOptions {
  /** The project folder (created when missing). */
  dir: string;
  template: ProjectTemplate['id'];
  /** Project name; default the folder name. Sanitised for package.json. */
  name?: string;
  /** devDependency spec for `arkor`; default {@link ARKOR_SPEC_ENV}, then {@link DEFAULT_ARKOR_SPEC}. */
  arkorSpec?: string;
  /** Where a template's asset files are read from (the extension's `assets/templates`). */
  assetsDir: string;
}

export interface ScaffoldedFile {
  /** Relative to the project folder, with `/`. */
  path: string;
  action: 'created' | 'kept';
}

export interface ScaffoldResult {
  dir: string;
  name: string;
  files: ScaffoldedFile[];
}

/** A package name from free text: lowercase, `[a-z0-9._-]` only, no leading dot or dash. */
export function sanitizeProjectName(raw: string): string {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 214);
  return /[a-z0-9]/.test(name) ? name : 'arkor-project';
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

const INDEX = `import { createArkor } from 'arkor';
import { trainer } from './trainer';

export const arkor = createArkor({ trainer });
`;

const CONFIG = `// Placeholder: the arkor runtime does not read this file (arkor init writes it for later use).
export default {};
`;

const GITIGNORE = `node_modules/
.arkor/
`;

function readme(name: string, template: ProjectTemplate): string {
  const where =
    template.runsOn === 'cloud'
      ? 'Its dataset is on the Hugging Face Hub, so it trains on Arkor Cloud (Arkor: Select Backend).'
      : 'Its dataset is in `data/`, so it also trains offline on the local backend.';
  return `# ${name}

An Arkor project (template: ${template.id}). \`src/arkor/trainer.ts\` defines the trainer and
\`src/arkor/index.ts\` exports it. ${where}

In VS Code: **Arkor: Run Training** (or the Run Training lens above \`createTrainer(\`), then watch
the job in the Arkor view and try it in the Playground.

From a terminal:

\`\`\`sh
npm run build   # arkor build: bundles src/arkor/index.ts into .arkor/build/index.mjs
npm start       # arkor start: runs the trainer
\`\`\`
`;
}

function packageJson(name: string, spec: string): string {
  const pkg = {
    name,
    version: '0.0.0',
    private: true,
    type: 'module',
    scripts: { dev: 'arkor dev', build: 'arkor build', start: 'arkor start' },
    devDependencies: { arkor: spec },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Writes the project; files that already exist are kept as they are. */
export async function scaffoldProject(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const template = templateById(options.template);
  if (!template) {
    throw new Error(
      `Unknown template "${options.template}". Available: captain, triage, translate, redaction`,
    );
  }
  const name = sanitizeProjectName(options.name ?? basename(options.dir));
  const spec = options.arkorSpec ?? (process.env[ARKOR_SPEC_ENV] || DEFAULT_ARKOR_SPEC);
  const contents: [string, () => Promise<string>][] = [
    ['src/arkor/index.ts', async () => INDEX],
    ['src/arkor/trainer.ts', async () => template.trainer(name)],
    ['arkor.config.ts', async () => CONFIG],
    ['README.md', async () => readme(name, template)],
    ['.gitignore', async () => GITIGNORE],
    ['package.json', async () => packageJson(name, spec)],
    ...Object.entries(template.assets ?? {}).map(([rel, asset]): [string, () => Promise<string>] => [
      rel,
      () => readFile(join(options.assetsDir, asset), 'utf8'),
    ]),
  ];
  const files: ScaffoldedFile[] = [];
  for (const [rel, content] of contents) {
    const path = join(options.dir, rel);
    if (await exists(path)) {
      files.push({ path: rel, action: 'kept' });
      continue;
    }
    const text = await content();
    await mkdir(dirname(path), { recursive: true });
    // 'wx': a file that appeared since the check is kept too, never overwritten.
    try {
      await writeFile(path, text, { flag: 'wx' });
      files.push({ path: rel, action: 'created' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      files.push({ path: rel, action: 'kept' });
    }
  }
  return { dir: options.dir, name, files };
}
