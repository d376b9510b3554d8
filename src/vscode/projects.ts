import * as vscode from 'vscode';
import { type ArkorProject, findArkorProjects } from '../core/trainer';

const CHOICE_KEY = 'arkor.project';

/**
 * Which Arkor project (a folder with src/arkor/index.ts) the extension works on. Multi-root
 * workspaces and several projects per folder are found; when there are several, the user picks one
 * once and the choice is remembered per workspace.
 */
export class Projects {
  constructor(private readonly state: vscode.Memento) {}

  async all(): Promise<ArkorProject[]> {
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    return findArkorProjects(roots);
  }

  /** The project containing `file`, if any (the deepest one). */
  async containing(file: string): Promise<ArkorProject | undefined> {
    const matches = (await this.all()).filter((p) => file.startsWith(`${p.root}/`) || file === p.root);
    return matches.sort((a, b) => b.root.length - a.root.length)[0];
  }

  /** The current project: the remembered choice, the only one, or (if `ask`) a quick pick. */
  async current(options: { ask: boolean }): Promise<ArkorProject | undefined> {
    const projects = await this.all();
    if (projects.length <= 1) return projects[0];
    const remembered = this.state.get<string>(CHOICE_KEY);
    const found = projects.find((p) => p.root === remembered);
    if (found || !options.ask) return found ?? projects[0];
    return this.choose(projects);
  }

  async choose(projects?: ArkorProject[]): Promise<ArkorProject | undefined> {
    const list = projects ?? (await this.all());
    const picked = await vscode.window.showQuickPick(
      list.map((p) => ({ label: p.name, description: vscode.workspace.asRelativePath(p.root), project: p })),
      { title: 'Arkor: which project?', placeHolder: 'This workspace has several Arkor projects' },
    );
    if (picked) await this.state.update(CHOICE_KEY, picked.project.root);
    return picked?.project;
  }
}
