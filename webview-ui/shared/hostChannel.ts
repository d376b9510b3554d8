/**
 * The webview side of the host<->webview channel. Components receive a `HostChannel` instead of
 * calling `acquireVsCodeApi` themselves, so the same components run in component tests with an
 * in-memory channel.
 */
export interface HostChannel<FromHost, ToHost> {
  post(message: ToHost): void;
  /** Subscribes to messages from the host; returns an unsubscribe function. */
  onMessage(handler: (message: FromHost) => void): () => void;
  getState<S>(): S | undefined;
  setState<S>(state: S): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

/** The real channel inside a VS Code webview (`acquireVsCodeApi` may be called only once per page). */
export function vscodeChannel<FromHost, ToHost>(): HostChannel<FromHost, ToHost> {
  api ??= acquireVsCodeApi();
  const vscode = api;
  // The host's panel serializer restores a tab from this state after a reload, so the data the host
  // put on <body> (e.g. which job a panel shows) is always part of it, from the first moment on.
  const viewData = { ...document.body.dataset };
  vscode.setState({ ...((vscode.getState() as object | undefined) ?? {}), viewData });
  return {
    post: (message) => vscode.postMessage(message),
    onMessage(handler) {
      const listener = (event: MessageEvent) => handler(event.data as FromHost);
      window.addEventListener('message', listener);
      return () => window.removeEventListener('message', listener);
    },
    getState: <S>() => (vscode.getState() as S | undefined) ?? undefined,
    setState: (state) => vscode.setState({ ...(state as object), viewData }),
  };
}
