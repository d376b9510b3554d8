import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../core/lifecycle';
import {
  npmInstall,
  type ScaffoldResult,
  scaffoldProject,
  TEMPLATES,
  type TemplateId,
} from '../core/scaffold';
import { errorText } from './log';

/** How the new project is opened: in this window, a new one, added to the workspace, or not at all. */
export type OpenMode = 'window' | 'newWindow' | 'add' | 'none';

/** Preset answers (tests, the walkthrough): whatever is given is not asked. */
export interface NewProjectArgs {
  template?: TemplateId;
  folder?: string;
  /** Run `npm install` (default true). */
  install?: boolean;
  open?: OpenMode;
}

export interface NewProjectResult {
  scaffold: ScaffoldResult;
  install: 'installed' | 'failed' | 'cancelled' | 'skipped';
  opened: OpenMode;
}

function presetOf(arg: unknown): NewProjectArgs {
  if (!arg || typeof arg !== 'object' || arg instanceof vscode.Uri) return {};
  const a = arg as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const open = str(a.open);
  return {
    template: TEMPLATES.find((t) => t.id === a.template)?.id,
    folder: str(a.folder),
    install: typeof a.install === 'boolean' ? a.install : undefined,
    open: open && ['window', 'newWindow', 'add', 'none'].includes(open) ? (open as OpenMode) : undefined,
  };
}

