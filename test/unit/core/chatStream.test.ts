import assert from 'node:assert/strict';
import { type ArkorApiClient, ArkorApiError, parseChatChunk } from '../../../src/core';
import { delay, startSse, type TestServer, waitFor, write } from '../helpers/testServer';
import { listeningWithClient } from '../helpers/testServerClient';

const TOKEN = 'tok_chat_0123456789';
const scope = { orgSlug: 'acme', projectSlug: 'demo' };
const PATH = '/v1/inference/chat';
const chunk = (content: string, extra: object = {}) =>
  `data: ${JSON.stringify({ choices: [{ delta: { content }, ...extra }] })}\n\n`;

describe('chat inference stream', () => {
  let server: TestServer;
  let client: ArkorApiClient;

  beforeEach(async () => ({ server, client } = await listeningWithClient(TOKEN)));
  afterEach(() => server.close());

  it('streams OpenAI chunks until [DONE] and sends the documented body', async () => {
    server.on('POST', PATH, async ({ res }) => {
      startSse(res);
      await write(res, `data: ${JSON.stringify({ choices: [{ delta: { role: 'assistant' } }] })}\n\n`);
      await write(res, chunk('Hello'));
      await write(res, chunk(' from'));
      await write(res, chunk(' e2e', { finish_reason: null }));
      await write(res, `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\n`);
      await write(res, 'data: [DONE]\n\n');
      // Stays open: [DONE] alone must end the call.
    });
    const deltas: string[] = [];
    const result = await client.streamChat(
      scope,
      {
        adapter: { kind: 'checkpoint', jobId: 'j1', step: 50 },
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'hi from e2e' }],
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 64,
      },
      { onDelta: (d) => deltas.push(d) },
    );
    assert.deepEqual(deltas, ['Hello', ' from', ' e2e']);
    assert.equal(result.text, 'Hello from e2e');
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.aborted, false);
    assert.equal(result.tokens, 3);
    const req = server.requestsTo(PATH)[0];
    assert.deepEqual(JSON.parse(req?.body ?? ''), {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi from e2e' },
      ],
      stream: true,
      adapter: { kind: 'checkpoint', jobId: 'j1', step: 50 },
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 64,
    });
    assert.equal(req?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req?.headers['x-arkor-client'], 'arkor/0.0.3-alpha.1');
    assert.equal(req?.query.get('orgSlug'), 'acme');
    assert.equal(req?.query.get('projectSlug'), 'demo');
    await waitFor(() => server.aborted.length === 1, 1000, 'connection closed after [DONE]');
  });

  it('applies the fallbacks: content, text, bare string, raw text; ignores ping and usage-only frames; stops at end', async () => {
    server.on('POST', PATH, ({ res }) => {
      startSse(res);
      res.write('event: ping\ndata:\n\n');
      res.write(`data: ${JSON.stringify({ content: 'A' })}\n\n`);
      res.write(`data: ${JSON.stringify({ text: 'B' })}\n\n`);
      res.write(`data: ${JSON.stringify('C')}\n\n`);
      res.write('data: D raw\n\n');
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { tool_calls: [{ id: 't' }] } }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ usage: { prompt_tokens: 3, completion_tokens: 17 } })}\n\n`);
      res.write(': comment\n\n');
      res.write('event: end\ndata:\n\n');
      res.write(chunk('never'));
    });
    const deltas: string[] = [];
    const result = await client.streamChat(
      scope,
      { baseModel: 'unsloth/gemma-4-E4B-it', messages: [{ role: 'user', content: 'x' }] },
      { onDelta: (d) => deltas.push(d) },
    );
    assert.deepEqual(deltas, ['A', 'B', 'C', 'D raw']);
    assert.equal(result.tokens, 17, 'usage.completion_tokens wins over the chunk count');
    assert.deepEqual(result.usage, { prompt_tokens: 3, completion_tokens: 17 });
    assert.equal(JSON.parse(server.requests[0]?.body ?? '').baseModel, 'unsloth/gemma-4-E4B-it');
  });

  it('ends at EOF when the server sends neither [DONE] nor end', async () => {
    server.on('POST', PATH, ({ res }) => {
      startSse(res);
      res.end(chunk('only'));
    });
    const result = await client.streamChat(scope, { baseModel: 'm', messages: [] });
    assert.equal(result.text, 'only');
    assert.equal(result.tokensPerSecond, undefined, 'one token has no decode window');
  });

  it('abort stops the server-side request at once and keeps the partial text', async () => {
    let closedAt = 0;
    server.on('POST', PATH, async ({ res }) => {
      res.on('close', () => {
        closedAt = Date.now();
      });
      startSse(res);
      for (let i = 0; !res.destroyed && i < 1000; i++) {
        await write(res, chunk(`t${i} `));
        await delay(20);
      }
    });
    const controller = new AbortController();
    const deltas: string[] = [];
    let abortedAt = 0;
    const result = await client.streamChat(
      scope,
      { baseModel: 'm', messages: [{ role: 'user', content: 'go' }] },
      {
        signal: controller.signal,
        onDelta: (d) => {
          deltas.push(d);
          if (deltas.length === 3) {
            abortedAt = Date.now();
            controller.abort();
          }
        },
      },
    );
    assert.equal(result.aborted, true);
    assert.equal(result.text, 't0 t1 t2 ');
    await waitFor(() => closedAt > 0, 1000, 'server seeing the socket close');
    assert.ok(closedAt - abortedAt < 200, `socket closed ${closedAt - abortedAt} ms after abort`);
    assert.equal(server.aborted.length, 1);
  });

  it('reports sane time to first token and tokens per second', async () => {
    server.on('POST', PATH, async ({ res }) => {
      startSse(res);
      await delay(120);
      for (let i = 0; i < 11; i++) {
        await write(res, chunk('x'));
        if (i < 10) await delay(20);
      }
      await delay(100); // after the last token: must not count in the decode window
      res.end('data: [DONE]\n\n');
    });
    const result = await client.streamChat(scope, { baseModel: 'm', messages: [] });
    assert.equal(result.tokens, 11);
    assert.ok(
      result.timeToFirstTokenMs !== undefined && result.timeToFirstTokenMs >= 110,
      String(result.timeToFirstTokenMs),
    );
    assert.ok(result.timeToFirstTokenMs < 600, String(result.timeToFirstTokenMs));
    // 10 intervals of ~20 ms: ~50 tokens/s; timers only ever run late, so expect at most 50 and not far below.
    assert.ok(result.tokensPerSecond !== undefined, 'tps defined');
    assert.ok(result.tokensPerSecond > 20 && result.tokensPerSecond <= 52, String(result.tokensPerSecond));
    assert.ok(result.totalMs >= result.timeToFirstTokenMs + 290);
  });

  it('maps errors to typed errors and does not retry', async () => {
    server.json('POST', PATH, 400, { error: 'tool_calling_not_configured' });
    const err = await client.streamChat(scope, { baseModel: 'm', messages: [] }).catch((e: unknown) => e);
    assert.ok(err instanceof ArkorApiError);
    assert.equal(err.kind, 'bad-request');
    assert.match(err.message, /tool_calling_not_configured/);
    assert.equal(server.requests.length, 1);
  });

  it('rejects a request naming both or neither model source without calling the server', async () => {
    await assert.rejects(
      client.streamChat(scope, { messages: [] } as never),
      (e: unknown) => e instanceof ArkorApiError && e.kind === 'bad-request',
    );
    assert.equal(server.requests.length, 0);
  });
});

describe('parseChatChunk', () => {
  it('follows the documented order and captures finish_reason', () => {
    assert.equal(parseChatChunk('{"choices":[{"delta":{"content":"a"}}],"content":"b"}').text, 'a');
    assert.equal(parseChatChunk('{"choices":[{"delta":{}}],"content":"b","text":"c"}').text, 'b');
    assert.equal(parseChatChunk('{"text":"c"}').text, 'c');
    assert.equal(parseChatChunk('"d"').text, 'd');
    assert.equal(parseChatChunk('not json').text, 'not json');
    assert.equal(parseChatChunk('{"usage":{"completion_tokens":4}}').text, undefined);
    assert.equal(parseChatChunk('{"usage":{"completion_tokens":4}}').completionTokens, 4);
    assert.equal(parseChatChunk('42').text, undefined);
    assert.equal(
      parseChatChunk('{"choices":[{"delta":{},"finish_reason":"length"}]}').finishReason,
      'length',
    );
  });
});
