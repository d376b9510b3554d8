import * as assert from 'node:assert/strict';
import { act, cleanup, render } from '@testing-library/preact';
import { MarkdownStream, MarkdownView, parseMarkdown } from '../../webview-ui/playground/markdown';
import { GroupTree } from '../../webview-ui/playground/markdown/groupTree';
import { PagedList } from '../../webview-ui/playground/markdown/paged';

const SAMPLE = [
  '# Title with **bold**',
  '',
  'Some **bold** and *italic* and `code` and [a link](https://example.com) here.',
  'A second line with __strong__ and _em_ and snake_case_word.',
  '',
  '- item one',
  '- item **two**',
  '  - nested item',
  '1. first',
  '2. second',
  '',
  '```ts',
  'const x = 1 * 2 * 3; // **not bold**',
  '',
  'console.log(`<b>$' + '{x}</b>`);',
  '```',
  '',
  '> quoted *text*',
  '',
  '---',
  'Trailing paragraph without newline and an unclosed **bold',
].join('\n');

function html(text: string, chunks?: string[]): string {
  const view = render(<MarkdownView text={chunks ? '' : text} streaming={false} />);
  if (chunks) {
    let acc = '';
    for (const c of chunks) {
      acc += c;
      view.rerender(<MarkdownView text={acc} streaming={false} />);
    }
  }
  const out = view.container.innerHTML;
  view.unmount();
  return out;
}

