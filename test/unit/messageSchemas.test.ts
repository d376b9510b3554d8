import * as assert from 'node:assert/strict';
import {
  endpointPanelMessage,
  jobPanelMessage,
  jobsViewMessage,
  parseMessage,
  playgroundMessage,
} from '../../src/vscode/messageSchemas';

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
    assert.deepEqual(parseMessage(jobsViewMessage, { type: 'details', jobIds: ['a', 'b'] }), {
      type: 'details',
      jobIds: ['a', 'b'],
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
      { type: 'details', jobIds: [] },
      { type: 'details', jobIds: [42] },
      { type: 'details', jobIds: Array.from({ length: 501 }, (_, i) => `j${i}`) },
    ]) {
      assert.equal(parseMessage(jobsViewMessage, bad), undefined, JSON.stringify(bad));
    }
  });

  it('accepts saved Playground conversations with and without the origins of their models', () => {
    const base = { kind: 'base', model: 'unsloth/gemma-4-E4B-it' };
    const origin = {
      backend: 'cloud',
      baseUrl: 'https://api.arkor.ai',
      orgSlug: 'acme',
      projectSlug: 'demo',
      label: 'Arkor Cloud',
    };
    const conversation = (column: object) => ({
      type: 'saveConversations',
      conversations: [
        {
          id: 'c',
          title: 't',
          updatedAt: 'now',
          systemPrompt: '',
          params: { temperature: 0.7, topP: 0.9, maxTokens: 64 },
          columns: [column],
        },
      ],
    });
    const older = conversation({
      model: base,
      turns: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    });
    assert.deepEqual(parseMessage(playgroundMessage, older), older);
    const recorded = conversation({
      model: base,
      label: 'Base',
      origin,
      turns: [{ role: 'assistant', content: 'a', model: { ref: base, label: 'Base', origin } }],
    });
    assert.deepEqual(parseMessage(playgroundMessage, recorded), recorded);
    assert.equal(
      parseMessage(
        playgroundMessage,
        conversation({ model: base, origin: { backend: 'mars', label: 'x' }, turns: [] }),
      ),
      undefined,
    );
    assert.deepEqual(parseMessage(playgroundMessage, { type: 'switchBackend', backend: 'local' }), {
      type: 'switchBackend',
      backend: 'local',
    });
    assert.equal(parseMessage(playgroundMessage, { type: 'switchBackend', backend: 'elsewhere' }), undefined);
  });

  it('accepts endpoint panel requests, trimming a key label', () => {
    assert.deepEqual(
      parseMessage(endpointPanelMessage, { type: 'issueKey', requestId: 'r1', label: '  prod  ' }),
      {
        type: 'issueKey',
        requestId: 'r1',
        label: 'prod',
      },
    );
    assert.deepEqual(
      parseMessage(endpointPanelMessage, {
        type: 'update',
        requestId: 'r2',
        patch: { retention: { mode: 'days', days: 30 } },
      }),
      { type: 'update', requestId: 'r2', patch: { retention: { mode: 'days', days: 30 } } },
    );
    assert.deepEqual(
      parseMessage(endpointPanelMessage, {
        type: 'update',
        requestId: 'r3',
        patch: { target: { kind: 'adapter', adapter: { kind: 'checkpoint', jobId: 'j', step: 20 } } },
      })?.type,
      'update',
    );
    assert.deepEqual(parseMessage(jobPanelMessage, { type: 'deploy', step: 20 }), {
      type: 'deploy',
      step: 20,
    });
    assert.deepEqual(parseMessage(jobPanelMessage, { type: 'moreRows' }), { type: 'moreRows' });
    assert.deepEqual(
      parseMessage(playgroundMessage, { type: 'deploy', model: { kind: 'final', jobId: 'j' } }),
      {
        type: 'deploy',
        model: { kind: 'final', jobId: 'j' },
      },
    );
  });

  it('rejects endpoint panel requests that break the rules', () => {
    for (const bad of [
      { type: 'issueKey', requestId: 'r', label: '   ' },
      { type: 'issueKey', requestId: 'r', label: 'x'.repeat(81) },
      { type: 'issueKey', label: 'prod' },
      { type: 'update', requestId: 'r', patch: {} },
      { type: 'update', requestId: 'r', patch: { retention: { mode: 'days' } } },
      { type: 'update', requestId: 'r', patch: { retention: { mode: 'days', days: 0 } } },
      { type: 'update', requestId: 'r', patch: { retention: { mode: 'days', days: 2.5 } } },
      { type: 'update', requestId: 'r', patch: { retention: { mode: 'weekly' } } },
      { type: 'update', requestId: 'r', patch: { authMode: 'password' } },
      { type: 'update', requestId: 'r', patch: { target: { kind: 'adapter', adapter: { kind: 'final' } } } },
      { type: 'revokeKey', requestId: 'r', keyId: '' },
      { type: 'copy', text: '', what: 'URL' },
      // The secret never comes back from the webview: copying the issued key names no text.
      { type: 'copyIssuedKey', text: 'ark_live_x' },
    ]) {
      const parsed = parseMessage(endpointPanelMessage, bad);
      if (bad.type === 'copyIssuedKey') assert.deepEqual(parsed, { type: 'copyIssuedKey' });
      else assert.equal(parsed, undefined, JSON.stringify(bad));
    }
  });
});
