/**
 * A small, safe, incremental markdown renderer for model replies.
 *
 * Safety: the output is Preact VNodes whose text is always a string child (a DOM text node). Nothing
 * is ever parsed as HTML, there are no `innerHTML`/`dangerouslySetInnerHTML` calls, links are inert
 * (text plus the URL as text, never an `<a href>`) and images become a text placeholder. Raw HTML in
 * a reply (`<script>`, `<img onerror>`) is therefore just visible text.
 *
 * Incrementality: `MarkdownStream` consumes text as it arrives and cuts it into blocks on complete
 * lines only. Closed blocks are immutable objects; `MarkdownView` renders each through a memoized
 * component, so on a new chunk only the open (last) block is re-parsed and re-rendered. Because block
 * boundaries depend only on complete lines, any split of the same text yields the same blocks, so a
 * streamed reply ends up with exactly the DOM of the unsplit text.
 *
 * Supported: paragraphs (single newlines become <br>), ATX headings, fenced code blocks (``` / ~~~)
 * with a Copy button, bullet and ordered lists (flat, with a depth class for indentation), block
 * quotes, thematic breaks, **bold**, __bold__, *italic*, _italic_, `inline code`, [links](url),
 * backslash escapes.
 */
import { Component, type ComponentChild, type VNode } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { copyText } from './clipboard';

export type Block =
  | { kind: 'p'; text: string }
  | { kind: 'h'; level: number; text: string }
  | { kind: 'code'; lang: string; code: string; closed: boolean }
  | { kind: 'list'; ordered: boolean; start: number; items: ListItem[] }
  | { kind: 'quote'; text: string }
  | { kind: 'hr' };

export interface ListItem {
  text: string;
  depth: number;
}

/** The block being accumulated: lines until something closes it. */
type Open =
  | { kind: 'p'; lines: string[] }
  | { kind: 'quote'; lines: string[] }
  | { kind: 'list'; ordered: boolean; start: number; items: ListItem[] }
  | { kind: 'code'; lang: string; fence: string; lines: string[] };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const HR = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_ITEM = /^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const QUOTE = /^ {0,3}>[ \t]?(.*)$/;
const BLANK = /^[ \t]*$/;

/** Incremental block splitter. Feed chunks with `append`; read `blocks` (closed) + `openBlocks()`. */
export class MarkdownStream {
  /** Closed blocks, never mutated after being pushed (safe to memoize on identity). */
  readonly blocks: Block[] = [];
  private open: Open | null = null;
  /** The trailing incomplete line (no newline yet). */
  private partial = '';
  /** Total characters consumed, so a renderer can feed only what is new. */
  length = 0;
  private openCache: Block[] | null = null;

  append(text: string): void {
    if (!text) return;
    this.length += text.length;
    this.openCache = null;
    let nl = text.indexOf('\n');
    if (nl === -1) {
      this.partial += text;
      return;
    }
    let start = 0;
    let line = this.partial + text.slice(0, nl);
    this.partial = '';
    for (;;) {
      this.line(line);
      start = nl + 1;
      nl = text.indexOf('\n', start);
      if (nl === -1) break;
      line = text.slice(start, nl);
    }
    this.partial = text.slice(start);
  }

  /** The open block (plus the partial line) as blocks, as if the text ended here. Cached per length. */
  openBlocks(): Block[] {
    if (this.openCache) return this.openCache;
    const probe = new MarkdownStream();
    probe.open = cloneOpen(this.open);
    if (this.partial) probe.line(this.partial);
    probe.close();
    this.openCache = probe.blocks;
    return probe.blocks;
  }

  /** All blocks of the text so far (closed + open). */
  all(): Block[] {
    return this.blocks.concat(this.openBlocks());
  }

