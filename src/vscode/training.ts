import { type ChildProcess, spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { type ArkorApiClient, credentialSecrets, Emitter, isActiveStatus, redact, type Scope } from '../core';
import { Disposable, toDisposable } from '../core/lifecycle';
import {
  type ArkorProject,
  type BuildDiagnostic,
  type BuildResult,
  buildTrainer,
  LineSplitter,
  parseRunLine,
  prepareChildHome,
  prepareLocalRunDir,
  resolveArkorCli,
  startArgs,
} from '../core/trainer';
import { errorText } from './log';
import type { Projects } from './projects';
import type { ArkorSession } from './session';

/** One training run: the `arkor start` child process and the job it created. */
export interface TrainingRun {
  readonly project: ArkorProject;
  readonly pid: number | undefined;
  jobId: string | undefined;
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
  /** The window is going (reload, close): runs are stopped, their jobs go on, nobody is told. */
  private closing = false;
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly status = this._register(
    vscode.window.createStatusBarItem('arkor.training', vscode.StatusBarAlignment.Left, 10),
  );
  private readonly _onDidStartRun = this._register(new Emitter<TrainingRun>('a training run listener'));
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
        if (change.kind === 'metrics' || change.kind === 'status') this.updateStatus();
      }),
    );
    this._register(
      toDisposable(() => {
        this.closing = true;
        // Only the `arkor start` processes stop; their jobs go on training in the local backend,
        // which outlives this window (the reloaded window shows them still running) or on the cloud.
        for (const run of this.runs) run.kill();
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
    return this.buildProject(project, { force: true, announce: true });
  }

  /** Arkor: Run Training. */
  async run(target?: vscode.Uri): Promise<TrainingRun | undefined> {
    if (!this.checkTrust('run')) return undefined;
    const project = await this.resolveProject(target);
    if (!project) return undefined;
    const result = await this.buildProject(project, { force: false, announce: false });
    if (!result?.ok) return undefined;

    const cli = resolveArkorCli(project.root, { nodePath: process.execPath });
    if (!cli) {
      void vscode.window.showErrorMessage(
        `Arkor: the arkor package is not installed in ${project.name}. Run \`npm install arkor\` in ${project.root}.`,
      );
      return undefined;
    }
    const connection = await this.session.connect().catch((error: unknown) => {
      void vscode.window.showErrorMessage(`Arkor: ${error instanceof Error ? error.message : String(error)}`);
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
        void vscode.window.showErrorMessage(
          `Arkor: could not prepare the local run of ${project.name}: ${errorText(error)}`,
        );
        return undefined;
      }
    }
    const home = await prepareChildHome(connection.credentials, connection.baseUrl);
    const channel = this.channel(project);
    channel.clear();
    // Not revealed: the job panel opens with the same log and needs the room for its chart. The
    // output is one click away (Arkor: Show Output, or Show Output on a failure notification).
    channel.appendLine(
      `$ arkor start   (${project.root}, backend ${connection.baseUrl}, arkor ${cli.version ?? '?'})`,
    );
    const guard = vscode.Uri.joinPath(this.extensionUri, 'dist', 'processGuard.js').fsPath;
    const command = [cli.command, ...cli.args, ...startArgs({ outFile: result.outFile, root: project.root })];
    // The guard removes the private HOME (it holds the token) however the run ends, even if this
    // extension host crashes first.
    const child = spawn(process.execPath, [guard, '--cleanup', home.home, '--', ...command], {
      cwd,
      // In desktop VS Code process.execPath is Electron: this makes it plain Node.
      env: { ...process.env, ...home.env, ELECTRON_RUN_AS_NODE: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // The guard leads a new process group that the trainer joins: killing the group stops both,
      // and the guard stops the trainer if the extension host dies without disposing
      // (src/processGuard.ts).
      detached: true,
    });
    const run = new RunImpl(project, child, connection, home.home, this.log, () => this.updateStatus());
    this.runs.add(run);
    this.log.info(`Started arkor start for ${project.name} (pid ${child.pid})`);
    // The trainer's own output may print a token (a debug dump of its environment, an echoed error).
    const secrets = credentialSecrets(connection.credentials);
    const onLine = (raw: string) => {
      const line = redact(raw, secrets);
      channel.appendLine(line);
      const event = parseRunLine(line);
      if (event?.kind === 'started') {
        run.jobId = event.jobId;
        void connection.store.refresh();
        this.openJob(event.jobId);
        this.updateStatus();
      } else if (event?.kind === 'finished') {
        run.finalStatus = event.status;
      }
    };
    const out = new LineSplitter(onLine);
    const err = new LineSplitter(onLine);
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => channel.appendLine(`Could not start arkor: ${e.message}`));
    void run.exited.then(async (code) => {
      out.end();
      err.end();
      await home.dispose();
      this.runs.delete(run);
      this.updateStatus();
      channel.appendLine(`\n[arkor start exited with ${code ?? 'a signal'}]`);
      this.notifyEnd(run, code, channel);
    });
    this._onDidStartRun.fire(run);
    return run;
  }

  private notifyEnd(run: RunImpl, code: number | null, channel: vscode.OutputChannel): void {
    if (run.cancelled || this.closing) return;
    const jobId = run.jobId;
    const status = run.finalStatus;
    const actions = jobId ? ['Open Job'] : [];
    const act = (choice: string | undefined) => {
      if (choice === 'Open Job' && jobId) this.openJob(jobId);
      if (choice === 'Open in Playground' && jobId) {
        void vscode.commands.executeCommand('arkor.openPlayground', { jobId });
      }
      if (choice === 'Show Output') channel.show();
    };
    if (status === 'completed') {
      void vscode.window
        .showInformationMessage(
          `Arkor: training ${run.project.name} completed.`,
          ...actions,
          'Open in Playground',
        )
        .then(act);
    } else if (jobId && !status && isActiveStatus(this.session.connection?.store.status(jobId))) {
      // The process ended (killed, crashed) but the job did not: it goes on training on the backend,
      // with nobody watching here. Say so, and offer to stop it or to keep watching it.
      const where = this.session.connection?.kind === 'cloud' ? 'Arkor Cloud' : 'the local backend';
      void vscode.window
        .showWarningMessage(
          `Arkor: the training process of ${run.project.name} stopped (${code === null ? 'killed' : `exit ${code}`}), but its job keeps training on ${where}. Its progress and results still show in the job panel.`,
          'Cancel Job',
          'Open Job',
          'Show Output',
        )
        .then((choice) => {
          if (choice === 'Cancel Job') void vscode.commands.executeCommand('arkor.cancelJob', jobId);
          else act(choice);
        });
    } else {
      void this.failureReason(jobId).then((error) => {
        const why = error ?? (status ? `status ${status}` : `arkor start exited with ${code ?? 'a signal'}`);
        return vscode.window
          .showErrorMessage(`Arkor: training ${run.project.name} failed: ${why}`, 'Show Output', ...actions)
          .then(act);
      });
    }
  }

  /** Why the job failed, as the backend says it (the list is re-read if the store has no reason yet). */
  private async failureReason(jobId: string | undefined): Promise<string | undefined> {
    const store = this.session.connection?.store;
    if (!jobId || !store) return undefined;
    if (!store.error(jobId)) await store.refresh().catch(() => undefined);
    return store.error(jobId);
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
    opts: { force: boolean; announce: boolean },
  ): Promise<BuildResult | undefined> {
    // The code on screen: unsaved editors of this project are built as they are.
    const dirty = vscode.workspace.textDocuments.filter(
      (d) => d.isDirty && d.uri.scheme === 'file' && d.uri.fsPath.startsWith(`${project.root}/`),
    );
    const overlays = new Map(dirty.map((d) => [d.uri.fsPath, d.getText()]));
    if (dirty.length > 0) {
      void vscode.window
        .showInformationMessage(
          `Arkor: building ${dirty.length} unsaved file(s) as shown in the editor.`,
          'Save All',
        )
        .then((c) => c && vscode.workspace.saveAll(false));
    }
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Arkor: building ${project.name}` },
      () => buildTrainer(project, { overlays, force: opts.force }),
    );
    this.diagnostics.clear();
    this.report([...(result.ok ? [] : result.errors), ...result.warnings]);
    if (!result.ok) {
      const first = result.errors[0];
      this.log.warn(
        `Build of ${project.name} failed: ${result.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`).join('; ')}`,
      );
      void vscode.window
        .showErrorMessage(
          `Arkor: build failed with ${result.errors.length} error(s)${first ? `: ${first.message}` : ''}`,
          'Show Problems',
        )
        .then((c) => c && vscode.commands.executeCommand('workbench.actions.view.problems'));
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
    if (!run?.jobId || !store) {
      if (this.runs.size > 0) {
        this.status.text = '$(sync~spin) Arkor: starting…';
        this.status.command = undefined;
        this.status.show();
      } else {
        this.status.hide();
      }
      return;
    }
    const latest = store.latestMetric(run.jobId);
    const step = latest?.step;
    const loss = latest?.loss;
    const maxSteps = store.job(run.jobId)?.config.maxSteps;
    const progress =
      step === undefined ? 'queued' : `step ${step}${typeof maxSteps === 'number' ? `/${maxSteps}` : ''}`;
    const lossText = loss !== undefined && Number.isFinite(loss) ? ` · loss ${loss.toFixed(4)}` : '';
    this.status.text = `$(sync~spin) Arkor: ${progress}${lossText}`;
    this.status.tooltip = `${run.project.name}: job ${run.jobId}. Click to open it.`;
    this.status.command = { title: 'Open Job', command: 'arkor.openJob', arguments: [run.jobId] };
    this.status.show();
  }
}

class RunImpl implements TrainingRun {
  jobId: string | undefined;
  finalStatus: string | undefined;
  cancelled = false;
  readonly exited: Promise<number | null>;

  constructor(
    readonly project: ArkorProject,
    private readonly child: ChildProcess,
    private readonly connection: { client: ArkorApiClient; scope: Scope },
    readonly home: string,
    private readonly log: vscode.LogOutputChannel,
    onExit: () => void,
  ) {
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
        onExit();
      });
      child.on('error', () => resolve(null));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Kills the whole process group: SIGTERM, then SIGKILL if it lingers. */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null) return;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid, s);
      } catch (error) {
        // ESRCH: already gone, which is what we wanted. Anything else is worth knowing.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
          this.log.warn(
            `Could not send ${s} to the run of ${this.project.name} (pid ${pid}): ${errorText(error)}`,
          );
        }
      }
    };
    signal('SIGTERM');
    setTimeout(() => this.child.exitCode === null && signal('SIGKILL'), 2000).unref();
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    this.kill();
    // `arkor start` does not cancel the job when killed (the real CLI has no cancel on signals): the extension does.
    if (this.jobId) {
      const jobId = this.jobId;
      await this.connection.client.cancelJob(this.connection.scope, jobId).catch((error: unknown) => {
        this.log.warn(`Could not cancel job ${jobId} on the backend: ${errorText(error)}`);
      });
    }
    await this.exited;
  }
}
