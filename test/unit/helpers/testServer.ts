/**
 * A real HTTP server on 127.0.0.1 for tests, with hooks to inject faults: per-route handlers,
 * recorded requests, socket tracking (to drop connections or see the client hang up), and a
 * restart that closes and listens again on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (ctx: {
  req: IncomingMessage;
  res: ServerResponse;
  request: RecordedRequest;
  /** 0-based index of this request among the requests to the same route. */
  index: number;
}) => void | Promise<void>;

export class TestServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests whose connection closed before the response ended (client hung up or we dropped it). */
  readonly aborted: RecordedRequest[] = [];
  private readonly routes = new Map<string, { handler: Handler; count: number }>();
  private fallbackRoute: { handler: Handler; count: number } | undefined;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Register `handler` for `METHOD /path` (query string ignored). Replaces an earlier handler. */
  on(method: string, path: string, handler: Handler): this {
    this.routes.set(`${method} ${path}`, { handler, count: 0 });
    return this;
  }

  /** Handle every request no `on()` route matches (instead of the default 404), e.g. to proxy. */
  fallback(handler: Handler): this {
    this.fallbackRoute = { handler, count: 0 };
    return this;
  }

  /** JSON response shortcut. */
  json(
    method: string,
    path: string,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): this {
    return this.on(method, path, ({ res }) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    });
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async listen(port = this.port): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Close abruptly: every open connection is destroyed, as in a crash. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Crash and come back on the same port after `downMs`. */
  async restart(downMs = 0): Promise<void> {
    const port = this.port;
    await this.close();
    if (downMs > 0) await delay(downMs);
    await this.listen(port);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(request);
    res.on('close', () => {
      if (!res.writableFinished) this.aborted.push(request);
    });
    const route = this.routes.get(`${request.method} ${request.path}`) ?? this.fallbackRoute;
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no route for ${request.method} ${request.path}` }));
      return;
    }
    const index = route.count++;
    try {
      await route.handler({ req, res, request, index });
    } catch (err) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    }
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolve when `predicate()` holds, polling every 5 ms; reject after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(5);
  }
}

// ---- SSE -------------------------------------------------------------------------------------------

export interface Frame {
  id?: string;
  event?: string;
  data: string;
}

export function encodeFrame(frame: Frame): string {
  let out = '';
  if (frame.id !== undefined) out += `id: ${frame.id}\n`;
  if (frame.event !== undefined) out += `event: ${frame.event}\n`;
  out += `data: ${frame.data}\n\n`;
  return out;
}

/** Write, honouring backpressure. */
export function write(res: ServerResponse, chunk: string | Buffer): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Write `text` one byte at a time (splitting multi-byte characters too), each in its own TCP write. */
export async function writeByteByByte(res: ServerResponse, text: string, pauseEvery = 64): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    await write(res, bytes.subarray(i, i + 1));
    // Yield now and then so the bytes really leave in separate packets.
    if (i % pauseEvery === 0) await new Promise((r) => setImmediate(r));
  }
}

export function startSse(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  res.flushHeaders();
}

/** How one connection to a scripted SSE route behaves. */
export interface ConnectionPlan {
  /** Answer with this status (and `body`) instead of streaming. */
  status?: number;
  body?: string;
  /** Destroy the socket after writing this many frames (counted from where this connection starts). */
  dropAfter?: number;
  /** End the response cleanly after this many frames. */
  endAfter?: number;
  /** Send headers and this many frames, then go silent (for idle timeouts). */
  stallAfter?: number;
  /** Restart the server after this many frames (the test supplies the server). */
  restartAfter?: number;
  /** Replay from the start whatever Last-Event-ID says (a server that lost its position). */
  ignoreLastEventId?: boolean;
  byteByByte?: boolean;
  /** Frames written before the scripted ones on this connection (pings, garbage…). */
  prelude?: string;
}

/**
 * A job event stream route that resumes after `Last-Event-ID`, following `plans[i]` for the i-th
 * connection (the last plan repeats). Frames are batched into large writes unless `byteByByte`.
 */
export function scriptedSse(server: TestServer, frames: Frame[], plans: ConnectionPlan[]): Handler {
  return async ({ req, res, index }) => {
    const plan = plans[Math.min(index, plans.length - 1)] ?? {};
    if (plan.status) {
      res.writeHead(plan.status, { 'content-type': 'application/json' });
      res.end(plan.body ?? '');
      return;
    }
    const lastId = req.headers['last-event-id'];
    let start = 0;
    if (lastId && !plan.ignoreLastEventId) {
      const at = frames.findIndex((f) => f.id === lastId);
      start = at >= 0 ? at + 1 : 0;
    }
    startSse(res);
    let text = plan.prelude ?? '';
    let written = 0;
    const limit =
      plan.dropAfter ?? plan.endAfter ?? plan.stallAfter ?? plan.restartAfter ?? Number.POSITIVE_INFINITY;
    for (let i = start; i < frames.length && written < limit; i++, written++) {
      text += encodeFrame(frames[i] as Frame);
      if (!plan.byteByByte && text.length > 64 * 1024) {
        await write(res, text);
        text = '';
      }
    }
    if (plan.byteByByte) await writeByteByByte(res, text);
    else if (text) await write(res, text);
    if (plan.dropAfter !== undefined) {
      // Let the bytes leave before cutting the connection mid-stream.
      await delay(5);
      res.socket?.destroy();
    } else if (plan.stallAfter !== undefined) {
      // Silence; the client's idle timeout has to notice.
    } else if (plan.restartAfter !== undefined) {
      await delay(5);
      await server.restart(20);
    } else {
      res.end();
    }
  };
}

// ---- Job fixtures ------------------------------------------------------------------------------------

export interface ReplayOptions {
  jobId: string;
  steps: number;
  checkpointEvery?: number;
  evalEvery?: number;
  /** Id style: increasing integers (default) or ISO timestamps. */
  ids?: 'numeric' | 'iso';
  terminal?: 'completed' | 'failed' | 'none';
}

/** A realistic job: started, `steps` training.log ticks with checkpoints, then a terminal event. */
export function jobReplay(opts: ReplayOptions): Frame[] {
  const { jobId, steps } = opts;
  const frames: Frame[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  let n = 0;
  const push = (type: string, extra: Record<string, unknown>) => {
    n++;
    const timestamp = new Date(t0 + n * 1000).toISOString();
    const id = opts.ids === 'iso' ? `${timestamp}#${n}` : String(n);
    frames.push({ id, event: type, data: JSON.stringify({ type, jobId, timestamp, ...extra }) });
  };
  push('training.started', { metadata: { gpu: 'test' } });
  for (let step = 1; step <= steps; step++) {
    const loss = lossAt(step);
    const log: Record<string, unknown> = {
      step,
      loss,
      learningRate: 2e-4 * (1 - step / (steps + 1)),
      epoch: step / 1000,
    };
    if (opts.evalEvery && step % opts.evalEvery === 0) log.evalLoss = loss + 0.05;
    push('training.log', log);
    if (opts.checkpointEvery && step % opts.checkpointEvery === 0) {
      push('checkpoint.saved', { step, artifacts: [{ pathname: `checkpoint-${step}/adapter.json` }] });
    }
  }
  if (opts.terminal === 'failed') push('training.failed', { error: 'CUDA out of memory', step: steps });
  else if (opts.terminal !== 'none')
    push('training.completed', { artifacts: [{ pathname: 'adapter.json' }] });
  return frames;
}

export function lossAt(step: number): number {
  return 2 / Math.sqrt(step) + 0.1;
}
