import * as vscode from 'vscode';
import { ArkorApiError, jobLookup, slugMessage, suggestSlug, targetLabel, targetOptions } from '../core';
import { DisposableStore } from '../core/lifecycle';
import { type EndpointAuthMode, type EndpointTarget, type ModelRef, targetKey } from '../protocol';
import type { Deployment } from '../wire';
import type { Endpoints } from './endpoints';
import { jobIdOf } from './jobCommands';
import { errorText } from './log';
import { BASE_MODELS } from './playgroundPanel';
import type { ArkorSession } from './session';

/** Jobs whose checkpoints the target list shows (their event streams are opened while it is open). */
const WATCHED_JOBS = 10;
const TITLE = 'Arkor: Deploy';

/**
 * The target a Deploy entry point names: a job row or job panel (`{jobId}`), a checkpoint row
 * (`{jobId, step}`), the Playground's selected model (`{model}`); undefined means "ask".
 */
export function deployTargetOf(arg: unknown): EndpointTarget | undefined {
  const model = (arg as { model?: ModelRef } | undefined)?.model;
  if (model && typeof model === 'object') {
    if (model.kind === 'base') return { kind: 'base_model', baseModel: model.model };
    if (model.kind === 'final') return { kind: 'adapter', adapter: { kind: 'final', jobId: model.jobId } };
    if (model.kind === 'checkpoint')
      return { kind: 'adapter', adapter: { kind: 'checkpoint', jobId: model.jobId, step: model.step } };
    return undefined;
  }
  const jobId = jobIdOf(arg);
  if (!jobId) return undefined;
  const step = (arg as { step?: unknown }).step;
  return typeof step === 'number' && Number.isInteger(step) && step >= 0
    ? { kind: 'adapter', adapter: { kind: 'checkpoint', jobId, step } }
    : { kind: 'adapter', adapter: { kind: 'final', jobId } };
}

type Step<T> = T | 'back' | undefined;

/**
 * "Arkor: Deploy…": target (completed jobs' final adapters, their checkpoints, base models), auth
 * mode, then the slug, checked as the user types; creating happens on the last step, so a taken slug
 * (409) or any other refusal is shown right in the slug box, which stays open with what was typed.
 * Resolves to the created deployment, or undefined when the user cancelled.
 */
export async function deploy(
  session: ArkorSession,
  endpoints: Endpoints,
  arg: unknown,
): Promise<Deployment | undefined> {
  const connection = await session.connect();
  const preset = deployTargetOf(arg);
  let target = preset;
  let authMode: EndpointAuthMode | undefined;
  let step = preset ? 1 : 0;
  const total = preset ? 2 : 3;
  const job = jobLookup(connection.store);
  while (true) {
    if (step === 0) {
      const picked = await pickTarget(session, target);
      if (picked === undefined) return undefined;
      if (picked === 'back') continue;
      target = picked;
      step = 1;
    } else if (step === 1) {
      const picked = await pickAuth(authMode, target!, job, preset ? 1 : 2, total, !preset);
      if (picked === undefined) return undefined;
      if (picked === 'back') {
        step = 0;
        continue;
      }
      authMode = picked;
      step = 2;
    } else {
      const created = await askSlug(session, endpoints, target!, authMode!, total, job);
      if (created === undefined) return undefined;
      if (created === 'back') {
        step = 1;
        continue;
      }
      endpoints.put(created);
      return created;
    }
  }
}

async function pickTarget(
  session: ArkorSession,
  current: EndpointTarget | undefined,
): Promise<Step<EndpointTarget>> {
  const store = session.connection?.store;
  if (!store) return undefined;
  type Item = vscode.QuickPickItem & { target?: EndpointTarget };
  const pick = vscode.window.createQuickPick<Item>();
  const disposables = stepInput(pick, TITLE, 1, 3);
  pick.placeholder = 'What should the endpoint serve? (final adapters, checkpoints, base models)';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  // Checkpoints are known from job event streams: open them for the recent jobs while picking.
  for (const job of store.jobs().slice(0, WATCHED_JOBS)) disposables.add(store.watch(job.id));
  const render = () => {
    const options = targetOptions(store, BASE_MODELS);
    const items: Item[] = [];
    let group: string | undefined;
    for (const o of options) {
      if (o.group !== group) {
        group = o.group;
        items.push({ label: group, kind: vscode.QuickPickItemKind.Separator });
      }
      const jobId = o.target.kind === 'adapter' ? o.target.adapter.jobId : undefined;
      items.push({
        label: o.label,
        description: jobId ? `job ${jobId.slice(0, 8)}` : undefined,
        detail:
          o.target.kind === 'adapter' && o.target.adapter.kind === 'final'
            ? 'The adapter the job finished with'
            : o.target.kind === 'adapter'
              ? 'A checkpoint saved during training'
              : 'The base model alone, no LoRA',
        target: o.target,
      });
    }
    const selected = current && items.find((i) => i.target && targetKey(i.target) === targetKey(current));
    pick.items = items;
    if (selected) pick.activeItems = [selected];
    pick.busy = false;
  };
  render();
  if (store.jobs().every((j) => j.status !== 'completed')) {
    pick.placeholder = 'No completed job yet: deploy a base model, or train a job first';
  }
  disposables.add(
    store.onDidChange((c) => {
      if (c.kind === 'jobs' || c.kind === 'checkpoints' || c.kind === 'status') render();
    }),
  );
  return runStep(pick, disposables, (resolve) => resolve(pick.selectedItems[0]?.target));
}

