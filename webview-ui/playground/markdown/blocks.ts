/**
 * Block structure of streamed markdown, one pass over the text.
 *
 * Lines are classified by `classifyLine`, which also answers for an incomplete line as soon as its
 * beginning decides what it is (a paragraph line, a list item, a quote, a code line): from then on
 * the rest of the line streams straight into the open block's incremental inline parser. A line
 * whose kind depends on its end (a fence, a heading, a rule, a blank line) is held until its
 * newline; an undecided line is re-examined only while it is short (LOOKAHEAD characters), so every
 * character is classified a bounded number of times. Closed blocks are immutable objects: a view
 * memoizes them by identity, and only the open block changes per chunk.
 */
import { type Inline, InlineParser, type Meter, PIECE } from './inline';
import { PagedList } from './paged';

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

/** The parsed inline content of a closed block's text (or a list item), kept beside the block. */
const inlineOf = new WeakMap<object, Inline[]>();
export function inlineContent(owner: Block | ListItem): Inline[] | undefined {
  return inlineOf.get(owner);
}

/**
 * Inline text being accumulated: its raw text (for the closed block; appended to, which is O(1) per
 * chunk, where a growing array of parts is copied whole when its storage grows) and its parse.
 */
export interface OpenText {
  raw: string;
  inl: InlineParser;
}

export type OpenBlock =
  | ({ kind: 'p' } & OpenText)
  | ({ kind: 'quote' } & OpenText)
  | {
      kind: 'list';
      ordered: boolean;
      start: number;
      items: PagedList<ListItem>;
      item: OpenText & { depth: number };
    }
  | { kind: 'code'; lang: string; fenceCh: string; fenceLen: number; lines: number; pieces: string[] };

export type LineKind =
  | { kind: 'blank' }
  | { kind: 'fenceOpen'; ch: string; len: number; lang: string }
  | { kind: 'fenceClose' }
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'hr' }
  | { kind: 'code' }
  | { kind: 'list'; ordered: boolean; start: number; depth: number; content: number }
  | { kind: 'quote'; content: number }
  | { kind: 'text' };

/** How long an undecided partial line is re-examined on new text before waiting for its newline. */
const LOOKAHEAD = 64;

const isBlankChar = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * What a line is. With `complete` false the line may still grow: the answer is null unless every
 * completion of it gives the same answer.
 */
export function classifyLine(
  line: string,
  complete: boolean,
  fence: { ch: string; len: number } | null,
): LineKind | null {
  const n = line.length;
  let i = 0;
  let width = 0;
  let spacesOnly = true;
  while (i < n && isBlankChar(line[i])) {
    if (line[i] === '\t') {
      width += 4;
      spacesOnly = false;
    } else width++;
    i++;
  }
  if (i === n) return complete ? (fence ? { kind: 'code' } : { kind: 'blank' }) : null;
  const lead3 = spacesOnly && i <= 3;
  const c = line[i]!;
  const runEnd = (from: number, ch: string) => {
    let j = from;
    while (j < n && line[j] === ch) j++;
    return j;
  };

  if (fence) {
    if (lead3 && c === fence.ch) {
      const j = runEnd(i, c);
      let k = j;
      while (k < n && isBlankChar(line[k])) k++;
      if (k === n && j - i >= fence.len) return complete ? { kind: 'fenceClose' } : null;
      if (k === n && !complete) return null;
    }
    return { kind: 'code' };
  }

  if (lead3 && (c === '`' || c === '~')) {
    const j = runEnd(i, c);
    if (j === n && !complete) return null;
    if (j - i >= 3 && !(c === '`' && line.indexOf('`', j) !== -1)) {
      if (!complete) return null;
      let k = j;
      while (k < n && isSpace(line[k]!)) k++;
      let e = k;
      while (e < n && !isSpace(line[e]!) && line[e] !== '`') e++;
      return { kind: 'fenceOpen', ch: c, len: j - i, lang: line.slice(k, e) };
    }
    return { kind: 'text' };
  }

  if (lead3 && c === '#') {
    const j = runEnd(i, '#');
    if (j - i <= 6 && (j === n || isBlankChar(line[j]))) {
      return complete ? { kind: 'heading', level: j - i, text: headingText(line, j) } : null;
    }
    return { kind: 'text' };
  }

  if (lead3 && (c === '-' || c === '*' || c === '_')) {
    let count = 0;
    let k = i;
    while (k < n && (line[k] === c || isBlankChar(line[k]))) {
      if (line[k] === c) count++;
      k++;
    }
    if (k === n) {
      if (!complete) return null;
      if (count >= 3) return { kind: 'hr' };
    }
  }

  if (c === '-' || c === '*' || c === '+' || (c >= '0' && c <= '9')) {
    let j = i + 1;
    let ordered = false;
    if (c >= '0' && c <= '9') {
      ordered = true;
      j = i;
      while (j < n && j - i < 10 && line[j]! >= '0' && line[j]! <= '9') j++;
      if (j === n && !complete) return null;
      if (j - i > 9 || (line[j] !== '.' && line[j] !== ')')) return { kind: 'text' };
      j++;
    }
    if (j === n && !complete) return null;
    if (j < n && isBlankChar(line[j])) {
      let k = j;
      while (k < n && isBlankChar(line[k])) k++;
      if (k === n && !complete) return null;
      return {
        kind: 'list',
        ordered,
        start: ordered ? Number.parseInt(line.slice(i, j - 1), 10) : 1,
        depth: Math.min(3, Math.floor(width / 2)),
        content: k,
      };
    }
    return { kind: 'text' };
  }

  if (lead3 && c === '>') {
    if (i + 1 === n && !complete) return null;
    return { kind: 'quote', content: isBlankChar(line[i + 1]) ? i + 2 : i + 1 };
  }
  return { kind: 'text' };
}

