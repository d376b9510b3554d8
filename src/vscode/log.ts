import * as vscode from 'vscode';

/**
 * The "Arkor" log channel. Under test (extension development with tests), every line is mirrored to
 * the console, which the test host prints, so a failing CI run shows what the extension was doing.
 */
export function createLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  const channel = vscode.window.createOutputChannel('Arkor', { log: true });
  if (context.extensionMode !== vscode.ExtensionMode.Test) return channel;
  const levels = new Set(['trace', 'debug', 'info', 'warn', 'error']);
  return new Proxy(channel, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !levels.has(prop) || typeof value !== 'function') return value;
      return (message: unknown, ...args: unknown[]) => {
        console.log(`[arkor ${prop}] ${message instanceof Error ? message.message : String(message)}`);
        return (value as (...a: unknown[]) => void).call(target, message, ...args);
      };
    },
  });
}

/** An error's message for a log line (never a stack: log lines are for users). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
