/**
 * Preact view of streamed markdown (parsing lives in blocks.ts and inline.ts).
 *
 * Safety: the output is Preact VNodes whose text is always a string child (a DOM text node). Nothing
 * is ever parsed as HTML, there are no `innerHTML`/`dangerouslySetInnerHTML` calls, links are inert
 * (text plus the URL as text, never an `<a href>`) and images become a text placeholder.
 *
 * Per chunk only the open block renders: closed blocks are memoized by identity in frozen groups
 * (groupTree.tsx), and inside the open block the committed inline items are frozen the same way;
 * only the unfrozen tail (fewer than GROUP items) is re-resolved as if the text ended there. So a
 * chunk costs work bounded by the new text, not by the reply. When not streaming, the open block is
 * closed on a copy, giving exactly the DOM of the whole text parsed at once.
 */
import { Component, type ComponentChild, type VNode } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { copyText } from '../clipboard';
import {
  type Block,
  inlineContent,
  type ListItem,
  MarkdownStream,
  type OpenBlock,
  type OpenText,
} from './blocks';
import { GroupTree, grouped } from './groupTree';
import { type Inline, type Meter, parseInline, plainText } from './inline';

const BLOCK_GROUP = { tag: 'div', class: 'md-group' };
const INLINE_GROUP = { tag: 'span', class: 'md-run' };

function renderInline(x: Inline): ComponentChild {
  if (typeof x === 'string') return x;
  switch (x.t) {
    case 'lit':
      return x.text;
    case 'br':
      return <br />;
    case 'code':
      return <code>{x.text}</code>;
    case 'em':
      return <em>{inlines(x.c)}</em>;
    case 'strong':
      return <strong>{inlines(x.c)}</strong>;
    case 'strongEm':
      return (
        <strong>
          <em>{inlines(x.c)}</em>
        </strong>
      );
    case 'image':
      return <span class="md-image">{`[image: ${x.alt || x.url}]`}</span>;
    case 'link': {
      // Inert: no href, the URL is shown as text next to the label.
      const label = (
        <span class="md-link" title={x.url}>
          {inlines(x.c)}
        </span>
      );
      return x.url && x.url !== plainText(x.c)
        ? [label, <span class="md-link-url">{` (${x.url})`}</span>]
        : label;
    }
  }
}

function inlines(items: readonly Inline[]): ComponentChild[] {
  return grouped(items, INLINE_GROUP, renderInline);
}

function textOf(owner: Extract<Block, { text: string }> | ListItem): ComponentChild[] {
  return inlines(inlineContent(owner) ?? parseInline(owner.text));
}

export function renderBlock(block: Block): VNode {
  switch (block.kind) {
    case 'p':
      return <p>{textOf(block)}</p>;
    case 'h': {
      const Tag = `h${Math.min(6, block.level + 2)}` as 'h3';
      return <Tag class="md-h">{textOf(block)}</Tag>;
    }
    case 'quote':
      return <blockquote>{textOf(block)}</blockquote>;
    case 'hr':
      return <hr />;
    case 'list': {
      const items = grouped(block.items, BLOCK_GROUP, (item, i) => (
        <li key={i} class={item.depth ? `depth-${item.depth}` : undefined}>
          {textOf(item)}
        </li>
      ));
      return block.ordered ? (
        <ol start={block.start === 1 ? undefined : block.start}>{items}</ol>
      ) : (
        <ul>{items}</ul>
      );
    }
    case 'code':
      return <CodeBlock lang={block.lang} code={() => block.code} content={block.code} />;
  }
}

function CodeBlock({ lang, code, content }: { lang: string; code: () => string; content: ComponentChild }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const onCopy = async () => {
    setCopied((await copyText(code())) ? 'copied' : 'failed');
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
        <code>{content}</code>
      </pre>
    </div>
  );
}

/** One closed block, rendered once: closed blocks are immutable. */
class MdBlock extends Component<{ block: Block }> {
  override shouldComponentUpdate(next: { block: Block }): boolean {
    return next.block !== this.props.block;
  }
  override render() {
    return renderBlock(this.props.block);
  }
}

const renderClosed = (b: Block, i: number) => <MdBlock key={`b${i}`} block={b} />;

