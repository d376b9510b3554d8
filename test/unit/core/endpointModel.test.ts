import * as assert from 'node:assert/strict';
import {
  endpointSummary,
  jobLookup,
  retentionFields,
  retentionOf,
  retentionText,
  slugMessage,
  suggestSlug,
  targetOptions,
} from '../../../src/core';
import { DEPLOYMENT_SLUG_MESSAGE, type Deployment } from '../../../src/wire';

const deployment = (over: Partial<Deployment> = {}): Deployment => ({
  id: 'dep-1',
  slug: 'captain',
  orgId: 'o',
  projectId: 'p',
  target: { kind: 'adapter', adapter: { kind: 'checkpoint', jobId: 'job-12345678-x', step: 20 } },
  authMode: 'fixed_api_key',
  urlFormat: 'openai_compat',
  enabled: true,
  customDomain: null,
  createdAt: '2026-11-29T10:00:00.000Z',
  updatedAt: '2026-11-29T10:00:00.000Z',
  ...over,
});

describe('endpoint model (Deploy input and the rows the views show)', () => {
  it('checks a slug as typed with the documented rule and message', () => {
    for (const bad of ['a', 'My-Model', '-model', 'model-', 'my_model', 'my model', 'x'.repeat(51), '']) {
      assert.equal(slugMessage(bad, []), DEPLOYMENT_SLUG_MESSAGE, bad);
    }
    for (const good of ['my-model', 'm1', 'a-b-c', '0x', 'x'.repeat(50)]) {
      assert.equal(slugMessage(good, []), undefined, good);
    }
  });

  it('names reserved slugs and the project’s own slugs before the server is asked', () => {
    assert.match(slugMessage('admin', [])!, /"admin" is reserved/);
    assert.match(
      slugMessage('captain', [deployment()])!,
      /"captain" is already used by one of this project's endpoints/,
    );
  });

  it('suggests a valid slug from a job or model name, or nothing', () => {
    assert.equal(suggestSlug('Captain Speak!'), 'captain-speak');
    assert.equal(suggestSlug('gemma-4-E4B-it'), 'gemma-4-e4b-it');
    assert.equal(suggestSlug('!!'), '');
    assert.equal(suggestSlug(`${'a'.repeat(49)}-b`).length <= 50, true);
    assert.equal(slugMessage(suggestSlug(`${'a'.repeat(49)} b`), []), undefined);
  });

  it('reads and writes run retention both ways, keeping a mode it does not know', () => {
    assert.deepEqual(retentionOf({ runRetentionMode: 'days', runRetentionDays: 30 }), {
      mode: 'days',
      days: 30,
    });
    assert.deepEqual(retentionOf({ runRetentionMode: 'disabled' }), { mode: 'disabled' });
    assert.equal(retentionOf({ runRetentionMode: 'weekly' }), undefined);
    assert.equal(retentionText({ runRetentionMode: 'weekly' }), 'runs: weekly');
    assert.equal(retentionText({ runRetentionMode: 'days', runRetentionDays: 1 }), 'runs kept 1 day');
    assert.equal(retentionText({}), 'runs: server default');
    assert.deepEqual(retentionFields({ mode: 'days', days: 9 }), {
      runRetentionMode: 'days',
      runRetentionDays: 9,
    });
    assert.deepEqual(retentionFields({ mode: 'unlimited' }), { runRetentionMode: 'unlimited' });
  });

  it('names the target after its job, and flags a job that is gone', () => {
    const jobs = new Map([['job-12345678-x', { name: 'captain-speak' }]]);
    const known = endpointSummary(deployment(), 'http://u', (id) => jobs.get(id), true);
    assert.equal(known.targetLabel, 'captain-speak · step 20');
    assert.equal(known.targetMissing, undefined);
    const gone = endpointSummary(deployment(), 'http://u', () => undefined, true);
    assert.equal(gone.targetLabel, 'job job-1234 · step 20');
    assert.equal(gone.targetMissing, true);
    // Before the job list has loaded, nothing is called missing.
    assert.equal(endpointSummary(deployment(), 'http://u', () => undefined, false).targetMissing, undefined);
  });

  it('offers completed jobs’ final adapters, checkpoints newest first, then base models', () => {
    const options = targetOptions(
      {
        jobs: () => [
          { id: 'a', name: 'done', status: 'completed' },
          { id: 'b', name: 'live', status: 'running' },
          { id: 'c', name: 'broken', status: 'failed' },
        ],
        checkpoints: (id) => (id === 'a' ? [{ step: 10 }, { step: 30 }] : id === 'b' ? [{ step: 5 }] : []),
        runLabel: () => undefined,
      },
      ['unsloth/gemma-4-E4B-it'],
    );
    assert.deepEqual(
      options.map((o) => o.label),
      [
        'done · final adapter',
        'done · step 30',
        'done · step 10',
        'live · step 5',
        'Base · unsloth/gemma-4-E4B-it',
      ],
    );
  });

  it('names jobs by their run label, as the Jobs view, tabs and Playground do, and slugs by name', () => {
    const store = {
      job: (id: string) => (id === 'job-12345678-x' ? { name: 'captain-speak' } : undefined),
      runLabel: (id: string) => (id === 'job-12345678-x' ? 'captain-speak #2' : undefined),
    };
    const summary = endpointSummary(deployment(), 'http://u', jobLookup(store), true);
    assert.equal(summary.targetLabel, 'captain-speak #2 · step 20');
    assert.deepEqual(jobLookup(store)('job-12345678-x'), {
      name: 'captain-speak',
      label: 'captain-speak #2',
    });
    const options = targetOptions(
      {
        jobs: () => [{ id: 'job-12345678-x', name: 'captain-speak', status: 'completed' }],
        checkpoints: () => [{ step: 20 }],
        runLabel: store.runLabel,
      },
      [],
    );
    assert.deepEqual(
      options.map((o) => [o.label, o.group]),
      [
        ['captain-speak #2 · final adapter', 'captain-speak #2'],
        ['captain-speak #2 · step 20', 'captain-speak #2'],
      ],
    );
  });
});
