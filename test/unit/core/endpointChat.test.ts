import assert from 'node:assert/strict';
import { ArkorApiError, streamEndpointChat } from '../../../src/core';
import { startSse, TestServer, write } from '../helpers/testServer';

const KEY = 'ark_live_test_0123456789';
const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;

/** Try in Playground chats through the endpoint's own OpenAI URL, as any OpenAI client would. */
describe('chat through an endpoint URL', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = new TestServer();
    await server.listen();
  });
  afterEach(() => server.close());

  const target = (apiKey?: string) => ({
    baseUrl: `${server.url}/captain/v1`,
    slug: 'captain',
    apiKey,
    clientVersion: 'arkor/0.0.3-alpha.1',
  });

  it('posts OpenAI’s body with the key as a bearer token and streams the reply', async () => {
    server.on('POST', '/captain/v1/chat/completions', async ({ res }) => {
      startSse(res);
      await write(res, chunk('Ahoy'));
      await write(res, chunk(', matey'));
      await write(res, 'data: [DONE]\n\n');
    });
    const deltas: string[] = [];
    const result = await streamEndpointChat(
      target(KEY),
      { messages: [{ role: 'user', content: 'Hello!' }], system: 'Be a pirate.', topP: 0.9, maxTokens: 64 },
      { onDelta: (t) => deltas.push(t) },
    );
    assert.equal(result.text, 'Ahoy, matey');
    assert.deepEqual(deltas, ['Ahoy', ', matey']);
    const [req] = server.requestsTo('/captain/v1/chat/completions');
    assert.equal(req!.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(JSON.parse(req!.body), {
      model: 'ignored',
      messages: [
        { role: 'system', content: 'Be a pirate.' },
        { role: 'user', content: 'Hello!' },
      ],
      stream: true,
      top_p: 0.9,
      max_tokens: 64,
    });
  });

  it('says the endpoint refused the key (OpenAI error shape), without the key in the message', async () => {
    server.on('POST', '/captain/v1/chat/completions', ({ res }) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Invalid API key.', type: 'invalid_request_error' } }));
    });
    await assert.rejects(
      streamEndpointChat(target('ark_live_wrong_key_000'), { messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) => {
        assert.ok(e instanceof ArkorApiError);
        assert.equal(e.kind, 'auth');
        assert.match(e.message, /Endpoint captain refused the API key \(HTTP 401: Invalid API key\.\)/);
        assert.ok(!e.message.includes('ark_live_wrong_key_000'));
        return true;
      },
    );
  });

  it('says a disabled or deleted endpoint does not answer', async () => {
    server.on('POST', '/captain/v1/chat/completions', ({ res }) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Endpoint not found.' } }));
    });
    await assert.rejects(
      streamEndpointChat(target(), { messages: [{ role: 'user', content: 'hi' }] }),
      /disabled or was deleted/,
    );
    assert.equal(server.requestsTo('/captain/v1/chat/completions')[0]!.headers.authorization, undefined);
  });
});
