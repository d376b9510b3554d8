/**
 * The host side of one webview's message channel, without VS Code: the `ready` handshake, visibility,
 * and the one rule every Arkor webview host follows for what to post when.
 *
 * Handshake. A webview's app posts `ready` once it has mounted. Until then (and whenever its document
 * is replaced or torn down) it is not *mounted*. A webview that is not retained when hidden is torn
 * down on hide: it mounts again, and says `ready` again, when shown.
 *
 * The posting rule. The channel is *ready* while the webview is mounted and visible.
 * - Snapshot: the whole state, built by the host's `snapshot()` only when it is about to be posted:
 *   when the webview says `ready`, when a retained webview becomes visible again, and on `resync()`
 *   (the host's data was replaced). Never posted while not ready; it is simply built later.
 * - Delta (`postDelta`): posted while ready; otherwise dropped, because the next snapshot covers it.
 * - Event (`post`): something a snapshot does not carry (a chat reply): posted while ready, otherwise
 *   queued (bounded) and flushed right after the next snapshot, in order.
 */
import { Emitter, type IDisposable, onUnexpectedError } from './lifecycle';

/** Sends one message to the webview (`webview.postMessage`). */
export type PostMessage<T> = (message: T) => PromiseLike<boolean> | boolean | undefined;

export interface WebviewChannelOptions<T> {
  /** For log messages, e.g. "the jobs view". */
  name: string;
  post: PostMessage<T>;
  /** The full state as one message, or undefined when there is nothing to show yet. */
  snapshot: () => T | undefined;
  /** The webview keeps its document while hidden (`retainContextWhenHidden`). Default false. */
  retainedWhenHidden?: boolean;
  /** Most events held while not ready; beyond that new ones are dropped (and reported). Default 2000. */
  maxQueued?: number;
  /** Where failures to post go. Default: the unexpected-error handler. */
  onError?: (error: unknown, context: string) => void;
}

export class WebviewChannel<T> implements IDisposable {
  private mounted = false;
  private visible = true;
  private attached = false;
  private disposed = false;
  /** Bumped whenever the webview document is replaced or torn down; a pending `ready` checks it. */
  private epoch = 0;
  private queue: T[] = [];
  private overflowReported = false;
  private readonly _onDidBecomeReady = new Emitter<void>('a webview ready listener');
  /** Fires after the snapshot of each successful handshake was posted. */
  readonly onDidBecomeReady = this._onDidBecomeReady.event;
  /** Counters, for tests and diagnostics. */
  readonly stats = { snapshots: 0, deltas: 0, droppedDeltas: 0, events: 0, droppedEvents: 0 };

  constructor(private readonly options: WebviewChannelOptions<T>) {}

  /** Mounted and visible: deltas and events go out at once. */
  get isReady(): boolean {
    return this.attached && this.mounted && this.visible && !this.disposed;
  }

  /** The webview's app has reported `ready` and has not been torn down since. */
  get isMounted(): boolean {
    return this.attached && this.mounted && !this.disposed;
  }

  /** Events waiting for the next handshake. */
  get queued(): number {
    return this.queue.length;
  }

  /** A webview document was (re)loaded: wait for its `ready`. */
  attach(visible = true): void {
    this.attached = true;
    this.mounted = false;
    this.visible = visible;
    this.epoch++;
  }

  /** The webview went away. Queued events are dropped: nobody will read them. */
  detach(): void {
    this.attached = false;
    this.mounted = false;
    this.epoch++;
    this.queue = [];
  }

  /**
   * The webview posted `ready`. Returns a function that completes the handshake (posting the
   * snapshot, then queued events) once the host has prepared its data, e.g. connected to a backend.
   * A handshake overtaken by a hide, a reload or another `ready` completes as a no-op.
   */
  beginHandshake(): () => boolean {
    const epoch = ++this.epoch;
    // A `ready` always comes from a fresh app: nothing reaches it before its snapshot.
    this.mounted = false;
    return () => {
      if (this.disposed || !this.attached || epoch !== this.epoch) return false;
      this.mounted = true;
      this.visible = true;
      this.sendSnapshot();
      this.flushQueue();
      this._onDidBecomeReady.fire();
      return true;
    };
  }

  /** Convenience for hosts with nothing to prepare: `beginHandshake()()`. */
  ready(): boolean {
    return this.beginHandshake()();
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (!visible) {
      if (!this.options.retainedWhenHidden) {
        // Torn down: it mounts again (and says `ready`) when shown.
        this.mounted = false;
        this.epoch++;
      }
      return;
    }
    // A retained webview kept its document but missed the deltas: bring it up to date.
    if (this.isReady) {
      this.sendSnapshot();
      this.flushQueue();
    }
  }

  /** The host's data was replaced (e.g. a new backend connection): snapshot now if ready, else later. */
  resync(): void {
    if (this.isReady) this.sendSnapshot();
  }

  /** A change the next snapshot would include: posted only while ready. */
  postDelta(message: T): boolean {
    if (!this.isReady) {
      this.stats.droppedDeltas++;
      return false;
    }
    this.stats.deltas++;
    this.send(message);
    return true;
  }

  /** A message no snapshot carries: posted while ready, otherwise queued for the next handshake. */
  post(message: T): boolean {
    if (this.isReady) {
      this.stats.events++;
      this.send(message);
      return true;
    }
    if (this.disposed || !this.attached) {
      this.stats.droppedEvents++;
      return false;
    }
    if (this.queue.length >= (this.options.maxQueued ?? 2000)) {
      this.stats.droppedEvents++;
      if (!this.overflowReported) {
        this.overflowReported = true;
        this.report(
          new Error(`more than ${this.queue.length} messages queued; dropping newer ones`),
          `Posting to ${this.options.name}`,
        );
      }
      return false;
    }
    this.queue.push(message);
    return false;
  }

  private sendSnapshot(): void {
    let snapshot: T | undefined;
    try {
      snapshot = this.options.snapshot();
    } catch (error) {
      this.report(error, `Building the snapshot of ${this.options.name}`);
      return;
    }
    if (snapshot === undefined) return;
    this.stats.snapshots++;
    this.send(snapshot);
  }

  private flushQueue(): void {
    const queued = this.queue;
    this.queue = [];
    this.overflowReported = false;
    for (const message of queued) {
      this.stats.events++;
      this.send(message);
    }
  }

  private send(message: T): void {
    const context = `Posting to ${this.options.name}`;
    try {
      const result = this.options.post(message);
      if (result && typeof result === 'object' && typeof result.then === 'function') {
        result.then(undefined, (error: unknown) => this.report(error, context));
      }
    } catch (error) {
      this.report(error, context);
    }
  }

  private report(error: unknown, context: string): void {
    (this.options.onError ?? onUnexpectedError)(error, context);
  }

  dispose(): void {
    this.disposed = true;
    this.detach();
    this._onDidBecomeReady.dispose();
  }
}
