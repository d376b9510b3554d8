import * as vscode from 'vscode';
import { Emitter } from '../core';
import { Disposable } from '../core/lifecycle';
import { findTrainerCalls, isTrainerSource } from '../core/trainer';
import type { ArkorSession } from './session';

/**
 * Lenses above each `createTrainer(` / `createArkor(` call: Run Training, Build, and Open Job for the
 * newest job whose name matches the trainer's `name`.
 */
export class TrainerCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly _onDidChangeCodeLenses = this._register(new Emitter<void>('a code lens listener'));
  readonly onDidChangeCodeLenses = this._onDidChangeCodeLenses.event;

  constructor(private readonly session: ArkorSession) {
    super();
    this._register(
      session.onDidChangeStore((change) => {
        if (change.kind === 'jobs') this._onDidChangeCodeLenses.fire();
      }),
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    if (!isTrainerSource(text)) return [];
    const jobs = this.session.connection?.store.jobs() ?? [];
    const lenses: vscode.CodeLens[] = [];
    for (const call of findTrainerCalls(text)) {
      const range = new vscode.Range(call.line, call.column, call.line, call.column);
      lenses.push(
        new vscode.CodeLens(range, {
          title: '$(play) Run Training',
          command: 'arkor.runTraining',
          arguments: [document.uri],
        }),
        new vscode.CodeLens(range, { title: 'Build', command: 'arkor.build', arguments: [document.uri] }),
      );
      const newest = call.name
        ? jobs
            .filter((j) => j.name === call.name)
            .sort((a, b) => String(b.createdAt ?? '').localeCompare(String(a.createdAt ?? '')))[0]
        : undefined;
      if (newest) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: `Open Job (${newest.status})`,
            command: 'arkor.openJob',
            arguments: [newest.id],
          }),
        );
      }
    }
    return lenses;
  }
}
