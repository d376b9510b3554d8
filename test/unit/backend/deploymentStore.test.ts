// Persistence of local endpoints: retention by days purges what is older (in memory and on disk,
// and across a restart), a damaged deployments.json falls back to the last good version like
// jobs.json does, and the endpoint listener keeps its port across restarts (a new one only when
// another program holds it).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBackend } from '../../../src/backend/backend';
import { DeploymentStore } from '../../../src/backend/deploymentStore';
import { Store } from '../../../src/backend/store';
import type { DeploymentRequest } from '../../../src/wire';

const DAY = 24 * 60 * 60 * 1000;

function row(at: number, prompt: string): DeploymentRequest {
  return {
    id: `r-${at}`,
    at: new Date(at).toISOString(),
    method: 'POST',
    path: '/chat/completions',
    status: 200,
    latencyMs: 12,
    stream: false,
    promptTokens: 5,
    completionTokens: 7,
    preview: { prompt, reply: 'Arr' },
    error: null,
  };
}

describe('local endpoint persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'arkor-deployments-')), 'data');
    new Store(dir);
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  const create = (s: DeploymentStore, slug: string, days?: number) =>
    s.create('p1', {
      slug,
      target: { kind: 'base_model', baseModel: 'm' },
      authMode: 'none',
      ...(days ? { runRetentionMode: 'days' as const, runRetentionDays: days } : {}),
    });

  it('purges requests older than the retention days, on disk too, and a restart keeps the rest', () => {
    const s = new DeploymentStore(dir);
    const d = create(s, 'two-days', 2);
    assert.ok(d);
    const now = Date.now();
    s.record(d, row(now - 3 * DAY, 'old'));
    s.record(d, row(now - 1 * DAY, 'recent'));
    s.record(d, row(now, 'new'));
    // Listing already hides what retention no longer allows.
    assert.deepEqual(
      s.listRequests(d, 50).map((r) => r.preview?.prompt),
      ['new', 'recent'],
    );
    s.purge(now);
    const file = readFileSync(path.join(dir, 'endpoint-requests', `${d.id}.jsonl`), 'utf8');
    assert.ok(!file.includes('"old"'), 'the old request is gone from disk');
    const reopened = new DeploymentStore(dir);
    const again = reopened.bySlug('two-days');
    assert.ok(again);
    assert.deepEqual(
      reopened.listRequests(again, 50).map((r) => r.preview?.prompt),
      ['new', 'recent'],
    );
    // A day later, "recent" is past the two days as well.
    reopened.purge(now + 1.5 * DAY);
    assert.deepEqual(
      reopened.listRequests(again, 50).map((r) => r.preview?.prompt),
      ['new'],
    );
  });

  it('defaults to 7 days, keeps everything when unlimited, and nothing when disabled', () => {
    const s = new DeploymentStore(dir);
    const d = create(s, 'default');
    assert.ok(d);
    assert.equal(d.runRetentionDays, 7);
    const now = Date.now();
    s.record(d, row(now - 8 * DAY, 'eight days'));
    s.record(d, row(now - 6 * DAY, 'six days'));
    assert.deepEqual(
      s.listRequests(d, 50).map((r) => r.preview?.prompt),
      ['six days'],
    );
    s.update(d, { runRetentionMode: 'unlimited' });
    assert.equal(d.runRetentionDays, undefined);
    s.record(d, row(now - 400 * DAY, 'a year ago'));
    assert.equal(s.listRequests(d, 50).length, 2, 'the 8-day one was purged while the rule was 7 days');
    s.update(d, { runRetentionMode: 'disabled' });
    s.record(d, row(now, 'not kept'));
    assert.deepEqual(s.listRequests(d, 50), []);
  });

  it('a damaged deployments.json: the previous version is used and the damaged file set aside', () => {
    const s = new DeploymentStore(dir);
    create(s, 'first');
    create(s, 'second');
    writeFileSync(path.join(dir, 'deployments.json'), '{"deployments": [{"id": "tru');
    const reopened = new DeploymentStore(dir);
    assert.ok(reopened.bySlug('first'));
    assert.equal(reopened.bySlug('second'), undefined, 'only the last change is lost');
    assert.ok(readdirSync(dir).some((f) => f.startsWith('deployments.json.corrupt-')));
  });

  it('the endpoint listener comes back on the same port; on another only when that one is taken', async () => {
    const first = await startBackend({ dataDir: dir, preset: 'test' });
    const url = first.endpointsUrl;
    await first.close();
    const second = await startBackend({ dataDir: dir, preset: 'test' });
    assert.equal(second.endpointsUrl, url, 'same URL after a restart');
    await second.close();

    const squatter = createServer();
    const port = Number(new URL(url).port);
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const third = await startBackend({ dataDir: dir, preset: 'test' });
      assert.notEqual(third.endpointsUrl, url);
      const saved = JSON.parse(readFileSync(path.join(dir, 'deployments.json'), 'utf8')) as {
        endpointsPort: number;
      };
      assert.equal(`http://127.0.0.1:${saved.endpointsPort}`, third.endpointsUrl, 'the new port is kept');
      await third.close();
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
