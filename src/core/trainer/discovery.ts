/**
 * Finding Arkor projects in the workspace and trainer calls in a source file (for CodeLens).
 *
 * A project is a folder that contains `src/arkor/index.ts`, the entry `arkor build` uses by default
 * (docs/wire-protocol.md, "The `arkor` CLI"). Plain Node: no `vscode` import.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

export interface ArkorProject {
  /** Absolute project folder (the cwd for `arkor build` / `arkor start`). */
  root: string;
  /** Absolute path of `<root>/src/arkor/index.ts`. */
  entry: string;
  /** `name` from the project's package.json, else the folder name. */
  name: string;
}

/** Folders never searched: dependencies, VCS data, build output and Arkor's own state. */
export const IGNORED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist', 'out', '.arkor']);

/** How deep below a workspace root a project may sit (the root itself is depth 0). */
export const DEFAULT_MAX_DEPTH = 6;

export const ENTRY_RELATIVE_PATH = join('src', 'arkor', 'index.ts');

export interface FindProjectsOptions {
  maxDepth?: number;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function projectName(root: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name?: unknown };
    if (typeof pkg.name === 'string' && pkg.name.trim()) return pkg.name.trim();
  } catch {
    // No or unreadable package.json: fall back to the folder name.
  }
  return basename(root);
}

/**
 * Every folder under `roots` (workspace folders; several roots, several projects per root, nested
 * projects included) that contains `src/arkor/index.ts`. Skips {@link IGNORED_DIRS} and symlinked
 * folders (no cycles), descends at most `maxDepth` levels, and reports a folder reachable from two
 * overlapping roots once. Sorted by root path. Unreadable folders are skipped silently.
 */
export async function findArkorProjects(
  roots: string[],
  options: FindProjectsOptions = {},
): Promise<ArkorProject[]> {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const found = new Map<string, ArkorProject>();
  const visited = new Set<string>();

  async function walk(dir: string, depth: number): Promise<void> {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);

    const entry = join(dir, ENTRY_RELATIVE_PATH);
    if (!found.has(real) && (await isFile(entry))) {
      found.set(real, { root: dir, entry, name: await projectName(dir) });
    }
    if (depth >= maxDepth) return;
    let children: Dirent[];
    try {
      children = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      children
        .filter((d) => d.isDirectory() && !IGNORED_DIRS.has(d.name))
        .map((d) => walk(join(dir, d.name), depth + 1)),
    );
  }

  // Roots one after the other, so that with nested workspace folders the outer root's walk
  // reaches shared folders deterministically before the inner one.
  for (const root of roots) await walk(resolve(root), 0);
  return [...found.values()].sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
}

/**
 * Source text with comments replaced by spaces (newlines kept, so offsets and line numbers stay
 * valid). With `blankStrings`, the contents of string and template literals are blanked too (the
 * quotes stay). A reasonable scanner, not a parser: regex literals are not recognised, and a
 * template literal's `${…}` is treated as part of the string.
 */
export function maskSource(text: string, blankStrings = false): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      let end = text.indexOf('\n', i);
      if (end < 0) end = text.length;
      blank(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      let end = text.indexOf('*/', i + 2);
      end = end < 0 ? text.length : end + 2;
      blank(i, end);
      i = end;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') j++;
        else if (c !== '`' && text[j] === '\n') break; // unterminated string: stop at the line end
        j++;
      }
      if (blankStrings) blank(i + 1, j);
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

const CALL_RE = /(?<![\w$])(createTrainer|createArkor)\s*\(/g;

export interface TrainerCall {
  /** 0-based line of the call's name (VS Code's `Position.line`). */
  line: number;
  /** 0-based column of the call's name. */
  column: number;
  kind: 'createTrainer' | 'createArkor';
  /** For `createTrainer`, the `name: '…'` string literal of the options object, if present. */
  name?: string;
}

/** True when the file calls `createTrainer(` or `createArkor(` outside comments and strings. */
export function isTrainerSource(text: string): boolean {
  return findTrainerCalls(text).length > 0;
}

/**
 * Each `createTrainer(` / `createArkor(` call outside comments and strings (a `function
 * createTrainer(` declaration is not a call), with its line and, for `createTrainer`, the trainer's
 * `name` when the first argument is an object literal with a top-level `name: '…'` property.
 */
export function findTrainerCalls(text: string): TrainerCall[] {
  const code = maskSource(text, true);
  const calls: TrainerCall[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const m of code.matchAll(CALL_RE)) {
    const offset = m.index ?? 0;
    if (/\bfunction\s*\*?\s*$/.test(code.slice(Math.max(0, offset - 40), offset))) continue;
    const kind = m[1] as TrainerCall['kind'];
    const line = lineOf(offset);
    const call: TrainerCall = { line, column: offset - (lineStarts[line] ?? 0), kind };
    if (kind === 'createTrainer') {
      const name = trainerName(text, code, offset + m[0].length);
      if (name !== undefined) call.name = name;
    }
    calls.push(call);
  }
  return calls;
}

/** The `name` literal at depth 1 of the object literal that opens the argument list at `start`. */
function trainerName(text: string, code: string, start: number): string | undefined {
  let i = start;
  while (i < code.length && /\s/.test(code[i] ?? '')) i++;
  if (code[i] !== '{') return undefined;
  let depth = 0;
  const nameRe = /(?:^|[{,\s])(?:name|'name'|"name")\s*:\s*$/;
  for (; i < code.length; i++) {
    const c = code[i];
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') {
      depth--;
      if (depth === 0) return undefined;
    } else if (depth === 1 && (c === "'" || c === '"' || c === '`')) {
      // A string at the top level of the options object: is it the value of `name:`?
      let end = i + 1;
      while (end < code.length && code[end] !== c && code[end] !== '\n') end++;
      const before = code.slice(Math.max(start, i - 60), i);
      if (nameRe.test(before)) {
        const raw = text.slice(i + 1, end);
        if (c === '`' && raw.includes('${')) return undefined;
        return unescapeLiteral(raw);
      }
      i = end;
    }
  }
  return undefined;
}

function unescapeLiteral(raw: string): string {
  return raw.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, esc: string) => {
    if (esc.startsWith('u{')) return String.fromCodePoint(Number.parseInt(esc.slice(2, -1), 16));
    if (esc.length > 1 && (esc[0] === 'u' || esc[0] === 'x'))
      return String.fromCharCode(Number.parseInt(esc.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[esc] ?? esc;
  });
}
