/**
 * Copies text to the clipboard from the webview. `navigator.clipboard` works in VS Code webviews; if
 * it is missing or refuses (no focus, permissions), fall back to a selected off-screen textarea and
 * `execCommand('copy')`. Resolves to whether the copy is believed to have worked; never throws.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (typeof navigator !== 'undefined' && navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path
  }
  try {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'clipboard-offscreen';
    document.body.append(area);
    area.select();
    const ok = typeof document.execCommand === 'function' && document.execCommand('copy');
    area.remove();
    return ok;
  } catch {
    return false;
  }
}
