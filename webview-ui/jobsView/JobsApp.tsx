import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { needsDetail, unpackJobRows } from '../../src/jobRows';
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
import { JobTree } from './JobTree';
import {
  checkpointKey,
  jobKey,
  layoutRows,
  matchesJob,
  normalizeQuery,
  patchLayout,
  prepareSearch,
  resolveActive,
  STATUS_FILTERS,
  type StatusFilter,
  type TreeLayout,
  visibleRows,
} from './treeModel';

export type JobsChannel = HostChannel<HostToJobsView, JobsViewToHost>;

interface State {
  jobs: JobSummary[];
  /** The list as the host last sent it whole (a patch changes `jobs`, not this). */
  list: JobSummary[];
  /** Index of each job id in `jobs`; built by the first patch (a first paint does not need it). */
  pos?: Map<string, number>;
  /** Bumped whenever `jobs` changes, in place (a patch) or not. */
  rev: number;
  /** Set by a `jobsPatch`: `jobs` at `fromRev` with `changed` replaced in place (the cheap path). */
  patch?: { fromRev: number; changed: JobSummary[]; statusChanged: boolean };
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
  const [state, setState] = useState<State>({ jobs: [], list: [], rev: 0, trusted: true, loaded: false });
  const [ui, setUi] = useState<JobsUiState>(() => restoreUi(readPersisted<JobsUiState>(channel)));
  const [now, setNow] = useState(() => Date.now());
  const searchRef = useRef<HTMLInputElement>(null);
  /** Listed jobs whose detail was asked for (`details`): the host answers with a `jobsPatch`. */
  const detailAsked = useRef(new WeakSet<JobSummary>());

  const post = useHost(channel, (message) => {
    switch (message.type) {
      case 'snapshot': {
        const jobs = unpackJobRows(message.rows);
        setState({
          jobs,
          list: jobs,
          rev: 0,
          backend: message.backend,
          trusted: message.trusted,
          loaded: true,
        });
        setNow(Date.now());
        return;
      }
      case 'jobs': {
        const jobs = unpackJobRows(message.rows);
        setState((s) => ({ ...s, jobs, list: jobs, rev: s.rev + 1, pos: undefined, patch: undefined }));
        return;
      }
      case 'jobsPatch':
        setState((s) => applyPatch(s, message.jobs));
        return;
      case 'backend':
        setState((s) => ({ ...s, backend: message.backend }));
        return;
    }
  });
  // A new list's search texts are prepared when idle; a patched job's, when a search reads it.
  useEffect(() => prepareSearchWhenIdle(state.list), [state.list]);
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
  const rows = layout.rows;

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
                  const key = resolveActive(rows, ui.selected, layout.index);
                  if (key) document.querySelector<HTMLElement>(`[data-key="${cssString(key)}"]`)?.focus();
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
          {rows.length === 0 ? (
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

/** Search texts are computed this many jobs per idle slice. */
const SEARCH_SLICE = 1000;

/** Prepares every job's search text in idle slices; returns the cancel (a newer list replaces this one). */
function prepareSearchWhenIdle(jobs: readonly JobSummary[]): () => void {
  let from = 0;
  let handle: number | undefined;
  const idle = (fn: () => void) =>
    typeof requestIdleCallback === 'function' ? requestIdleCallback(fn) : window.setTimeout(fn, 0);
  const step = () => {
    prepareSearch(jobs, from, from + SEARCH_SLICE);
    from += SEARCH_SLICE;
    handle = from < jobs.length ? idle(step) : undefined;
  };
  if (jobs.length > 0) handle = idle(step);
  return () => {
    if (handle === undefined) return;
    if (typeof cancelIdleCallback === 'function') cancelIdleCallback(handle);
    else clearTimeout(handle);
  };
}

function positions(jobs: readonly JobSummary[]): Map<string, number> {
  return new Map(jobs.map((j, i) => [j.id, i]));
}

/**
 * Replaces the patched jobs in place in `s.jobs` (a live update must not copy 10,000 entries) and
 * bumps `rev`; a job the view does not know yet makes a new, longer list instead.
 */
function applyPatch(s: State, changed: JobSummary[]): State {
  const pos = s.pos ?? positions(s.jobs);
  if (changed.some((job) => !pos.has(job.id))) {
    const jobs = s.jobs.slice();
    const grown = new Map(pos);
    for (const job of changed) {
      const i = grown.get(job.id);
      if (i === undefined) {
        grown.set(job.id, jobs.length);
        jobs.push(job);
      } else jobs[i] = job;
    }
    return { ...s, jobs, pos: grown, rev: s.rev + 1, patch: undefined };
  }
  let statusChanged = false;
  for (const job of changed) {
    const i = pos.get(job.id)!;
    if (s.jobs[i]!.status !== job.status) statusChanged = true;
    s.jobs[i] = job;
  }
  return { ...s, pos, rev: s.rev + 1, patch: { fromRev: s.rev, changed, statusChanged } };
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
  /**
   * The layout with an empty search for these jobs, filter and expansion: clearing the search box
   * (the last Backspace) returns to it without laying out every row again.
   */
  unsearched?: TreeLayout;
}

/**
 * Recomputes only what changed: a live update of jobs in place patches their rows (O(changed));
 * a keystroke that extends the search narrows the jobs already shown instead of all of them.
 */
function derive(
  prev: Derived | undefined,
  state: State,
  query: string,
  filter: StatusFilter,
  expanded: ReadonlySet<string>,
): Derived {
  const { jobs, rev, patch } = state;
  const sameJobs = prev !== undefined && prev.jobs === jobs && prev.rev === rev;
  if (prev && prev.query === query && prev.filter === filter && prev.expanded === expanded) {
    if (sameJobs) return prev;
    if (patch && prev.jobs === jobs && patch.fromRev === prev.rev) {
      const layout = patchLayout(prev.layout, patch.changed, query, filter);
      if (layout) {
        const counts = patch.statusChanged ? countByStatus(jobs) : prev.counts;
        // The unsearched layout is this one when the search is empty; otherwise its rows are stale.
        const unsearched = query === '' ? layout : undefined;
        return { jobs, rev, query, filter, expanded, layout, counts, unsearched };
      }
    }
  }
  const sameView = sameJobs && prev.filter === filter && prev.expanded === expanded;
  const unsearched = sameView ? prev.unsearched : undefined;
  if (query === '' && unsearched) {
    return { jobs, rev, query, filter, expanded, layout: unsearched, counts: prev!.counts, unsearched };
  }
  const narrowing =
    sameJobs && prev.filter === filter && query.startsWith(prev.query) && prev.query !== query;
  // Narrowing from an empty search is a pass over the jobs themselves (no list of 10,000 to build).
  const candidates = narrowing && prev.query !== '' ? shownJobs(prev.layout) : jobs;
  const filtered = candidates.filter((j) => matchesJob(j, query, filter));
  const layout = layoutRows(visibleRows(filtered, expanded));
  return {
    jobs,
    rev,
    query,
    filter,
    expanded,
    layout,
    counts: sameJobs ? prev.counts : countByStatus(jobs),
    unsearched: query === '' ? layout : unsearched,
  };
}

/** The jobs a layout shows, in order. */
function shownJobs(layout: TreeLayout): JobSummary[] {
  const out: JobSummary[] = [];
  for (const r of layout.rows) if (r.kind === 'job') out.push(r.job);
  return out;
}

function countByStatus(jobs: readonly JobSummary[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const j of jobs) counts[j.status] = (counts[j.status] ?? 0) + 1;
  return counts;
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

/** Escapes a value for a double-quoted CSS attribute selector. */
function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
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
