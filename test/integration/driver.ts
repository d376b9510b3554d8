import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

/**
 * Asks the test host (test/host/code-server-bridge.mjs) to act on the workbench page: the extension
 * host cannot reach the DOM, the bridge can. Requests and responses are files in ARKOR_TEST_DRIVER_DIR.
 */
type Request =
  | { op: 'screenshot'; path: string; view?: string }
  | { op: 'eval'; view?: string; body: string }
  | { op: 'click'; view?: string; selector: string }
  | { op: 'press'; key: string; view?: string; selector?: string }
  | { op: 'type'; view?: string; selector: string; text: string }
  | { op: 'select'; view?: string; selector: string; value: string }
  | { op: 'viewport'; width: number; height: number }
  | { op: 'reload'; expect?: string | string[] | undefined };

let counter = 0;

async function request<T>(req: Request, timeoutMs = 30_000): Promise<T> {
  const dir = process.env.ARKOR_TEST_DRIVER_DIR;
  if (!dir) throw new Error('ARKOR_TEST_DRIVER_DIR is not set: these tests need the test host');
  const id = `${Date.now()}-${process.pid}-${counter++}`;
  const tmp = path.join(dir, `${id}.tmp-req`);
  writeFileSync(tmp, JSON.stringify(req));
  renameSync(tmp, path.join(dir, `${id}.req.json`));
  const res = path.join(dir, `${id}.res.json`);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(res)) {
    if (Date.now() > deadline) throw new Error(`driver request ${req.op} timed out`);
    await sleep(50);
  }
  const body = JSON.parse(readFileSync(res, 'utf8')) as { ok: boolean; value?: T; error?: string };
  rmSync(res, { force: true });
  if (!body.ok) throw new Error(`driver ${req.op} failed: ${body.error}`);
  return body.value as T;
}

/** Saves a PNG of the whole workbench, or of one Arkor webview, under test-results/screenshots. */
export function screenshot(name: string, view?: string): Promise<string> {
  const dir = process.env.ARKOR_SCREENSHOT_DIR ?? path.resolve('test-results/screenshots');
  return request({ op: 'screenshot', path: path.join(dir, `${name}.png`), view });
}

/** Runs `body` (the body of an async function) inside an Arkor webview and returns its JSON result. */
export function evalInWebview<T>(view: string, body: string): Promise<T> {
  return request<T>({ op: 'eval', view, body });
}

/** Evaluates `body` in the workbench page itself (no webview): notifications, quick picks. */
export function evalInWorkbench<T>(body: string): Promise<T> {
  return evalInWebview<T>('', body);
}

/** The text of every notification, shown as a toast or in the notification centre. */
export function notificationText(): Promise<string> {
  return evalInWorkbench<string>(
    `return [...document.querySelectorAll('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message')].map((m) => m.textContent).join('\\n');`,
  );
}

/** The lines shown in the panel's output view (the channel on screen), as text. */
export function outputPanelText(): Promise<string> {
  return evalInWorkbench<string>(
    `const lines = [...document.querySelectorAll('.part.panel .monaco-editor .view-lines .view-line')];
     return lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((l) => l.textContent.replace(/\\u00a0/g, ' ')).join('\\n');`,
  );
}

/** Clicks the button labelled `label` of a notification (toast or centre); false when there is none. */
export function clickNotificationButton(label: string): Promise<boolean> {
  return evalInWorkbench<boolean>(
    `const buttons = [...document.querySelectorAll('.notifications-toasts .monaco-button, .notifications-center .monaco-button')];
     const b = buttons.find((x) => x.textContent.trim() === ${JSON.stringify(label)});
     if (!b) return false;
     b.click();
     return true;`,
  );
}

export async function clickInWebview(view: string, selector: string): Promise<void> {
  try {
    await request({ op: 'click', view, selector });
  } catch (error) {
    // A notification (e.g. "job completed" with its buttons) can lie over the bottom right of an
    // editor when it happens to arrive; a user closes it and clicks again, and so does this.
    if (!/notifications-(center|toasts).*intercepts pointer events/s.test(String(error))) throw error;
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('notifications.hideList');
    await request({ op: 'click', view, selector });
  }
}

export function pressKey(key: string, target?: { view: string; selector: string }): Promise<void> {
  return request({ op: 'press', key, ...target });
}

/** Replaces the value of an input or textarea the way typing does (fires `input`). */
export function typeInWebview(view: string, selector: string, text: string): Promise<void> {
  return request({ op: 'type', view, selector, text });
}

/** Chooses an option of a <select> by value, firing `input` and `change` as a user's choice does. */
export function selectInWebview(view: string, selector: string, value: string): Promise<void> {
  return request({ op: 'select', view, selector, value });
}

/** Resizes the workbench window (CSS px); resolves to the size it had before. */
export function setWindowSize(width: number, height: number): Promise<{ width: number; height: number }> {
  return request({ op: 'viewport', width, height });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  what: string,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/**
 * Reloads the workbench window (Developer: Reload Window, as a user would). The extension host running
 * the caller goes away; the test host then runs the tests again in the reloaded window, where
 * test/integration/index.ts picks the "after reload" tests (see restoreMarker). With `expect`, the
 * host first makes the workbench save its layout and waits until the saved state mentions it (e.g. a
 * webview panel's view type), as it would be after a user had switched windows.
 */
export function reloadWindow(expect?: string | string[]): Promise<void> {
  return request({ op: 'reload', expect });
}

/** File that tells the test run in a reloaded window what to check (absent: a normal run). */
export function restoreMarker(): string {
  const dir = process.env.ARKOR_TEST_DRIVER_DIR;
  if (!dir) throw new Error('ARKOR_TEST_DRIVER_DIR is not set');
  return path.join(path.dirname(dir), 'reload-marker.json');
}
