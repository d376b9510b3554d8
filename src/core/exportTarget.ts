import path from 'node:path';

/** The folders an export's save dialog can start in, best first. */
export interface ExportFolders {
  /** The folder of the project the session serves, when known. */
  projectDir?: string;
  /** The workspace's folders on disk, in order. */
  workspaceFolders: readonly string[];
  /** The user's home: the last resort of a window without a folder. */
  home: string;
}

/**
 * Where a save dialog for an export starts: a file named after the conversation in the project's
 * folder (else the first workspace folder, else the home folder), never the filesystem root, where
 * a bare file name would otherwise land and Enter would write it.
 */
export function exportDefaultPath(suggestedName: string, folders: ExportFolders): string {
  const candidates = [folders.projectDir, ...folders.workspaceFolders, folders.home];
  const dir =
    candidates.find(
      (d): d is string => !!d && path.isAbsolute(d) && path.parse(d).root !== path.resolve(d),
    ) ?? folders.home;
  return path.join(dir, safeFileName(suggestedName));
}

/** A file name with no path in it: other characters become `_`, and it never starts with a dot. */
export function safeFileName(name: string): string {
  const safe = name.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '');
  return safe || 'export';
}
