// The Jobs tree before windowing (bench/jobsView.mjs baseline only): every row in the DOM, no memoized rows.
import { useLayoutEffect, useRef } from 'preact/hooks';
import { jobTooltip, relativeTime } from '../../webview-ui/jobsView/format';
import { Chevron, PlaygroundIcon, StatusIcon } from '../../webview-ui/jobsView/icons';
import { JobRowBody } from '../../webview-ui/jobsView/JobTree';
import { keyAction, resolveActive, type TreeRow } from './treeModel';

export interface JobTreeProps {
  rows: TreeRow[];
  /** The focused and selected row (selection follows focus, as in a single-select VS Code tree). */
  active: string | undefined;
  now: number;
  onActivate(key: string): void;
  onToggle(jobId: string, expand: boolean): void;
  onOpenJob(jobId: string): void;
  onOpenCheckpoint(jobId: string, step: number): void;
}

/**
 * The jobs tree: a flat list of `treeitem`s carrying aria-level/-posinset/-setsize/-expanded, one tab
 * stop (roving tabindex) and VS Code's keyboard model. Rows carry `data-vscode-context` so VS Code's
 * `webview/context` menu contributions (Open Job, Cancel, Open in Playground, Copy ID) apply.
 */
export function JobTree(props: JobTreeProps) {
  const { rows } = props;
  const active = resolveActive(rows, props.active);
  const rowEls = useRef(new Map<string, HTMLElement>());
  const focusPending = useRef(false);

  useLayoutEffect(() => {
    if (!focusPending.current || !active) return;
    focusPending.current = false;
    const el = rowEls.current.get(active);
    el?.focus();
    el?.scrollIntoView?.({ block: 'nearest' });
  });

  const moveTo = (key: string) => {
    focusPending.current = true;
    props.onActivate(key);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const action = keyAction(rows, active, e.key);
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

  return (
    <div class="tree" role="tree" aria-label="Training jobs" onKeyDown={onKeyDown} data-testid="jobs-tree">
      {rows.map((row) => {
        const selected = row.key === active;
        const common = {
          ref: (el: HTMLElement | null) => {
            if (el) rowEls.current.set(row.key, el);
            else rowEls.current.delete(row.key);
          },
          'aria-level': row.level,
          'aria-posinset': row.posInSet,
          'aria-setsize': row.setSize,
          'aria-selected': selected,
          'data-key': row.key,
          onContextMenu: () => props.onActivate(row.key),
        };
        if (row.kind === 'job') {
          return (
            // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled by the tree (roving tabindex).
            <div
              key={row.key}
              role="treeitem"
              tabIndex={selected ? 0 : -1}
              {...common}
              aria-expanded={row.expandable ? (row.expanded ? 'true' : 'false') : undefined}
              class={`row job-row${selected ? ' selected' : ''}`}
              title={jobTooltip(row.job)}
              data-vscode-context={JSON.stringify({
                webviewSection: 'job',
                jobId: row.job.id,
                jobStatus: row.job.status,
                preventDefaultContextMenuItems: true,
              })}
              onClick={() => {
                props.onActivate(row.key);
                props.onOpenJob(row.job.id);
              }}
            >
              {/* biome-ignore lint/a11y/useKeyWithClickEvents: mouse affordance; Right/Left expand and collapse. */}
              {/* biome-ignore lint/a11y/noStaticElementInteractions: same. */}
              <span
                class="twistie"
                onClick={(e) => {
                  e.stopPropagation();
                  if (row.expandable) {
                    props.onActivate(row.key);
                    props.onToggle(row.job.id, !row.expanded);
                  }
                }}
              >
                {row.expandable && <Chevron expanded={row.expanded} />}
              </span>
              <StatusIcon status={row.job.status} />
              <JobRowBody job={row.job} now={props.now} />
            </div>
          );
        }
        const c = row.checkpoint!;
        const label = `Checkpoint · step ${c.step}`;
        return (
          // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled by the tree (roving tabindex).
          <div
            key={row.key}
            role="treeitem"
            tabIndex={selected ? 0 : -1}
            {...common}
            class={`row checkpoint-row${selected ? ' selected' : ''}`}
            title={`${row.job.name} · step ${c.step}\nSaved: ${new Date(c.savedAt).toLocaleString()}${
              c.loss != null ? `\nLoss: ${c.loss.toFixed(4)}` : ''
            }\nEnter: Try in Playground`}
            data-vscode-context={JSON.stringify({
              webviewSection: 'checkpoint',
              jobId: row.job.id,
              jobStatus: row.job.status,
              step: c.step,
              preventDefaultContextMenuItems: true,
            })}
            onClick={() => props.onActivate(row.key)}
            onDblClick={() => props.onOpenCheckpoint(row.job.id, c.step)}
          >
            <span class="twistie" />
            <span class="ckpt-label">{label}</span>
            {c.loss != null && <span class="muted ckpt-loss">{c.loss.toFixed(4)}</span>}
            <span class="muted ckpt-time">{relativeTime(c.savedAt, props.now)}</span>
            <button
              type="button"
              class="row-action"
              tabIndex={-1}
              title="Try in Playground"
              aria-label={`Try step ${c.step} in Playground`}
              data-testid="try-in-playground"
              onClick={(e) => {
                e.stopPropagation();
                props.onActivate(row.key);
                props.onOpenCheckpoint(row.job.id, c.step);
              }}
            >
              <PlaygroundIcon />
            </button>
          </div>
        );
      })}
    </div>
  );
}
