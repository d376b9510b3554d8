/**
 * The job panel's log tail: at most `cap` lines (500, like Studio), with carriage-return progress
 * output (tqdm) collapsed: a line containing `\r` shows only the text after its last `\r`, and
 * consecutive progress lines replace each other instead of piling up. ANSI colour/cursor sequences
 * are stripped. Lines are plain strings; the view renders them as text nodes.
 */
import { FrameCoalescer } from '../shared/frameCoalescer';

/** A row of the rendered tail (not a job log line: progress lines replace each other here). */
export interface TailLine {
  /** Stable key for rendering (monotonic). */
  id: number;
  text: string;
  /** True when the line came from `\r` progress output and the next one may replace it. */
  progress: boolean;
}

export const LOG_CAP = 500;
// ESC [ … final byte: CSI sequences (colours, cursor moves); built without a control char literal.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-?]*[ -/]*[@-~]`, 'g');

export class LogTail {
  lines: TailLine[] = [];
  private nextId = 0;
  version = 0;

  constructor(readonly cap = LOG_CAP) {}

  reset(lines: readonly string[] = []): void {
    this.lines = [];
    this.push(lines);
  }

  push(raw: readonly string[]): void {
    for (const chunk of raw) {
      // A "line" from the host may still hold embedded newlines; split them.
      for (const part of String(chunk).split('\n')) this.pushOne(part);
    }
    if (this.lines.length > this.cap) this.lines.splice(0, this.lines.length - this.cap);
    this.version++;
  }

  private pushOne(raw: string): void {
    let text = raw.replace(ANSI, '');
    // Trailing CR/LF carry no text ("50%|█████ \r").
    text = text.replace(/[\r\n]+$/, '');
    const cr = raw.includes('\r');
    const lastCr = text.lastIndexOf('\r');
    if (lastCr >= 0) text = text.slice(lastCr + 1);
    const prev = this.lines[this.lines.length - 1];
    if (cr && prev?.progress) {
      this.lines[this.lines.length - 1] = { id: this.nextId++, text, progress: true };
      return;
    }
    this.lines.push({ id: this.nextId++, text, progress: cr });
  }
}

/** True when a scroll container is at (or within `slack` px of) its bottom. */
export function isPinnedToBottom(
  el: { scrollTop: number; clientHeight: number; scrollHeight: number },
  slack = 16,
): boolean {
  return el.scrollTop + el.clientHeight >= el.scrollHeight - slack;
}

/** A LogTail plus "changed" notifications coalesced to one per animation frame (for the view). */
export class LogFeed {
  readonly tail = new LogTail();
  private readonly listeners = new Set<() => void>();
  private readonly coalescer: FrameCoalescer;

  constructor(raf?: (cb: () => void) => number, caf?: (id: number) => void) {
    this.coalescer = new FrameCoalescer(
      () => {
        for (const l of this.listeners) l();
      },
      raf,
      caf,
    );
  }

  reset(lines: readonly string[]): void {
    this.tail.reset(lines);
    this.coalescer.schedule();
  }

  push(lines: readonly string[]): void {
    this.tail.push(lines);
    this.coalescer.schedule();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.coalescer.dispose();
    this.listeners.clear();
  }
}
