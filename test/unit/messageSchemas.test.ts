import * as assert from 'node:assert/strict';
import { jobsViewMessage, parseMessage } from '../../src/vscode/messageSchemas';

describe('webview message validation', () => {
  it('accepts well-formed jobs view messages', () => {
    assert.deepEqual(parseMessage(jobsViewMessage, { type: 'openJob', jobId: 'abc' }), {
      type: 'openJob',
      jobId: 'abc',
    });
    assert.deepEqual(parseMessage(jobsViewMessage, { type: 'openPlayground', jobId: 'abc', step: 20 }), {
      type: 'openPlayground',
      jobId: 'abc',
      step: 20,
    });
  });

  it('rejects unknown types, missing fields and wrong field types', () => {
    for (const bad of [
      null,
      'ready',
      { type: 'deleteEverything' },
      { type: 'openJob' },
      { type: 'openJob', jobId: 42 },
      { type: 'openJob', jobId: '' },
      { type: 'openPlayground', step: -1 },
      { type: 'openPlayground', step: 1.5 },
    ]) {
      assert.equal(parseMessage(jobsViewMessage, bad), undefined, JSON.stringify(bad));
    }
  });
});
