import * as vscode from 'vscode';

/** Every command id the manifest contributes; a test checks the two lists agree. */
export const COMMAND_IDS = [
  'arkor.runTraining',
  'arkor.build',
  'arkor.openPlayground',
  'arkor.refreshJobs',
  'arkor.openJob',
  'arkor.cancelJob',
  'arkor.resumeJob',
  'arkor.rerunJob',
  'arkor.openJobInPlayground',
  'arkor.copyJobId',
  'arkor.signIn',
  'arkor.signOut',
  'arkor.selectBackend',
  'arkor.showOutput',
  'arkor.retryConnection',
  'arkor.chooseProject',
  'arkor.newProject',
  'arkor.deploy',
  'arkor.openEndpoint',
  'arkor.copyEndpointUrl',
  'arkor.enableEndpoint',
  'arkor.disableEndpoint',
  'arkor.deleteEndpoint',
  'arkor.refreshEndpoints',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
export type CommandHandlers = Record<CommandId, (...args: unknown[]) => unknown>;

/** Registers every contributed command; the type makes a missing handler a compile error. */
export function registerCommands(handlers: CommandHandlers): vscode.Disposable[] {
  return COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, handlers[id]));
}
