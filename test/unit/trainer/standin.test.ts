/**
 * The stand-in `arkor` CLI as a real child process against a real loopback server that implements
 * just the routes `arkor start` needs (POST /v1/projects, POST /v1/jobs, the SSE stream).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { TempDirs, writeTree } from './tmp';

const BIN = resolve('packages/arkor-standin/bin/arkor.mjs');
const STANDIN = resolve('packages/arkor-standin');
const TOKEN = 'tok_standin_test';
const ORG = 'org-test';
const JOB_ID = 'job-42';

interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}
type Route = (req: Req, res: ServerResponse, index: number) => void;

/** A loopback HTTP server with per-route handlers and a record of every request. */
class LoopbackApi {
  readonly requests: Req[] = [];
  private readonly routes = new Map<string, { handler: Route; count: number }>();
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  url = '';

  on(method: string, path: string, handler: Route): this {
    this.routes.set(`${method} ${path}`, { handler, count: 0 });
    return this;
  }

  to(path: string): Req[] {
    return this.requests.filter((r) => r.path === path);
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const r: Req = {
          method: req.method ?? '',
          path: u.pathname,
          query: u.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(r);
        const route = this.routes.get(`${r.method} ${r.path}`);
        if (!route) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
          return;
        }
        route.handler(r, res, route.count++);
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((ok) => this.server?.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function frame(id: string | undefined, event: string, data: Record<string, unknown> | string): string {
  const payload =
    typeof data === 'string'
      ? data
      : JSON.stringify({ type: event, jobId: JOB_ID, timestamp: new Date().toISOString(), ...data });
  return `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${payload}\n\n`;
}

function sse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

const TRAINER_SRC = `import { createArkor, createTrainer } from 'arkor';

const trainer = createTrainer({
  name: 'test-run',
  model: 'unsloth/gemma-4-E4B-it',
  dataset: { type: 'blob', url: './data/train.jsonl' },
  maxSteps: 3,
  evalSteps: 2,
  lora: { r: 4, alpha: 8, maxLength: 256 },
  callbacks: {
    onStarted: () => console.log('callback started'),
    onLog: ({ step, loss, evalLoss }) =>
      console.log(\`step=\${step} loss=\${loss?.toFixed(4) ?? '-'}\${evalLoss != null ? \` evalLoss=\${evalLoss.toFixed(4)}\` : ''}\`),
    onCheckpoint: ({ step, adapter }) => console.log(\`checkpoint step=\${step} kind=\${adapter.kind}\`),
    onCompleted: ({ artifacts }) => console.log(\`completed artifacts=\${artifacts?.length ?? 0}\`),
    onFailed: ({ error }) => console.log(\`failed error=\${error}\`),
  },
});

export const arkor = createArkor({ trainer });
`;

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

describe('stand-in arkor CLI (child process)', function () {
  this.timeout(30_000);
  const temp = new TempDirs();
  const children = new Set<ChildProcess>();
  let api: LoopbackApi;
  let project: string;
  let home: string;

  beforeEach(async () => {
    api = new LoopbackApi();
    await api.listen();
    // A folder name with spaces and capitals, to check the project slug rule.
    project = await temp.make('Arkor Test_');
    home = await temp.make('arkor-standin-home-');
    await writeTree(project, {
      'src/arkor/index.ts': TRAINER_SRC,
      'data/train.jsonl':
        '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Ahoy"}]}\n',
    });
    // The project resolves `arkor` to the stand-in, as `npm install arkor` would.
    await mkdir(join(project, 'node_modules'));
    await symlink(STANDIN, join(project, 'node_modules', 'arkor'), 'dir');
    await writeTree(home, {
      '.arkor/credentials.json': JSON.stringify({
        mode: 'anon',
        token: TOKEN,
        anonymousId: 'anon-1',
        arkorCloudApiUrl: 'http://127.0.0.1:9', // ARKOR_CLOUD_API_URL must win over this
        orgSlug: ORG,
      }),
    });
    api.on('POST', '/v1/projects', (req, res) => {
      const body = JSON.parse(req.body);
      json(res, 201, { project: { id: 'proj-1', slug: body.slug, name: body.name, orgId: 'org-1' } });
    });
    api.on('POST', '/v1/jobs', (req, res) => {
      const body = JSON.parse(req.body);
      json(res, 201, {
        job: {
          id: JOB_ID,
          orgId: 'org-1',
          projectId: 'proj-1',
          name: body.name,
          status: 'queued',
          config: body.config,
          createdAt: new Date().toISOString(),
        },
      });
    });
  });

  afterEach(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.clear();
    await api.close();
    await temp.cleanup();
  });

  function run(
    args: string[],
    opts: { onStdout?: (text: string, child: ChildProcess) => void } = {},
  ): Promise<RunResult> {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: project,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        USERPROFILE: home,
        ARKOR_CLOUD_API_URL: api.url,
        ARKOR_TELEMETRY_DISABLED: '1',
        NO_COLOR: '1',
        ARKOR_STANDIN_BACKOFF_BASE_MS: '20',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      opts.onStdout?.(stdout, child);
    });
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    return new Promise((ok) => {
      child.on('close', (code, signal) =>
        ok({ code, signal, stdout, stderr, lines: stdout.split('\n').filter((l) => l !== '') }),
      );
    });
  }

  it('builds, creates the project and job, resumes a dropped stream with Last-Event-ID, exits 0', async () => {
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, (_req, res, index) => {
      sse(res);
      if (index === 0) {
        res.write(frame('1', 'training.started', {}));
        res.write(frame('2', 'training.log', { step: 1, loss: 2.5 }));
        res.write(': keepalive comment\n\n');
        res.write('event: ping\ndata:\n\n');
        // Half a frame, then the connection drops: it must not be delivered nor advance the id.
        res.write('id: 3\nevent: training.log\ndata: {"type":"training.lo');
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      res.write(frame('3', 'training.log', { step: 2, loss: 2.0, evalLoss: 2.1 }));
      res.write(frame('4', 'checkpoint.saved', { step: 2, artifacts: [] }));
      res.write(frame('5', 'training.paused', {})); // unknown: ignored
      res.write(frame('6', 'training.log', { step: 3, loss: 1.5 }));
      res.write(frame('7', 'training.completed', { artifacts: [{ pathname: 'adapter.json' }] }));
      res.end();
    });

    const result = await run(['start']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.lines, [
      '│',
      '◆  Built src/arkor/index.ts → .arkor/build/index.mjs',
      `Started job ${JOB_ID}`,
      'callback started',
      'step=1 loss=2.5000',
      'step=2 loss=2.0000 evalLoss=2.1000',
      'checkpoint step=2 kind=checkpoint',
      'step=3 loss=1.5000',
      'completed artifacts=1',
      `Job ${JOB_ID} finished with status=completed`,
    ]);

    // Every request carries the version gate header and the bearer token.
    for (const r of api.requests) {
      assert.equal(r.headers['x-arkor-client'], 'arkor/0.0.3-alpha.1');
      assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
    }

    // Project bootstrap (docs/wire-protocol.md, "Credentials and project state"): slug derived from the folder name, state.json written.
    const [createProject] = api.to('/v1/projects');
    const dirName = basename(project);
    const slug = dirName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    assert.equal(createProject?.query.get('orgSlug'), ORG);
    assert.deepEqual(JSON.parse(createProject?.body ?? ''), { name: dirName, slug });
    assert.deepEqual(JSON.parse(await readFile(join(project, '.arkor/state.json'), 'utf8')), {
      orgSlug: ORG,
      projectSlug: slug,
      projectId: 'proj-1',
    });

    // The job config mapping: the SDK's key order, the dataset verbatim.
    const [createJob] = api.to('/v1/jobs');
    assert.equal(createJob?.query.get('orgSlug'), ORG);
    assert.equal(createJob?.query.get('projectSlug'), slug);
    assert.equal(
      createJob?.body,
      JSON.stringify({
        name: 'test-run',
        config: {
          model: 'unsloth/gemma-4-E4B-it',
          datasetSource: { type: 'blob', url: './data/train.jsonl' },
          loraR: 4,
          loraAlpha: 8,
          maxLength: 256,
          maxSteps: 3,
          evalSteps: 2,
        },
      }),
    );

    // The stream: reopened once, resuming after the last complete frame.
    const streams = api.to(`/v1/jobs/${JOB_ID}/events/stream`);
    assert.equal(streams.length, 2);
    assert.equal(streams[0]?.headers['last-event-id'], undefined);
    assert.equal(streams[1]?.headers['last-event-id'], '2');
    assert.equal(streams[1]?.headers.accept, 'text/event-stream');
    assert.equal(streams[1]?.query.get('projectSlug'), slug);
    assert.ok(existsSync(join(project, '.arkor/build/index.mjs')));
  });

  it('reconnects after a clean EOF, uses an existing state.json, and exits 0 on training.failed', async () => {
    await writeTree(project, {
      '.arkor/state.json': JSON.stringify({ orgSlug: ORG, projectSlug: 'existing', projectId: 'p-9' }),
    });
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, (_req, res, index) => {
      sse(res);
      if (index === 0) res.end(frame('a', 'training.log', { step: 1, loss: 3 }));
      else res.end(frame('b', 'training.failed', { error: 'out of memory', step: 1 }));
    });
    const result = await run(['start']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.lines.slice(-4), [
      `Started job ${JOB_ID}`,
      'step=1 loss=3.0000',
      'failed error=out of memory',
      `Job ${JOB_ID} finished with status=failed`,
    ]);
    assert.equal(api.to('/v1/projects').length, 0, 'usable state: no project creation');
    assert.equal(api.to('/v1/jobs')[0]?.query.get('projectSlug'), 'existing');
    assert.equal(api.to(`/v1/jobs/${JOB_ID}/events/stream`)[1]?.headers['last-event-id'], 'a');
  });

