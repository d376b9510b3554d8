import * as vscode from 'vscode';

/** Every command id the manifest contributes; a test checks the two lists agree. */
export const COMMAND_IDS = [
  'arkor.runTraining',
  'arkor.build',
  'arkor.openPlayground',
  'arkor.refreshJobs',
  'arkor.openJob',
  'arkor.cancelJob',
  'arkor.openJobInPlayground',
  'arkor.copyJobId',
  'arkor.signIn',
  'arkor.signOut',
  'arkor.selectBackend',
  'arkor.showOutput',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
export type CommandHandlers = Partial<Record<CommandId, (...args: unknown[]) => unknown>>;

/**
 * Registers every contributed command. A command whose feature is not built yet still answers, with a
 * message saying so, instead of silently doing nothing.
 */
export function registerCommands(handlers: CommandHandlers): vscode.Disposable[] {
  return COMMAND_IDS.map((id) =>
    vscode.commands.registerCommand(id, handlers[id] ?? (() => notAvailableYet(id))),
  );
}

const TITLES: Record<CommandId, string> = {
  'arkor.runTraining': 'Run Training',
  'arkor.build': 'Build',
  'arkor.openPlayground': 'Open Playground',
  'arkor.refreshJobs': 'Refresh Jobs',
  'arkor.openJob': 'Open Job',
  'arkor.cancelJob': 'Cancel Job',
  'arkor.openJobInPlayground': 'Open in Playground',
  'arkor.copyJobId': 'Copy Job ID',
  'arkor.signIn': 'Sign In',
  'arkor.signOut': 'Sign Out',
  'arkor.selectBackend': 'Select Backend',
  'arkor.showOutput': 'Show Output',
};

export function notAvailableYet(id: CommandId): string {
  const message = `Arkor: ${TITLES[id]} is not available in this version of the extension yet.`;
  void vscode.window.showInformationMessage(message);
  return message;
}
