import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { Endpoints } from './endpoints';
import type { ArkorSession } from './session';

/** A row of the Endpoints view: an endpoint id (what the context menu commands receive). */
export interface EndpointNode {
  endpointId: string;
}

/**
 * The sidebar "Endpoints" view: a native tree, one row per endpoint (slug, target and auth, a state
 * icon, the URL in the tooltip). Empty, it shows a Deploy button (viewsWelcome); a failure to list or
 * a missing connection shows as the view's message. Click opens the endpoint's panel.
 */
export class EndpointsView extends Disposable implements vscode.TreeDataProvider<EndpointNode> {
  static readonly viewId = 'arkor.endpoints';
  private readonly changed = this._register(new vscode.EventEmitter<EndpointNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<EndpointNode>;
  private watching: { dispose(): void } | undefined;

  constructor(
    private readonly endpoints: Endpoints,
    private readonly session: ArkorSession,
  ) {
    super();
    this.view = this._register(
      vscode.window.createTreeView(EndpointsView.viewId, { treeDataProvider: this }),
    );
    this._register(endpoints.onDidChange(() => this.update()));
    this._register(session.onDidChange(() => this.update()));
    // Poll only while someone looks; showing the view connects (as the Jobs view does).
    const visibility = () => {
      if (this.view.visible && !this.watching) {
        this.watching = endpoints.watch();
        session.connect().catch(() => undefined);
      } else if (!this.view.visible && this.watching) {
        this.watching.dispose();
        this.watching = undefined;
      }
    };
    this._register(this.view.onDidChangeVisibility(visibility));
    this._register({ dispose: () => this.watching?.dispose() });
    visibility();
    this.update();
  }

  private update(): void {
    const info = this.session.info();
    this.view.message = info.error
      ? `Not connected: ${info.error}`
      : this.endpoints.error
        ? `Could not list the endpoints: ${this.endpoints.error}`
        : undefined;
    const count = this.endpoints.all.length;
    this.view.description = count ? String(count) : undefined;
    // The welcome (with Deploy…) shows only once an empty list has really been loaded.
    void vscode.commands.executeCommand('setContext', 'arkor.endpointsLoaded', this.endpoints.loaded);
    this.changed.fire(undefined);
  }

  getChildren(element?: EndpointNode): EndpointNode[] {
    if (element) return [];
    return this.endpoints.all.map((d) => ({ endpointId: d.id }));
  }

  getTreeItem(node: EndpointNode): vscode.TreeItem {
    const d = this.endpoints.find(node.endpointId);
    if (!d) return new vscode.TreeItem(node.endpointId);
    const s = this.endpoints.summary(d);
    const item = new vscode.TreeItem(s.slug, vscode.TreeItemCollapsibleState.None);
    item.id = s.id;
    const auth = s.authMode === 'fixed_api_key' ? 'API key' : 'public';
    item.description = `${s.enabled ? '' : 'disabled · '}${s.targetLabel} · ${auth}`;
    item.iconPath = new vscode.ThemeIcon(
      !s.enabled ? 'circle-slash' : s.targetMissing ? 'warning' : 'radio-tower',
      s.enabled && !s.targetMissing ? new vscode.ThemeColor('testing.iconPassed') : undefined,
    );
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${s.slug}** · ${s.enabled ? 'enabled' : 'disabled'}\n\n`);
    tooltip.appendCodeblock(s.url, 'text');
    tooltip.appendMarkdown(
      `\nTarget: ${s.targetLabel}${s.targetMissing ? ' (job not found)' : ''}  \nAuth: ${
        s.authMode === 'fixed_api_key' ? 'API key required' : 'none (public)'
      }  \nRuns: ${s.retentionText.replace(/^runs /, '')}`,
    );
    item.tooltip = tooltip;
    item.contextValue = s.enabled ? 'endpoint.enabled' : 'endpoint.disabled';
    item.command = { command: 'arkor.openEndpoint', title: 'Open Endpoint', arguments: [node] };
    item.accessibilityInformation = {
      label: `Endpoint ${s.slug}, ${s.enabled ? 'enabled' : 'disabled'}, serves ${s.targetLabel}, ${auth}`,
    };
    return item;
  }
}
