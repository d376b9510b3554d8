// The local backend's persistence under damage: a corrupt jobs.json must not stop the backend from
// ever starting again, and the data folder (tokens, training data, adapters) is the owner's alone.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Store } from '../../../src/backend/store';

describe('local backend store', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'arkor-store-')), 'data');
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('keeps its data folder owner-only', () => {
    new Store(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('starts from the previous version when jobs.json is damaged, and keeps the damaged file aside', () => {
    const store = new Store(dir);
    const project = store.createProject('p', 'p');
    assert.ok(project);
    const first = store.createJob(project.id, 'first', { model: 'm' });
    store.createJob(project.id, 'second', { model: 'm' });
    writeFileSync(path.join(dir, 'jobs.json'), '[{"id": "trunc');

    const reopened = new Store(dir);
    const names = reopened.listJobs(project.id).map((j) => j.name);
    assert.deepEqual(names, ['first'], 'the version before the last change');
    assert.equal(reopened.getJob(first.id)?.name, 'first');
    assert.ok(
      readdirSync(dir).some((f) => f.startsWith('jobs.json.corrupt-')),
      'the damaged file is kept',
    );
  });

  it('starts empty rather than not at all when there is no good version', () => {
    new Store(dir);
    writeFileSync(path.join(dir, 'jobs.json'), 'not json');
    const reopened = new Store(dir);
    assert.deepEqual(reopened.listJobs('any'), []);
  });
});