  it('retries transient statuses, stops on `end` with the creation-time status', async () => {
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, (_req, res, index) => {
      if (index === 0) return json(res, 404, { error: 'job not replicated yet' });
      if (index === 1) return json(res, 503, { error: 'busy' });
      sse(res);
      res.write('event: end\ndata:\n\n');
    });
    const result = await run(['start']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.lines.at(-1), `Job ${JOB_ID} finished with status=queued`);
    assert.equal(api.to(`/v1/jobs/${JOB_ID}/events/stream`).length, 3);
  });

  it('a 401 on the stream is fatal: no retry, exit 1', async () => {
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, (_req, res) =>
      json(res, 401, { error: 'token revoked' }),
    );
    const result = await run(['start']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /token revoked/);
    assert.ok(result.lines.includes(`Started job ${JOB_ID}`));
    assert.equal(
      result.lines.some((l) => l.includes('finished with status')),
      false,
    );
    assert.equal(api.to(`/v1/jobs/${JOB_ID}/events/stream`).length, 1);
  });

  it('exits promptly on SIGTERM without cancelling the job', async () => {
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, (_req, res) => {
      sse(res);
      res.write(frame('1', 'training.started', {})); // then stays open
    });
    let sentAt = 0;
    const result = await run(['start'], {
      onStdout: (text, child) => {
        if (!sentAt && text.includes('callback started')) {
          sentAt = Date.now();
          child.kill('SIGTERM');
        }
      },
    });
    assert.ok(sentAt > 0, 'the run reached the stream');
    assert.ok(Date.now() - sentAt < 5000, 'exited within 5 s');
    // Like the real CLI, `arkor start` installs no signal handler: the signal ends it.
    assert.equal(result.signal, 'SIGTERM');
    assert.equal(api.to(`/v1/jobs/${JOB_ID}/cancel`).length, 0);
  });

  it('reuses an existing artifact without an entry, rebuilds with one', async () => {
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, (_req, res) => {
      sse(res);
      res.end(frame('1', 'training.completed', {}));
    });
    const first = await run(['build']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.lines, ['│', '◆  Built src/arkor/index.ts → .arkor/build/index.mjs']);
    // Change the source: `start` without an entry must still run the old artifact (docs/wire-protocol.md, "The `arkor` CLI")…
    await writeFile(
      join(project, 'src/arkor/index.ts'),
      TRAINER_SRC.replace("name: 'test-run'", "name: 'renamed'"),
    );
    const stale = await run(['start']);
    assert.equal(stale.code, 0, stale.stderr);
    assert.equal(stale.lines[0], `Started job ${JOB_ID}`, 'no build line');
    assert.equal(JSON.parse(api.to('/v1/jobs')[0]?.body ?? '').name, 'test-run');
    // …and with the entry it rebuilds first.
    const fresh = await run(['start', 'src/arkor/index.ts']);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(fresh.lines[1], '◆  Built src/arkor/index.ts → .arkor/build/index.mjs');
    assert.equal(JSON.parse(api.to('/v1/jobs')[1]?.body ?? '').name, 'renamed');
  });

  it('finds a default-exported trainer; rejects unsupported models and missing entries', async () => {
    api.on('GET', `/v1/jobs/${JOB_ID}/events/stream`, (_req, res) => {
      sse(res);
      res.end(frame('1', 'training.completed', {}));
    });
    await writeFile(
      join(project, 'src/arkor/index.ts'),
      "import { createTrainer } from 'arkor';\nexport default createTrainer({ name: 'd', model: 'unsloth/gemma-4-E4B-it', dataset: { type: 'huggingface', name: 'x/y' } });\n",
    );
    const ok = await run(['start', 'src/arkor/index.ts']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(api.to('/v1/jobs')[0]?.body ?? '').config.datasetSource, {
      type: 'huggingface',
      name: 'x/y',
    });

    await writeFile(
      join(project, 'src/arkor/index.ts'),
      "import { createTrainer } from 'arkor';\nexport const trainer = createTrainer({ model: 'meta/llama', dataset: { type: 'huggingface', name: 'x' } });\n",
    );
    const bad = await run(['start', 'src/arkor/index.ts']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Unsupported model "meta\/llama"/);

    const missing = await run(['build', 'src/arkor/nope.ts']);
    assert.equal(missing.code, 1);
    assert.ok(
      missing.stderr.includes(
        `Build entry not found: ${join(project, 'src/arkor/nope.ts')}. Create src/arkor/index.ts`,
      ),
      missing.stderr,
    );
  });
});