/** `<parent>/arkor-<template>`, with `-2`, `-3`… until the folder does not exist. */
export function defaultFolder(parent: string, template: TemplateId): string {
  const base = join(parent, `arkor-${template}`);
  let candidate = base;
  for (let n = 2; existsSync(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

function workspaceFolderOf(dir: string): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => {
    const rel = relative(f.uri.fsPath, dir);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
}

/**
 * Arkor: New Project. Picks a template (arkor init's, and an offline one), a folder, writes the
 * project (src/core/scaffold), installs its dependencies with a cancellable progress notification
 * (npm's output goes to the Arkor log; a failed install keeps the files), then opens it.
 */
export class NewProjectCommand extends Disposable {
  /** Installs under way, stopped when the extension is. */
  private readonly installs = new Set<AbortController>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly onCreated: () => void,
  ) {
    super();
    this._register(
      toDisposable(() => {
        for (const a of this.installs) a.abort();
      }),
    );
  }

  async run(arg?: unknown): Promise<NewProjectResult | undefined> {
    try {
      return await this.runNow(presetOf(arg));
    } catch (error) {
      void vscode.window.showErrorMessage(`Arkor: could not create the project: ${errorText(error)}`);
      return undefined;
    }
  }

  private async runNow(preset: NewProjectArgs): Promise<NewProjectResult | undefined> {
    const template = preset.template ?? (await this.pickTemplate());
    if (!template) return undefined;
    const folder = preset.folder ?? (await this.askFolder(template));
    if (!folder) return undefined;
    if (!vscode.workspace.isTrusted && workspaceFolderOf(folder)) {
      const action = await vscode.window.showErrorMessage(
        'Arkor: this workspace is not trusted, so nothing is written into it. Trust it, or create the project in another folder.',
        'Manage Workspace Trust',
      );
      if (action) await vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    const scaffold = await scaffoldProject({
      dir: folder,
      template,
      assetsDir: vscode.Uri.joinPath(this.extensionUri, 'assets', 'templates').fsPath,
    });
    this.log.info(
      `New project ${scaffold.name} (${template}) in ${folder}: ${scaffold.files.map((f) => `${f.action} ${f.path}`).join(', ')}`,
    );
    const install = preset.install === false ? 'skipped' : await this.install(scaffold);
    this.onCreated();
    const opened = await this.open(scaffold, preset.open);
    return { scaffold, install, opened };
  }

  private async pickTemplate(): Promise<TemplateId | undefined> {
    const picked = await vscode.window.showQuickPick(
      TEMPLATES.map((t) => ({
        label: t.label,
        description: t.runsOn === 'cloud' ? 'Arkor Cloud' : 'local backend or Arkor Cloud',
        detail: t.description,
        id: t.id,
      })),
      { title: 'Arkor: New Project (1/2): start from which template?', matchOnDetail: true },
    );
    return picked?.id;
  }

  private async askFolder(template: TemplateId): Promise<string | undefined> {
    const parent = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
    const value = defaultFolder(parent, template);
    const answer = await vscode.window.showInputBox({
      title: 'Arkor: New Project (2/2): folder',
      prompt: 'The project folder (created if missing). Files already there are kept, as arkor init does.',
      value,
      valueSelection: [value.length - basename(value).length, value.length],
      ignoreFocusOut: true,
      validateInput: (v) => {
        if (!isAbsolute(v.trim())) return 'Give an absolute path.';
        try {
          const s = statSync(v.trim());
          if (!s.isDirectory()) return 'That is a file.';
          if (readdirSync(v.trim()).length > 0) {
            return {
              message: 'This folder is not empty: existing files are kept, missing ones added.',
              severity: vscode.InputBoxValidationSeverity.Warning,
            };
          }
        } catch {
          // Does not exist yet: it is created.
        }
        return undefined;
      },
    });
    return answer?.trim() || undefined;
  }

  private install(scaffold: ScaffoldResult): Promise<NewProjectResult['install']> {
    return Promise.resolve(
      vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Arkor: installing the dependencies of ${scaffold.name}`,
          cancellable: true,
        },
        async (progress, token) => {
          const abort = new AbortController();
          this.installs.add(abort);
          const cancel = token.onCancellationRequested(() => abort.abort());
          try {
            this.log.info(`npm install in ${scaffold.dir}`);
            const result = await npmInstall(scaffold.dir, {
              signal: abort.signal,
              onOutput: (text) => {
                const line = text.trim().split('\n').pop()?.trim();
                if (line) progress.report({ message: line.slice(0, 120) });
              },
            });
            if (result.ok) {
              this.log.info(`npm install in ${scaffold.dir} finished`);
              return 'installed';
            }
            if (result.cancelled) {
              this.log.warn(`npm install in ${scaffold.dir} was cancelled`);
              void vscode.window.showWarningMessage(
                `Arkor: the install was cancelled. Run npm install in ${scaffold.dir} before training.`,
              );
              return 'cancelled';
            }
            this.log.error(
              `npm install in ${scaffold.dir} failed (exit ${result.code ?? 'none'}):\n${result.output.trim()}`,
            );
            void vscode.window
              .showErrorMessage(
                `Arkor: npm install failed in ${scaffold.dir} (exit ${result.code ?? 'none'}). The project files are kept; npm's output is in the Arkor log.`,
                'Show Log',
              )
              .then((action) => action && this.log.show());
            return 'failed';
          } finally {
            cancel.dispose();
            this.installs.delete(abort);
          }
        },
      ),
    );
  }

  private async open(scaffold: ScaffoldResult, preset: OpenMode | undefined): Promise<OpenMode> {
    const uri = vscode.Uri.file(scaffold.dir);
    const trainer = vscode.Uri.joinPath(uri, 'src', 'arkor', 'trainer.ts');
    const showTrainer = async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(trainer));
    };
    // Already part of the workspace: the project is found there, show its trainer.
    if (workspaceFolderOf(scaffold.dir) && preset !== 'window' && preset !== 'newWindow') {
      if (preset !== 'none') await showTrainer();
      return preset ?? 'none';
    }
    const labels: Record<string, OpenMode> = {
      Open: 'window',
      'Open in New Window': 'newWindow',
      'Add to Workspace': 'add',
    };
    const mode =
      preset ??
      labels[
        (await vscode.window.showInformationMessage(
          `Arkor: created ${scaffold.name} in ${scaffold.dir}.`,
          ...Object.keys(labels),
        )) ?? ''
      ] ??
      'none';
    if (mode === 'window' || mode === 'newWindow') {
      await vscode.commands.executeCommand('vscode.openFolder', uri, {
        forceNewWindow: mode === 'newWindow',
      });
    } else if (mode === 'add') {
      const count = vscode.workspace.workspaceFolders?.length ?? 0;
      vscode.workspace.updateWorkspaceFolders(count, 0, { uri });
      await showTrainer();
    }
    return mode;
  }
}