const isSpace = (c: string) => /\s/.test(c);

/** A heading's text: after the `#`s and blanks, without trailing blanks and a closing `#` sequence. */
function headingText(line: string, from: number): string {
  let s = from;
  while (s < line.length && isBlankChar(line[s])) s++;
  let e = line.length;
  while (e > s && isBlankChar(line[e - 1])) e--;
  let k = e;
  while (k > s && line[k - 1] === '#') k--;
  if (k < e && k > s && isBlankChar(line[k - 1])) {
    e = k;
    while (e > s && isBlankChar(line[e - 1])) e--;
  }
  return line.slice(s, e);
}

/** Incremental block splitter. Feed chunks with `append`; read `blocks` (closed) + `open`. */
export class MarkdownStream {
  /** Closed blocks, never mutated after being pushed (safe to memoize on identity); in pages, like inline items. */
  readonly blocks = new PagedList<Block>();
  /** The block being accumulated. */
  open: OpenBlock | null = null;
  /** Total characters consumed, so a renderer can feed only what is new. */
  length = 0;
  /** The current line while its kind is undecided. */
  private partial = '';
  private gaveUp = false;
  /** The current line's kind was decided early: its characters stream into the open block. */
  private live: { trim: boolean } | null = null;
  /** Trailing characters of a live line that may still be dropped (`\r`, or blanks a trim removes). */
  private held = '';

  constructor(readonly meter: Meter = { steps: 0 }) {}

