/** A frame source: `requestAnimationFrame`/`cancelAnimationFrame`, or a manual one in tests and benches. */
export interface FrameSource {
  request: (cb: () => void) => number;
  cancel: (id: number) => void;
}

/**
 * Coalesces bursts into at most one call per animation frame: `schedule()` as often as you like,
 * `flush` runs once in the next frame. The frame source is injectable for tests and the benchmark.
 */
export class FrameCoalescer {
  private pending = 0;
  private scheduled = false;
  private disposed = false;

  constructor(
    private readonly flush: () => void,
    private readonly raf: (cb: () => void) => number = (cb) => requestAnimationFrame(cb),
    private readonly caf: (id: number) => void = (id) => cancelAnimationFrame(id),
  ) {}

  schedule(): void {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    this.pending = this.raf(() => {
      this.scheduled = false;
      if (!this.disposed) this.flush();
    });
  }

  get isScheduled(): boolean {
    return this.scheduled;
  }

  dispose(): void {
    this.disposed = true;
    if (this.scheduled) this.caf(this.pending);
    this.scheduled = false;
  }
}
