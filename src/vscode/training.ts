import { relative } from 'node:path';
import * as vscode from 'vscode';
import { type ArkorApiClient, credentialSecrets, Emitter, type Scope } from '../core';
import { Disposable, toDisposable } from '../core/lifecycle';
import {
  type ArkorProject,
  type BuildDiagnostic,
  type BuildResult,
  buildTrainer,
  prepareChildHome,
  prepareLocalRunDir,
  type RunOutcome,
  resolveArkorCli,
  runEnd,
  type SupervisedRun,
  startArgs,
  superviseRun,
} from '../core/trainer';
import { errorText } from './log';
import { type ProgressHold, ProjectProgress } from './projectProgress';
import type { Projects } from './projects';
import type { ArkorSession } from './session';

/** One training run: the `arkor start` child process and the job it created. */
export interface TrainingRun {
  readonly project: ArkorProject;
  readonly pid: number | undefined;
  readonly jobId: string | undefined;
  /** The run's private HOME (it holds the token); gone once the run has ended. */
  readonly home: string;
  readonly exited: Promise<number | null>;
  /** Stops the process (the whole process group) and cancels the job on the backend. */
  cancel(): Promise<void>;
}

/**
 * Run Training and Build: always build the code on screen (unsaved editors included), surface build
 * errors in the Problems panel, run the workspace's own `arkor start` against the chosen backend with
 * credentials in a private temporary HOME, stream its output, link it to its job, and never leave a
 * process behind.
 */