  private line(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const open = this.open;
    if (open?.kind === 'code') {
      const m = FENCE.exec(line);
      if (m && !m[2] && m[1]![0] === open.fence[0] && m[1]!.length >= open.fence.length) {
        this.blocks.push({ kind: 'code', lang: open.lang, code: open.lines.join('\n'), closed: true });
        this.open = null;
      } else {
        open.lines.push(line);
      }
      return;
    }
    if (BLANK.test(line)) {
      this.close();
      return;
    }
    let m = FENCE.exec(line);
    if (m) {
      this.close();
      this.open = { kind: 'code', lang: m[2] ?? '', fence: m[1]!, lines: [] };
      return;
    }
    m = HEADING.exec(line);
    if (m) {
      this.close();
      this.blocks.push({ kind: 'h', level: m[1]!.length, text: m[2] ?? '' });
      return;
    }
    if (HR.test(line)) {
      this.close();
      this.blocks.push({ kind: 'hr' });
      return;
    }
    m = LIST_ITEM.exec(line);
    if (m) {
      const marker = m[2]!;
      const ordered = /\d/.test(marker[0]!);
      const depth = Math.min(3, Math.floor(m[1]!.replace(/\t/g, '    ').length / 2));
      const item = { text: m[3] ?? '', depth };
      if (open?.kind === 'list' && (open.ordered === ordered || depth > 0)) {
        open.items.push(item);
      } else {
        this.close();
        this.open = {
          kind: 'list',
          ordered,
          start: ordered ? Number.parseInt(marker, 10) : 1,
          items: [item],
        };
      }
      return;
    }
    m = QUOTE.exec(line);
    if (m) {
      if (open?.kind === 'quote') open.lines.push(m[1] ?? '');
      else {
        this.close();
        this.open = { kind: 'quote', lines: [m[1] ?? ''] };
      }
      return;
    }
    // Plain text: continues a paragraph, a quote (lazily) or the last list item; else starts a paragraph.
    if (open?.kind === 'p' || open?.kind === 'quote') {
      open.lines.push(line);
    } else if (open?.kind === 'list') {
      const last = open.items[open.items.length - 1]!;
      open.items[open.items.length - 1] = { ...last, text: `${last.text}\n${line.trim()}` };
    } else {
      this.open = { kind: 'p', lines: [line] };
    }
  }

  private close(): void {
    const open = this.open;
    if (!open) return;
    this.open = null;
    switch (open.kind) {
      case 'p':
        this.blocks.push({ kind: 'p', text: open.lines.join('\n') });
        return;
      case 'quote':
        this.blocks.push({ kind: 'quote', text: open.lines.join('\n') });
        return;
      case 'list':
        this.blocks.push({ kind: 'list', ordered: open.ordered, start: open.start, items: open.items });
        return;
      case 'code':
        this.blocks.push({ kind: 'code', lang: open.lang, code: open.lines.join('\n'), closed: false });
        return;
    }
  }
}

function cloneOpen(open: Open | null): Open | null {
  if (!open) return null;
  if (open.kind === 'list') return { ...open, items: open.items.slice() };
  return { ...open, lines: open.lines.slice() };
}

/** Parses a whole text at once (same code path as streaming). */
export function parseMarkdown(text: string): Block[] {
  const s = new MarkdownStream();
  s.append(text);
  return s.all();
}

// ---------------------------------------------------------------------------------------------
// Inline spans

const ESCAPABLE = '\\`*_[]()#>!-+.{}|~';

/** Work counters, read by tests to check that streaming re-parses only the open block. */
export const markdownCounters = { inlineParses: 0 };

