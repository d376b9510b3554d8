/**
 * Event ingestion benchmark: socket → SSE parser → validation → dedupe → job store.
 *
 * Run:  node --expose-gc --import tsx bench/ingest.ts        (or: npx tsx bench/ingest.ts, without GC figures)
 *
 * A loopback `node:http` server streams a 100,000-event replay of a realistic job; the job store
 * watches it until `training.completed`. Prints events/s end to end, a baseline (JSON.parse of the
 * same payloads alone, in this process) for a ratio, and heap/RSS growth after a forced GC with the
 * store still holding the data. Targets: ≥100,000 events/s and <50 MB growth.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { ArkorApiClient, clientJobSource, JobStore } from '../src/core';
import { encodeFrame, jobReplay } from '../test/unit/helpers/testServer';

const EVENTS = 100_000;
const JOB = 'bench-job';
const gc = (globalThis as { gc?: () => void }).gc;
/** Loopback SSE server: streams the replay file on every request, in 64 KiB writes with backpressure. */
const SERVER_SOURCE = `
const http = require('node:http');
const payload = require('node:fs').readFileSync(process.argv[1]);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let offset = 0;
  const pump = () => {
    while (offset < payload.length) {
      const ok = res.write(payload.subarray(offset, offset + 65536));
      offset += 65536;
      if (!ok) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  // started + logs + checkpoints + completed = EVENTS exactly.
  const steps = EVENTS - 2 - Math.floor((EVENTS - 2) / 101);
  const frames = jobReplay({ jobId: JOB, steps, checkpointEvery: 100, evalEvery: 50 });
  const payload = Buffer.from(frames.map(encodeFrame).join(''), 'utf8');
  console.log(`replay: ${frames.length} events, ${mb(payload.length)} of SSE`);

  // The server runs in a child process so it does not compete with the client for this process's
  // event loop (the figures measure the client, not the server).
  const dir = await mkdtemp(join(tmpdir(), 'arkor-bench-'));
  const file = join(dir, 'replay.sse');
  await writeFile(file, payload);
  const child = fork('-e', [], {
    execArgv: ['-e', SERVER_SOURCE, file],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))));
  const url = `http://127.0.0.1:${port}`;

  // Baselines: the floor any consumer pays.
  const datas = frames.map((f) => f.data);
  let t = performance.now();
  let sink = 0;
  for (const d of datas) sink += (JSON.parse(d) as { step?: number }).step ?? 0;
  const jsonMs = performance.now() - t;
  const text = payload.toString('utf8');
  t = performance.now();
  let parsed = 0;
  const parser = createParser({ onEvent: () => parsed++ });
  for (let i = 0; i < text.length; i += 64 * 1024) parser.feed(text.slice(i, i + 64 * 1024));
  const sseMs = performance.now() - t;

  gc?.();
  const before = process.memoryUsage();
  const client = new ArkorApiClient({
    baseUrl: url,
    getToken: () => 'bench-token',
    clientVersion: '0.0.3-alpha.1',
  });
  const store = new JobStore({ source: clientJobSource(client, { orgSlug: 'o', projectSlug: 'p' }) });
  let changes = 0;
  store.onDidChange(() => changes++);
  t = performance.now();
  const ended = new Promise<void>((resolve) => {
    store.onDidChange((c) => {
      if (c.kind === 'stream' && (c.state === 'ended' || c.state === 'error')) resolve();
    });
  });
  const watch = store.watch(JOB);
  await ended;
  const ingestMs = performance.now() - t;
  const snap = store.snapshot(JOB);
  gc?.();
  const after = process.memoryUsage();

  const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/s`;
  console.log(
    `baseline JSON.parse only:         ${jsonMs.toFixed(0)} ms  ${rate(datas.length, jsonMs)} (checksum ${sink})`,
  );
  console.log(`baseline SSE parse only:          ${sseMs.toFixed(0)} ms  ${rate(parsed, sseMs)}`);
  console.log(
    `socket → job store (end to end):  ${ingestMs.toFixed(0)} ms  ${rate(frames.length, ingestMs)}`,
  );
  console.log(`ratio end-to-end / JSON.parse:    ${(ingestMs / jsonMs).toFixed(2)}x the time`);
  console.log(
    `store: status=${snap.status} points=${snap.metrics.step.length} checkpoints=${snap.checkpoints.length} ` +
      `log=${snap.log.length}/${snap.logTotal} change events=${changes}`,
  );
  if (gc) {
    console.log(
      `memory growth after GC (store still alive): heapUsed ${mb(after.heapUsed - before.heapUsed)}, ` +
        `RSS ${mb(after.rss - before.rss)}`,
    );
  } else {
    console.log('memory: run with `node --expose-gc --import tsx bench/ingest.ts` for GC-accurate figures');
  }
  watch.dispose();
  store.dispose();
  child.kill();
  await rm(dir, { recursive: true, force: true });
  if (snap.metrics.step.length !== steps)
    throw new Error(`expected ${steps} points, got ${snap.metrics.step.length}`);
}

void main();
