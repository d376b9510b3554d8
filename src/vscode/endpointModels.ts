import * as vscode from 'vscode';
import {
  ArkorApiError,
  type ChatRequest,
  type ChatResult,
  deploymentBaseUrl,
  type StreamChatOptions,
  streamEndpointChat,
} from '../core';
import type { ModelOption, ModelRef } from '../protocol';
import type { EndpointPanels } from './endpointPanel';
import type { Endpoints } from './endpoints';
import type { EndpointModelSource } from './playgroundPanel';
import { type ArkorSession, CLIENT_VERSION } from './session';

/**
 * The Playground's endpoint models: every enabled endpoint of the project, chatted with through its
 * own URL. An endpoint that wants a key uses the one its panel shows right now, else one the user
 * typed for it in this window (asked once, kept in memory only, forgotten when refused).
 */
export class EndpointModels implements EndpointModelSource {
  private readonly typedKeys = new Map<string, string>();
  readonly onDidChange: EndpointModelSource['onDidChange'];

  constructor(
    private readonly session: ArkorSession,
    private readonly endpoints: Endpoints,
    private readonly panels: EndpointPanels,
  ) {
    this.onDidChange = endpoints.onDidChange;
  }

  options(): ModelOption[] {
    return this.endpoints.all
      .filter((d) => d.enabled)
      .map((d) => ({
        ref: { kind: 'endpoint', endpointId: d.id, slug: d.slug },
        label: `Endpoint · ${d.slug}`,
        group: 'Endpoints',
      }));
  }

  async chat(
    ref: Extract<ModelRef, { kind: 'endpoint' }>,
    request: Omit<ChatRequest, 'baseModel' | 'adapter'>,
    opts: StreamChatOptions,
  ): Promise<ChatResult> {
    let d = this.endpoints.find(ref.endpointId);
    if (!d) {
      const c = await this.session.connect();
      d = await c.client.getDeployment(c.scope, ref.endpointId);
    }
    let apiKey: string | undefined;
    if (d.authMode === 'fixed_api_key') {
      apiKey = this.panels.pendingKey(d.id) ?? this.typedKeys.get(d.id) ?? (await this.askKey(d.slug));
      if (!apiKey) {
        throw new Error(`Endpoint ${d.slug} requires an API key. Issue one in its panel, then send again.`);
      }
    }
    try {
      return await streamEndpointChat(
        { baseUrl: deploymentBaseUrl(d), slug: d.slug, apiKey, clientVersion: CLIENT_VERSION },
        request,
        opts,
      );
    } catch (error) {
      if (error instanceof ArkorApiError && error.kind === 'auth') this.typedKeys.delete(d.id);
      throw error;
    }
  }

  private async askKey(slug: string): Promise<string | undefined> {
    const key = await vscode.window.showInputBox({
      title: `Arkor: API key of endpoint ${slug}`,
      prompt: 'The endpoint requires a key. It is kept in memory for this window only.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Paste a key issued for this endpoint.'),
    });
    const trimmed = key?.trim();
    if (trimmed) {
      const d = this.endpoints.all.find((x) => x.slug === slug);
      if (d) this.typedKeys.set(d.id, trimmed);
    }
    return trimmed;
  }
}
