/**
 * What a job panel is sent, built from the job store: the snapshot and the deltas that follow it.
 * No `vscode` import: the panel host (jobPanel.ts) is this plus VS Code glue, and unit tests drive
 * this with a real store to see exactly what the webview would receive.
 */
import type { BackendKind, JobStore, JobStoreChange, WebviewChannel } from '../core';
import type { HostToJobPanel } from '../protocol';
import { detail, formatLogLine, jobDetail, streamView, toColumns, withResume } from './viewModels';

export class JobPanelFeed {
  /** Metric rows the webview holds; deltas continue from here. */
  private sentRows = 0;

  constructor(
    readonly jobId: string,
    /** The current store; a reconnect brings a new one (the host then resyncs the channel). */
    private readonly store: () => JobStore | undefined,
    private readonly channel: WebviewChannel<HostToJobPanel>,
    /** The connected backend's kind: only the local backend resumes a job. */
    private readonly backend: () => BackendKind | undefined = () => undefined,
  ) {}

  /** The whole panel: job header, every metric row with its receive time, the log tail, the stream. */
  snapshot(): HostToJobPanel | undefined {
    const store = this.store();
    if (!store) return undefined;
    const snap = store.snapshot(this.jobId);
    const job = snap.job ?? { id: this.jobId, name: this.jobId, status: snap.status, config: {} };
    this.sentRows = snap.metrics.step.length;
    return {
      type: 'snapshot',
      job: withResume(detail(job, snap, store.runLabel(this.jobId)), this.backend()),
      metrics: toColumns(snap.metrics, snap.metricTimes),
      logTail: snap.log.map(formatLogLine),
      stream: streamView(snap.stream),
    };
  }

  /** Forwards one store change as the delta the panel needs (nothing is built while it cannot be sent). */
  onStoreChange(change: JobStoreChange): void {
    const store = this.store();
    if (!store || !this.channel.isReady) return;
    switch (change.kind) {
      case 'metrics': {
        if (change.jobId !== this.jobId) return;
        const from = Math.min(change.from, this.sentRows);
        const rows = toColumns(
          store.metrics(this.jobId, from, change.to),
          store.metricTimes(this.jobId, from, change.to),
        );
        this.sentRows = Math.max(this.sentRows, change.to);
        this.channel.postDelta({ type: 'metrics', from, rows });
        return;
      }
      case 'log':
        if (change.jobId === this.jobId) {
          this.channel.postDelta({ type: 'log', lines: change.lines.map(formatLogLine) });
        }
        return;
      case 'stream':
        if (change.jobId === this.jobId) {
          this.channel.postDelta({ type: 'stream', stream: streamView(change) });
        }
        return;
      case 'jobs':
      case 'status':
      case 'checkpoints': {
        if (change.kind !== 'jobs' && change.jobId !== this.jobId) return;
        const job = store.job(this.jobId);
        if (!job) return;
        this.channel.postDelta({
          type: 'job',
          job: withResume(
            jobDetail(
              job,
              store.rowData(this.jobId),
              store.startedMetadata(this.jobId),
              store.runLabel(this.jobId),
            ),
            this.backend(),
          ),
        });
        return;
      }
      case 'pollError':
        return;
    }
  }
}
