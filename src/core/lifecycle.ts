/**
 * Lifetimes and events without VS Code: a `Disposable` base class that owns what it `_register`s,
 * a `DisposableStore` for shorter-lived groups (the subscriptions of one webview), and an `Emitter`
 * whose `event` has the shape of `vscode.Event`, so a class can expose it to VS Code APIs directly.
 *
 * Naming rule across the extension: a private `_onDidX` emitter, exposed as `onDidX = _onDidX.event`.
 *
 * Listener errors are never swallowed: a throwing listener does not stop the others, and its error
 * goes to the handler set with `setUnexpectedErrorHandler` (the extension routes it to the Arkor log).
 */
import type { Disposable as IDisposable } from './types';

export type { IDisposable };

let unexpectedErrorHandler: (error: unknown, context: string) => void = (error, context) => {
  console.error(`[arkor] ${context}:`, error);
};

/** Where listener and callback errors nobody else can handle end up. Returns the previous handler. */
export function setUnexpectedErrorHandler(
  handler: (error: unknown, context: string) => void,
): (error: unknown, context: string) => void {
  const previous = unexpectedErrorHandler;
  unexpectedErrorHandler = handler;
  return previous;
}

/** Reports an error that has no caller to throw to (a listener, a fire-and-forget promise). */
export function onUnexpectedError(error: unknown, context: string): void {
  try {
    unexpectedErrorHandler(error, context);
  } catch {
    // The handler itself failed (e.g. a log channel already disposed): the console is all that is left.
    console.error(`[arkor] ${context}:`, error);
  }
}

export function toDisposable(dispose: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/** Disposes each item, reporting (not throwing) failures so one bad item cannot leak the rest. */
function disposeAll(items: Iterable<IDisposable>, context: string): void {
  for (const item of items) {
    try {
      item.dispose();
    } catch (error) {
      onUnexpectedError(error, context);
    }
  }
}

/** A group of disposables released together, in reverse order of registration; reusable via `clear`. */
export class DisposableStore implements IDisposable {
  private readonly items: IDisposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Adds `item`; if the store is already disposed, disposes it at once (it would leak otherwise). */
  add<T extends IDisposable>(item: T): T {
    if (this.disposed) {
      disposeAll([item], 'disposing an item added to a disposed store');
    } else {
      this.items.push(item);
    }
    return item;
  }

  /** Releases everything held so far; the store stays usable. */
  clear(): void {
    disposeAll(this.items.splice(0).reverse(), 'disposing');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clear();
  }
}

/**
 * Base class of everything with a lifetime: what a subclass `_register`s is disposed with it, last
 * registered first. Structurally a `vscode.Disposable`.
 */
export abstract class Disposable implements IDisposable {
  private readonly _store = new DisposableStore();

  protected get isDisposed(): boolean {
    return this._store.isDisposed;
  }

  protected _register<T extends IDisposable>(item: T): T {
    return this._store.add(item);
  }

  dispose(): void {
    this._store.dispose();
  }
}

/** Same shape as `vscode.Event<T>`. */
export type Event<T> = (
  listener: (e: T) => unknown,
  thisArgs?: unknown,
  disposables?: IDisposable[],
) => IDisposable;

/** An event source. Listeners run in subscription order; one that throws is reported, not fatal. */
export class Emitter<T> implements IDisposable {
  private readonly listeners = new Set<(e: T) => void>();
  private disposed = false;

  constructor(private readonly name = 'an event listener') {}

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    if (this.disposed) return toDisposable(() => {});
    const bound = (e: T) => {
      listener.call(thisArgs, e);
    };
    this.listeners.add(bound);
    const subscription = toDisposable(() => this.listeners.delete(bound));
    disposables?.push(subscription);
    return subscription;
  };

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  fire(e: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(e);
      } catch (error) {
        onUnexpectedError(error, `${this.name} threw`);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