  append(text: string): void {
    if (!text) return;
    this.length += text.length;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      this.addToLine(nl === -1 ? text.slice(start) : text.slice(start, nl));
      if (nl === -1) return;
      this.endLine();
      start = nl + 1;
    }
  }

  /** The open block (and any pending line) as closed blocks, as if the text ended here. */
  openBlocks(): Block[] {
    const probe = new MarkdownStream(this.meter);
    probe.open = cloneOpen(this.open);
    probe.partial = this.partial;
    probe.live = this.live && { ...this.live };
    probe.held = this.held;
    probe.end();
    return probe.blocks.toArray();
  }

  /** All blocks of the text so far (closed + open). */
  all(): Block[] {
    return this.blocks.toArray().concat(this.openBlocks());
  }

  /** Ends the text: the last line and the open block are closed. */
  end(): void {
    if (this.live || this.partial) this.endLine();
    this.close();
  }

  private fence() {
    const o = this.open;
    return o?.kind === 'code' ? { ch: o.fenceCh, len: o.fenceLen } : null;
  }

  private addToLine(seg: string): void {
    if (!seg) return;
    if (this.live) {
      this.feedLive(seg);
      return;
    }
    this.partial += seg;
    if (this.gaveUp) return;
    const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
    this.meter.steps += Math.min(line.length, LOOKAHEAD + seg.length);
    const kind = classifyLine(line, false, this.fence());
    if (kind) {
      const content = this.begin(kind, line);
      const rest = this.partial.slice(content);
      this.partial = '';
      this.feedLive(rest);
    } else if (line.length > LOOKAHEAD) {
      this.gaveUp = true;
    }
  }

  private endLine(): void {
    if (this.live) {
      if (!this.live.trim && this.held !== '\r') this.feedTarget(this.held);
      this.held = '';
      this.live = null;
    } else {
      const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
      this.meter.steps += line.length;
      const kind = classifyLine(line, true, this.fence())!;
      this.completeLine(kind, line);
    }
    this.partial = '';
    this.gaveUp = false;
  }

  private completeLine(kind: LineKind, line: string): void {
    switch (kind.kind) {
      case 'blank':
        this.close();
        return;
      case 'fenceOpen':
        this.close();
        this.open = {
          kind: 'code',
          lang: kind.lang,
          fenceCh: kind.ch,
          fenceLen: kind.len,
          lines: 0,
          pieces: [],
        };
        return;
      case 'fenceClose': {
        const o = this.open as Extract<OpenBlock, { kind: 'code' }>;
        this.open = null;
        this.blocks.push({ kind: 'code', lang: o.lang, code: o.pieces.join(''), closed: true });
        return;
      }
      case 'heading': {
        this.close();
        const block: Block = { kind: 'h', level: kind.level, text: kind.text };
        const inl = new InlineParser(this.meter);
        inl.feed(kind.text);
        inlineOf.set(block, inl.finish());
        this.blocks.push(block);
        return;
      }
      case 'hr':
        this.close();
        this.blocks.push({ kind: 'hr' });
        return;
      default: {
        const content = this.begin(kind, line);
        this.feedLive(line.slice(content));
        this.held = '';
        this.live = null;
      }
    }
  }

  /** Starts a line that streams into the open block; returns where its content starts in the line. */
  private begin(kind: LineKind, line: string): number {
    const o = this.open;
    switch (kind.kind) {
      case 'code': {
        const code = o as Extract<OpenBlock, { kind: 'code' }>;
        this.live = { trim: false };
        if (code.lines++ > 0) this.feedTarget('\n');
        return 0;
      }
      case 'list': {
        this.live = { trim: false };
        const item = { raw: '', inl: new InlineParser(this.meter), depth: kind.depth };
        if (o?.kind === 'list' && (o.ordered === kind.ordered || kind.depth > 0)) {
          o.items.push(closeText(o.item, { text: '', depth: o.item.depth }));
          o.item = item;
        } else {
          this.close();
          this.open = {
            kind: 'list',
            ordered: kind.ordered,
            start: kind.start,
            items: new PagedList(),
            item,
          };
        }
        return kind.content;
      }
      case 'quote':
        this.live = { trim: false };
        if (o?.kind === 'quote') this.feedTarget('\n');
        else {
          this.close();
          this.open = { kind: 'quote', raw: '', inl: new InlineParser(this.meter) };
        }
        return kind.content;
      default: {
        // Plain text continues a paragraph, a quote (lazily) or the last list item; else starts a paragraph.
        if (o?.kind === 'list') {
          this.live = { trim: true };
          this.feedTarget('\n');
          let s = 0;
          while (s < line.length && isSpace(line[s]!)) s++;
          return s;
        }
        this.live = { trim: false };
        if (o?.kind === 'p' || o?.kind === 'quote') this.feedTarget('\n');
        else {
          this.close();
          this.open = { kind: 'p', raw: '', inl: new InlineParser(this.meter) };
        }
        return 0;
      }
    }
  }

  /** Feeds a live line's characters, holding back a trailing `\r` (or blanks, for a trimmed line). */
  private feedLive(s: string): void {
    if (!s) return;
    const trim = this.live!.trim;
    let e = s.length;
    if (trim) while (e > 0 && isSpace(s[e - 1]!)) e--;
    else if (s[e - 1] === '\r') e--;
    if (e === 0) {
      // All of it may be dropped; a held `\r` followed by more text was content after all.
      if (!trim && this.held) this.feedTarget(this.held);
      this.held = trim ? this.held + s : s;
      return;
    }
    this.feedTarget(this.held + s.slice(0, e));
    this.held = s.slice(e);
  }

  private feedTarget(s: string): void {
    if (!s) return;
    const o = this.open!;
    if (o.kind === 'code') {
      this.meter.steps += s.length;
      appendPieces(o.pieces, s);
      return;
    }
    const t = o.kind === 'list' ? o.item : o;
    t.raw += s;
    t.inl.feed(s);
  }

  private close(): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    switch (o.kind) {
      case 'p':
      case 'quote':
        this.blocks.push(closeText(o, { kind: o.kind, text: '' }));
        return;
      case 'list': {
        const items = o.items.toArray();
        items.push(closeText(o.item, { text: '', depth: o.item.depth }));
        this.blocks.push({ kind: 'list', ordered: o.ordered, start: o.start, items });
        return;
      }
      case 'code':
        this.blocks.push({ kind: 'code', lang: o.lang, code: o.pieces.join(''), closed: false });
        return;
    }
  }
}

function closeText<T extends { text: string }>(t: OpenText, owner: T): T {
  owner.text = t.raw;
  inlineOf.set(owner, t.inl.finish());
  return owner;
}

/** Appends text to a list of pieces of at most PIECE characters (the same pieces for any chunking). */
export function appendPieces(pieces: string[], s: string): void {
  const last = pieces.length - 1;
  if (last >= 0 && pieces[last]!.length < PIECE) {
    const room = PIECE - pieces[last]!.length;
    pieces[last] += s.slice(0, room);
    s = s.slice(room);
  }
  for (let i = 0; i < s.length; i += PIECE) pieces.push(s.slice(i, i + PIECE));
}

function cloneText(t: OpenText): OpenText {
  return { raw: t.raw, inl: t.inl.clone() };
}

function cloneOpen(o: OpenBlock | null): OpenBlock | null {
  if (!o) return null;
  switch (o.kind) {
    case 'p':
    case 'quote':
      return { kind: o.kind, ...cloneText(o) };
    case 'list':
      return { ...o, items: o.items.copy(), item: { ...cloneText(o.item), depth: o.item.depth } };
    case 'code':
      return { ...o, pieces: o.pieces.slice() };
  }
}

/** Parses a whole text at once (same code path as streaming). */
export function parseMarkdown(text: string): Block[] {
  const s = new MarkdownStream();
  s.append(text);
  return s.all();
}