function split(text: string, sizes: number[]): string[] {
  const out: string[] = [];
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const n = sizes[k++ % sizes.length]!;
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

describe('Playground markdown renderer', () => {
  afterEach(cleanup);

  it('renders the structures it supports as elements, with text as text', () => {
    const view = render(<MarkdownView text={SAMPLE} />);
    const c = view.container;
    assert.equal(c.querySelector('h3')?.textContent, 'Title with bold');
    assert.equal(c.querySelector('h3 strong')?.textContent, 'bold');
    assert.equal(c.querySelector('p em')?.textContent, 'italic');
    assert.equal(c.querySelector('p code')?.textContent, 'code');
    assert.ok(c.textContent?.includes('snake_case_word'), 'intraword underscores stay literal');
    assert.equal(c.querySelectorAll('ul li').length, 3);
    assert.equal(c.querySelector('ul li.depth-1')?.textContent, 'nested item');
    assert.equal(c.querySelectorAll('ol li').length, 2);
    assert.equal(
      c.querySelector('pre code')?.textContent,
      'const x = 1 * 2 * 3; // **not bold**\n\nconsole.log(`<b>$' + '{x}</b>`);',
    );
    assert.equal(c.querySelector('.md-code-lang')?.textContent, 'ts');
    assert.equal(c.querySelector('pre b'), null);
    assert.equal(c.querySelector('blockquote em')?.textContent, 'text');
    assert.ok(c.querySelector('hr'));
    // Links are inert: no <a>, label and URL shown as text.
    assert.equal(c.querySelector('a'), null);
    assert.equal(c.querySelector('.md-link')?.textContent, 'a link');
    assert.ok(c.textContent?.includes('(https://example.com)'));
    // An unclosed marker stays literal.
    assert.ok(c.textContent?.includes('unclosed **bold'));
  });

  it('gives the same DOM for any chunking of the same text (mid-word, mid-marker, mid-fence)', function () {
    this.timeout(20000);
    const whole = html(SAMPLE);
    for (const sizes of [[1], [2], [3], [7], [1, 4, 2], [13, 1], [50]]) {
      assert.equal(html(SAMPLE, split(SAMPLE, sizes)), whole, `chunk sizes ${sizes.join(',')}`);
    }
    const boldSplit = 'Say **bo' + 'ld** now';
    assert.equal(html(boldSplit, ['Say **bo', 'ld** now']), html(boldSplit));
    const fence = 'Intro\n\n```py\nprint(1)\n```\nAfter';
    assert.equal(html(fence, ['Intro\n\n`', '``p', 'y\npri', 'nt(1)\n``', '`\nAf', 'ter']), html(fence));
    assert.ok(html(boldSplit).includes('<strong>bold</strong>'));
    // Long enough for closed blocks to be grouped (32 per group).
    const long = Array.from({ length: 80 }, (_, i) => `Para ${i} with *em* and **b${i}**.`).join('\n\n');
    assert.equal(html(long, split(long, [5, 3, 11])), html(long));
  });

  it('shows an unfinished bold run literally while streaming, then as bold once closed', () => {
    const view = render(<MarkdownView text="Say **bo" streaming />);
    assert.equal(view.container.querySelector('strong'), null);
    view.rerender(<MarkdownView text="Say **bold**" streaming />);
    assert.equal(view.container.querySelector('strong')?.textContent, 'bold');
  });

  it('parses incrementally: closed blocks keep their identity and DOM nodes across chunks', async () => {
    const s = new MarkdownStream();
    s.append('First para');
    assert.equal(s.blocks.length, 0, 'an open paragraph is not closed yet');
    s.append('graph.\n\nSecond');
    assert.equal(s.blocks.length, 1);
    const first = s.blocks.get(0);
    s.append(' paragraph\n\n```js\nlet a');
    s.append(' = 1;\n');
    assert.equal(s.blocks.get(0), first, 'a closed block is not re-created');
    assert.deepEqual(
      s.all().map((b) => b.kind),
      ['p', 'p', 'code'],
    );

    let text = 'First paragraph.\n\n';
    const view = render(<MarkdownView text={text} streaming />);
    const p = view.container.querySelector('p');
    for (let i = 0; i < 50; i++) {
      text += `word${i} `;
      await act(() => view.rerender(<MarkdownView text={text} streaming />));
    }
    assert.equal(view.container.querySelector('p'), p, 'the first paragraph element was not re-rendered');
  });

  it('re-parses only the open block per chunk, not the whole reply', async () => {
    let text = Array.from({ length: 100 }, (_, i) => `Closed paragraph ${i} with **bold**.`).join('\n\n');
    text += '\n\n';
    const meter = { steps: 0 };
    const view = render(<MarkdownView text={text} streaming meter={meter} />);
    const before = meter.steps;
    for (let i = 0; i < 40; i++) {
      text += `w${i} `;
      await act(() => view.rerender(<MarkdownView text={text} streaming meter={meter} />));
    }
    // Work per chunk is bounded by the open paragraph's tail; re-parsing the whole reply (3,500
    // characters) would be thousands of steps per chunk.
    const perChunk = (meter.steps - before) / 40;
    assert.ok(perChunk <= 100, `parser steps per chunk: ${perChunk}`);
    assert.equal(view.container.querySelectorAll('p').length, 101);
  });

  it('keeps frozen DOM in place while a reply grows past any number of groups (bounded DOM work per chunk)', function () {
    this.timeout(30000);
    /** Streams `text` in `chunk`-sized pieces; returns the most DOM nodes any one chunk removed. */
    const stream = (text: string, chunk: number, probe: (c: Element) => Element | null | undefined) => {
      const view = render(<MarkdownView text="" streaming />);
      const c = view.container;
      const observer = new MutationObserver(() => {});
      observer.observe(c, { childList: true, subtree: true });
      const size = (n: Node): number => {
        let k = 1;
        for (const x of Array.from(n.childNodes)) k += size(x);
        return k;
      };
      let worst = 0;
      let kept: Element | null | undefined;
      for (let i = 0; i < text.length; i += chunk) {
        view.rerender(<MarkdownView text={text.slice(0, i + chunk)} streaming />);
        let removed = 0;
        for (const r of observer.takeRecords())
          for (const n of Array.from(r.removedNodes)) removed += size(n);
        worst = Math.max(worst, removed);
        // Once it is well inside the frozen part, the probed element must never be re-created.
        if (!kept && i >= text.length / 8) kept = probe(c);
      }
      assert.ok(kept, 'probe found');
      assert.equal(probe(c), kept, 'a frozen element kept its DOM node');
      assert.ok(kept.isConnected);
      observer.disconnect();
      view.unmount();
      return worst;
    };
    // Inline items of one open paragraph: 2 per `code` span and space; > 1,056 items crosses the
    // point where 32 full groups of 32 were re-wrapped (all their DOM re-created in one chunk).
    const inline = stream('`a` '.repeat(1200), 4, (c) => c.querySelector('p code'));
    assert.ok(inline <= 200, `nodes removed by one chunk (inline): ${inline}`);
    // Closed blocks: 1,100 paragraphs.
    const paras = Array.from({ length: 1100 }, (_, i) => `p${i}\n\n`).join('');
    const blocks = stream(paras, 5, (c) => c.querySelector('.md p'));
    assert.ok(blocks <= 200, `nodes removed by one chunk (blocks): ${blocks}`);
  });

  it('groups a list into the same DOM for any history of growing and cutting back', function () {
    this.timeout(30000);
    const style = { tag: 'div', class: 'g' };
    const items = Array.from({ length: 36000 }, (_, i) => `${i},`);
    const item = (x: string) => x;
    const fresh = (n: number) => {
      const tree = new GroupTree<string>(style);
      tree.sync(items, Number.POSITIVE_INFINITY, n);
      const view = render(<div>{tree.render(items, n, item)}</div>);
      const out = view.container.innerHTML;
      view.unmount();
      return out;
    };
    const tree = new GroupTree<string>(style);
    const view = render(<div />);
    let n = 0;
    // Grows across the level boundaries (32, 32 + 32², 32 + 32² + 32³), cuts back into them, regrows.
    for (const [to, cut] of [
      [31, 0],
      [33, 0],
      [1055, 0],
      [1057, 0],
      [2000, 0],
      [40, 20],
      [1500, 0],
      [33823, 0],
      [33825, 0],
      [35000, 1100],
      [36000, 0],
    ] as const) {
      const changedFrom = cut || n;
      n = to;
      tree.sync(items, changedFrom, n);
      view.rerender(<div>{tree.render(items, n, item)}</div>);
      assert.equal(view.container.innerHTML, fresh(n), `${n} items (changed from ${changedFrom})`);
      assert.equal(view.container.textContent, items.slice(0, n).join(''));
    }
  });

  it('keeps inline items in pages that behave as an array (push, set, cut back, slice, copy)', () => {
    const list = new PagedList<number>();
    const model: number[] = [];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 3000; step++) {
      const r = rand(10);
      if (r < 7) {
        for (let k = rand(40); k > 0; k--) {
          list.push(step * 100 + k);
          model.push(step * 100 + k);
        }
      } else if (r === 7 && model.length > 0) {
        const i = rand(model.length);
        list.set(i, -step);
        model[i] = -step;
      } else if (r === 8) {
        const from = Math.max(0, model.length - rand(2500));
        assert.deepEqual(list.cut(from), model.splice(from));
      } else {
        const from = rand(model.length + 1);
        const to = from + rand(70);
        assert.deepEqual(list.slice(from, to), model.slice(from, to));
      }
      assert.equal(list.length, model.length);
      if (model.length > 0) assert.equal(list.last(), model[model.length - 1]);
    }
    assert.deepEqual(list.toArray(), model);
    const copy = list.copy();
    copy.push(1);
    copy.set(0, 42);
    assert.deepEqual(list.toArray(), model, 'a copy is independent');
    assert.deepEqual(PagedList.from(model).toArray(), model);
  });

  it('never produces markup from the text: HTML in a reply is inert text', () => {
    const evil =
      'Hi <img src=x onerror=alert(1)> and <script>alert(1)</script>\n\n' +
      '**<img src=y onerror=alert(2)>** `<script>x</script>` [click](javascript:alert(1)) ![i](http://x/y.png)\n\n' +
      '```html\n<iframe src="https://evil"></iframe>\n```';
    const view = render(<MarkdownView text={evil} />);
    const c = view.container;
    for (const tag of ['img', 'script', 'iframe', 'a']) assert.equal(c.querySelector(tag), null, tag);
    assert.ok(c.textContent?.includes('<img src=x onerror=alert(1)>'));
    assert.ok(c.textContent?.includes('<script>alert(1)</script>'));
    assert.ok(c.textContent?.includes('[image: i]'));
    assert.ok(c.textContent?.includes('<iframe src="https://evil"></iframe>'));
  });

  it('parseMarkdown handles CRLF, tildes and an unclosed fence', () => {
    const blocks = parseMarkdown('a\r\nb\r\n\r\n~~~\ncode\n~~~\n```\nopen');
    assert.deepEqual(blocks, [
      { kind: 'p', text: 'a\nb' },
      { kind: 'code', lang: '', code: 'code', closed: true },
      { kind: 'code', lang: '', code: 'open', closed: false },
    ]);
  });
});

