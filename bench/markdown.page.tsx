/**
 * Browser side of bench/markdown.mjs (bundled by it; not part of the product). Exposes
 * `window.runMarkdownBench(text, chunk)`: streams `text` into the real MarkdownView in `chunk`-sized
 * pieces, one synchronous render per piece, and returns the total, the slowest piece's time, the
 * 99th percentile and the count over 16 ms (parse + DOM update), then the final non-streaming render and one layout of the result.
 */
import { render } from 'preact';
import { MarkdownView } from '../webview-ui/playground/markdown';
import '../webview-ui/shared/base.css';
import '../webview-ui/playground/playground.css';

function run(text: string, chunk: number) {
  const root = document.getElementById('app')!;
  render(null, root);
  const frame = (t: string, streaming: boolean) => (
    <div class="playground">
      <div class="messages">
        <div class="msg assistant">
          <MarkdownView text={t} streaming={streaming} />
        </div>
      </div>
    </div>
  );
  render(frame('', true), root);
  let max = 0;
  let over = 0;
  const times = new Float64Array(Math.ceil(text.length / chunk));
  const t0 = performance.now();
  for (let i = 0, k = 0; i < text.length; i += chunk, k++) {
    const c0 = performance.now();
    render(frame(text.slice(0, i + chunk), true), root);
    const dt = performance.now() - c0;
    times[k] = dt;
    if (dt > max) max = dt;
    if (dt > 16) over++;
  }
  const p99 = times.sort()[Math.floor(times.length * 0.99)]!;
  const streamed = performance.now() - t0;
  const f0 = performance.now();
  render(frame(text, false), root);
  const final = performance.now() - f0;
  const l0 = performance.now();
  void root.getBoundingClientRect().height;
  const layout = performance.now() - l0;
  const chars = root.textContent?.length ?? 0;
  render(null, root);
  return { streamed, max, p99, over, final, layout, chars };
}

(window as unknown as { runMarkdownBench: typeof run }).runMarkdownBench = run;
