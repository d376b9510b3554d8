import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type JobRows, needsDetail, packJobRows, unpackJobRows } from '../../src/jobRows';
import type {
  BackendInfo,
  ConnectionAction,
  HostToJobsView,
  JobSummary,
  JobsViewToHost,
} from '../../src/protocol';
import type { HostChannel } from '../shared/hostChannel';
import { Button } from '../shared/toolkit';
import { readPersisted, useHost, usePersisted } from '../shared/useHost';
import { findRow, JobTree } from './JobTree';
import { JobIndex } from './jobIndex';
import {
  checkpointKey,
  jobKey,
  layoutTree,
  normalizeQuery,
  patchLayout,
  resolveActive,
  STATUS_FILTERS,
  type StatusFilter,
  type TreeLayout,
} from './treeModel';

export type JobsChannel = HostChannel<HostToJobsView, JobsViewToHost>;

interface State {
  /** The list as the host sent it, with live updates replaced in place. */
  jobs: JobSummary[];
  /** What search and layout read of `jobs`, updated with it. */
  index: JobIndex;
  /** Bumped whenever `jobs` changes, in place (a patch) or not. */
  rev: number;
  /** Set by a `jobsPatch`: `jobs` at `fromRev` with the jobs at `changed` replaced in place (the cheap path). */
  patch?: { fromRev: number; changed: number[]; statusChanged: boolean };
  backend?: BackendInfo;
  trusted: boolean;
  loaded: boolean;
}

/** What survives a reload of the view (channel.setState / getState). */
export interface JobsUiState {
  search: string;
  filter: StatusFilter;
  expanded: string[];
  selected?: string;
}

