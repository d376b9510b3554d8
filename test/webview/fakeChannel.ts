import type { HostChannel } from '../../webview-ui/shared/hostChannel';

/**
 * An in-memory host channel: the test plays the extension host. It records what the component posts
 * and delivers host messages the way `window.postMessage` would.
 */
export class FakeHost<FromHost, ToHost> implements HostChannel<FromHost, ToHost> {
  readonly posted: ToHost[] = [];
  private handlers = new Set<(m: FromHost) => void>();
  private state: unknown;

  post(message: ToHost): void {
    this.posted.push(structuredClone(message));
  }
  onMessage(handler: (message: FromHost) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
  getState<S>(): S | undefined {
    return this.state as S | undefined;
  }
  setState<S>(state: S): void {
    this.state = structuredClone(state);
  }
  /** Delivers a message from the "host" (structured-cloned, as the real channel does). */
  send(message: FromHost): void {
    for (const h of this.handlers) h(structuredClone(message));
  }
}
