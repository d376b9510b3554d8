// Small HTTP helpers shared by the routes: JSON bodies and errors in the `{error: string}` shape
// the Arkor SDK reads, SSE frames.
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  error: string,
  extra: Record<string, unknown> = {},
) {
  sendJson(res, status, { error, ...extra });
}

const MAX_BODY = 1 << 20;

/** Reads a JSON request body (at most 1 MiB); an empty body reads as `{}`. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

export function startSse(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
}

/** One SSE frame. `data` is written on a single line (JSON never contains raw newlines). */
export function sseFrame(f: { id?: number | string; event?: string; data: string }): string {
  let out = '';
  if (f.id !== undefined) out += `id: ${f.id}\n`;
  if (f.event) out += `event: ${f.event}\n`;
  return `${out}data: ${f.data}\n\n`;
}