/** Hostile replies: each made the previous renderer superlinear (rescans from every marker). */
const HOSTILE: Record<string, (n: number) => string> = {
  underscores: (n) => '_a '.repeat(n / 3),
  brackets: (n) => '['.repeat(n),
  stars: (n) => '*a '.repeat(n / 3),
  backticks: (n) => '` `` ```'.repeat(n / 9),
  'nested quote and list markers': (n) => '> - > * > 1. '.repeat(n / 13),
  'link-like': (n) => '[a]('.repeat(n / 4),
  'long link destinations': (n) => '[a](http://x/'.concat('y'.repeat(n)),
  'unclosed emphasis pairs': (n) => '**a _b '.repeat(n / 7),
};

/** Streams `text` in `chunk`-sized pieces the way MarkdownView does per render; returns parser steps. */
function streamedSteps(text: string, chunk: number): number {
  const meter = { steps: 0 };
  const view = render(<MarkdownView text="" streaming meter={meter} />);
  for (let i = 0; i < text.length; i += chunk) {
    view.rerender(<MarkdownView text={text.slice(0, i + chunk)} streaming meter={meter} />);
  }
  view.rerender(<MarkdownView text={text} streaming={false} meter={meter} />);
  view.unmount();
  return meter.steps;
}

describe('Playground markdown renderer on hostile input', () => {
  afterEach(cleanup);

  for (const [name, make] of Object.entries(HOSTILE)) {
    it(`does linear work for ${name}, streamed and at once`, function () {
      this.timeout(20000);
      const small = make(2048);
      const large = make(4096);
      const once = (t: string) => {
        const meter = { steps: 0 };
        parseMarkdown(t);
        const s = new MarkdownStream(meter);
        s.append(t);
        s.all();
        return meter.steps;
      };
      const onceRatio = once(make(65536)) / once(make(32768));
      assert.ok(onceRatio <= 2.2, `at once: 2x input took ${onceRatio.toFixed(2)}x the work`);
      const streamRatio = streamedSteps(large, 4) / streamedSteps(small, 4);
      assert.ok(streamRatio <= 2.2, `streamed: 2x input took ${streamRatio.toFixed(2)}x the work`);
    });
  }

  it('renders hostile input correctly: the literal text, and the same DOM streamed as at once', function () {
    this.timeout(30000);
    for (const [name, make] of Object.entries(HOSTILE)) {
      const text = make(1024);
      const whole = html(text);
      assert.ok(html(text, split(text, [4, 1, 7])) === whole, `${name}: same DOM streamed`);
      const view = render(<MarkdownView text={text} />);
      const c = view.container;
      for (const tag of ['a', 'img', 'script']) assert.equal(c.querySelector(tag), null, `${name}: ${tag}`);
      view.unmount();
    }
    const visible = (text: string) => {
      const view = render(<MarkdownView text={text} />);
      const out = view.container.textContent;
      view.unmount();
      return out;
    };
    // Markers that never close stay literal, character for character.
    for (const name of ['underscores', 'brackets', 'stars', 'link-like']) {
      const text = HOSTILE[name]!(3000);
      assert.ok(visible(text) === text, `${name}: shown literally`);
    }
    // `_a ` never closes (a closer needs a non-space before it); pairs in the same text still do.
    const mixed = `${'_a '.repeat(500)}and *em* and **strong** and \`code\` and [x](u)`;
    const view = render(<MarkdownView text={mixed} />);
    assert.equal(view.container.querySelector('em')?.textContent, 'em');
    assert.equal(view.container.querySelector('strong')?.textContent, 'strong');
    assert.equal(view.container.querySelector('p code')?.textContent, 'code');
    assert.equal(view.container.querySelector('.md-link')?.textContent, 'x');
  });
});
