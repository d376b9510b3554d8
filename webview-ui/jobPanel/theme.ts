/**
 * Chart colours from the VS Code theme. uPlot draws on canvas, so CSS cannot recolour it: the chart
 * reads the `--vscode-*` variables here, passes them to uPlot as callbacks reading this object, and
 * re-reads them when VS Code switches theme (it changes the body class: vscode-light / -dark /
 * -high-contrast).
 */
export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  loss: string;
  evalLoss: string;
  learningRate: string;
  font: string;
}

export function readTheme(el: Element = document.body): ChartTheme {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const family = v('--vscode-font-family', 'sans-serif');
  const size = v('--vscode-font-size', '12px');
  return {
    foreground: v('--vscode-foreground', '#888'),
    muted: v('--vscode-descriptionForeground', '#888'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.25)')),
    loss: v('--vscode-charts-blue', '#3794ff'),
    evalLoss: v('--vscode-charts-orange', '#d18616'),
    learningRate: v('--vscode-charts-green', '#89d185'),
    font: `${size} ${family}`,
  };
}

/** Calls `onChange` whenever the body's class (hence the theme) changes; returns a disposer. */
export function watchTheme(onChange: () => void, el: Element = document.body): () => void {
  if (typeof MutationObserver === 'undefined') return () => {};
  const mo = new MutationObserver(onChange);
  mo.observe(el, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  return () => mo.disconnect();
}
