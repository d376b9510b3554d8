/** A manual animation-frame source: tests decide when a frame happens. */
export class ManualFrames {
  private queue = new Map<number, () => void>();
  private next = 1;
  requested = 0;

  readonly request = (cb: () => void): number => {
    this.requested++;
    const id = this.next++;
    this.queue.set(id, cb);
    return id;
  };

  readonly cancel = (id: number): void => {
    this.queue.delete(id);
  };

  get pending(): number {
    return this.queue.size;
  }

  /** Runs every callback queued before this call (like one browser frame). */
  frame(): void {
    const batch = [...this.queue.values()];
    this.queue.clear();
    for (const cb of batch) cb();
  }
}