const FILTER_LABELS: Record<StatusFilter, string> = {
  all: 'All',
  running: 'Running',
  completed: 'Completed',
  queued: 'Queued',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Relative times ("5 min ago") are re-rendered this often. */
export const CLOCK_INTERVAL_MS = 30_000;

/** The sidebar Jobs view. It renders only what the host pushes; it never polls. */
export function JobsApp({ channel }: { channel: JobsChannel }) {
  const [state, setState] = useState<State>(() => ({
    ...listState(),
    rev: 0,
    trusted: true,
    loaded: false,
  }));
  const [ui, setUi] = useState<JobsUiState>(() => restoreUi(readPersisted<JobsUiState>(channel)));
  const [now, setNow] = useState(() => Date.now());
  const searchRef = useRef<HTMLInputElement>(null);
  /** Listed jobs whose detail was asked for (`details`): the host answers with a `jobsPatch`. */
  const detailAsked = useRef(new WeakSet<JobSummary>());

  const post = useHost(channel, (message) => {
    switch (message.type) {
      case 'snapshot':
        setState({
          ...listState(message.rows),
          rev: 0,
          backend: message.backend,
          trusted: message.trusted,
          loaded: true,
        });
        setNow(Date.now());
        return;
      case 'jobs':
        setState((s) => ({ ...s, ...listState(message.rows), rev: s.rev + 1, patch: undefined }));
        return;
      case 'jobsPatch':
        setState((s) => applyPatch(s, message.jobs));
        return;
      case 'backend':
        setState((s) => ({ ...s, backend: message.backend }));
        return;
    }
  });
  useEffect(() => {
    const clock = setInterval(() => setNow(Date.now()), CLOCK_INTERVAL_MS);
    return () => clearInterval(clock);
  }, []);
  useEffect(() => {
    // VS Code focuses the view's window, not an element in it ("Focus on Jobs View", Ctrl+0-style
    // keybindings): put the keyboard where the keys work. A click that focused something itself wins.
    const onFocus = () =>
      setTimeout(() => {
        const current = document.activeElement;
        if (current && current !== document.body) return;
        focusMainTarget();
      }, 0);
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, []);
  usePersisted(channel, ui);

  const expanded = useMemo(() => new Set(ui.expanded), [ui.expanded]);
  const derived = useRef<Derived | undefined>(undefined);
  derived.current = derive(derived.current, state, normalizeQuery(ui.search), ui.filter, expanded);
  const { layout, counts } = derived.current;

  if (!state.loaded) return <p class="muted pad">Loading jobs…</p>;

  const toggle = (jobId: string, expand: boolean) =>
    setUi((s) => {
      const has = s.expanded.includes(jobId);
      if (expand === has) return s;
      return { ...s, expanded: expand ? [...s.expanded, jobId] : s.expanded.filter((id) => id !== jobId) };
    });

  return (
    <main class="jobs-view">
      {state.backend?.error && (
        <ConnectionBanner
          backend={state.backend}
          onAction={(action) => post({ type: 'connectionAction', action })}
        />
      )}
      {state.jobs.length === 0 ? (
        // Not connected never reads as "no jobs": the banner (or the wait) is the whole story.
        state.backend?.error ? null : isConnecting(state.backend) ? (
          <p class="muted pad" data-testid="connecting">
            Connecting to {state.backend?.label || 'the backend'}…
          </p>
        ) : (
          <EmptyState
            trusted={state.trusted}
            onRun={() => post({ type: 'runTraining' })}
            onTrust={() => post({ type: 'connectionAction', action: 'manageTrust' })}
          />
        )
      ) : (
        <>
          <div class="filters">
            <input
              ref={searchRef}
              type="search"
              class="search"
              placeholder="Search by name or ID"
              aria-label="Search jobs by name or ID"
              data-testid="job-search"
              value={ui.search}
              onInput={(e) => {
                const search = (e.target as HTMLInputElement).value;
                setUi((s) => ({ ...s, search }));
              }}
              onKeyDown={(e) => {
                if (e.key === 'ArrowDown') {
                  e.preventDefault();
                  const key = resolveActive(layout, ui.selected);
                  if (key) findRow(document, key)?.focus();
                } else if (e.key === 'Escape' && ui.search) {
                  setUi((s) => ({ ...s, search: '' }));
                }
              }}
            />
            <div class="chips" role="toolbar" aria-label="Filter by status">
              {STATUS_FILTERS.map((f) => (
                <button
                  type="button"
                  key={f}
                  class={`chip${ui.filter === f ? ' active' : ''}`}
                  aria-pressed={ui.filter === f ? 'true' : 'false'}
                  data-filter={f}
                  onClick={() => setUi((s) => ({ ...s, filter: f }))}
                >
                  {FILTER_LABELS[f]}
                  {f !== 'all' && counts[f] ? <span class="chip-count">{counts[f]}</span> : null}
                </button>
              ))}
            </div>
          </div>
          {layout.length === 0 ? (
            <section class="no-match muted" data-testid="no-match">
              <p>No jobs match.</p>
              <Button
                appearance="secondary"
                onClick={() => {
                  setUi((s) => ({ ...s, search: '', filter: 'all' }));
                  searchRef.current?.focus();
                }}
              >
                Clear filters
              </Button>
            </section>
          ) : (
            <JobTree
              layout={layout}
              active={ui.selected}
              now={now}
              onActivate={(key) => setUi((s) => (s.selected === key ? s : { ...s, selected: key }))}
              onToggle={toggle}
              onOpenJob={(jobId) => post({ type: 'openJob', jobId })}
              onOpenCheckpoint={(jobId, step) => post({ type: 'openPlayground', jobId, step })}
              onRowsShown={(shown) => {
                // Each listed job is asked for once; a new list brings new objects, asked for anew.
                const missing = shown.filter((j) => needsDetail(j) && !detailAsked.current.has(j));
                if (missing.length === 0) return;
                for (const j of missing) detailAsked.current.add(j);
                post({ type: 'details', jobIds: missing.map((j) => j.id) });
              }}
            />
          )}
        </>
      )}
      {state.backend && <footer class="muted backend">{state.backend.label}</footer>}
    </main>
  );
}

function restoreUi(stored: Partial<JobsUiState> | undefined): JobsUiState {
  const filter = STATUS_FILTERS.includes(stored?.filter as StatusFilter)
    ? (stored!.filter as StatusFilter)
    : 'all';
  return {
    search: typeof stored?.search === 'string' ? stored.search : '',
    filter,
    expanded: Array.isArray(stored?.expanded) ? stored.expanded.filter((x) => typeof x === 'string') : [],
    selected: typeof stored?.selected === 'string' ? stored.selected : undefined,
  };
}

/** A list as it arrived (none yet: empty), with its index. */
function listState(rows: JobRows = packJobRows([])): Pick<State, 'jobs' | 'index'> {
  return { jobs: unpackJobRows(rows), index: new JobIndex(rows) };
}

/**
 * Replaces the patched jobs in place in `s.jobs` (a live update must not copy 10,000 entries) and
 * bumps `rev`; a job the view does not know yet is added at the end (and the tree laid out again).
 */
function applyPatch(s: State, updates: JobSummary[]): State {
  const { jobs, index } = s;
  let added = false;
  let statusChanged = false;
  const changed: number[] = [];
  for (const job of updates) {
    let i = index.find(job.id);
    if (i === -1) {
      i = jobs.length;
      added = true;
    } else if (jobs[i]!.status !== job.status) statusChanged = true;
    jobs[i] = job;
    index.set(i, job);
    changed.push(i);
  }
  // A longer list is a new array: whatever holds the old one (the tree's layout) is laid out anew.
  if (added) return { ...s, jobs: jobs.slice(), rev: s.rev + 1, patch: undefined };
  return { ...s, rev: s.rev + 1, patch: { fromRev: s.rev, changed, statusChanged } };
}

/** What the tree renders, derived from the jobs and the filters; kept between renders to be patched. */
interface Derived {
  jobs: JobSummary[];
  /** `State.rev` these were derived at (`jobs` may have changed in place since). */
  rev: number;
  query: string;
  filter: StatusFilter;
  expanded: ReadonlySet<string>;
  layout: TreeLayout;
  counts: Record<string, number>;
}

/**
 * Recomputes only what changed: a live update of jobs in place patches their rows (O(changed));
 * anything else searches the index and lays the tree out (a few typed-array passes).
 */
function derive(
  prev: Derived | undefined,
  state: State,
  query: string,
  filter: StatusFilter,
  expanded: ReadonlySet<string>,
): Derived {
  const { jobs, index, rev, patch } = state;
  const sameJobs = prev !== undefined && prev.jobs === jobs && prev.rev === rev;
  if (prev && prev.query === query && prev.filter === filter && prev.expanded === expanded) {
    if (sameJobs) return prev;
    if (patch && prev.jobs === jobs && patch.fromRev === prev.rev) {
      const layout = patchLayout(prev.layout, patch.changed, query, filter);
      if (layout) {
        const counts = patch.statusChanged ? index.counts() : prev.counts;
        return { jobs, rev, query, filter, expanded, layout, counts };
      }
    }
  }
  const layout = layoutTree(jobs, index, index.match(query, filter), expanded);
  const counts = sameJobs ? prev.counts : index.counts();
  return { jobs, rev, query, filter, expanded, layout, counts };
}

/**
 * Keyboard focus for the whole view: the tree's tab stop (the selected row, else the first), else the
 * main action (the banner's fix, or Run Training), else the search box.
 */
export function focusMainTarget(): void {
  const target =
    document.querySelector<HTMLElement>('[role=tree] [role=treeitem][tabindex="0"]') ??
    document.querySelector<HTMLElement>('[data-main-action]') ??
    document.querySelector<HTMLElement>('[data-testid=job-search]');
  target?.focus();
}

// Re-exported for tests that build keys.
export { checkpointKey, jobKey };

function EmptyState({
  trusted,
  onRun,
  onTrust,
}: {
  trusted: boolean;
  onRun: () => void;
  onTrust: () => void;
}) {
  return (
    <section class="empty" data-testid="empty-state">
      <p>No training jobs yet.</p>
      <p class="muted">
        Run the trainer in src/arkor/index.ts to start one. Its loss, logs and checkpoints show up here.
      </p>
      {trusted ? (
        <Button onClick={onRun} data-testid="run-training" data-main-action="">
          Run Training
        </Button>
      ) : (
        <>
          <p class="muted">Trust this workspace to build and run trainers.</p>
          <div class="banner-actions">
            <Button onClick={onTrust} data-action="manageTrust" data-main-action="">
              {ACTION_LABELS.manageTrust}
            </Button>
            <Button appearance="secondary" disabled data-testid="run-training">
              Run Training
            </Button>
          </div>
        </>
      )}
    </section>
  );
}

const ACTION_LABELS: Record<ConnectionAction, string> = {
  signIn: 'Sign In',
  selectBackend: 'Select Backend',
  retry: 'Retry',
  chooseProject: 'Choose Project',
  showOutput: 'Show Output',
  newProject: 'New Project',
  openFolder: 'Open Folder',
  manageTrust: 'Manage Workspace Trust',
};

function isConnecting(backend: BackendInfo | undefined): boolean {
  return backend?.phase === 'connecting' || backend?.phase === 'idle';
}

/** Why the backend cannot be used, and the buttons that fix it (the first is the main one). */
function ConnectionBanner({
  backend,
  onAction,
}: {
  backend: BackendInfo;
  onAction: (action: ConnectionAction) => void;
}) {
  const actions = backend.actions ?? [];
  return (
    <div class="banner error" role="alert" data-testid="connection-banner" data-phase={backend.phase ?? ''}>
      <p>{backend.error}</p>
      {actions.length > 0 && (
        <div class="banner-actions">
          {actions.map((action, i) => (
            <Button
              key={action}
              appearance={i === 0 ? 'primary' : 'secondary'}
              data-action={action}
              data-main-action={i === 0 ? '' : undefined}
              onClick={() => onAction(action)}
            >
              {ACTION_LABELS[action]}
            </Button>
          ))}
        </div>
      )}
    </div>
  );
}