export class Training extends Disposable {
  readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('arkor'));
  private readonly runs = new Set<RunImpl>();
  private readonly progress = new ProjectProgress();
  /** The window is going (reload, close): runs are stopped, their jobs go on, nobody is told. */
  private closing = false;
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly status = this._register(
    vscode.window.createStatusBarItem('arkor.training', vscode.StatusBarAlignment.Left, 10),
  );
  private readonly _onDidStartRun = this._register(new Emitter<TrainingRun>('a training run listener'));
  /**
   * The newest running job, whoever started it (a run from before a window reload, a terminal,
   * another window): what the status bar shows when no run of this window has a job. Found again
   * when the list or a status changes (`null`: none runs), not on every metric.
   */
  private runningElsewhere: string | null | undefined;
  readonly onDidStartRun = this._onDidStartRun.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: ArkorSession,
    private readonly projects: Projects,
    private readonly openJob: (jobId: string) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.status.name = 'Arkor Training';
    this._register(
      session.onDidChangeStore((change) => {
        if (change.kind === 'jobs' || change.kind === 'status') this.runningElsewhere = undefined;
        if (change.kind === 'metrics' || change.kind === 'status' || change.kind === 'jobs')
          this.updateStatus();
      }),
    );
    this._register(
      toDisposable(() => {
        this.closing = true;
        // Only the `arkor start` processes stop; their jobs go on training in the local backend,
        // which outlives this window (the reloaded window shows them still running) or on the cloud.
        for (const run of this.runs) run.kill();
        this.progress.dispose();
        for (const c of this.channels.values()) c.dispose();
      }),
    );
  }

  /** Runs still alive. */
  get active(): readonly TrainingRun[] {
    return [...this.runs];
  }

  runFor(jobId: string): TrainingRun | undefined {
    return [...this.runs].find((r) => r.jobId === jobId);
  }

  /** Arkor: Build. Returns the result, or undefined when it could not start. */
  async build(target?: vscode.Uri): Promise<BuildResult | undefined> {
    if (!this.checkTrust('build')) return undefined;
    const project = await this.resolveProject(target);
    if (!project) return undefined;
    const progress = this.progress.hold(project.root, `Arkor: ${project.name}`, 'building');
    try {
      return await this.buildProject(project, progress, { force: true, announce: true });
    } finally {
      progress.release();
    }
  }

  /**
   * Arkor: Run Training. One progress notification (shared with any other build or run of the
   * project in flight) says what happens until the job has started or the run has ended.
   */
  async run(target?: vscode.Uri): Promise<TrainingRun | undefined> {
    if (!this.checkTrust('run')) return undefined;
    const project = await this.resolveProject(target);
    if (!project) return undefined;
    const progress = this.progress.hold(project.root, `Arkor: ${project.name}`, 'building');
    // A started run releases the notification itself, once its job has started or it has ended.
    const run = await this.start(project, progress).catch((error: unknown) => {
      progress.release();
      throw error;
    });
    if (!run) progress.release();
    return run;
  }

  private async start(project: ArkorProject, progress: ProgressHold): Promise<RunImpl | undefined> {
    const channel = this.channel(project);
    channel.clear();
    const result = await this.buildProject(project, progress, { force: false, announce: false });
    if (!result?.ok) return undefined;

    const cli = resolveArkorCli(project.root, { nodePath: process.execPath });
    if (!cli) {
      const message = `the arkor package is not installed in ${project.name}. Run \`npm install arkor\` in ${project.root}.`;
      channel.appendLine(`Cannot start: ${message}`);
      void vscode.window.showErrorMessage(`Arkor: ${message}`);
      return undefined;
    }
    progress.report('connecting to the backend');
    const connection = await this.session.connect().catch((error: unknown) => {
      channel.appendLine(`Cannot start: ${errorText(error)}`);
      void vscode.window.showErrorMessage(`Arkor: ${errorText(error)}`);
      return undefined;
    });
    if (!connection) return undefined;

    // Local runs start in a directory of their own so the project's .arkor/state.json (its Arkor
    // Cloud scope) is never touched (src/core/trainer/localRunDir.ts); cloud runs are the real CLI's.
    let cwd = project.root;
    if (connection.kind === 'local') {
      try {
        const scope = await connection.client.localProject(project.root);
        cwd = await prepareLocalRunDir(project.root, scope, result.outFile);
      } catch (error) {
        const message = `could not prepare the local run of ${project.name}: ${errorText(error)}`;
        channel.appendLine(`Cannot start: ${message}`);
        void vscode.window.showErrorMessage(`Arkor: ${message}`);
        return undefined;
      }
    }
    const home = await prepareChildHome(connection.credentials, connection.baseUrl);
    progress.report('starting arkor start');
    // Not revealed: the job panel opens with the same log and needs the room for its chart. The
    // output is one click away (Arkor: Show Output, or Show Output on a failure notification).
    channel.appendLine(
      `$ arkor start   (${project.root}, backend ${connection.baseUrl}, arkor ${cli.version ?? '?'})`,
    );
    const supervised = superviseRun({
      guard: [process.execPath, vscode.Uri.joinPath(this.extensionUri, 'dist', 'processGuard.js').fsPath],
      argv: [cli.command, ...cli.args, ...startArgs({ outFile: result.outFile, root: project.root })],
      cwd,
      // In desktop VS Code process.execPath is Electron: this makes it plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', FORCE_COLOR: '0' },
      home,
      // The trainer's own output may print a token (a debug dump of its environment, an echoed error).
      secrets: credentialSecrets(connection.credentials),
      onLine: (line) => channel.appendLine(line),
      onJobStarted: (jobId) => {
        progress.release();
        void connection.store.refresh();
        this.openJob(jobId);
        this.updateStatus();
      },
      onSignalError: (signal, error) =>
        this.log.warn(`Could not send ${signal} to the run of ${project.name}: ${errorText(error)}`),
    });
    const run = new RunImpl(project, supervised, home.home, connection, this.log);
    this.runs.add(run);
    this.log.info(`Started arkor start for ${project.name} (pid ${supervised.pid})`);
    void supervised.done.then((outcome) => {
      progress.release();
      this.runs.delete(run);
      this.updateStatus();
      void this.reportEnd(run, outcome, channel);
    });
    this._onDidStartRun.fire(run);
    return run;
  }

  /**
   * How the run ended, in its output channel (one line) and a notification: completed; cancelled
   * (calm, whatever the exit code); its job trains on without it; or failed, with the reason.
   */
  private async reportEnd(run: RunImpl, outcome: RunOutcome, channel: vscode.OutputChannel): Promise<void> {
    // The window is going: its runs' jobs go on (the reloaded window shows them); nothing to say.
    if (this.closing) return;
    const { jobId } = outcome;
    const store = this.session.connection?.store;
    // The backend's reason for a failed job may not have reached the list yet.
    if (jobId && store && !outcome.stopped && outcome.finalStatus !== 'completed' && !store.error(jobId)) {
      await store.refresh().catch(() => undefined);
    }
    const end = runEnd(
      outcome,
      jobId && store ? { status: store.status(jobId), error: store.error(jobId) } : undefined,
    );
    const name = this.runName(run.project.name, jobId);
    const openJob = jobId ? ['Open Job'] : [];
    const act = (choice: string | undefined) => {
      if (choice === 'Open Job' && jobId) this.openJob(jobId);
      if (choice === 'Open in Playground' && jobId) {
        void vscode.commands.executeCommand('arkor.openPlayground', { jobId });
      }
      if (choice === 'Show Output') channel.show();
    };
    const ended = (line: string) => channel.appendLine(`\n${line}`);
    switch (end.kind) {
      case 'cancelled':
        ended(`Cancelled ${name}.`);
        // Stopped here: the cancel command says so itself. Cancelled elsewhere: say it once, calmly.
        if (!outcome.stopped)
          void vscode.window.showInformationMessage(`Arkor: cancelled ${name}.`, ...openJob).then(act);
        return;
      case 'completed':
        ended(`Training ${name} completed.`);
        void vscode.window
          .showInformationMessage(`Arkor: training ${name} completed.`, ...openJob, 'Open in Playground')
          .then(act);
        return;
      case 'detached': {
        // The process ended (killed, crashed) but the job did not: it goes on training on the backend,
        // with nobody watching here. Say so, and offer to stop it or to keep watching it.
        const where = this.session.connection?.kind === 'cloud' ? 'Arkor Cloud' : 'the local backend';
        const why = end.reason ? `: ${end.reason}` : '';
        ended(`The training process stopped (${end.exit})${why}; job ${jobId} keeps training on ${where}.`);
        void vscode.window
          .showWarningMessage(
            `Arkor: the training process of ${run.project.name} stopped (${end.exit})${why}, but its job keeps training on ${where}. Its progress and results still show in the job panel.`,
            'Cancel Job',
            'Open Job',
            'Show Output',
          )
          .then((choice) => {
            if (choice === 'Cancel Job') void vscode.commands.executeCommand('arkor.cancelJob', jobId);
            else act(choice);
          });
        return;
      }
      case 'failed':
        ended(`Training ${name} failed: ${end.reason}`);
        act(
          await vscode.window.showErrorMessage(
            `Arkor: training ${name} failed: ${end.reason}`,
            'Show Output',
            ...openJob,
          ),
        );
    }
  }

  /** A run as every surface names it: its job's run label (`captain-speak #3`), else the project. */
  private runName(project: string, jobId: string | undefined): string {
    return (jobId && this.session.connection?.store.runLabel(jobId)) || project;
  }

  private checkTrust(what: 'build' | 'run'): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window
      .showWarningMessage(
        `Arkor does not ${what} trainers in an untrusted workspace: building and training run this workspace's code. Trust the workspace to continue.`,
        'Manage Workspace Trust',
      )
      .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
    return false;
  }

  private async resolveProject(target?: vscode.Uri): Promise<ArkorProject | undefined> {
    const project = target
      ? await this.projects.containing(target.fsPath)
      : await this.projects.current({ ask: true });
    if (!project) {
      void vscode.window.showErrorMessage(
        'Arkor: no Arkor project here. A project is a folder with src/arkor/index.ts that exports your trainer.',
      );
    }
    return project;
  }

  private async buildProject(
    project: ArkorProject,
    progress: ProgressHold,
    opts: { force: boolean; announce: boolean },
  ): Promise<BuildResult | undefined> {
    // The code on screen: unsaved editors of this project are built as they are.
    const dirty = vscode.workspace.textDocuments.filter(
      (d) => d.isDirty && d.uri.scheme === 'file' && d.uri.fsPath.startsWith(`${project.root}/`),
    );
    const overlays = new Map(dirty.map((d) => [d.uri.fsPath, d.getText()]));
    progress.report(
      dirty.length === 0
        ? 'building'
        : `building ${dirty.length === 1 ? 'an unsaved file' : `${dirty.length} unsaved files`} as shown in the editor`,
    );
    const result = await buildTrainer(project, { overlays, force: opts.force });
    this.diagnostics.clear();
    this.report([...(result.ok ? [] : result.errors), ...result.warnings]);
    if (!result.ok) {
      const first = result.errors[0];
      const lines = result.errors.map(
        (e) => `${relative(project.root, e.file) || e.file}:${e.line}:${e.column}: ${e.message}`,
      );
      this.log.warn(`Build of ${project.name} failed: ${lines.join('; ')}`);
      // The run's output says why there is no run, as the Problems panel does.
      const channel = this.channel(project);
      channel.appendLine(`Build of ${project.name} failed with ${result.errors.length} error(s):`);
      for (const line of lines) channel.appendLine(`  ${line}`);
      void vscode.window
        .showErrorMessage(
          `Arkor: build failed with ${result.errors.length} error(s)${first ? `: ${first.message}` : ''}`,
          'Show Problems',
          'Show Output',
        )
        .then((c) => {
          if (c === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
          if (c === 'Show Output') channel.show();
        });
    } else if (opts.announce) {
      vscode.window.setStatusBarMessage(
        `$(check) Arkor: ${result.skipped ? 'build is up to date' : `built in ${result.durationMs} ms`}`,
        5000,
      );
    }
    return result;
  }

  private report(diagnostics: BuildDiagnostic[]): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of diagnostics) {
      const line = Math.max(0, d.line - 1);
      const range = new vscode.Range(line, d.column, line, d.endColumn ?? d.column + 1);
      const diagnostic = new vscode.Diagnostic(
        range,
        d.message,
        d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = 'arkor build';
      byFile.set(d.file, [...(byFile.get(d.file) ?? []), diagnostic]);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
  }

  private channel(project: ArkorProject): vscode.OutputChannel {
    let channel = this.channels.get(project.root);
    if (!channel) {
      channel = vscode.window.createOutputChannel(`Arkor Run: ${project.name}`);
      this.channels.set(project.root, channel);
    }
    return channel;
  }

  /** The status bar shows the running job's step and loss; clicking opens its panel. */
  private updateStatus(): void {
    const run = [...this.runs].find((r) => r.jobId);
    const store = this.session.connection?.store;
    if (!store && this.runs.size === 0) {
      this.status.hide();
      return;
    }
    if (!store || (!run?.jobId && this.runs.size > 0)) {
      this.status.text = '$(sync~spin) Arkor: starting…';
      this.status.command = undefined;
      this.status.show();
      return;
    }
    this.runningElsewhere ??= store.jobs().find((j) => j.status === 'running')?.id ?? null;
    const jobId = run?.jobId ?? this.runningElsewhere;
    if (!jobId) {
      this.status.hide();
      return;
    }
    const latest = store.latestMetric(jobId);
    const step = latest?.step;
    const loss = latest?.loss;
    const job = store.job(jobId);
    const maxSteps = job?.config.maxSteps;
    const waiting = job?.status === 'running' ? 'running' : 'queued';
    const progress =
      step === undefined ? waiting : `step ${step}${typeof maxSteps === 'number' ? `/${maxSteps}` : ''}`;
    const lossText = loss !== undefined && Number.isFinite(loss) ? ` · loss ${loss.toFixed(4)}` : '';
    const name = this.runName(run?.project.name ?? 'training', jobId);
    this.status.text = `$(sync~spin) Arkor: ${name} · ${progress}${lossText}`;
    this.status.tooltip = run
      ? `${run.project.name}: job ${jobId}. Click to open it.`
      : `Job ${jobId} is training (not started from this window). Click to open it.`;
    this.status.command = { title: 'Open Job', command: 'arkor.openJob', arguments: [jobId] };
    this.status.show();
  }
}

class RunImpl implements TrainingRun {
  readonly exited: Promise<number | null>;

  constructor(
    readonly project: ArkorProject,
    private readonly supervised: SupervisedRun,
    readonly home: string,
    private readonly connection: { client: ArkorApiClient; scope: Scope },
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.exited = supervised.done.then((outcome) => outcome.exitCode);
  }

  get pid(): number | undefined {
    return this.supervised.pid;
  }

  get jobId(): string | undefined {
    return this.supervised.jobId;
  }

  /** Stops the whole process group (the extension is going away). */
  kill(): void {
    this.supervised.kill();
  }

  async cancel(): Promise<void> {
    this.supervised.stop();
    // `arkor start` does not cancel the job when killed (the real CLI has no cancel on signals): the extension does.
    const jobId = this.jobId;
    if (jobId) {
      await this.connection.client.cancelJob(this.connection.scope, jobId).catch((error: unknown) => {
        this.log.warn(`Could not cancel job ${jobId} on the backend: ${errorText(error)}`);
      });
    }
    await this.exited;
  }
}
