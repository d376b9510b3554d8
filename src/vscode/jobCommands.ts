import * as vscode from 'vscode';
import { isActiveStatus, isTerminalStatus } from '../core';
import type { ModelRef } from '../protocol';
import type { CommandHandlers } from './commands';
import type { JobPanels } from './jobPanel';
import type { ArkorSession } from './session';

/**
 * A job command's argument: a job id (from code), or the `data-vscode-context` object of a jobs view
 * row (from a `webview/context` menu). Anything else means "ask".
 */
export function jobIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { jobId?: unknown }).jobId === 'string') {
    return (arg as { jobId: string }).jobId;
  }
  return undefined;
}

/**
 * The model an "Open in Playground" argument names: a checkpoint when it carries a step, else the
 * job's final adapter; undefined for no argument (the Playground keeps its selection).
 */
export function modelRefOf(arg: unknown): ModelRef | undefined {
  const jobId = jobIdOf(arg);
  if (!jobId) return undefined;
  const step = (arg as { step?: unknown }).step;
  return typeof step === 'number' && Number.isInteger(step) && step >= 0
    ? { kind: 'checkpoint', jobId, step }
    : { kind: 'final', jobId };
}

export function jobCommands(
  session: ArkorSession,
  panels: JobPanels,
  /** Run Training for the project in this folder (Re-run). */
  runProject: (root: string) => Promise<unknown>,
): Pick<
  CommandHandlers,
  | 'arkor.refreshJobs'
  | 'arkor.openJob'
  | 'arkor.cancelJob'
  | 'arkor.copyJobId'
  | 'arkor.resumeJob'
  | 'arkor.rerunJob'
> {
  const interrupted = (status: string) => status === 'failed' || status === 'cancelled';
  /** Re-run: the project's trainer again, through Run Training (its build, its `arkor start`). */
  const rerun = async () => {
    const connection = await withErrors(() => session.connect());
    if (connection) await runProject(connection.projectDir);
  };
  const pickJob = async (title: string, filter: (status: string) => boolean = () => true) => {
    const connection = await session.connect();
    const jobs = connection.store.jobs().filter((j) => filter(j.status));
    if (jobs.length === 0) {
      void vscode.window.showInformationMessage('Arkor: there is no matching job.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      jobs.map((j) => ({ label: j.name, description: j.status, detail: j.id, id: j.id })),
      { title },
    );
    return picked?.id;
  };

  return {
    'arkor.refreshJobs': async () => {
      const connection = await withErrors(() => session.connect());
      await connection?.store.refresh();
    },
    'arkor.openJob': async (arg) => {
      const jobId = jobIdOf(arg) ?? (await pickJob('Arkor: open which job?'));
      if (jobId) await panels.open(jobId);
    },
    'arkor.cancelJob': async (arg) => {
      const jobId = jobIdOf(arg) ?? (await pickJob('Arkor: cancel which job?', isActiveStatus));
      if (!jobId) return;
      const connection = await session.connect();
      const job = connection.store.job(jobId);
      if (job && isTerminalStatus(connection.store.status(jobId))) {
        void vscode.window.showInformationMessage(`Arkor: ${job.name} has already ${job.status}.`);
        return;
      }
      await withErrors(async () => {
        await connection.client.cancelJob(connection.scope, jobId);
        await connection.store.refresh();
        void vscode.window.showInformationMessage(`Arkor: cancelled ${job?.name ?? jobId}.`);
      });
    },
    'arkor.resumeJob': async (arg) => {
      const jobId = jobIdOf(arg) ?? (await pickJob('Arkor: resume which job?', interrupted));
      if (!jobId) return;
      const connection = await withErrors(() => session.connect());
      if (!connection) return;
      const name = connection.store.job(jobId)?.name ?? jobId;
      if (connection.kind !== 'local') {
        // Arkor Cloud has no resume route: a re-run is what it offers.
        const choice = await vscode.window.showInformationMessage(
          `Arkor: Arkor Cloud cannot resume ${name} from a checkpoint. Run its trainer again instead?`,
          'Re-run',
        );
        if (choice === 'Re-run') await rerun();
        return;
      }
      try {
        const job = await connection.client.resumeJob(connection.scope, jobId);
        await connection.store.refresh();
        panels.open(job.id);
        const step = job.resumedFrom?.step;
        void vscode.window.showInformationMessage(
          `Arkor: ${name} goes on from its checkpoint at step ${step ?? '?'} in a new job, on the local backend (your trainer's callbacks do not run for it).`,
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const choice = await vscode.window.showErrorMessage(
          `Arkor: could not resume ${name}: ${message}`,
          'Re-run',
        );
        if (choice === 'Re-run') await rerun();
      }
    },
    'arkor.rerunJob': () => rerun(),
    'arkor.copyJobId': async (arg) => {
      const jobId = jobIdOf(arg);
      if (!jobId) return;
      await vscode.env.clipboard.writeText(jobId);
      vscode.window.setStatusBarMessage(`Copied job ID ${jobId}`, 3000);
    },
  };
}

/** Runs `op`, showing a failure as an error notification instead of an unhandled rejection. */
export async function withErrors<T>(op: () => Promise<T>): Promise<T | undefined> {
  try {
    return await op();
  } catch (error) {
    void vscode.window.showErrorMessage(`Arkor: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
