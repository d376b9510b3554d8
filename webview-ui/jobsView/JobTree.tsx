import { Component, createRef, type Ref } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { JobSummary } from '../../src/protocol';
import { hasMetrics, jobTooltip, localDateTime, progressPercent, relativeTime, rowSparkline } from './format';
import { Chevron, PlaygroundIcon, StatusIcon } from './icons';
import { keyAction, resolveActive, rowAt, type TreeLayout, type TreeRow } from './treeModel';

export interface JobTreeProps {
  layout: TreeLayout;
  /** The focused and selected row (selection follows focus, as in a single-select VS Code tree). */
  active: string | undefined;
  now: number;
  onActivate(key: string): void;
  onToggle(jobId: string, expand: boolean): void;
  onOpenJob(jobId: string): void;
  onOpenCheckpoint(jobId: string, step: number): void;
  /** After each render: the jobs of the rows now in the DOM (the view fetches what they lack). */
  onRowsShown?(jobs: JobSummary[]): void;
}

/** Up to this many rows are all rendered; past it only the rows in view (plus overscan) are. */
export const VIRTUALIZE_ABOVE = 100;
/**
 * Rows within this many px above and below the viewport are rendered too, so a scroll does not show
 * a blank edge before the next frame; each rendered row costs every keystroke that re-filters.
 */
const OVERSCAN_PX = 200;

/** What the row components call back; one stable object, so a memoized row re-renders only on its data. */
interface RowActions {
  activate(key: string): void;
  toggle(jobId: string, expand: boolean): void;
  openJob(jobId: string): void;
  openCheckpoint(jobId: string, step: number): void;
}

/**
 * The jobs tree: a flat list of `treeitem`s carrying aria-level/-posinset/-setsize/-expanded, one tab
 * stop (roving tabindex) and VS Code's keyboard model. Rows carry `data-vscode-context` so VS Code's
 * `webview/context` menu contributions (Open Job, Cancel, Open in Playground, Copy ID) apply.
 *
 * Past VIRTUALIZE_ABOVE rows it is windowed: rows have fixed heights (treeModel's offsets), the tree
 * is as tall as all of them, and only the rows near the viewport (the page scrolls) are in the DOM,
 * absolutely placed at their offsets, plus the focused row wherever it is, so focus is never lost.
 * aria-posinset/-setsize come from the model, so they stay true for rows that are not rendered.
 * Keyboard moves to a row out of view render it first, then focus it and scroll it into view.
 */
