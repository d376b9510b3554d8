import { useEffect, useState } from 'preact/hooks';
import type { BackendInfo, HostToJobsView, JobSummary, JobsViewToHost } from '../../src/protocol';
import type { HostChannel } from '../shared/hostChannel';
import { Button } from '../shared/toolkit';

export type JobsChannel = HostChannel<HostToJobsView, JobsViewToHost>;

interface State {
  jobs: JobSummary[];
  backend?: BackendInfo;
  trusted: boolean;
  loaded: boolean;
}

/** The sidebar Jobs view. It renders only what the host pushes; it never polls. */
export function JobsApp({ channel }: { channel: JobsChannel }) {
  const [state, setState] = useState<State>({ jobs: [], trusted: true, loaded: false });

  useEffect(() => {
    const off = channel.onMessage((message) => {
      switch (message.type) {
        case 'snapshot':
          setState({ jobs: message.jobs, backend: message.backend, trusted: message.trusted, loaded: true });
          return;
        case 'jobs':
          setState((s) => ({ ...s, jobs: message.jobs }));
          return;
        case 'backend':
          setState((s) => ({ ...s, backend: message.backend }));
          return;
      }
    });
    channel.post({ type: 'ready' });
    return off;
  }, [channel]);

  if (!state.loaded) return <p class="muted pad">Loading jobs…</p>;
  return (
    <main>
      {state.backend?.error && <div class="banner error">{state.backend.error}</div>}
      {state.jobs.length === 0 ? (
        <EmptyState trusted={state.trusted} onRun={() => channel.post({ type: 'runTraining' })} />
      ) : (
        <div class="jobs" role="tree" aria-label="Training jobs">
          {state.jobs.map((job) => (
            <div key={job.id} role="treeitem" aria-selected="false" tabIndex={0} class="job">
              <span class={`status status-${job.status}`}>{job.status}</span>{' '}
              <span class="name">{job.name}</span>
            </div>
          ))}
        </div>
      )}
      {state.backend && <footer class="muted backend">{state.backend.label}</footer>}
    </main>
  );
}

function EmptyState({ trusted, onRun }: { trusted: boolean; onRun: () => void }) {
  return (
    <section class="empty" data-testid="empty-state">
      <p>No training jobs yet.</p>
      <p class="muted">
        Run the trainer in src/arkor/index.ts to start one. Its loss, logs and checkpoints show up here.
      </p>
      <Button onClick={onRun} disabled={!trusted} data-testid="run-training">
        Run Training
      </Button>
      {!trusted && <p class="muted">Trust this workspace to build and run trainers.</p>}
    </section>
  );
}
