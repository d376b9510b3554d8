import * as vscode from 'vscode';
import { setUnexpectedErrorHandler, toDisposable } from './core';
import { sweepStaleChildHomes } from './core/trainer';
import { accountCommands } from './vscode/accountCommands';
import { offerCloudImport } from './vscode/cloudImportOffer';
import { TrainerCodeLensProvider } from './vscode/codeLens';
import { registerCommands } from './vscode/commands';
import { ConnectionStatusItem } from './vscode/connectionStatus';
import { ContextKeys } from './vscode/contextKeys';
import { endpointCommands } from './vscode/endpointCommands';
import { EndpointModels } from './vscode/endpointModels';
import { EndpointPanels } from './vscode/endpointPanel';
import { Endpoints } from './vscode/endpoints';
import { EndpointsView } from './vscode/endpointsView';
import { jobCommands, jobIdOf, modelRefOf } from './vscode/jobCommands';
import { JobLogDocuments, LOG_SCHEME } from './vscode/jobLog';
import { JobPanels } from './vscode/jobPanel';
import { JobsViewProvider } from './vscode/jobsView';
import { LocalBackendProcess } from './vscode/localBackend';
import { createLog, errorText } from './vscode/log';
import { NewProjectCommand } from './vscode/newProject';
import { PlaygroundPanel } from './vscode/playgroundPanel';
import { chooseProject } from './vscode/projectPicker';
import { Projects } from './vscode/projects';
import { ArkorSession, CLIENT_VERSION } from './vscode/session';
import { SessionJobsSource } from './vscode/sessionJobsSource';
import { Training } from './vscode/training';

/** What `activate` returns: a small surface the integration tests (and other extensions) can use. */
export interface ArkorExtensionApi {
  readonly jobsView: { readonly isMounted: boolean; readonly onDidMount: vscode.Event<void> };
  readonly session: ArkorSession;
  readonly jobPanels: JobPanels;
  readonly localBackend: LocalBackendProcess;
  readonly playground: PlaygroundPanel;
  readonly training: Training;
  readonly endpoints: Endpoints;
  readonly endpointPanels: EndpointPanels;
}

/**
 * The one place where everything is created and every disposable is registered, so a newcomer sees
 * the whole extension's wiring here and nothing outlives deactivation.
 */
