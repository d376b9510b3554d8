/**
 * Parsing the stdout of an `arkor start` child (docs/wire-protocol.md, "The `arkor` CLI"): the two undecorated lines the
 * CLI prints around a run, and the `step=… loss=… evalLoss=…` lines the templates print from `onLog`.
 */
import { StringDecoder } from 'node:string_decoder';

// CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), the 8-bit CSI, and two-byte escapes.
const ANSI_RE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point.
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u009b[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;

/** Remove terminal escape sequences (colours, cursor moves, hyperlinks). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, '');
}

export type RunLineEvent =
  | { kind: 'started'; jobId: string }
  | { kind: 'finished'; jobId: string; status: string }
  /** A template `onLog` line. A value printed as `-` (or anything non-numeric) is left out. */
  | { kind: 'metrics'; step: number; loss?: number; evalLoss?: number };

const STARTED_RE = /^Started job (\S+)$/;
const FINISHED_RE = /^Job (\S+) finished with status=(\w+)$/;
const METRICS_RE = /^step=(\d+)((?:\s+\w+=\S+)*)$/;

function num(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '-') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * One line of child output (ANSI escapes, a trailing CR and surrounding blanks are ignored) → a
 * typed event, or `undefined` for any other line.
 */
export function parseRunLine(line: string): RunLineEvent | undefined {
  const text = stripAnsi(line).replace(/\r$/, '').trim();
  let m = STARTED_RE.exec(text);
  if (m) return { kind: 'started', jobId: m[1] as string };
  m = FINISHED_RE.exec(text);
  if (m) return { kind: 'finished', jobId: m[1] as string, status: m[2] as string };
  m = METRICS_RE.exec(text);
  if (m) {
    const event: RunLineEvent = { kind: 'metrics', step: Number(m[1]) };
    for (const pair of (m[2] ?? '').trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const key = pair.slice(0, eq);
      const value = num(pair.slice(eq + 1));
      if (value === undefined) continue;
      if (key === 'loss') event.loss = value;
      else if (key === 'evalLoss') event.evalLoss = value;
    }
    return event;
  }
  return undefined;
}

/**
 * Turn a stream of chunks (stdout `data` events, possibly split mid-line, LF or CRLF) into lines.
 * Call `push` for each chunk and `end` once the stream closes (emits a last unterminated line).
 */
export class LineSplitter {
  private buffer = '';
  /** Keeps a UTF-8 character split across two chunks intact. */
  private readonly decoder = new StringDecoder('utf8');
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string | Buffer): void {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      this.onLine(this.buffer.slice(0, nl).replace(/\r$/, ''));
      this.buffer = this.buffer.slice(nl + 1);
      nl = this.buffer.indexOf('\n');
    }
  }

  end(): void {
    this.buffer += this.decoder.end();
    if (this.buffer) this.onLine(this.buffer.replace(/\r$/, ''));
    this.buffer = '';
  }
}