/** Parses inline markdown into strings (text nodes) and elements. Never produces markup from text. */
export function renderInline(text: string): ComponentChild[] {
  markdownCounters.inlineParses++;
  const out: ComponentChild[] = [];
  let buf = '';
  const flush = () => {
    if (buf) out.push(buf);
    buf = '';
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < n && ESCAPABLE.includes(text[i + 1]!)) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      flush();
      out.push(<br />);
      i++;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      const close = findCodeClose(text, i + run, run);
      if (close !== -1) {
        flush();
        let code = text.slice(i + run, close).replace(/\n/g, ' ');
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
        out.push(<code>{code}</code>);
        i = close + run;
      } else {
        buf += text.slice(i, i + run);
        i += run;
      }
      continue;
    }
    if (c === '*' || c === '_') {
      let run = 1;
      while (text[i + run] === c) run++;
      const prev = i > 0 ? text[i - 1]! : ' ';
      const next = text[i + run] ?? ' ';
      const canOpen = !/\s/.test(next) && !(c === '_' && /[\p{L}\p{N}]/u.test(prev));
      if (canOpen && run <= 3) {
        const close = findEmphasisClose(text, i + run, c, run);
        if (close !== -1) {
          flush();
          const inner = renderInline(text.slice(i + run, close));
          out.push(
            run === 1 ? (
              <em>{inner}</em>
            ) : run === 2 ? (
              <strong>{inner}</strong>
            ) : (
              <strong>
                <em>{inner}</em>
              </strong>
            ),
          );
          i = close + run;
          continue;
        }
      }
      buf += text.slice(i, i + run);
      i += run;
      continue;
    }
    if (c === '[' || (c === '!' && text[i + 1] === '[')) {
      const image = c === '!';
      const m = LINK.exec(text.slice(image ? i + 1 : i));
      if (m) {
        flush();
        const label = m[1] ?? '';
        const url = m[2] ?? '';
        if (image) {
          out.push(<span class="md-image">{`[image: ${label || url}]`}</span>);
        } else {
          // Inert: no href, the URL is shown as text next to the label.
          out.push(
            <span class="md-link" title={url}>
              {renderInline(label)}
            </span>,
          );
          if (url && url !== label) out.push(<span class="md-link-url">{` (${url})`}</span>);
        }
        i += (image ? 1 : 0) + m[0].length;
        continue;
      }
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

const LINK = /^\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"\n]*")?\s*\)/;

function findCodeClose(text: string, from: number, run: number): number {
  let j = text.indexOf('`', from);
  while (j !== -1) {
    let k = 1;
    while (text[j + k] === '`') k++;
    if (k === run) return j;
    j = text.indexOf('`', j + k);
  }
  return -1;
}

