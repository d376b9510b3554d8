import * as vscode from 'vscode';
import { chatCompletionsUrl, deploymentBaseUrl } from '../core';
import type { CommandHandlers } from './commands';
import { deploy } from './deployCommand';
import type { EndpointPanels } from './endpointPanel';
import type { Endpoints } from './endpoints';
import { withErrors } from './jobCommands';
import type { ArkorSession } from './session';

type EndpointCommand =
  | 'arkor.deploy'
  | 'arkor.openEndpoint'
  | 'arkor.copyEndpointUrl'
  | 'arkor.enableEndpoint'
  | 'arkor.disableEndpoint'
  | 'arkor.deleteEndpoint'
  | 'arkor.refreshEndpoints';

/** An endpoint command's argument: an id (from code) or an Endpoints view row. Else: ask. */
export function endpointIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  const id = (arg as { endpointId?: unknown } | undefined)?.endpointId;
  return typeof id === 'string' && id ? id : undefined;
}

export function endpointCommands(
  session: ArkorSession,
  endpoints: Endpoints,
  panels: EndpointPanels,
): Pick<CommandHandlers, EndpointCommand> {
  const pick = async (title: string): Promise<string | undefined> => {
    await session.connect();
    await endpoints.refresh();
    if (endpoints.all.length === 0) {
      void vscode.window.showInformationMessage(
        'Arkor: this project has no endpoints yet. Use "Arkor: Deploy…".',
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      endpoints.all.map((d) => {
        const s = endpoints.summary(d);
        return { label: s.slug, description: s.targetLabel, detail: s.url, id: s.id };
      }),
      { title },
    );
    return picked?.id;
  };
  const setEnabled = (enabled: boolean) => async (arg: unknown) => {
    const id = endpointIdOf(arg) ?? (await pick(`Arkor: ${enabled ? 'enable' : 'disable'} which endpoint?`));
    if (!id) return;
    await withErrors(async () => {
      const c = await session.connect();
      endpoints.put(await c.client.updateDeployment(c.scope, id, { enabled }));
    });
  };

  return {
    'arkor.deploy': async (arg) => {
      const created = await withErrors(() => deploy(session, endpoints, arg));
      if (!created) return;
      panels.open(created.id);
      void vscode.window.showInformationMessage(
        `Arkor: deployed ${created.slug} at ${chatCompletionsUrl(deploymentBaseUrl(created))}.`,
      );
    },
    'arkor.openEndpoint': async (arg) => {
      const id = endpointIdOf(arg) ?? (await pick('Arkor: open which endpoint?'));
      if (id) panels.open(id);
    },
    'arkor.copyEndpointUrl': async (arg) => {
      const id = endpointIdOf(arg) ?? (await pick('Arkor: copy the URL of which endpoint?'));
      const d = id && endpoints.find(id);
      if (!d) return;
      const url = chatCompletionsUrl(deploymentBaseUrl(d));
      await vscode.env.clipboard.writeText(url);
      vscode.window.setStatusBarMessage(`Copied ${url}`, 3000);
    },
    'arkor.enableEndpoint': setEnabled(true),
    'arkor.disableEndpoint': setEnabled(false),
    'arkor.deleteEndpoint': async (arg) => {
      const id = endpointIdOf(arg) ?? (await pick('Arkor: delete which endpoint?'));
      const d = id && endpoints.find(id);
      if (!d) return;
      const keyOnScreen = panels.pendingKey(d.id)
        ? ' The API key shown in its panel, not yet confirmed saved, stops working too.'
        : '';
      const answer = await vscode.window.showWarningMessage(
        `Delete endpoint ${d.slug}?`,
        {
          modal: true,
          detail: `Its URL ${chatCompletionsUrl(deploymentBaseUrl(d))} stops answering and its API keys are revoked.${keyOnScreen} This cannot be undone.`,
        },
        `Delete ${d.slug}`,
      );
      if (answer !== `Delete ${d.slug}`) return;
      await withErrors(async () => {
        const c = await session.connect();
        await c.client.deleteDeployment(c.scope, d.id);
        endpoints.remove(d.id);
        panels.get(d.id)?.closeQuietly();
        void vscode.window.showInformationMessage(`Arkor: deleted endpoint ${d.slug}.`);
      });
    },
    'arkor.refreshEndpoints': async () => {
      await withErrors(() => session.connect());
      await endpoints.refresh();
    },
  };
}