/** Everything one view keeps between renders. */
class StreamCache {
  readonly stream: MarkdownStream;
  text = '';
  readonly blockTree = new GroupTree<Block>(BLOCK_GROUP);
  /** One tree per live inline parser (paragraph, quote, list item) and per code block's pieces. */
  private trees = new WeakMap<object, GroupTree<unknown>>();

  constructor(meter?: Meter) {
    this.stream = new MarkdownStream(meter);
  }

  tree<T>(owner: object, style = INLINE_GROUP): GroupTree<T> {
    let t = this.trees.get(owner);
    if (!t) {
      t = new GroupTree(style);
      this.trees.set(owner, t);
    }
    return t as GroupTree<T>;
  }

  /** The inline items of a live text: frozen committed items, then the tail resolved as if it ended. */
  liveInline(t: OpenText): ComponentChild[] {
    const p = t.inl;
    const tree = this.tree<Inline>(p);
    tree.sync(p.items, p.takeDirty());
    const from = tree.frozenCount();
    return tree.render(p.items, from, renderInline, p.preview(from).map(renderInline));
  }

  renderOpen(o: OpenBlock, key: string): VNode {
    switch (o.kind) {
      case 'p':
        return <p key={key}>{this.liveInline(o)}</p>;
      case 'quote':
        return <blockquote key={key}>{this.liveInline(o)}</blockquote>;
      case 'list': {
        const tree = this.tree<ListItem>(o.items, BLOCK_GROUP);
        tree.sync(o.items);
        const items = tree.render(
          o.items,
          o.items.length,
          (item, i) => <ListItemView key={i} item={item} />,
          [
            <li key={o.items.length} class={o.item.depth ? `depth-${o.item.depth}` : undefined}>
              {this.liveInline(o.item)}
            </li>,
          ],
        );
        return o.ordered ? (
          <ol key={key} start={o.start === 1 ? undefined : o.start}>
            {items}
          </ol>
        ) : (
          <ul key={key}>{items}</ul>
        );
      }
      case 'code': {
        const tree = this.tree<string>(o.pieces);
        tree.sync(o.pieces, o.pieces.length - 1);
        const content = tree.render(o.pieces, o.pieces.length, (s) => s);
        return <CodeBlock key={key} lang={o.lang} code={() => o.pieces.join('')} content={content} />;
      }
    }
  }
}

class ListItemView extends Component<{ item: ListItem }> {
  override shouldComponentUpdate(next: { item: ListItem }): boolean {
    return next.item !== this.props.item;
  }
  override render() {
    const { item } = this.props;
    return <li class={item.depth ? `depth-${item.depth}` : undefined}>{textOf(item)}</li>;
  }
}

export interface MarkdownViewProps {
  /** The reply so far. Within one view it may only grow: key views by message identity. */
  text: string;
  streaming?: boolean;
  /** Receives the parser's work (tests and benchmarks). */
  meter?: Meter;
}

/**
 * Renders markdown text that may grow between renders (a streaming reply). New text is fed to the
 * stream; text that does not extend the previous one starts over.
 */
export class MarkdownView extends Component<MarkdownViewProps> {
  override shouldComponentUpdate(next: MarkdownViewProps): boolean {
    return next.text !== this.props.text || next.streaming !== this.props.streaming;
  }
  override render() {
    return <MarkdownBody {...this.props} />;
  }
}

/** How much of the previous text is compared to decide that the new text extends it. */
const CHECK = 32;

function MarkdownBody({ text, streaming, meter }: MarkdownViewProps) {
  const ref = useRef<StreamCache | null>(null);
  let cache = ref.current;
  const prev = cache?.text ?? '';
  const tail = prev.slice(-CHECK);
  if (
    !cache ||
    text.length < prev.length ||
    !text.startsWith(tail, prev.length - tail.length) ||
    text[0] !== prev[0]
  ) {
    cache = new StreamCache(meter);
    ref.current = cache;
  }
  if (text.length > cache.text.length) {
    cache.stream.append(text.slice(cache.text.length));
    cache.text = text;
  }
  const s = cache.stream;
  const closed = s.blocks;
  cache.blockTree.sync(closed);
  const children = cache.blockTree.render(closed, closed.length, renderClosed);
  if (streaming) {
    if (s.open) children.push(cache.renderOpen(s.open, `b${closed.length}`));
  } else {
    s.openBlocks().forEach((b, i) => {
      children.push(renderClosed(b, closed.length + i));
    });
  }
  return <div class={streaming ? 'md streaming' : 'md'}>{children}</div>;
}
