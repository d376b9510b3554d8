/**
 * What a job panel is sent, built from the job store: the snapshot and the deltas that follow it.
 * No `vscode` import: the panel host (jobPanel.ts) is this plus VS Code glue, and unit tests drive
 * this with a real store to see exactly what the webview would receive.
 */
import {
  type BackendKind,
  type JobStore,
  type JobStoreChange,
  PROGRESSIVE_SNAPSHOT,
  type WebviewChannel,
} from '../core';
import type { HostToJobPanel } from '../protocol';
import { detail, formatLogLine, jobDetail, streamView, toColumns, withResume } from './viewModels';

export class JobPanelFeed {
  /**
   * Metric rows the webview holds in full; deltas continue from here. While `loading`, the chunks
   * sent so far (the webview draws an overview meanwhile).
   */
  private sentRows = 0;
  /** The webview's rows are still loading: the next `moreRows` sends rows from `sentRows` on. */
  private loading = false;

  constructor(
    readonly jobId: string,
    /** The current store; a reconnect brings a new one (the host then resyncs the channel). */
    private readonly store: () => JobStore | undefined,
    private readonly channel: WebviewChannel<HostToJobPanel>,
    /** The connected backend's kind: only the local backend resumes a job. */
    private readonly backend: () => BackendKind | undefined = () => undefined,
    private readonly progressive = PROGRESSIVE_SNAPSHOT,
  ) {}

  /**
   * The whole panel: job header, every metric row with its event time (or, for a long run, their
   * overview), the log tail, the stream. A snapshot mid-load starts the load over.
   */
  snapshot(): HostToJobPanel | undefined {
    const store = this.store();
    if (!store) return undefined;
    this.loading = false;
    const rows = store.metricCount(this.jobId);
    return rows > this.progressive.minRows ? this.overviewSnapshot(store, rows) : this.fullSnapshot(store);
  }

  /** The next chunk of a loading snapshot's rows (the webview asked with `moreRows`). */
  moreRows(): void {
    const store = this.store();
    if (!store || !this.loading || !this.channel.isReady) return;
    const from = this.sentRows;
    // Up to the rows the store has now: rows appended during the load come in these chunks.
    const total = store.metricCount(this.jobId);
    const to = Math.max(from, Math.min(total, from + this.progressive.chunkRows));
    this.sentRows = to;
    this.loading = to < total;
    this.channel.postDelta({
      type: 'metrics',
      from,
      rows: this.columns(store, from, to),
      load: this.loading ? 'more' : 'last',
    });
  }

  /** A long run: the overview, without copying every row (store.snapshot would). */
  private overviewSnapshot(store: JobStore, rows: number): HostToJobPanel {
    const job = store.job(this.jobId) ?? {
      id: this.jobId,
      name: this.jobId,
      status: store.status(this.jobId) ?? 'queued',
      config: {},
    };
    const overview = store.metricOverview(this.jobId, this.progressive.overview);
    this.sentRows = 0;
    this.loading = true;
    return {
      type: 'snapshot',
      job: this.header(store, job),
      metrics: toColumns(overview.metrics, overview.times),
      overview: { rows },
      logTail: store.log(this.jobId).lines.map(formatLogLine),
      stream: streamView(store.stream(this.jobId)),
    };
  }

  /** The job as the panel header shows it, from what the store holds now (no copy of its rows). */
  private header(store: JobStore, job: Parameters<typeof jobDetail>[0]) {
    return withResume(
      jobDetail(
        job,
        store.rowData(this.jobId),
        store.startedMetadata(this.jobId),
        store.runLabel(this.jobId),
      ),
      this.backend(),
    );
  }

  private fullSnapshot(store: JobStore): HostToJobPanel {
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
        if (this.loading) {
          // New rows come with the chunks; rows already sent that changed are sent again now.
          if (change.from < this.sentRows) this.postRows(store, change.from, this.sentRows);
          return;
        }
        this.postRows(store, Math.min(change.from, this.sentRows), change.to);
        this.sentRows = Math.max(this.sentRows, change.to);
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
        this.channel.postDelta({ type: 'job', job: this.header(store, job) });
        return;
      }
      case 'pollError':
        return;
    }
  }

  /** Rows `[from, to)` as a `metrics` delta. */
  private postRows(store: JobStore, from: number, to: number): void {
    this.channel.postDelta({ type: 'metrics', from, rows: this.columns(store, from, to) });
  }

  /** Rows `[from, to)` with their event times, as the panel's metric columns. */
  private columns(store: JobStore, from: number, to: number) {
    return toColumns(store.metrics(this.jobId, from, to), store.metricTimes(this.jobId, from, to));
  }
}
