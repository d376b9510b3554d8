import * as assert from 'node:assert/strict';
import { originOf, sameOrigin } from '../../../src/core/origin';

describe('job origins', () => {
  const cloud = (org: string, project?: string, url = 'https://api.arkor.ai') =>
    originOf('cloud', url, org, project);

  it('names where a job lives, project included on Arkor Cloud', () => {
    assert.equal(
      originOf('local', 'http://127.0.0.1:4100', 'local', 'quickstart').label,
      'the local backend',
    );
    assert.equal(cloud('acme', 'demo').label, 'Arkor Cloud (acme/demo on api.arkor.ai)');
  });

  it('tells backends, servers, organisations and projects apart', () => {
    const local = originOf('local', 'http://127.0.0.1:4100', 'local', 'a');
    assert.ok(
      sameOrigin(local, originOf('local', 'http://127.0.0.1:5200', 'local', 'b')),
      'one local backend',
    );
    assert.ok(!sameOrigin(local, cloud('acme', 'demo')));
    assert.ok(sameOrigin(cloud('acme', 'demo'), cloud('acme', 'demo')));
    assert.ok(!sameOrigin(cloud('acme', 'demo'), cloud('acme', 'other')), 'another project');
    assert.ok(!sameOrigin(cloud('acme', 'demo'), cloud('globex', 'demo')), 'another organisation');
    assert.ok(
      !sameOrigin(cloud('acme', 'demo'), cloud('acme', 'demo', 'https://eu.arkor.ai')),
      'another server',
    );
  });

  it('an origin recorded without a project (older state) matches any project of its organisation', () => {
    const old = { backend: 'cloud' as const, baseUrl: 'https://api.arkor.ai', orgSlug: 'acme', label: 'x' };
    assert.ok(sameOrigin(old, cloud('acme', 'demo')));
    assert.ok(sameOrigin(cloud('acme', 'demo'), old));
    assert.ok(!sameOrigin(old, cloud('globex', 'demo')));
  });
});
