/**
 * Why an `arkor start` run failed, in one line, from what it printed. The CLI prints a thrown error's
 * `stack` on stderr and exits 1 (docs/wire-protocol.md, "The `arkor` CLI"): `Error: <message>` (an
 * unsupported model, a trainer callback that threw), `CloudApiError: <the API's message>` (a 4xx such
 * as a missing dataset file), a `TypeError: fetch failed`, each followed by `    at …` frames; a
 * project-state mismatch is printed as its message alone, and commander's usage errors as
 * `error: …`. The user needs the message, not the frames.
 */

/** `Name: message` where Name is an error class (`Error`, `TypeError`, `CloudApiError`, …). */
const HEADER_RE = /^(?:Uncaught )?([A-Za-z_$][\w$]*)(?: \[[A-Z0-9_]+\])?: (.*)$/;
const FRAME_RE = /^\s+at\s/;
/** Node's own warnings (`(node:123) ExperimentalWarning: …`) and their hint line are not the reason. */
const NOISE_RE = /^\(node:\d+\)|^\(Use `node --trace-/;
/** Class names not worth showing: the message says it all. */
const PLAIN_NAMES = new Set(['Error', 'CloudApiError']);

const isErrorName = (name: string) => name === 'Error' || /(?:Error|Exception)$/.test(name);

function headerAt(lines: readonly string[], i: number): { name: string; message: string } | undefined {
  const m = HEADER_RE.exec(lines[i]?.trim() ?? '');
  if (!m || !isErrorName(m[1] as string)) return undefined;
  return { name: m[1] as string, message: (m[2] as string).trim() };
}

/** The index of the first stack frame after `start`, if only message lines come before it. */
function framesFollow(lines: readonly string[], start: number): number | undefined {
  for (let j = start + 1; j < lines.length; j++) {
    const line = lines[j] as string;
    if (FRAME_RE.test(line)) return j;
    if (!line.trim() || headerAt(lines, j)) return undefined;
  }
  return undefined;
}

function render(name: string, message: string): string {
  const text = message || '(no message)';
  return PLAIN_NAMES.has(name) ? text : `${name}: ${text}`;
}

/**
 * The reason a run failed, from its stderr lines (already redacted), or undefined when it printed
 * nothing that says why. Preference: the first error printed with a stack (the one that ended the
 * process; a `cause` printed after it is detail), then the last `Name: message` line, then the last
 * line that is not a stack frame or Node warning (a message printed alone).
 */
export function failureReason(stderr: readonly string[]): string | undefined {
  const lines = stderr.map((l) => l.replace(/\r$/, ''));
  for (let i = 0; i < lines.length; i++) {
    const header = headerAt(lines, i);
    if (!header) continue;
    const frame = framesFollow(lines, i);
    if (frame === undefined) continue;
    // A message of several lines: everything between the header and the first frame.
    const more = lines
      .slice(i + 1, frame)
      .map((l) => l.trim())
      .filter(Boolean);
    return render(header.name, [header.message, ...more].filter(Boolean).join(' '));
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const header = headerAt(lines, i);
    if (header) return render(header.name, header.message);
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] as string).trim();
    if (line && !FRAME_RE.test(lines[i] as string) && !NOISE_RE.test(line))
      return line.replace(/^error: /, '');
  }
  return undefined;
}
