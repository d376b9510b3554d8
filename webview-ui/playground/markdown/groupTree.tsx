import { Component, type ComponentChild, h } from 'preact';
import type { ListLike } from './paged';

/** Children per group, at every level. */
export const GROUP = 32;

interface Frozen {
  level: number;
  children: readonly unknown[];
}

export interface GroupStyle {
  tag: string;
  class: string;
}

type RenderItem = (item: never, index: number) => ComponentChild;

interface GroupProps {
  /** A full group: its children never change, so it renders once and diffs in O(1) afterwards. */
  g?: Frozen;
  /** An open group (still filling): its children, rendered by GroupTree.render on every render. */
  kids?: ComponentChild[];
  first: number;
  style: GroupStyle;
  item: RenderItem;
}

/**
 * One group element, open or full. Open and full are the same component at the same key, so a group
 * that fills up keeps its element and its children's: only its last child re-renders.
 */
class Group extends Component<GroupProps> {
  override shouldComponentUpdate(next: GroupProps): boolean {
    return next.g === undefined || next.g !== this.props.g;
  }
  override render() {
    const { g, kids, first, style, item } = this.props;
    if (!g) return h(style.tag, { class: style.class }, kids);
    const span = GROUP ** g.level;
    return h(
      style.tag,
      { class: style.class },
      g.level === 0
        ? mergeText(g.children.map((c, i) => item(c as never, first + i)))
        : g.children.map((c, i) => (
            <Group key={i} g={c as Frozen} first={first + i * span} style={style} item={item} />
          )),
    );
  }
}

/** Where the first group of `level` starts: after one group of each lower level (32 + 32² + …). */
function levelStart(level: number): number {
  let s = 0;
  for (let l = 0; l < level; l++) s += GROUP ** (l + 1);
  return s;
}

/**
 * Renders a list that grows at its end (or is cut back and regrown) as groups that never move once
 * placed: the top level holds one group of each level (GROUP items, then GROUP² items, GROUP³, …),
 * and a level-l group holds GROUP level-(l-1) groups. A group's element is created when its first
 * item arrives and stays where it is as it fills (an open group renders its full children, frozen,
 * and then its last, open, child), so a render diffs at most GROUP children per level and a chunk
 * never re-creates a full group's DOM, whatever the list's length. Only the items of the last,
 * partial, level-0 group are outside a group; wrapping them when it fills re-creates at most GROUP
 * items. The same items give the same tree for any history.
 *
 * Level l's groups: group k of level 0 holds items [k·GROUP, (k+1)·GROUP); group k of level l ≥ 1
 * holds level-(l-1) groups 1 + k·GROUP … (k+1)·GROUP (level l-1's group 0 is the top-level one).
 */
export class GroupTree<T> {
  private levels: Frozen[][] = [];

  constructor(private readonly style: GroupStyle) {}

  /** Brings the frozen groups up to date with `items[0, limit)`; items from `changedFrom` on changed. */
  sync(items: ListLike<T>, changedFrom = Number.POSITIVE_INFINITY, limit = items.length): void {
    const keepTo = Math.min(changedFrom, limit);
    this.levels.forEach((level, l) => {
      const keep = Math.max(0, Math.floor((keepTo - levelStart(l)) / GROUP ** (l + 1)));
      if (level.length > keep) level.length = keep;
    });
    if (this.levels.length === 0) this.levels.push([]);
    const first = this.levels[0]!;
    while ((first.length + 1) * GROUP <= limit) {
      const k = first.length;
      first.push({ level: 0, children: items.slice(k * GROUP, (k + 1) * GROUP) });
    }
    for (let l = 1; this.levels[l - 1]!.length > GROUP; l++) {
      const below = this.levels[l - 1]!;
      if (this.levels.length === l) this.levels.push([]);
      const level = this.levels[l]!;
      while (1 + (level.length + 1) * GROUP <= below.length) {
        const from = 1 + level.length * GROUP;
        level.push({ level: l, children: below.slice(from, from + GROUP) });
      }
    }
  }

  /** How many leading items are inside frozen groups. */
  frozenCount(): number {
    return (this.levels[0]?.length ?? 0) * GROUP;
  }

  /**
   * VNodes for `items[0, count)` (count ≥ frozenCount()), then `extra` (the live end of the list)
   * where the next items will go: full groups, the open groups that hold the rest, the last items.
   */
  render(
    items: ListLike<T>,
    count: number,
    item: (item: T, index: number) => ComponentChild,
    extra: ComponentChild[] = [],
  ): ComponentChild[] {
    const out: ComponentChild[] = [];
    const style = this.style;
    const renderItem = item as RenderItem;
    const partial = (from: number) => {
      const rest = items.slice(from, count).map((x, i) => item(x, from + i));
      return mergeText(rest.concat(extra));
    };
    /** The children of open group `k` of `level` (≥ 1), whose first item is `first`. */
    const open = (level: number, k: number, first: number): ComponentChild[] => {
      const below = this.levels[level - 1] ?? [];
      const span = GROUP ** level;
      const kids: ComponentChild[] = [];
      for (let i = 0; i < GROUP; i++) {
        const g = below[1 + k * GROUP + i];
        const f = first + i * span;
        if (g) {
          kids.push(<Group key={i} g={g} first={f} style={style} item={renderItem} />);
          continue;
        }
        if (level === 1) kids.push(...partial(f));
        else if (f < count || extra.length > 0) {
          kids.push(
            <Group
              key={i}
              kids={open(level - 1, 1 + k * GROUP + i, f)}
              first={f}
              style={style}
              item={renderItem}
            />,
          );
        }
        break;
      }
      return kids;
    };
    for (let l = 0; ; l++) {
      const g = this.levels[l]?.[0];
      const first = levelStart(l);
      if (g) {
        out.push(<Group key={`s${l}`} g={g} first={first} style={style} item={renderItem} />);
        continue;
      }
      if (l === 0) out.push(...partial(0));
      else if (first < count || extra.length > 0) {
        out.push(
          <Group key={`s${l}`} kids={open(l, 0, first)} first={first} style={style} item={renderItem} />,
        );
      }
      return out;
    }
  }
}

/** Joins adjacent strings, so a run of text items becomes one DOM text node. */
export function mergeText(children: ComponentChild[]): ComponentChild[] {
  const out: ComponentChild[] = [];
  for (const c of children) {
    const last = out.length - 1;
    if (typeof c === 'string' && last >= 0 && typeof out[last] === 'string') out[last] += c;
    else out.push(c);
  }
  return out;
}

/** A static list rendered through a GroupTree (for large children of closed blocks). */
export function grouped<T>(
  items: readonly T[],
  style: GroupStyle,
  item: (item: T, index: number) => ComponentChild,
): ComponentChild[] {
  if (items.length < GROUP) return mergeText(items.map(item));
  const tree = new GroupTree<T>(style);
  tree.sync(items);
  return tree.render(items, items.length, item);
}