function findEmphasisClose(text: string, from: number, ch: string, run: number): number {
  const delim = ch.repeat(run);
  let j = text.indexOf(delim, from);
  while (j !== -1) {
    let k = run;
    while (text[j + k] === ch) k++;
    const before = text[j - 1]!;
    const after = text[j + k] ?? ' ';
    const rightFlanking = j > from && !/\s/.test(before);
    const underscoreOk = ch !== '_' || !/[\p{L}\p{N}]/u.test(after);
    // An exact-length run closes; a run of three also closes an inner one (`**a *b***`).
    if (rightFlanking && underscoreOk && k === run) return j;
    if (rightFlanking && underscoreOk && k === 3) return j + 3 - run;
    j = text.indexOf(delim, j + k);
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Components

function renderBlock(block: Block): VNode {
  switch (block.kind) {
    case 'p':
      return <p>{renderInline(block.text)}</p>;
    case 'h': {
      const Tag = `h${Math.min(6, block.level + 2)}` as 'h3';
      return <Tag class="md-h">{renderInline(block.text)}</Tag>;
    }
    case 'quote':
      return <blockquote>{renderInline(block.text)}</blockquote>;
    case 'hr':
      return <hr />;
    case 'list': {
      const items = block.items.map((item, i) => (
        <li key={i} class={item.depth ? `depth-${item.depth}` : undefined}>
          {renderInline(item.text)}
        </li>
      ));
      return block.ordered ? (
        <ol start={block.start === 1 ? undefined : block.start}>{items}</ol>
      ) : (
        <ul>{items}</ul>
      );
    }
    case 'code':
      return <CodeBlock lang={block.lang} code={block.code} />;
  }
}

function CodeBlock({ lang, code }: { lang: string; code: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const onCopy = async () => {
    setCopied((await copyText(code)) ? 'copied' : 'failed');
    setTimeout(() => setCopied('idle'), 1500);
  };
  return (
    <div class="md-code">
      <div class="md-code-bar">
        <span class="md-code-lang">{lang}</span>
        <button type="button" class="action" data-testid="copy-code" onClick={onCopy}>
          {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
        </button>
      </div>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}

/** One block, re-rendered only when its (immutable) block object changes. */
class MdBlock extends Component<{ block: Block }> {
  override shouldComponentUpdate(next: { block: Block }): boolean {
    return next.block !== this.props.block;
  }
  override render() {
    return renderBlock(this.props.block);
  }
}

const GROUP = 32;

/** A run of GROUP closed blocks: once full its array never changes, so long replies diff in O(1). */
class MdGroup extends Component<{ blocks: Block[] }> {
  override shouldComponentUpdate(next: { blocks: Block[] }): boolean {
    return next.blocks !== this.props.blocks;
  }
  override render() {
    // A real (margin-transparent) wrapper, so layout of a long reply walks groups, not every block.
    return (
      <div class="md-group">
        {this.props.blocks.map((b, i) => (
          <MdBlock key={i} block={b} />
        ))}
      </div>
    );
  }
}

interface StreamCache {
  stream: MarkdownStream;
  text: string;
  groups: Block[][];
}

/**
 * Renders markdown text that may grow between renders (a streaming reply). When the new text
 * extends the previous one only the new suffix is parsed; anything else starts over.
 */
export class MarkdownView extends Component<{ text: string; streaming?: boolean }> {
  override shouldComponentUpdate(next: { text: string; streaming?: boolean }): boolean {
    return next.text !== this.props.text || next.streaming !== this.props.streaming;
  }
  override render() {
    return <MarkdownBody text={this.props.text} streaming={this.props.streaming} />;
  }
}

function MarkdownBody({ text, streaming }: { text: string; streaming?: boolean }) {
  const ref = useRef<StreamCache | null>(null);
  let cache = ref.current;
  const extends_ =
    cache !== null &&
    text.length >= cache.text.length &&
    (cache.text.length === 0 ||
      (text.charCodeAt(cache.text.length - 1) === cache.text.charCodeAt(cache.text.length - 1) &&
        text.charCodeAt(0) === cache.text.charCodeAt(0)));
  if (!cache || !extends_) {
    cache = { stream: new MarkdownStream(), text: '', groups: [] };
    ref.current = cache;
  }
  if (text.length > cache.text.length) {
    cache.stream.append(text.slice(cache.text.length));
    cache.text = text;
  }
  const closed = cache.stream.blocks;
  // Full groups are created once and kept; the tail of closed blocks is a fresh array each time.
  while ((cache.groups.length + 1) * GROUP <= closed.length) {
    const g = cache.groups.length;
    cache.groups.push(closed.slice(g * GROUP, (g + 1) * GROUP));
  }
  const tailStart = cache.groups.length * GROUP;
  const children: VNode[] = cache.groups.map((g, i) => <MdGroup key={`g${i}`} blocks={g} />);
  for (let i = tailStart; i < closed.length; i++) children.push(<MdBlock key={`b${i}`} block={closed[i]!} />);
  const open = cache.stream.openBlocks();
  for (let i = 0; i < open.length; i++) {
    children.push(<MdBlock key={`b${closed.length + i}`} block={open[i]!} />);
  }
  return <div class={streaming ? 'md streaming' : 'md'}>{children}</div>;
}

/** The naive renderer (re-parse and re-render everything on each change), kept for the benchmark. */
export function NaiveMarkdownView({ text, streaming }: { text: string; streaming?: boolean }) {
  return <div class={streaming ? 'md streaming' : 'md'}>{parseMarkdown(text).map(renderBlock)}</div>;
}
