import { chatCompletionsUrl, deploymentBaseUrl, Emitter, endpointSummary, jobLookup } from '../core';
import { Disposable, toDisposable } from '../core/lifecycle';
import type { EndpointSummary } from '../protocol';
import type { Deployment } from '../wire';
import { errorText } from './log';
import type { ArkorSession, Connection } from './session';

/** How often the list is refreshed while someone looks at it (changes made here show at once). */
export const ENDPOINTS_POLL_MS = 30_000;

/**
 * The project's endpoints (deployments) on the connected backend: what the Endpoints view lists and
 * the Deploy command checks. Loaded when a connection comes up, after every change made here, and
 * every 30 s while the view is visible. A failure keeps the last list and says why (`error`).
 */
export class Endpoints extends Disposable {
  private list: Deployment[] = [];
  private listedFor: Connection | undefined;
  private pending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watchers = 0;
  /** Why the last refresh failed; undefined after a success. */
  error: string | undefined;
  private readonly _onDidChange = this._register(new Emitter<void>('an endpoints listener'));
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly session: ArkorSession,
    private readonly log: { warn(message: string): void },
  ) {
    super();
    this._register(
      session.onDidChange(() => {
        const connection = session.connection;
        if (connection === this.listedFor) return;
        // A new backend, project or identity: what was listed belongs to the old one.
        this.list = [];
        this.listedFor = connection;
        this.error = undefined;
        this._onDidChange.fire();
        if (connection) void this.refresh();
      }),
    );
    // Target labels name jobs: a renamed, finished or deleted job changes them.
    this._register(session.onDidChangeStore((c) => c.kind === 'jobs' && this._onDidChange.fire()));
    this._register(toDisposable(() => this.timer && clearInterval(this.timer)));
  }

  /** Listed when the last refresh succeeded (empty before the first one). */
  get all(): readonly Deployment[] {
    return this.list;
  }

  get loaded(): boolean {
    return this.listedFor !== undefined && this.listedFor === this.session.connection;
  }

  find(id: string): Deployment | undefined {
    return this.list.find((d) => d.id === id);
  }

  /** The row the tree and panels show: URL, target named after its job, retention in words. */
  summary(d: Deployment): EndpointSummary {
    const store = this.session.connection?.store;
    return endpointSummary(
      d,
      chatCompletionsUrl(deploymentBaseUrl(d)),
      store ? jobLookup(store) : () => undefined,
      store !== undefined && store.jobs().length > 0,
    );
  }

  /** Someone shows the list (the view is visible): keep it fresh. Returns the release. */
  watch(): { dispose(): void } {
    if (this.watchers++ === 0) {
      void this.refresh();
      this.timer = setInterval(() => void this.refresh(), ENDPOINTS_POLL_MS);
    }
    let released = false;
    return {
      dispose: () => {
        if (released) return;
        released = true;
        if (--this.watchers === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      },
    };
  }

  /** Reloads the list from the backend (one request at a time; callers share it). */
  refresh(): Promise<void> {
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async load(): Promise<void> {
    const connection = this.session.connection;
    if (!connection) return;
    try {
      const list = await connection.client.listDeployments(connection.scope);
      if (connection !== this.session.connection) return;
      this.listedFor = connection;
      this.list = list;
      this.error = undefined;
    } catch (error) {
      if (connection !== this.session.connection) return;
      this.error = errorText(error);
      this.log.warn(`Could not list the endpoints: ${this.error}`);
    }
    this._onDidChange.fire();
  }

  /** A change made here (create, update): shown at once, without waiting for a refresh. */
  put(d: Deployment): void {
    const i = this.list.findIndex((x) => x.id === d.id);
    this.list = i < 0 ? [d, ...this.list] : this.list.map((x) => (x.id === d.id ? d : x));
    this._onDidChange.fire();
  }

  remove(id: string): void {
    this.list = this.list.filter((d) => d.id !== id);
    this._onDidChange.fire();
  }
}