export function activate(context: vscode.ExtensionContext): ArkorExtensionApi {
  const log = createLog(context);
  // Listener and callback errors with no caller to throw to go to the Arkor log, never nowhere.
  const previousHandler = setUnexpectedErrorHandler((error, what) => {
    log.error(`${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  });
  const projects = new Projects(context.workspaceState);
  // Global storage is per user profile (and per test instance): the windows of one user share it.
  const localBackend = new LocalBackendProcess(
    context.extensionUri,
    vscode.Uri.joinPath(context.globalStorageUri, 'local-backend').fsPath,
    vscode.Uri.joinPath(context.globalStorageUri, 'local-backend-server').fsPath,
    CLIENT_VERSION,
    log,
  );
  const session = new ArkorSession(
    context.secrets,
    localBackend,
    async () =>
      (await projects.current({ ask: false }))?.root ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    log,
  );
  const jobsSource = new SessionJobsSource(session);
  const jobsView = new JobsViewProvider(context.extensionUri, jobsSource, log);
  const jobPanels = new JobPanels(
    context.extensionUri,
    context.workspaceState,
    session,
    log,
    async (jobId) => {
      const name = session.connection?.store.job(jobId)?.name ?? jobId;
      const doc = await vscode.workspace.openTextDocument(JobLogDocuments.uri(jobId, name));
      await vscode.window.showTextDocument(doc, { preview: true });
    },
  );
  const playground = new PlaygroundPanel(context.extensionUri, session, context.workspaceState, log);
  const training = new Training(
    context.extensionUri,
    session,
    projects,
    (jobId) => void jobPanels.openRun(jobId),
    log,
  );
  const jobs = jobCommands(session, jobPanels, (root) => training.run(vscode.Uri.file(root)));
  const endpoints = new Endpoints(session, log);
  const endpointPanels = new EndpointPanels(context.extensionUri, session, endpoints, log, (model) =>
    playground.open(model),
  );
  playground.useEndpointModels(new EndpointModels(session, endpoints, endpointPanels));
  const codeLenses = new TrainerCodeLensProvider(session);
  const contextKeys = new ContextKeys(session, projects);
  const newProject = new NewProjectCommand(context.extensionUri, log, () => {
    contextKeys.updateProjects();
    // A project created into an open folder that had none: connect to it now.
    if (session.state.phase === 'error') session.reset('a new project');
  });

  context.subscriptions.push(
    toDisposable(() => setUnexpectedErrorHandler(previousHandler)),
    log,
    localBackend,
    session,
    jobsSource,
    jobsView,
    jobPanels,
    playground,
    training,
    codeLenses,
    contextKeys,
    newProject,
    endpoints,
    endpointPanels,
    new EndpointsView(endpoints, session),
    vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, new JobLogDocuments(session, log)),
    vscode.languages.registerCodeLensProvider(
      [
        { language: 'typescript', scheme: 'file' },
        { language: 'javascript', scheme: 'file' },
      ],
      codeLenses,
    ),
    vscode.window.registerWebviewViewProvider(JobsViewProvider.viewType, jobsView),
    // The jobs view lists jobs as soon as it is shown; connecting starts the local backend on demand.
    jobsView.onDidMount(() => {
      session.connect().catch((error: unknown) => {
        // The session logged the failure; the view shows it in its backend banner.
        log.debug(`The jobs view mounted without a backend: ${errorText(error)}`);
      });
      // Offered when the user first looks at Arkor, not amid the window's startup notifications.
      void offerCloudImport(context.globalState, session, log).catch((error: unknown) =>
        log.warn(`Could not offer the CLI's Arkor Cloud login: ${String(error)}`),
      );
    }),
    ...registerCommands({
      'arkor.showOutput': () => log.show(),
      'arkor.newProject': (arg) => newProject.run(arg),
      'arkor.openPlayground': (arg) => playground.open(modelRefOf(arg)),
      'arkor.openJobInPlayground': (arg) => playground.open(modelRefOf(arg) ?? undefined),
      ...jobs,
      'arkor.runTraining': (arg) => training.run(arg instanceof vscode.Uri ? arg : undefined),
      'arkor.build': (arg) => training.build(arg instanceof vscode.Uri ? arg : undefined),
      // A job started here is cancelled by stopping its process too (arkor start does not cancel).
      'arkor.cancelJob': async (arg) => {
        const run = training.runFor(jobIdOf(arg) ?? '');
        if (!run) return jobs['arkor.cancelJob']?.(arg);
        await run.cancel();
        await session.connection?.store.refresh();
        void vscode.window.showInformationMessage(`Arkor: cancelled the training of ${run.project.name}.`);
      },
      ...accountCommands(session),
      ...endpointCommands(session, endpoints, endpointPanels),
      'arkor.retryConnection': () => session.retry().catch(() => undefined),
      'arkor.chooseProject': async () => {
        const dir = (await projects.current({ ask: true }))?.root;
        try {
          await chooseProject(session, dir);
        } catch (error) {
          void vscode.window.showErrorMessage(`Arkor: ${errorText(error)}`);
        }
      },
    }),
    new ConnectionStatusItem(session),
  );
  // Private homes of runs a crashed extension host could not clean up hold plaintext tokens.
  void sweepStaleChildHomes().then((removed) => {
    if (removed.length > 0) log.info(`Removed ${removed.length} stale run home(s) left by a crash`);
  });
  log.info(`Arkor activated (VS Code ${vscode.version}, Node ${process.version})`);
  return { jobsView, session, jobPanels, localBackend, playground, training, endpoints, endpointPanels };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it. The local backend is not stopped:
  // it serves every window of the user and exits by itself once idle (src/vscode/localBackend.ts).
}
