import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { WebviewBundle } from './webviews';

/**
 * The HTML shell of every Arkor webview. The Content-Security-Policy is the strictest that works:
 * nothing by default, our own bundles only (script by nonce), no inline handlers, no remote content
 * and `connect-src 'none'` — webviews talk to the host through postMessage only, never to a server.
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  options: {
    bundle: WebviewBundle;
    title: string;
    data?: Record<string, string>;
  },
): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (file: string) =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  const data = Object.entries({ arkorView: options.bundle, ...options.data })
    .map(([k, v]) => ` data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${escapeAttribute(v)}"`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset(`${options.bundle}.css`)}">
<title>${escapeAttribute(options.title)}</title>
</head>
<body${data}>
<div id="app"></div>
<script nonce="${nonce}" src="${asset(`${options.bundle}.js`)}"></script>
</body>
</html>`;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
