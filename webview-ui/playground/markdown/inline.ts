/**
 * Inline markdown as a single-pass, resumable tokenizer.
 *
 * `InlineParser.feed` consumes text left to right exactly once. Emphasis uses a delimiter stack (an
 * opener is an item that renders literally until a closer wraps everything after it); a failed
 * search for an opener records a per-kind bottom so the same stack entries are never searched
 * again. Constructs that need to see ahead hold back only a bounded tail: a delimiter run until the
 * next character, a code span until its closing run (at most MAX_CODE characters, else the backticks
 * are literal), a link destination until `)` (at most MAX_LINK characters). Text given back by a
 * failed look-ahead is re-read once and cannot start another look-ahead of the same kind (link tails
 * contain no brackets), so the total work is linear in the input for any input.
 *
 * The output is data (`Inline[]`), never markup: rendering turns strings into text nodes.
 */

import { PagedList } from './paged';

export type Inline =
  | string
  | { t: 'lit'; text: string }
  | { t: 'br' }
  | { t: 'code'; text: string }
  | { t: 'em' | 'strong' | 'strongEm'; c: Inline[] }
  | { t: 'link'; c: Inline[]; url: string }
  | { t: 'image'; alt: string; url: string };

/** Work done, in steps (characters read, items moved, stack entries visited); read by tests and benches. */
export interface Meter {
  steps: number;
}