export function JobTree(props: JobTreeProps) {
  const layout = props.layout;
  const { offsets } = layout;
  const count = layout.length;
  // Nothing selected yet: the first row holds focus.
  const active = resolveActive(layout, props.active);
  const focusPending = useRef(false);
  const treeRef = useRef<HTMLDivElement>(null);
  const virtual = count > VIRTUALIZE_ABOVE;
  // The viewport relative to the tree: `top` px of the tree scrolled above it, `height` px tall.
  const [view, setView] = useState(() => ({ top: 0, height: window.innerHeight || 800 }));
  const latest = useRef(props);
  latest.current = props;
  const actions = useMemo<RowActions>(
    () => ({
      activate: (key) => latest.current.onActivate(key),
      toggle: (jobId, expand) => latest.current.onToggle(jobId, expand),
      openJob: (jobId) => latest.current.onOpenJob(jobId),
      openCheckpoint: (jobId, step) => latest.current.onOpenCheckpoint(jobId, step),
    }),
    [],
  );

  useLayoutEffect(() => {
    if (!virtual) return;
    const measure = () => {
      const el = treeRef.current;
      if (!el) return;
      const top = -el.getBoundingClientRect().top;
      const height = window.innerHeight || 800;
      setView((v) => (v.top === top && v.height === height ? v : { top, height }));
    };
    measure();
    // Capture: the page may scroll in any ancestor, and scroll events do not bubble.
    window.addEventListener('scroll', measure, { capture: true, passive: true });
    window.addEventListener('resize', measure);
    return () => {
      window.removeEventListener('scroll', measure, { capture: true });
      window.removeEventListener('resize', measure);
    };
  }, [virtual]);

  useLayoutEffect(() => {
    if (!focusPending.current || !active) return;
    focusPending.current = false;
    const el = findRow(treeRef.current, active);
    el?.focus();
    el?.scrollIntoView?.({ block: 'nearest' });
  });

  const moveTo = (key: string) => {
    focusPending.current = true;
    const i = layout.indexOf(key);
    if (virtual && i !== -1) {
      // Render the target before focusing it: place the viewport over it as scrolling there would.
      const top = offsets[i]!;
      const bottom = offsets[i + 1]!;
      if (top < view.top) setView({ ...view, top });
      else if (bottom > view.top + view.height) setView({ ...view, top: bottom - view.height });
    }
    props.onActivate(key);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const action = keyAction(layout, active, e.key);
    switch (action.kind) {
      case 'none':
        return;
      case 'focus':
        moveTo(action.key);
        break;
      case 'expand':
        focusPending.current = true;
        props.onToggle(action.jobId, true);
        break;
      case 'collapse':
        focusPending.current = true;
        props.onToggle(action.jobId, false);
        break;
      case 'open':
        if (action.row.kind === 'job') props.onOpenJob(action.row.job.id);
        else if (action.row.checkpoint) props.onOpenCheckpoint(action.row.job.id, action.row.checkpoint.step);
        break;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  let start = 0;
  let end = count;
  if (virtual) {
    start = rowAt(offsets, Math.max(0, view.top - OVERSCAN_PX));
    end = Math.min(count, rowAt(offsets, Math.max(0, view.top + view.height + OVERSCAN_PX)) + 1);
  }
  const rendered: number[] = [];
  const activeIndex = active === undefined ? -1 : layout.indexOf(active);
  if (activeIndex !== -1 && activeIndex < start) rendered.push(activeIndex);
  for (let i = start; i < end; i++) rendered.push(i);
  if (activeIndex >= end) rendered.push(activeIndex);
  // The selected row's element stays with its job (see SLOTS); the first row, when nothing is selected
  // yet, is whichever job comes first.
  const pinned = props.active !== undefined && props.active === active ? activeIndex : -1;

  useLayoutEffect(() => {
    props.onRowsShown?.(rendered.map((i) => layout.row(i).job));
  });

  return (
    <div
      ref={treeRef}
      class={`tree${virtual ? ' virtual' : ''}`}
      role="tree"
      aria-label="Training jobs"
      onKeyDown={onKeyDown}
      data-testid="jobs-tree"
      style={virtual ? { height: `${offsets[count]}px` } : undefined}
    >
      {rendered.map((i) => {
        const row = layout.row(i);
        return (
          <TreeItem
            key={virtual && i !== pinned ? slotKey(i, end - start) : row.key}
            row={row}
            selected={i === activeIndex}
            now={props.now}
            top={virtual ? offsets[i]! : undefined}
            height={offsets[i + 1]! - offsets[i]!}
            actions={actions}
          />
        );
      })}
    </div>
  );
}

/**
 * In a windowed tree a row's DOM element is keyed by its place (row i modulo SLOTS), not by its job:
 * a keystroke that changes which jobs are in view then updates the rendered elements' text and
 * attributes instead of removing them and building new ones (less DOM work and less layout). The
 * selected row keeps its own key, so its element, and the keyboard focus, stay with it while the
 * list changes. SLOTS exceeds the rows a viewport holds, so the keys in view are distinct.
 */
const SLOTS = 256;
/** Row i's key among `rendered` windowed rows (more slots, should a viewport ever hold that many). */
const slotKey = (i: number, rendered: number) => `slot:${i % (rendered < SLOTS ? SLOTS : 2 * rendered)}`;

/** The rendered element of the row with this key (rows are found in the DOM: elements are reused). */
export function findRow(root: ParentNode | null, key: string): HTMLElement | null {
  return (
    root?.querySelector<HTMLElement>(`[role="treeitem"][data-key="${key.replace(/["\\]/g, '\\$&')}"]`) ?? null
  );
}

interface TreeItemProps {
  row: TreeRow;
  selected: boolean;
  now: number;
  /** Offset in a windowed tree (absolutely placed); undefined when every row is rendered in flow. */
  top: number | undefined;
  height: number;
  actions: RowActions;
}

/**
 * One row, re-rendered only when its props change: a live update replaces one row object, so one row
 * renders. A class rather than preact/compat's `memo`, whose import rewires Preact's global options
 * (event names, `onChange`) for everything else in the bundle and in the webview test process.
 */
class TreeItem extends Component<TreeItemProps> {
  private readonly el = createRef<HTMLDivElement>();
  override shouldComponentUpdate(next: TreeItemProps): boolean {
    const p = this.props;
    return (
      !sameRow(next.row, p.row) ||
      next.selected !== p.selected ||
      next.now !== p.now ||
      next.top !== p.top ||
      next.height !== p.height ||
      next.actions !== p.actions
    );
  }
  override componentDidUpdate(prev: TreeItemProps): void {
    // A reused element now shows another row: a tooltip written for the old one must not stay.
    const el = this.el.current;
    if (el?.hasAttribute('title') && !sameRow(prev.row, this.props.row)) {
      if (el.matches(':hover, :focus')) el.title = rowTooltip(this.props.row);
      else el.removeAttribute('title');
    }
  }
  override render() {
    return treeItem(this.props, this.el);
  }
}

/**
 * A row's tooltip is written when the pointer or the keyboard reaches the row, not when it renders:
 * it formats up to three dates, and writing it for every row a keystroke brings into view cost more
 * than drawing the rows.
 */
function showTooltip(this: TreeRow, e: Event): void {
  (e.currentTarget as HTMLElement).title = rowTooltip(this);
}

function rowTooltip(row: TreeRow): string {
  if (row.kind === 'job') return jobTooltip(row.job);
  const c = row.checkpoint!;
  return `${row.job.label} · step ${c.step}\nSaved: ${localDateTime(new Date(c.savedAt))}${
    c.loss != null ? `\nLoss: ${c.loss.toFixed(4)}` : ''
  }\nEnter: Try in Playground`;
}

/**
 * Whether two rows draw the same: each layout makes its own row objects, and a keystroke that keeps a
 * job in the same place (typing on while the rows in view still match) need not render it again.
 */
function sameRow(a: TreeRow, b: TreeRow): boolean {
  return (
    a === b ||
    (a.job === b.job &&
      a.kind === b.kind &&
      a.checkpoint === b.checkpoint &&
      a.expandable === b.expandable &&
      a.expanded === b.expanded &&
      a.posInSet === b.posInSet &&
      a.setSize === b.setSize)
  );
}

function treeItem({ row, selected, now, top, height, actions }: TreeItemProps, ref: Ref<HTMLDivElement>) {
  const common = {
    ref,
    'aria-level': row.level,
    'aria-posinset': row.posInSet,
    'aria-setsize': row.setSize,
    'aria-selected': selected,
    'data-key': row.key,
    style: top === undefined ? { height: `${height}px` } : { height: `${height}px`, top: `${top}px` },
    onContextMenu: () => actions.activate(row.key),
    onPointerEnter: showTooltip.bind(row),
    onFocus: showTooltip.bind(row),
  };
  if (row.kind === 'job') {
    return (
      // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled by the tree (roving tabindex).
      <div
        role="treeitem"
        tabIndex={selected ? 0 : -1}
        {...common}
        aria-expanded={row.expandable ? (row.expanded ? 'true' : 'false') : undefined}
        class={`row job-row${selected ? ' selected' : ''}`}
        data-vscode-context={JSON.stringify({
          webviewSection: 'job',
          jobId: row.job.id,
          jobStatus: row.job.status,
          jobResumable: row.job.canResume === true,
          preventDefaultContextMenuItems: true,
        })}
        onClick={() => {
          actions.activate(row.key);
          actions.openJob(row.job.id);
        }}
      >
        {/* biome-ignore lint/a11y/useKeyWithClickEvents: mouse affordance; Right/Left expand and collapse. */}
        {/* biome-ignore lint/a11y/noStaticElementInteractions: same. */}
        <span
          class="twistie"
          onClick={(e) => {
            e.stopPropagation();
            if (row.expandable) {
              actions.activate(row.key);
              actions.toggle(row.job.id, !row.expanded);
            }
          }}
        >
          {row.expandable && <Chevron expanded={row.expanded} />}
        </span>
        <StatusIcon status={row.job.status} />
        <JobRowBody job={row.job} now={now} />
      </div>
    );
  }
  const c = row.checkpoint!;
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled by the tree (roving tabindex).
    <div
      role="treeitem"
      tabIndex={selected ? 0 : -1}
      {...common}
      class={`row checkpoint-row${selected ? ' selected' : ''}`}
      data-vscode-context={JSON.stringify({
        webviewSection: 'checkpoint',
        jobId: row.job.id,
        jobStatus: row.job.status,
        step: c.step,
        preventDefaultContextMenuItems: true,
      })}
      onClick={() => actions.activate(row.key)}
      onDblClick={() => actions.openCheckpoint(row.job.id, c.step)}
    >
      <span class="twistie" />
      {/* The step is what tells checkpoints apart: it never gives way (jobs.css). */}
      <span class="ckpt-label">Step {c.step}</span>
      {c.loss != null && <span class="muted ckpt-loss">{c.loss.toFixed(4)}</span>}
      <span class="muted ckpt-time">{relativeTime(c.savedAt, now)}</span>
      <button
        type="button"
        class="row-action"
        tabIndex={-1}
        title="Try in Playground"
        aria-label={`Try step ${c.step} in Playground`}
        data-testid="try-in-playground"
        onClick={(e) => {
          e.stopPropagation();
          actions.activate(row.key);
          actions.openCheckpoint(row.job.id, c.step);
        }}
      >
        <PlaygroundIcon />
      </button>
    </div>
  );
}

/** The job row's label, age, progress and sparkline (also the bench baseline's). */
export function JobRowBody({ job, now }: { job: JobSummary; now: number }) {
  const points = rowSparkline(job.sparkline);
  const max = job.maxSteps;
  const step = job.step;
  const pct = progressPercent(job);
  return (
    <span class="row-body">
      <span class="row-line">
        <span class="name">{job.label}</span>
        <span class="muted created">{relativeTime(job.createdAt, now)}</span>
      </span>
      {/* The same predicate as the row's height (treeModel.rowHeight), so they cannot disagree. */}
      {hasMetrics(job) && (
        <span class="row-line metrics">
          {pct !== undefined && (
            <span
              class="progress"
              role="progressbar"
              aria-label="Training progress"
              aria-valuemin={0}
              aria-valuemax={max}
              aria-valuenow={step}
            >
              <span class="progress-fill" style={{ width: `${pct}%` }} />
            </span>
          )}
          {pct !== undefined && (
            <span class="muted steps">
              {step}/{max}
            </span>
          )}
          {points && (
            <svg
              class="sparkline"
              width="60"
              height="16"
              viewBox="0 0 60 16"
              preserveAspectRatio="none"
              aria-hidden="true"
              data-testid="sparkline"
            >
              <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.2" />
            </svg>
          )}
          {job.lastLoss != null && Number.isFinite(job.lastLoss) && (
            <span class="muted loss">{job.lastLoss.toFixed(3)}</span>
          )}
        </span>
      )}
    </span>
  );
}