async function pickAuth(
  current: EndpointAuthMode | undefined,
  target: EndpointTarget,
  job: (id: string) => { name: string; label?: string | undefined } | undefined,
  step: number,
  total: number,
  canGoBack: boolean,
): Promise<Step<EndpointAuthMode>> {
  type Item = vscode.QuickPickItem & { mode: EndpointAuthMode };
  const items: Item[] = [
    {
      label: 'API key required',
      detail: 'Callers send a key (Authorization: Bearer …). You issue keys in the endpoint’s panel.',
      mode: 'fixed_api_key',
    },
    { label: 'No auth (public)', detail: 'Anyone who can reach the URL can call it.', mode: 'none' },
  ];
  const pick = vscode.window.createQuickPick<Item>();
  const disposables = stepInput(pick, `${TITLE} ${targetLabel(target, job)}`, step, total);
  pick.placeholder = 'Who may call the endpoint?';
  pick.items = items;
  pick.activeItems = [items.find((i) => i.mode === current) ?? items[0]!];
  if (canGoBack) pick.buttons = [vscode.QuickInputButtons.Back];
  return runStep(pick, disposables, (resolve) => resolve(pick.selectedItems[0]?.mode));
}

/** Titles and numbers a step's quick pick or input box; the returned store disposes it. */
function stepInput(input: vscode.QuickInput, title: string, step: number, total: number): DisposableStore {
  const disposables = new DisposableStore();
  disposables.add(input);
  input.title = title;
  input.step = step;
  input.totalSteps = total;
  return disposables;
}

/**
 * Shows a step's input until `onAccept` resolves it, the user goes back or dismisses it; then
 * disposes `disposables` (the input and every listener added to it).
 */
async function runStep<T>(
  input: vscode.QuickInput & Pick<vscode.InputBox, 'onDidAccept' | 'onDidTriggerButton'>,
  disposables: DisposableStore,
  onAccept: (resolve: (value: Step<T>) => void) => void | Promise<void>,
): Promise<Step<T>> {
  try {
    return await new Promise<Step<T>>((resolve) => {
      disposables.add(input.onDidTriggerButton(() => resolve('back')));
      disposables.add(input.onDidAccept(() => onAccept(resolve)));
      disposables.add(input.onDidHide(() => resolve(undefined)));
      input.show();
    });
  } finally {
    disposables.dispose();
  }
}

async function askSlug(
  session: ArkorSession,
  endpoints: Endpoints,
  target: EndpointTarget,
  authMode: EndpointAuthMode,
  total: number,
  job: (id: string) => { name: string; label?: string | undefined } | undefined,
): Promise<Step<Deployment>> {
  const input = vscode.window.createInputBox();
  const disposables = stepInput(input, `${TITLE} ${targetLabel(target, job)}`, total, total);
  input.prompt = 'The endpoint’s slug: its name in the URL. 2-50 lowercase letters, digits and hyphens.';
  input.placeholder = 'my-model';
  input.buttons = [vscode.QuickInputButtons.Back];
  const name =
    target.kind === 'base_model' ? target.baseModel.split('/').pop()! : job(target.adapter.jobId)?.name;
  const suggested = suggestSlug(
    target.kind === 'adapter' && target.adapter.kind === 'checkpoint'
      ? `${name}-step-${target.adapter.step}`
      : (name ?? ''),
  );
  input.value = endpoints.all.some((d) => d.slug === suggested) ? '' : suggested;
  const check = () => {
    input.validationMessage = input.value ? slugMessage(input.value, endpoints.all) : undefined;
  };
  check();
  disposables.add(input.onDidChangeValue(check));
  return runStep<Deployment>(input, disposables, async (resolve) => {
    const slug = input.value;
    const problem = slugMessage(slug, endpoints.all);
    if (problem || input.busy) {
      input.validationMessage = problem;
      return;
    }
    input.busy = true;
    input.enabled = false;
    try {
      const connection = await session.connect();
      resolve(await connection.client.createDeployment(connection.scope, { slug, target, authMode }));
    } catch (error) {
      // Stay in the box with what was typed: a taken slug (409), a deleted target job (404), a
      // backend that went away mid-request. The message says which, and the user can fix or retry.
      input.validationMessage = createErrorMessage(error);
    } finally {
      input.busy = false;
      input.enabled = true;
    }
  });
}

function createErrorMessage(error: unknown): string {
  if (error instanceof ArkorApiError && (error.kind === 'network' || error.kind === 'timeout')) {
    return `${error.message} Press Enter to try again.`;
  }
  return errorText(error);
}