/** Text is stored in pieces of at most this many characters, so one piece re-renders per chunk. */
export const PIECE = 256;
/** Longest inline code span (characters between the backtick runs); a longer one stays literal. */
export const MAX_CODE = 1000;
/** Longest `](destination "title")` tail of a link. */
export const MAX_LINK = 512;
const MAX_EMPHASIS_RUN = 3;
const MAX_CODE_RUN = 8;
const ESCAPABLE = '\\`*_[]()#>!-+.{}|~';
const SPECIAL = /[\\`*_[\]!\n]/g;

/** Deepest stacks kept: an older opener is dropped (stays literal), bounding memory and searches. */
const MAX_OPENERS = 256;
const MAX_BRACKETS = 32;

/** Literal delimiter items are immutable, so equal ones are shared. */
const lits = new Map<string, Inline>();
function lit(text: string): Inline {
  let x = lits.get(text);
  if (!x) {
    x = { t: 'lit', text };
    if (text.length <= MAX_CODE_RUN) lits.set(text, x);
  }
  return x;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || /\s/.test(c);
const isAlnum = (c: string) => /[\p{L}\p{N}]/u.test(c);
const isUrlChar = (c: string) => !isSpace(c) && c !== ')' && c !== '>' && c !== '<' && c !== '[' && c !== ']';

interface Opener {
  idx: number;
  ch: string;
  n: number;
}
interface Bracket {
  idx: number;
  image: boolean;
  /** Delimiter stack height when the bracket opened: emphasis inside a link label stays inside. */
  stack: number;
}
type LinkState = 'paren' | 'ws1' | 'url' | 'gt' | 'ws2' | 'title' | 'ws3';
type Pending =
  | { k: 'esc' }
  | { k: 'bang' }
  | { k: 'run'; ch: string; n: number; before: string }
  | { k: 'litrun'; ch: string }
  | { k: 'code'; n: number; tail: string; run: number }
  | { k: 'link'; tail: string; st: LinkState; url: string };

export class InlineParser {
  /** Top-level output so far. Items before `dirty` are unchanged since the last `takeDirty()`. */
  items = new PagedList<Inline>();
  private stack: Opener[] = [];
  private brackets: Bracket[] = [];
  /** Per closer kind (char + length): stack entries below this index cannot match it. */
  private bottoms = new Map<string, number>();
  private pending: Pending | null = null;
  private prev = ' ';
  private dirty = Number.POSITIVE_INFINITY;
  /** When set, failed look-aheads show their tail as text instead of re-reading it (bounded previews). */
  private previewOnly = false;

  constructor(readonly meter: Meter = { steps: 0 }) {}

  /** The smallest item index changed (replaced or removed) since the last call; resets it. */
  takeDirty(): number {
    const d = this.dirty;
    this.dirty = Number.POSITIVE_INFINITY;
    return d;
  }

  feed(s: string): void {
    let i = 0;
    while (i < s.length) i = this.step(s, i);
  }

  /** Resolves everything held back as if the text ended here. The parser is spent afterwards. */
  finish(): Inline[] {
    for (let guard = 0; this.pending; guard++) {
      const p = this.pending;
      this.pending = null;
      this.meter.steps++;
      switch (p.k) {
        case 'esc':
          this.text('\\');
          break;
        case 'bang':
          this.text('!');
          break;
        case 'run':
          this.resolveRun(p.ch, p.n, p.before, ' ');
          break;
        case 'litrun':
          break;
        case 'code':
          if (p.run === p.n) this.closeCode(p.n, p.tail);
          else this.failCode(p.n, p.tail);
          break;
        case 'link':
          this.failLink(p.tail);
          break;
      }
      if (guard > 1e6) throw new Error('inline parser did not settle');
    }
    return this.items.toArray();
  }

  /**
   * What the items from `from` on would be if the text ended here, without changing this parser:
   * work is bounded by the items after `from` plus the held-back tail.
   */
  preview(from: number): Inline[] {
    const c = new InlineParser(this.meter);
    c.previewOnly = true;
    c.items = PagedList.from(this.items.slice(from));
    // Stack entries and brackets are in item order: the ones at or after `from` are a suffix.
    let first = this.stack.length;
    while (first > 0 && this.stack[first - 1]!.idx >= from) first--;
    for (let i = first; i < this.stack.length; i++) {
      const o = this.stack[i]!;
      c.stack.push({ ...o, idx: o.idx - from });
    }
    let firstBracket = this.brackets.length;
    while (firstBracket > 0 && this.brackets[firstBracket - 1]!.idx >= from) firstBracket--;
    for (let i = firstBracket; i < this.brackets.length; i++) {
      const b = this.brackets[i]!;
      c.brackets.push({ ...b, idx: b.idx - from, stack: Math.max(0, b.stack - first) });
    }
    c.pending = this.pending && { ...this.pending };
    c.prev = this.prev;
    this.meter.steps += c.items.length + c.stack.length;
    return c.finish();
  }

  /** A full copy (linear in the items); used to show an open block as if the text ended. */
  clone(): InlineParser {
    const c = new InlineParser(this.meter);
    c.items = this.items.copy();
    c.stack = this.stack.map((o) => ({ ...o }));
    c.brackets = this.brackets.map((b) => ({ ...b }));
    c.bottoms = new Map(this.bottoms);
    c.pending = this.pending && { ...this.pending };
    c.prev = this.prev;
    this.meter.steps += c.items.length;
    return c;
  }

  // -------------------------------------------------------------------------------------------

  private step(s: string, i: number): number {
    const p = this.pending;
    if (p) return this.stepPending(p, s, i);
    SPECIAL.lastIndex = i;
    const m = SPECIAL.exec(s);
    const j = m ? m.index : s.length;
    if (j > i) {
      this.text(s.slice(i, j));
      this.prev = s[j - 1]!;
    }
    if (j === s.length) return j;
    const c = s[j]!;
    this.meter.steps++;
    switch (c) {
      case '\\':
        this.pending = { k: 'esc' };
        break;
      case '!':
        this.pending = { k: 'bang' };
        break;
      case '\n':
        this.items.push({ t: 'br' });
        this.brackets.length = 0;
        this.prev = c;
        break;
      case '[':
        this.openBracket(false);
        break;
      case ']':
        if (this.brackets.length > 0) this.pending = { k: 'link', tail: ']', st: 'paren', url: '' };
        else {
          this.text(']');
          this.prev = c;
        }
        break;
      default:
        this.pending = { k: 'run', ch: c, n: 1, before: this.prev };
    }
    return j + 1;
  }

  private stepPending(p: Pending, s: string, i: number): number {
    const c = s[i]!;
    this.meter.steps++;
    switch (p.k) {
      case 'esc':
        this.pending = null;
        if (ESCAPABLE.includes(c)) {
          this.text(c);
          this.prev = c;
          return i + 1;
        }
        this.text('\\');
        this.prev = '\\';
        return i;
      case 'bang':
        this.pending = null;
        if (c === '[') {
          this.openBracket(true);
          return i + 1;
        }
        this.text('!');
        this.prev = '!';
        return i;
      case 'run': {
        if (c !== p.ch) {
          this.pending = null;
          this.resolveRun(p.ch, p.n, p.before, c);
          return i;
        }
        p.n++;
        if (p.n > (p.ch === '`' ? MAX_CODE_RUN : MAX_EMPHASIS_RUN)) {
          // Too long to be a delimiter: literal, and so is the rest of the run.
          this.text(p.ch.repeat(p.n));
          this.pending = { k: 'litrun', ch: p.ch };
        }
        return i + 1;
      }
      case 'litrun': {
        let j = i;
        while (j < s.length && s[j] === p.ch) j++;
        if (j > i) {
          this.text(s.slice(i, j));
          return j;
        }
        this.pending = null;
        this.prev = p.ch;
        return i;
      }
      case 'code':
        return this.stepCode(p, s, i);
      case 'link':
        return this.stepLink(p, s, i);
    }
  }

  private stepCode(p: Extract<Pending, { k: 'code' }>, s: string, i: number): number {
    let j = i;
    while (j < s.length) {
      if (s[j] === '`') {
        p.run++;
        j++;
        continue;
      }
      if (p.run === p.n) {
        this.meter.steps += j - i;
        this.pending = null;
        this.closeCode(p.n, p.tail + s.slice(i, j));
        return j;
      }
      p.run = 0;
      j++;
      if (p.tail.length + (j - i) > MAX_CODE) {
        this.meter.steps += j - i;
        this.pending = null;
        this.failCode(p.n, p.tail + s.slice(i, j));
        return j;
      }
    }
    this.meter.steps += j - i;
    p.tail += s.slice(i, j);
    return j;
  }

  private closeCode(n: number, tail: string): void {
    let code = tail.slice(0, tail.length - n).replace(/\n/g, ' ');
    if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
    this.items.push({ t: 'code', text: code });
    this.prev = '`';
  }

  private failCode(n: number, tail: string): void {
    this.text('`'.repeat(n));
    this.prev = '`';
    this.reread(tail);
  }

  private stepLink(p: Extract<Pending, { k: 'link' }>, s: string, i: number): number {
    const c = s[i]!;
    const ws = isSpace(c);
    let next: LinkState | 'done' | 'fail' = 'fail';
    switch (p.st) {
      case 'paren':
        if (c === '(') next = 'ws1';
        break;
      case 'ws1':
        next = ws ? 'ws1' : c === '<' ? 'url' : c === ')' ? 'done' : isUrlChar(c) ? 'url' : 'fail';
        if (next === 'url' && c !== '<') p.url += c;
        break;
      case 'url':
        if (isUrlChar(c)) {
          next = 'url';
          p.url += c;
        } else next = c === '>' ? 'gt' : ws ? 'ws2' : c === ')' ? 'done' : 'fail';
        break;
      case 'gt':
        next = ws ? 'ws2' : c === ')' ? 'done' : 'fail';
        break;
      case 'ws2':
        next = ws ? 'ws2' : c === '"' ? 'title' : c === ')' ? 'done' : 'fail';
        break;
      case 'title':
        next = c === '"' ? 'ws3' : c === '\n' || c === '[' || c === ']' ? 'fail' : 'title';
        break;
      case 'ws3':
        next = ws ? 'ws3' : c === ')' ? 'done' : 'fail';
        break;
    }
    if (next === 'done') {
      this.pending = null;
      this.closeLink(p.url);
      return i + 1;
    }
    if (next === 'fail' || p.tail.length >= MAX_LINK) {
      this.pending = null;
      this.failLink(p.tail);
      return i;
    }
    p.tail += c;
    p.st = next;
    return i + 1;
  }

  private closeLink(url: string): void {
    const b = this.brackets.pop()!;
    const label = this.items.cut(b.idx + 1);
    this.meter.steps += label.length;
    this.items.set(
      b.idx,
      b.image ? { t: 'image', alt: plainText(label), url } : { t: 'link', c: label, url },
    );
    this.markDirty(b.idx);
    this.truncateStack(b.stack);
    // No links inside links: the outer brackets are literal now.
    this.brackets.length = 0;
    this.prev = ')';
  }

  /** `tail` starts with the `]`; the rest holds no brackets, so re-reading it starts no other link. */
  private failLink(tail: string): void {
    this.brackets.pop();
    this.text(']');
    this.prev = ']';
    this.reread(tail.slice(1));
  }

  private reread(text: string): void {
    if (this.previewOnly) {
      this.text(text);
      if (text) this.prev = text[text.length - 1]!;
    } else this.feed(text);
  }

  private openBracket(image: boolean): void {
    this.items.push(lit(image ? '![' : '['));
    if (this.brackets.length >= MAX_BRACKETS) this.brackets.shift();
    this.brackets.push({ idx: this.items.length - 1, image, stack: this.stack.length });
    this.prev = '[';
  }

  private resolveRun(ch: string, n: number, before: string, next: string): void {
    this.prev = ch;
    if (ch === '`') {
      this.pending = { k: 'code', n, tail: '', run: 0 };
      return;
    }
    const canOpen = !isSpace(next) && !(ch === '_' && isAlnum(before));
    const canClose = !isSpace(before) && !(ch === '_' && isAlnum(next));
    let rem = n;
    if (canClose) {
      // Each closer length searches down to its own bottom (a closer of 3 can shrink on the way).
      for (let s = this.stack.length - 1; rem > 0 && s >= (this.bottoms.get(ch + rem) ?? 0); s--) {
        this.meter.steps++;
        const o = this.stack[s]!;
        if (o.ch !== ch || !(o.n === rem || o.n === 3 || rem === 3)) continue;
        const m = Math.min(o.n, rem);
        const inner = this.items.cut(o.idx + 1);
        this.meter.steps += inner.length;
        const node: Inline = { t: m === 1 ? 'em' : m === 2 ? 'strong' : 'strongEm', c: inner };
        o.n -= m;
        rem -= m;
        if (o.n === 0) {
          this.items.set(o.idx, node);
          this.truncateStack(s);
        } else {
          this.items.set(o.idx, lit(ch.repeat(o.n)));
          this.items.push(node);
          this.truncateStack(s + 1);
        }
        this.markDirty(o.idx);
        s = this.stack.length;
      }
      if (rem > 0) this.bottoms.set(ch + rem, this.stack.length);
    }
    if (rem > 0) {
      this.items.push(lit(ch.repeat(rem)));
      if (canOpen && rem <= MAX_EMPHASIS_RUN) {
        if (this.stack.length >= MAX_OPENERS) this.dropOldestOpener();
        this.stack.push({ idx: this.items.length - 1, ch, n: rem });
      }
    }
  }

  private dropOldestOpener(): void {
    this.stack.shift();
    for (const [k, v] of this.bottoms) this.bottoms.set(k, Math.max(0, v - 1));
    for (const b of this.brackets) b.stack = Math.max(0, b.stack - 1);
  }

  private truncateStack(height: number): void {
    if (this.stack.length <= height) return;
    this.stack.length = height;
    for (const [k, v] of this.bottoms) if (v > height) this.bottoms.set(k, height);
    // Brackets opened above the cut keep working: their stack height is clamped.
    for (const b of this.brackets) if (b.stack > height) b.stack = height;
  }

  private markDirty(idx: number): void {
    if (idx < this.dirty) this.dirty = idx;
  }

  private text(s: string): void {
    if (!s) return;
    this.meter.steps += s.length;
    const items = this.items;
    const last = items.length - 1;
    const tail = items.last();
    if (typeof tail === 'string' && tail.length < PIECE) {
      const room = PIECE - tail.length;
      items.set(last, tail + s.slice(0, room));
      this.markDirty(last);
      s = s.slice(room);
    }
    for (let i = 0; i < s.length; i += PIECE) items.push(s.slice(i, i + PIECE));
  }
}

/** Parses a complete inline text. */
export function parseInline(text: string, meter?: Meter): Inline[] {
  const p = new InlineParser(meter);
  p.feed(text);
  return p.finish();
}

/** The visible text of inline items (an image's alt text). */
export function plainText(items: readonly Inline[]): string {
  let out = '';
  for (const x of items) {
    if (typeof x === 'string') out += x;
    else if (x.t === 'lit' || x.t === 'code') out += x.text;
    else if (x.t === 'br') out += '\n';
    else if (x.t === 'image') out += x.alt;
    else out += plainText(x.c);
  }
  return out;
}
