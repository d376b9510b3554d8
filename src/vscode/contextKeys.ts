import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { Projects } from './projects';
import type { ArkorSession } from './session';

/**
 * The context keys menus and the walkthrough read:
 * - `arkor.connectionPhase`: the session's phase (src/core/connection.ts), so the Jobs view's title
 *   bar offers the fix (Sign In) instead of Run Training while signed out or rejected;
 * - `arkor.hasProject`: the workspace holds an Arkor project (the walkthrough's first step is done).
 */
export class ContextKeys extends Disposable {
  constructor(
    private readonly session: ArkorSession,
    private readonly projects: Projects,
  ) {
    super();
    this._register(session.onDidChange(() => this.updatePhase()));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.updateProjects()));
    this.updatePhase();
    this.updateProjects();
  }

  private updatePhase(): void {
    void vscode.commands.executeCommand('setContext', 'arkor.connectionPhase', this.session.state.phase);
  }

  /** Looks for projects again (after New Project, or a change of workspace folders). */
  updateProjects(): void {
    void this.projects
      .all()
      .then((all) => vscode.commands.executeCommand('setContext', 'arkor.hasProject', all.length > 0));
  }
}
