import * as assert from 'node:assert/strict';
import { isPinnedToBottom, LOG_CAP, LogTail } from '../../webview-ui/jobPanel/logTail';

const texts = (t: LogTail) => t.lines.map((l) => l.text);

describe('log tail', () => {
  it('shows only the text after the last carriage return', () => {
    const t = new LogTail();
    t.push(['loading\r 10%\r 55%']);
    assert.deepEqual(texts(t), [' 55%']);
  });

  it('collapses consecutive progress updates into one line, keeping normal lines', () => {
    const t = new LogTail();
    t.push([
      'start',
      'epoch 1:  10%|█ |\r',
      '\repoch 1:  50%|█████ |',
      '\repoch 1: 100%|██████████|\r',
      'done',
    ]);
    t.push(['\rsaving  30%', '\rsaving 100%']);
    assert.deepEqual(texts(t), ['start', 'epoch 1: 100%|██████████|', 'done', 'saving 100%']);
  });

  it('keeps only the last 500 lines', () => {
    const t = new LogTail();
    t.push(Array.from({ length: 1200 }, (_, i) => `line ${i}`));
    assert.equal(LOG_CAP, 500);
    assert.equal(t.lines.length, 500);
    assert.equal(t.lines[0]!.text, 'line 700');
    assert.equal(t.lines.at(-1)!.text, 'line 1199');
    t.push(['one more']);
    assert.equal(t.lines.length, 500);
    assert.equal(t.lines[0]!.text, 'line 701');
    // Keys stay unique so the view can diff by key.
    assert.equal(new Set(t.lines.map((l) => l.id)).size, 500);
  });

  it('splits embedded newlines and strips ANSI colour codes', () => {
    const t = new LogTail();
    t.push([`a\nb`, `${String.fromCharCode(27)}[31mred${String.fromCharCode(27)}[0m`]);
    assert.deepEqual(texts(t), ['a', 'b', 'red']);
  });

  it('knows whether the view is pinned to the bottom', () => {
    assert.ok(isPinnedToBottom({ scrollTop: 590, clientHeight: 400, scrollHeight: 1000 }));
    assert.ok(!isPinnedToBottom({ scrollTop: 100, clientHeight: 400, scrollHeight: 1000 }));
  });
});
