import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { exportDefaultPath } from '../core/exportTarget';
import type { ArkorSession } from './session';

/** The default of an export's save dialog: `name` in the project's folder (see exportDefaultPath). */
export function defaultExportUri(session: ArkorSession, name: string): vscode.Uri {
  return vscode.Uri.file(
    exportDefaultPath(name, {
      projectDir: session.connection?.projectDir,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? [])
        .filter((f) => f.uri.scheme === 'file')
        .map((f) => f.uri.fsPath),
      home: homedir(),
    }),
  );
}
