/**
 * A list kept in fixed-size pages. A plain array that grows one item at a time is copied whole each
 * time its storage grows (by half), so one push in an 800k-item array costs tens of milliseconds;
 * here a push allocates at most one page, so every operation costs work bounded by what it touches.
 */

const BITS = 10;
const PAGE = 1 << BITS;
const MASK = PAGE - 1;

/** What GroupTree reads from a list: plain arrays and PagedLists both fit. */
export interface ListLike<T> {
  readonly length: number;
  slice(from: number, to: number): T[];
}

export class PagedList<T> implements ListLike<T> {
  private pages: T[][] = [];
  length = 0;

  static from<T>(items: readonly T[]): PagedList<T> {
    const p = new PagedList<T>();
    for (const x of items) p.push(x);
    return p;
  }

  get(i: number): T {
    return this.pages[i >> BITS]![i & MASK]!;
  }

  set(i: number, x: T): void {
    this.pages[i >> BITS]![i & MASK] = x;
  }

  last(): T | undefined {
    return this.length > 0 ? this.get(this.length - 1) : undefined;
  }

  push(x: T): void {
    const i = this.length++;
    if ((i & MASK) === 0) this.pages.push(new Array<T>(PAGE));
    this.pages[i >> BITS]![i & MASK] = x;
  }

  /** Items [from, to) as a new array. */
  slice(from: number, to = this.length): T[] {
    const start = Math.max(0, from);
    const end = Math.min(to, this.length);
    const out = new Array<T>(Math.max(0, end - start));
    for (let i = start; i < end; i++) out[i - start] = this.get(i);
    return out;
  }

  /** Removes and returns the items from `from` on. */
  cut(from: number): T[] {
    const out = this.slice(from);
    if (from >= this.length) return out;
    this.length = from;
    this.pages.length = (from + MASK) >> BITS;
    // Clear the rest of the last page: no references kept to removed items.
    const page = this.pages[this.pages.length - 1];
    if (page) page.fill(undefined as T, from & MASK || PAGE);
    return out;
  }

  copy(): PagedList<T> {
    const c = new PagedList<T>();
    c.pages = this.pages.map((p) => p.slice());
    c.length = this.length;
    return c;
  }

  toArray(): T[] {
    return this.slice(0);
  }
}
