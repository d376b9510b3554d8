import * as vscode from 'vscode';
import type { z } from 'zod';
import { DisposableStore, Emitter, WebviewChannel } from '../core';
import { Disposable } from '../core/lifecycle';
import { errorText } from './log';
import { parseMessage } from './messageSchemas';
import { webviewHtml, webviewOptions } from './webviewHtml';
import { type BundleSending, WEBVIEWS } from './webviews';

export type WebviewHostOptions<In extends { type: string }> = (
  | {
      /** For log lines, e.g. "the jobs view". */
      name: string;
      item?: undefined;
    }
  | {
      /**
       * The item an editor panel shows, one panel per item: the panel is named after it in log lines
       * ("the panel of job <id>"), and its page carries the id for the serializer (`restoredItemId`).
       */
      item: PanelItem;
      name?: undefined;
    }
) & {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** The app it loads; its schema (webviews.ts) validates every message from the webview. */
  bundle: BundleSending<In>;
  /** Whether the webview keeps its document while hidden. Arkor's do not (GitLens' pattern). */
  retainedWhenHidden?: boolean;
  /**
   * The messages the host answers by running a VS Code command alone: per message type, the command
   * and its arguments. Every other message goes to `onMessage`.
   */
  commands?: CommandMessages<In>;
};

/** The item an editor panel shows, one panel per item. */
export interface PanelItem {
  kind: 'job' | 'endpoint';
  id: string;
}

export type CommandMessages<In extends { type: string }> = {
  [T in In['type']]?: (message: Extract<In, { type: T }>) => [command: string, ...args: unknown[]];
};

type Surface = vscode.WebviewPanel | vscode.WebviewView;

/**
 * The VS Code side every Arkor webview shares (jobs view, job panels, Playground): it loads the app
 * into a panel or view, validates what the webview sends, runs the `ready` handshake, tracks
 * visibility, and posts through a `WebviewChannel`, which owns the rule for what is posted when
 * (src/core/webviewChannel.ts), and runs the messages that only run a command (`commands`).
 * Subclasses supply the snapshot and handle their other messages.
 *
 * Errors from message handlers, the handshake and posting are logged, never dropped.
 */
export abstract class WebviewHost<In extends { type: string }, Out> extends Disposable {
  protected readonly channel: WebviewChannel<Out>;
  protected readonly log: vscode.LogOutputChannel;
  /** Subscriptions of the webview shown now; released when it goes away. */
  private readonly surfaceSubscriptions = this._register(new DisposableStore());
  private surface: Surface | undefined;
  private readonly _onDidMount = this._register(new Emitter<void>('a webview mount listener'));
  /** Fires each time the webview app mounted and received its snapshot (tests wait on it). */
  readonly onDidMount = this._onDidMount.event;

  /** For log lines, e.g. "the jobs view". */
  private readonly name: string;

  constructor(private readonly hostOptions: WebviewHostOptions<In>) {
    super();
    this.log = hostOptions.log;
    const { item } = hostOptions;
    this.name = item ? `the panel of ${item.kind} ${item.id}` : hostOptions.name;
    this.channel = this._register(
      new WebviewChannel<Out>({
        name: this.name,
        retainedWhenHidden: hostOptions.retainedWhenHidden,
        post: (message) => this.surface?.webview.postMessage(message),
        snapshot: () => this.snapshot(),
        onError: (error, context) => this.log.error(`${context}: ${errorText(error)}`),
      }),
    );
    this._register(this.channel.onDidBecomeReady(() => this._onDidMount.fire()));
  }

  /** The app mounted, is visible, and has its snapshot: deltas reach it. */
  get isMounted(): boolean {
    return this.channel.isReady;
  }

  /** The full state as one message; built only when it is about to be posted. */
  protected abstract snapshot(): Out | undefined;

  /** Prepares the host's data after the webview says `ready`, before its snapshot (e.g. connect). */
  protected prepare(): Promise<void> | void {}

  /** Handles a validated message other than `ready` and the `commands`. */
  protected onMessage(_message: Exclude<In, { type: 'ready' }>): Promise<void> | void {}

  /** The webview shown now went away (its panel closed or its view was disposed). */
  protected onWebviewDisposed(): void {}

