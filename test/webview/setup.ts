// Gives component tests a DOM: one jsdom window installed as the global environment before any test
// module (and @testing-library/preact) is loaded.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', {
  url: 'https://webview.test/',
  pretendToBeVisual: true,
});
const globals = globalThis as unknown as Record<string, unknown>;
const { window } = dom;
for (const key of [
  'window',
  'document',
  'navigator',
  'HTMLElement',
  'HTMLInputElement',
  'HTMLTextAreaElement',
  'Element',
  'Node',
  'Text',
  'Event',
  'KeyboardEvent',
  'MouseEvent',
  'InputEvent',
  'FocusEvent',
  'CustomEvent',
  'MutationObserver',
  'getComputedStyle',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'DocumentFragment',
  'SVGElement',
]) {
  if (!(key in globals) || key === 'navigator') {
    Object.defineProperty(globalThis, key, {
      value: key === 'window' ? window : (window as unknown as Record<string, unknown>)[key],
      configurable: true,
      writable: true,
    });
  }
}

// jsdom has no matchMedia; the toolkit's design tokens query it (for forced colours) at import time.
const noMedia = (query: string) => ({
  matches: false,
  media: query,
  onchange: null,
  addListener() {},
  removeListener() {},
  addEventListener() {},
  removeEventListener() {},
  dispatchEvent: () => false,
});
Object.defineProperty(window, 'matchMedia', { value: noMedia, configurable: true });
Object.defineProperty(globalThis, 'matchMedia', { value: noMedia, configurable: true });

// jsdom has no canvas: make getContext answer null quietly (instead of logging "Not implemented"), so
// the loss chart takes its no-canvas path in component tests.
(
  window as unknown as { HTMLCanvasElement: { prototype: { getContext: () => null } } }
).HTMLCanvasElement.prototype.getContext = () => null;

// uPlot reads a few more window globals when it is imported (the loss chart imports it), and
// dispatches a jsdom-window event built with the global CustomEvent (Node's own one is rejected).
for (const key of ['devicePixelRatio', 'HTMLCanvasElement', 'SVGSVGElement', 'Path2D', 'CustomEvent']) {
  if ((!(key in globals) || key === 'CustomEvent') && key in window) {
    Object.defineProperty(globalThis, key, {
      value: (window as unknown as Record<string, unknown>)[key],
      configurable: true,
      writable: true,
    });
  }
}
