import * as vscode from 'vscode';
import type { BackendInfo, JobSummary } from './protocol';
import { registerCommands } from './vscode/commands';
import { type JobsSource, JobsViewProvider } from './vscode/jobsView';

/** What `activate` returns: a small surface the integration tests (and other extensions) can use. */
export interface ArkorExtensionApi {
  readonly jobsView: { readonly isMounted: boolean; readonly onDidMount: vscode.Event<void> };
}

/**
 * The one place where everything is created and every disposable is registered, so a newcomer sees
 * the whole extension's wiring here and nothing outlives deactivation.
 */
export function activate(context: vscode.ExtensionContext): ArkorExtensionApi {
  const log = vscode.window.createOutputChannel('Arkor', { log: true });
  const jobsSource = noJobsYet();
  const jobsView = new JobsViewProvider(context.extensionUri, jobsSource, log);

  context.subscriptions.push(
    log,
    jobsView,
    vscode.window.registerWebviewViewProvider(JobsViewProvider.viewType, jobsView),
    ...registerCommands({
      'arkor.showOutput': () => log.show(),
    }),
  );
  log.info(`Arkor activated (VS Code ${vscode.version}, Node ${process.version})`);
  return { jobsView };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}

/** Until a backend is connected the jobs view shows its empty state. */
function noJobsYet(): JobsSource {
  const never: vscode.Event<void> = () => ({ dispose() {} });
  const backend: BackendInfo = { kind: 'local', label: 'Local backend' };
  return {
    jobs: (): JobSummary[] => [],
    backend: () => backend,
    onDidChangeJobs: never,
    onDidChangeBackend: never,
  };
}