  /** Shows the app in a new or restored panel, or a resolved view; replaces any earlier surface. */
  protected attachWebview(surface: Surface): void {
    this.surfaceSubscriptions.clear();
    this.surface = surface;
    const { webview } = surface;
    const { extensionUri, bundle, item } = this.hostOptions;
    webview.options = webviewOptions(extensionUri);
    if (isPanel(surface)) surface.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'arkor.svg');
    webview.html = webviewHtml(webview, extensionUri, {
      bundle,
      title: WEBVIEWS[bundle].title,
      data: item && { [itemKey(item.kind)]: item.id },
    });
    this.channel.attach(surface.visible);
    const subscriptions = this.surfaceSubscriptions;
    subscriptions.add(webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    subscriptions.add(
      isPanel(surface)
        ? surface.onDidChangeViewState(() => this.channel.setVisible(surface.visible))
        : surface.onDidChangeVisibility(() => this.channel.setVisible(surface.visible)),
    );
    subscriptions.add(
      surface.onDidDispose(() => {
        if (this.surface !== surface) return;
        this.surface = undefined;
        this.channel.detach();
        this.surfaceSubscriptions.clear();
        this.onWebviewDisposed();
      }),
    );
  }

  private receive(raw: unknown): void {
    // `BundleSending<In>` ties the bundle to `In`: its schema parses messages of type `In`.
    const message = parseMessage(WEBVIEWS[this.hostOptions.bundle].schema as z.ZodType<In>, raw);
    if (!message) {
      this.log.warn(`Ignored a malformed message from ${this.name}`);
      return;
    }
    if (message.type === 'ready') {
      const complete = this.channel.beginHandshake();
      void this.run('preparing for its snapshot', () => this.prepare()).finally(() => {
        if (!this.isDisposed) complete();
      });
      return;
    }
    const command = this.hostOptions.commands?.[message.type as In['type']] as
      | ((message: In) => [command: string, ...args: unknown[]])
      | undefined;
    if (command) {
      void this.command(...command(message));
      return;
    }
    void this.run(`handling '${message.type}'`, () =>
      this.onMessage(message as Exclude<In, { type: 'ready' }>),
    );
  }

  /** Runs `op`, logging (not rethrowing) its failure. */
  protected async run(what: string, op: () => Promise<void> | void): Promise<void> {
    try {
      await op();
    } catch (error) {
      this.log.error(`${capitalize(this.name)}: ${what} failed: ${errorText(error)}`);
    }
  }

  /** Runs a VS Code command for the webview, logging a failure. */
  protected command(id: string, ...args: unknown[]): Promise<void> {
    return this.run(`running ${id}`, async () => {
      await vscode.commands.executeCommand(id, ...args);
    });
  }
}

/** Restores panels of `viewType` after a reload; a restore that throws is logged and its panel closed. */
export function registerPanelSerializer(
  viewType: string,
  log: vscode.LogOutputChannel,
  restore: (panel: vscode.WebviewPanel, state: unknown) => void | Promise<void>,
): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(viewType, {
    deserializeWebviewPanel: async (panel, state: unknown) => {
      try {
        await restore(panel, state);
      } catch (error) {
        log.error(`Could not restore a ${viewType} panel: ${errorText(error)}`);
        panel.dispose();
      }
    },
  });
}

/** The id of the item a restored panel showed, from the webview state the serializer gets. */
export function restoredItemId(state: unknown, kind: PanelItem['kind']): string | undefined {
  const id = (state as { viewData?: Record<string, unknown> } | undefined)?.viewData?.[itemKey(kind)];
  return typeof id === 'string' ? id : undefined;
}

/** Where the page's data (and so the webview state's `viewData`) carries a panel's item id: `jobId`. */
function itemKey(kind: PanelItem['kind']): string {
  return `${kind}Id`;
}

/** A new editor panel for a host to attach to (options are set again by `attachWebview`). */
export function createPanel(viewType: string, title: string, extensionUri: vscode.Uri): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, {
    ...webviewOptions(extensionUri),
  });
}

function isPanel(surface: Surface): surface is vscode.WebviewPanel {
  return 'onDidChangeViewState' in surface;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
