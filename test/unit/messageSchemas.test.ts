import * as assert from 'node:assert/strict';
import { jobsViewMessage, parseMessage, playgroundMessage } from '../../src/vscode/messageSchemas';

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
});
