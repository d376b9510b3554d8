import { Component, type ComponentChild, h } from 'preact';

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

/** A full group: its children never change, so it renders once and diffs in O(1) afterwards. */
class FrozenGroup extends Component<{ g: Frozen; first: number; style: GroupStyle; item: RenderItem }> {
  override shouldComponentUpdate(next: { g: Frozen }): boolean {
    return next.g !== this.props.g;
  }
  override render() {
    const { g, first, style, item } = this.props;
    const span = GROUP ** g.level;
    return h(
      style.tag,
      { class: style.class },
      g.level === 0
        ? mergeText(g.children.map((c, i) => item(c as never, first + i)))
        : g.children.map((c, i) => (
            <FrozenGroup key={i} g={c as Frozen} first={first + i * span} style={style} item={item} />
          )),
    );
  }
}

/**
 * Renders a list that grows at its end (or is cut back and regrown) as a tree of full groups of
 * GROUP, GROUP², … items. Full groups are frozen objects, so a render diffs at most GROUP children
 * per level whatever the list's length; the same items give the same tree for any history.
 */
export class GroupTree<T> {
  private levels: Frozen[][] = [];

  constructor(private readonly style: GroupStyle) {}

  /** Brings the frozen groups up to date with `items[0, limit)`; items from `changedFrom` on changed. */
  sync(items: readonly T[], changedFrom = Number.POSITIVE_INFINITY, limit = items.length): void {
    const keepTo = Math.min(changedFrom, limit);
    let span = GROUP;
    for (const level of this.levels) {
      const keep = Math.floor(keepTo / span);
      if (level.length > keep) level.length = keep;
      span *= GROUP;
    }
    let below: readonly unknown[] = items;
    let count = limit;
    for (let l = 0; ; l++) {
      const level = this.levels[l] ?? [];
      this.levels[l] = level;
      while ((level.length + 1) * GROUP <= count) {
        const k = level.length;
        level.push({ level: l, children: below.slice(k * GROUP, (k + 1) * GROUP) });
      }
      if (level.length < GROUP) break;
      below = level;
      count = level.length;
    }
  }

  /** How many leading items are inside frozen groups. */
  frozenCount(): number {
    return (this.levels[0]?.length ?? 0) * GROUP;
  }

  /** VNodes for `items[0, count)` (count ≥ frozenCount()): frozen groups, then the remaining items. */
  render(
    items: readonly T[],
    count: number,
    item: (item: T, index: number) => ComponentChild,
  ): ComponentChild[] {
    const out: ComponentChild[] = [];
    let covered = 0;
    for (let l = this.levels.length - 1; l >= 0; l--) {
      const level = this.levels[l]!;
      const span = GROUP ** (l + 1);
      for (let k = covered / span; k < level.length; k++) {
        out.push(
          <FrozenGroup
            key={`g${l}.${k}`}
            g={level[k]!}
            first={k * span}
            style={this.style}
            item={item as RenderItem}
          />,
        );
        covered += span;
      }
    }
    const rest: ComponentChild[] = [];
    for (let i = covered; i < count; i++) rest.push(item(items[i]!, i));
    return out.concat(mergeText(rest));
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
