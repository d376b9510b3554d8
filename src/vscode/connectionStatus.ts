import * as vscode from 'vscode';
import type { ConnectionAction, ConnectionState } from '../core';
import { Disposable } from '../core/lifecycle';
import type { ArkorSession } from './session';

/** The command each connection action runs (the Jobs view's banner buttons use the same; their labels live in the view). */
export const ACTION_COMMANDS: Record<ConnectionAction, string> = {
  signIn: 'arkor.signIn',
  selectBackend: 'arkor.selectBackend',
  retry: 'arkor.retryConnection',
  chooseProject: 'arkor.chooseProject',
  showOutput: 'arkor.showOutput',
  newProject: 'arkor.newProject',
  openFolder: 'workbench.action.files.openFolder',
  manageTrust: 'workbench.trust.manage',
};

/** The status bar text, tooltip and click for a connection state. */
export function statusFor(state: ConnectionState): {
  text: string;
  tooltip: string;
  command?: string;
  warn: boolean;
} {
  const icon = state.backend === 'local' ? '$(vm)' : '$(cloud)';
  const name = state.backend === 'local' ? 'Arkor Local' : 'Arkor Cloud';
  const first = state.actions[0];
  const command = first ? ACTION_COMMANDS[first] : 'arkor.selectBackend';
  switch (state.phase) {
    case 'idle':
      return { text: `${icon} ${name}`, tooltip: `${state.label}: not connected yet`, command, warn: false };
    case 'connecting':
      return { text: `$(sync~spin) ${name}`, tooltip: `Connecting to ${state.label}…`, warn: false };
    case 'connected':
      return {
        text: `${icon} ${name}`,
        tooltip: `Connected: ${state.label}. Click to switch backends.`,
        command,
        warn: false,
      };
    case 'signed-out':
      return { text: `$(sign-in) ${name}: signed out`, tooltip: state.message ?? '', command, warn: true };
    case 'unreachable':
      return {
        text: `$(debug-disconnect) ${name}: unreachable`,
        tooltip: state.message ?? '',
        command,
        warn: true,
      };
    case 'unauthorized':
      return { text: `$(key) ${name}: sign-in rejected`, tooltip: state.message ?? '', command, warn: true };
    case 'wrong-scope':
      return { text: `$(warning) ${name}: project?`, tooltip: state.message ?? '', command, warn: true };
    default:
      return { text: `$(error) ${name}`, tooltip: state.message ?? '', command, warn: true };
  }
}

/** One status bar item showing where trainings go and whether that works, always. */
export class ConnectionStatusItem extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('arkor.connection', vscode.StatusBarAlignment.Left, 20),
  );

  constructor(private readonly session: ArkorSession) {
    super();
    this.item.name = 'Arkor Connection';
    this._register(session.onDidChange(() => this.update()));
    this.update();
    this.item.show();
  }

  private update(): void {
    const s = statusFor(this.session.state);
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.command = s.command;
    this.item.backgroundColor = s.warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }
}
