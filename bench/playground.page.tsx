/**
 * Browser side of bench/playground.mjs (bundled by it with esbuild; not part of the product).
 * Exposes `window.runPlaygroundBench(variant, chunks)`, which renders the real Playground components,
 * feeds the chunks one at a time and returns the main-thread time of each chunk: from delivering it
 * to the DOM being updated and laid out (a forced synchronous layout).
 */
import { render } from 'preact';
import { act, setupRerender } from 'preact/test-utils';
import type { HostToPlayground, PlaygroundToHost } from '../src/protocol';
import { FakeHost } from '../test/webview/fakeChannel';
import { MarkdownView } from '../webview-ui/playground/markdown';
import { PlaygroundApp } from '../webview-ui/playground/PlaygroundApp';
import { NaiveMarkdownView } from './naiveMarkdown';
import '../webview-ui/shared/base.css';
import '../webview-ui/playground/playground.css';

export type Variant = 'app' | 'incremental' | 'naive-diff' | 'naive-rebuild';

const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
/** Yields to the event loop without setTimeout's 4 ms clamp. */
const yieldTask = () =>
  new Promise<void>((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });

async function run(variant: Variant, chunks: string[]): Promise<number[]> {
  const rerender = setupRerender();
  const root = document.getElementById('app')!;
  render(null, root);
  root.textContent = '';
  const times: number[] = [];
  const layout = () => root.getBoundingClientRect().height + document.body.offsetHeight;

  if (variant === 'app') {
    const host = new FakeHost<HostToPlayground, PlaygroundToHost>();
    // Setup goes through act() so the app's effects (its host subscription) run before we send.
    await act(() => render(<PlaygroundApp channel={host} saveDelayMs={1e9} />, root));
    await act(() =>
      host.send({
        type: 'snapshot',
        models: [
          { ref: { kind: 'base', model: 'bench/model' }, label: 'Base · bench/model', group: 'Base models' },
        ],
        conversations: [],
      }),
    );
    const composer = root.querySelector('textarea[data-testid="composer"]') as HTMLTextAreaElement;
    composer.value = 'Write a long answer.';
    await act(() => composer.dispatchEvent(new Event('input', { bubbles: true })));
    await act(() => (root.querySelector('[data-testid="send"]') as HTMLElement).click());
    const chat = host.posted.find((m) => m.type === 'chat');
    if (chat?.type !== 'chat') throw new Error('no chat request');
    layout();
    for (const text of chunks) {
      await yieldTask();
      const t0 = performance.now();
      host.send({ type: 'chatDelta', requestId: chat.requestId, text });
      rerender();
      layout();
      times.push(performance.now() - t0);
    }
    host.send({ type: 'chatDone', requestId: chat.requestId, stats: {} });
    rerender();
  } else {
    let text = '';
    const View = variant === 'incremental' ? MarkdownView : NaiveMarkdownView;
    const frame = (i: number) => (
      <div class="playground">
        <div class="messages">
          <div class="msg assistant">
            {/* naive-rebuild: a new key each chunk throws the DOM away, like innerHTML = marked(text). */}
            <View key={variant === 'naive-rebuild' ? i : 0} text={text} streaming />
          </div>
        </div>
      </div>
    );
    render(frame(0), root);
    layout();
    for (let i = 0; i < chunks.length; i++) {
      await yieldTask();
      const t0 = performance.now();
      text += chunks[i];
      render(frame(i + 1), root);
      layout();
      times.push(performance.now() - t0);
    }
  }
  const check = root.querySelectorAll('.md p, .md li, .md pre').length;
  render(null, root);
  if (check === 0) throw new Error(`${variant}: nothing rendered`);
  return times;
}

(window as unknown as { runPlaygroundBench: typeof run }).runPlaygroundBench = run;
