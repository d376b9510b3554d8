/**
 * Browser side of bench/markdown.mjs (bundled by it; not part of the product). Exposes
 * `window.runMarkdownBench(text, chunk)`: streams `text` into the real MarkdownView in `chunk`-sized
 * pieces, one synchronous render per piece, and returns the total, the slowest piece's time, the
 * 99th percentile and the count over 16 ms (parse + DOM update), how many of those stay over 16 ms
 * when replayed from the same state, then the final non-streaming render and one layout of the result.
 */
import { render } from 'preact';
import { MarkdownView } from '../webview-ui/playground/markdown';
import '../webview-ui/shared/base.css';
import '../webview-ui/playground/playground.css';

/** Replays of a piece that took over 16 ms (see below). */
const REPLAYS = 3;

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
  const streamed = performance.now() - t0;
  // A piece over 16 ms is replayed from the same state (the text before it rendered, streaming, then
  // the piece timed) up to REPLAYS times: slow once is the machine (a GC pause, another process on a
  // shared box), slow every time is the renderer. `confirmed` counts the latter.
  let confirmed = 0;
  let confirmedMax = 0;
  /** Where the pieces that stay slow start (character offsets), for finding what made them slow. */
  const slowAt: number[] = [];
  for (let k = 0; k < times.length; k++) {
    if (times[k]! <= 16) continue;
    const end = Math.min(text.length, (k + 1) * chunk);
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < REPLAYS && best > 16; r++) {
      render(null, root);
      render(frame(text.slice(0, k * chunk), true), root);
      const c0 = performance.now();
      render(frame(text.slice(0, end), true), root);
      best = Math.min(best, performance.now() - c0);
    }
    if (best > 16) {
      confirmed++;
      slowAt.push(k * chunk);
    }
    confirmedMax = Math.max(confirmedMax, best);
  }
  const p99 = times.sort()[Math.floor(times.length * 0.99)]!;
  const f0 = performance.now();
  render(frame(text, false), root);
  const final = performance.now() - f0;
  const l0 = performance.now();
  void root.getBoundingClientRect().height;
  const layout = performance.now() - l0;
  const chars = root.textContent?.length ?? 0;
  render(null, root);
  return { streamed, max, p99, over, confirmed, confirmedMax, slowAt, final, layout, chars };
}

(window as unknown as { runMarkdownBench: typeof run }).runMarkdownBench = run;
