import * as assert from 'node:assert/strict';
import { act, cleanup, fireEvent, render } from '@testing-library/preact';
import type {
  Conversation,
  HostToPlayground,
  JobOrigin,
  ModelOption,
  ModelRef,
  PlaygroundToHost,
} from '../../src/protocol';
import { PlaygroundApp, type PlaygroundUiState } from '../../webview-ui/playground/PlaygroundApp';
import { FakeHost } from './fakeChannel';

type Host = FakeHost<HostToPlayground, PlaygroundToHost>;
type ChatMsg = Extract<PlaygroundToHost, { type: 'chat' }>;

const BASE: ModelRef = { kind: 'base', model: 'unsloth/gemma-4-E4B-it' };
const FINAL: ModelRef = { kind: 'final', jobId: 'job-1' };
const CKPT: ModelRef = { kind: 'checkpoint', jobId: 'job-2', step: 40 };
const MODELS: ModelOption[] = [
  { ref: BASE, label: 'Base · unsloth/gemma-4-E4B-it', group: 'Base models' },
  { ref: FINAL, label: 'captain-speak · final', group: 'captain-speak' },
  { ref: CKPT, label: 'pirate · step 40', group: 'pirate', live: true },
];
const PARAMS = { temperature: 0.7, topP: 0.95, maxTokens: 1024 };
const NOW = '2025-01-02T03:04:05.000Z';

function ids() {
  let n = 0;
  return () => `id-${++n}`;
}

async function setup(
  options: {
    conversations?: Conversation[];
    preselect?: ModelRef;
    uiState?: PlaygroundUiState;
    models?: ModelOption[];
    origin?: JobOrigin;
    loading?: boolean;
  } = {},
) {
  const host: Host = new FakeHost();
  if (options.uiState) host.setState(options.uiState);
  const view = render(<PlaygroundApp channel={host} newId={ids()} now={() => NOW} />);
  assert.deepEqual(host.posted[0], { type: 'ready' });
  await run(() =>
    host.send({
      type: 'snapshot',
      models: options.models ?? MODELS,
      conversations: options.conversations ?? [],
      preselect: options.preselect,
      origin: options.origin,
      loading: options.loading,
    }),
  );
  const composer = () => view.getByTestId('composer') as HTMLTextAreaElement;
  const type = async (text: string) => {
    await run(() => fireEvent.input(composer(), { target: { value: text } }));
  };
  const send = async (text: string) => {
    await type(text);
    await run(() => fireEvent.click(view.getByTestId('send')));
  };
  const chats = () => host.posted.filter((m): m is ChatMsg => m.type === 'chat');
  const deliver = async (m: HostToPlayground) => run(() => host.send(m));
  const assistants = () => view.queryAllByTestId('assistant-message');
  return { host, view, composer, type, send, chats, deliver, assistants };
}

/** act() for a callback whose result is not a promise (fireEvent returns a boolean). */
const run = (fn: () => unknown) =>
  act(() => {
    fn();
  });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('Playground app', () => {
  afterEach(cleanup);

  it("says next to the picker when the chosen model is the local backend's stand-in, and only then", async () => {
    const note =
      'Local backend: replies come from a tiny 118k-parameter stand-in model trained on your CPU, not unsloth/gemma-4-E4B-it; expect gibberish-like text.';
    const models: ModelOption[] = [
      { ref: BASE, label: 'Base · unsloth/gemma-4-E4B-it', group: 'Base models', standIn: note },
      { ref: FINAL, label: 'captain-speak #2 · final', group: 'captain-speak #2', standIn: note },
      { ref: CKPT, label: 'captain-speak #1 · step 40', group: 'captain-speak #1' },
    ];
    const { view } = await setup({ models, preselect: FINAL });
    const picker = view.getByTestId('model-picker') as HTMLSelectElement;
    assert.equal(view.getByTestId('stand-in-note').textContent, note);
    assert.equal(picker.parentElement, view.getByTestId('stand-in-note').parentElement, 'beside the picker');
    await run(() => fireEvent.change(picker, { target: { value: picker.options[2]!.value } }));
    assert.equal(view.queryByTestId('stand-in-note'), null, 'a real model gets no such note');
  });

  it('sends a chat with the selected model, streams the reply and shows its figures', async () => {
    const { host, view, send, chats, deliver, assistants } = await setup({ preselect: FINAL });
    assert.equal((view.getByTestId('model-picker') as HTMLSelectElement).value, 'final:job-1');
    // Grouped options: one optgroup per group.
    assert.deepEqual(
      [...view.getByTestId('model-picker').querySelectorAll('optgroup')].map((g) => g.label),
      ['Base models', 'captain-speak', 'pirate'],
    );
    await send('Hello there');
    assert.deepEqual(chats(), [
      {
        type: 'chat',
        requestId: 'id-2',
        model: FINAL,
        systemPrompt: '',
        messages: [{ role: 'user', content: 'Hello there' }],
        params: PARAMS,
      },
    ]);
    assert.equal(view.getByTestId('composer').textContent, '');
    assert.equal((view.getByTestId('composer') as HTMLTextAreaElement).value, '');
    assert.equal(assistants()[0]?.getAttribute('data-streaming'), 'true');
    assert.ok(view.getByTestId('stop'));
    assert.equal(view.queryByTestId('send'), null);

    await deliver({ type: 'chatDelta', requestId: 'id-2', text: 'Ahoy **mat' });
    await deliver({ type: 'chatDelta', requestId: 'id-2', text: 'ey**!' });
    await deliver({ type: 'chatDelta', requestId: 'other', text: 'IGNORED' });
    await deliver({
      type: 'chatDone',
      requestId: 'id-2',
      stats: { ttftMs: 420, tokensPerSecond: 38.25, tokens: 12, finishReason: 'stop' },
    });
    const reply = assistants()[0]!;
    assert.equal(reply.getAttribute('data-streaming'), 'false');
    assert.equal(reply.querySelector('strong')?.textContent, 'matey');
    assert.ok(!reply.textContent?.includes('IGNORED'));
    assert.equal(
      view.getByTestId('reply-stats').textContent,
      'TTFT 420 ms · 38.3 tok/s · 12 tokens · finish: stop',
    );
    assert.ok(view.getByTestId('send'));

    // The completed turn is saved at once (no timer a closing tab could cancel), in the protocol's shape.
    const saves = host.posted.filter((m) => m.type === 'saveConversations');
    assert.equal(saves.length, 1);
    assert.deepEqual(saves[0], {
      type: 'saveConversations',
      conversations: [
        {
          id: 'id-1',
          title: 'Hello there',
          updatedAt: NOW,
          systemPrompt: '',
          params: PARAMS,
          columns: [
            {
              model: FINAL,
              label: 'captain-speak · final',
              turns: [
                { role: 'user', content: 'Hello there' },
                {
                  role: 'assistant',
                  content: 'Ahoy **matey**!',
                  stats: { ttftMs: 420, tokensPerSecond: 38.25, tokens: 12, finishReason: 'stop' },
                  model: { ref: FINAL, label: 'captain-speak · final' },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('never offers sampling settings the backend rejects (top-p 0, more than 4096 tokens)', async () => {
    const { view, send, chats } = await setup({ preselect: FINAL });
    const topP = view.getByTestId('top-p') as HTMLInputElement;
    assert.equal(Number(topP.min), 0.01, 'top-p cannot be dragged to 0');
    const maxTokens = view.getByTestId('max-tokens') as HTMLInputElement;
    assert.equal(Number(maxTokens.max), 4096);
    await run(() => fireEvent.change(maxTokens, { target: { value: '100000' } }));
    await send('hi');
    assert.equal(
      chats().at(-1)?.params.maxTokens,
      4096,
      'an over-large entry is capped at what the backend takes',
    );
  });

  it('streams chunks split mid-word and mid-markdown into the same DOM as the unsplit reply', async () => {
    const reply = 'Here is **bold** text.\n\n```js\nconst a = `x`;\n```\n\n- one\n- *two*\n\nDone.';
    const stream = async (chunks: string[]) => {
      const t = await setup();
      await t.send('q');
      for (const text of chunks) await t.deliver({ type: 'chatDelta', requestId: 'id-2', text });
      await t.deliver({ type: 'chatDone', requestId: 'id-2', stats: {} });
      const html = t.assistants()[0]!.querySelector('.md')!.outerHTML;
      cleanup();
      return html;
    };
    const whole = await stream([reply]);
    const chunked = await stream([
      'Here is **bo',
      'ld** te',
      'xt.\n\n``',
      '`js\nconst a = `',
      'x`;\n`',
      '``\n\n- o',
      'ne\n- *tw',
      'o*\n\nDo',
      'ne.',
    ]);
    assert.equal(chunked, whole);
    assert.ok(whole.includes('<strong>bold</strong>'));
    assert.ok(whole.includes('<em>two</em>'));
    assert.ok(whole.includes('<code>const a = `x`;</code>'));
  });

  it('Stop posts stop with the requestId, leaves streaming at once and ignores later deltas', async () => {
    const { host, view, send, deliver, assistants } = await setup();
    await send('Tell me a long story');
    await deliver({ type: 'chatDelta', requestId: 'id-2', text: 'Once upon' });
    const before = host.posted.length;
    await run(() => fireEvent.click(view.getByTestId('stop')));
    // Stop goes first; the stopped turn is then saved at once.
    assert.deepEqual(
      host.posted.slice(before).map((m) => m.type),
      ['stop', 'saveConversations'],
    );
    assert.deepEqual(host.posted[before], { type: 'stop', requestId: 'id-2' });
    assert.equal(assistants()[0]!.getAttribute('data-streaming'), 'false');
    assert.ok(view.getByTestId('send'), 'the composer is usable again');
    await deliver({ type: 'chatDelta', requestId: 'id-2', text: ' a time' });
    await deliver({ type: 'chatDone', requestId: 'id-2', stats: { tokens: 99 } });
    assert.equal(assistants()[0]!.querySelector('.md')!.textContent, 'Once upon');
    assert.equal(view.getByTestId('reply-stats').textContent, 'Stopped');
  });

  it('Regenerate re-sends the last user turn with a new requestId and replaces the reply', async () => {
    const { view, send, chats, deliver, assistants } = await setup();
    await send('First');
    await deliver({ type: 'chatDelta', requestId: 'id-2', text: 'Reply one' });
    await deliver({ type: 'chatDone', requestId: 'id-2', stats: {} });
    await send('Second');
    await deliver({ type: 'chatDelta', requestId: 'id-3', text: 'Reply two' });
    await deliver({ type: 'chatDone', requestId: 'id-3', stats: {} });
    assert.equal(view.getAllByTestId('regenerate').length, 1, 'only the last reply can be regenerated');

    await run(() => fireEvent.click(view.getByTestId('regenerate')));
    const [, second, third] = chats();
    assert.equal(third?.requestId, 'id-4');
    assert.deepEqual(third?.messages, second?.messages);
    assert.deepEqual(third?.messages, [
      { role: 'user', content: 'First' },
      { role: 'assistant', content: 'Reply one' },
      { role: 'user', content: 'Second' },
    ]);
    assert.equal(assistants().length, 2);
    assert.equal(assistants()[1]!.getAttribute('data-streaming'), 'true');
    await deliver({ type: 'chatDelta', requestId: 'id-4', text: 'Reply three' });
    await deliver({ type: 'chatDone', requestId: 'id-4', stats: {} });
    assert.deepEqual(
      assistants().map((a) => a.querySelector('.md')!.textContent),
      ['Reply one', 'Reply three'],
    );
  });

  it('renders HTML in a reply inert: no img or script elements, the text visible', async () => {
    const { view, send, deliver, assistants } = await setup();
    await send('x');
    await deliver({ type: 'chatDelta', requestId: 'id-2', text: '<img src=x onerror=alert(1)>' });
    await deliver({ type: 'chatDelta', requestId: 'id-2', text: ' <script>alert(1)</script>' });
    await deliver({ type: 'chatDone', requestId: 'id-2', stats: {} });
    assert.equal(view.container.querySelector('img'), null);
    assert.equal(view.container.querySelector('script'), null);
    assert.equal(
      assistants()[0]!.querySelector('.md')!.textContent,
      '<img src=x onerror=alert(1)> <script>alert(1)</script>',
    );
  });

  it('Enter sends, Shift+Enter and IME composition do not', async () => {
    const { view, type, chats, composer } = await setup();
    await type('line one');
    await run(() => fireEvent.keyDown(composer(), { key: 'Enter', shiftKey: true }));
    await run(() => fireEvent.keyDown(composer(), { key: 'Enter', isComposing: true }));
    await run(() => fireEvent.keyDown(composer(), { key: 'Enter', keyCode: 229 }));
    // Between compositionstart and compositionend (Safari reports isComposing false there).
    const Composition = (window as unknown as { CompositionEvent: typeof CompositionEvent }).CompositionEvent;
    await run(() => composer().dispatchEvent(new Composition('compositionstart', { bubbles: true })));
    await run(() => fireEvent.keyDown(composer(), { key: 'Enter' }));
    await run(() => composer().dispatchEvent(new Composition('compositionend', { bubbles: true })));
    assert.equal(chats().length, 0);
    const shift = new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, cancelable: true });
    composer().dispatchEvent(shift);
    assert.equal(shift.defaultPrevented, false, 'Shift+Enter keeps the newline');

    await type('line one\nline two');
    await run(() => fireEvent.keyDown(composer(), { key: 'Enter' }));
    assert.equal(chats().length, 1);
    assert.deepEqual(chats()[0]!.messages, [{ role: 'user', content: 'line one\nline two' }]);
    // Enter while a reply streams does not double-submit.
    await type('again');
    await run(() => fireEvent.keyDown(composer(), { key: 'Enter' }));
    assert.equal(chats().length, 1);
    assert.ok(view.getByTestId('stop'));
  });

  it('shows a chatError inline with its action and keeps the conversation usable', async () => {
    const { view, send, deliver, assistants, chats } = await setup();
    await send('hi');
    await deliver({ type: 'chatError', requestId: 'id-2', message: 'Not signed in', action: 'Sign in' });
    const error = view.getByTestId('chat-error');
    assert.ok(assistants()[0]!.contains(error));
    assert.ok(error.textContent?.includes('Not signed in'));
    assert.ok(error.textContent?.includes('Sign in'));
    assert.equal(assistants()[0]!.getAttribute('data-streaming'), 'false');
    // The failed exchange is not sent as history next time.
    await send('hello again');
    assert.deepEqual(chats()[1]!.messages, [{ role: 'user', content: 'hello again' }]);
  });

  it('compare mode sends one chat per column with the same prompt and different models', async () => {
    const { view, send, chats, deliver, assistants } = await setup();
    await run(() => fireEvent.click(view.getByTestId('compare-toggle')));
    assert.equal(view.queryByTestId('model-picker'), null);
    const p0 = view.getByTestId('model-picker-0') as HTMLSelectElement;
    const p1 = view.getByTestId('model-picker-1') as HTMLSelectElement;
    assert.equal(p0.value, 'base:unsloth/gemma-4-E4B-it');
    assert.notEqual(p1.value, p0.value, 'the second column defaults to another model');
    await run(() => fireEvent.change(p1, { target: { value: 'checkpoint:job-2:40' } }));
    await send('Compare me');
    const [a, b] = chats();
    assert.equal(chats().length, 2);
    assert.deepEqual(a?.model, BASE);
    assert.deepEqual(b?.model, CKPT);
    assert.notEqual(a?.requestId, b?.requestId);
    assert.deepEqual(a?.messages, [{ role: 'user', content: 'Compare me' }]);
    assert.deepEqual(b?.messages, a?.messages);

    // Deltas go to their own column; each has its own figures.
    await deliver({ type: 'chatDelta', requestId: b!.requestId, text: 'adapter says' });
    await deliver({ type: 'chatDelta', requestId: a!.requestId, text: 'base says' });
    await deliver({ type: 'chatDone', requestId: a!.requestId, stats: { tokensPerSecond: 10 } });
    assert.deepEqual(
      assistants().map((x) => x.getAttribute('data-streaming')),
      ['false', 'true'],
    );
    await deliver({ type: 'chatDone', requestId: b!.requestId, stats: { tokensPerSecond: 20 } });
    assert.deepEqual(
      assistants().map((x) => x.querySelector('.md')!.textContent),
      ['base says', 'adapter says'],
    );
    assert.deepEqual(
      view.getAllByTestId('reply-stats').map((s) => s.textContent),
      ['10.0 tok/s', '20.0 tok/s'],
    );
  });

  it('a reply keeps the model that wrote it: changing the model, then Compare, copies nothing', async () => {
    const { view, send, chats, deliver, assistants } = await setup();
    const models = () => view.getAllByTestId('reply-model').map((m) => m.textContent);
    await send('Who are you?');
    await deliver({ type: 'chatDelta', requestId: 'id-2', text: 'I am the base.' });
    await deliver({
      type: 'chatDone',
      requestId: 'id-2',
      stats: { ttftMs: 100, tokensPerSecond: 12, tokens: 5, finishReason: 'stop' },
    });
    assert.deepEqual(models(), ['Base · unsloth/gemma-4-E4B-it']);

    // The user picks the adapter for the left column, then turns Compare on.
    await run(() => fireEvent.change(view.getByTestId('model-picker'), { target: { value: 'final:job-1' } }));
    assert.deepEqual(models(), ['Base · unsloth/gemma-4-E4B-it'], 'the old reply still names its model');
    await run(() => fireEvent.click(view.getByTestId('compare-toggle')));
    const p0 = view.getByTestId('model-picker-0') as HTMLSelectElement;
    const p1 = view.getByTestId('model-picker-1') as HTMLSelectElement;
    assert.equal(p0.value, 'final:job-1');
    assert.equal(p1.value, 'base:unsloth/gemma-4-E4B-it');
    // The right column shows no reply it did not write (before: the left reply, stats and all).
    assert.equal(assistants().length, 1, 'one reply on screen, in the left column');
    assert.equal(view.getAllByTestId('reply-stats').length, 1);
    const right = view.getByLabelText('Column 2');
    assert.equal(right.querySelectorAll('[data-testid=assistant-message]').length, 0);
    assert.match(right.textContent ?? '', /from the next prompt/);

    await send('And now?');
    const [, left, second] = chats();
    assert.deepEqual(left?.model, FINAL);
    assert.deepEqual(second?.model, BASE);
    // The left column keeps its history; the right one starts with the new prompt alone.
    assert.deepEqual(left?.messages, [
      { role: 'user', content: 'Who are you?' },
      { role: 'assistant', content: 'I am the base.' },
      { role: 'user', content: 'And now?' },
    ]);
    assert.deepEqual(second?.messages, [{ role: 'user', content: 'And now?' }]);
    await deliver({ type: 'chatDelta', requestId: left!.requestId, text: 'Arr, the adapter.' });
    await deliver({
      type: 'chatDone',
      requestId: left!.requestId,
      stats: { tokens: 3, finishReason: 'stop' },
    });
    await deliver({ type: 'chatDelta', requestId: second!.requestId, text: 'Plain base again.' });
    await deliver({
      type: 'chatDone',
      requestId: second!.requestId,
      stats: { tokens: 4, finishReason: 'stop' },
    });
    assert.deepEqual(models(), [
      'Base · unsloth/gemma-4-E4B-it',
      'captain-speak · final',
      'Base · unsloth/gemma-4-E4B-it',
    ]);
    assert.deepEqual(
      assistants().map((a) => a.querySelector('.md')!.textContent),
      ['I am the base.', 'Arr, the adapter.', 'Plain base again.'],
    );
  });

  it('exports as training data only complete replies, each line from one model, and says what it left out', async () => {
    const { host, view, send, chats, deliver } = await setup();
    await send('One');
    await deliver({ type: 'chatDelta', requestId: 'id-2', text: 'Base one.' });
    await deliver({ type: 'chatDone', requestId: 'id-2', stats: { finishReason: 'stop' } });
    await send('Two');
    await deliver({ type: 'chatDelta', requestId: 'id-3', text: 'Cut off mid' });
    await deliver({ type: 'chatDone', requestId: 'id-3', stats: { finishReason: 'length' } });
    await run(() => fireEvent.change(view.getByTestId('model-picker'), { target: { value: 'final:job-1' } }));
    await send('Three');
    await deliver({ type: 'chatDelta', requestId: 'id-4', text: 'Adapter three.' });
    await deliver({ type: 'chatDone', requestId: 'id-4', stats: { finishReason: 'stop' } });
    await send('Four');
    await deliver({ type: 'chatDelta', requestId: 'id-5', text: 'Adapter fo' });
    await run(() => fireEvent.click(view.getByTestId('stop')));
    await send('Five');
    await deliver({ type: 'chatError', requestId: 'id-6', message: 'Backend down' });
    await send('Six');
    await deliver({ type: 'chatDelta', requestId: 'id-7', text: 'Adapter six.' });
    await deliver({ type: 'chatDone', requestId: 'id-7', stats: {} });
    assert.equal(chats().length, 6);

    await run(() => fireEvent.click(view.getByTestId('export-jsonl')));
    const line = (model: string, ...turns: [string, string][]) =>
      `${JSON.stringify({
        messages: turns.flatMap(([q, a]) => [
          { role: 'user', content: q },
          { role: 'assistant', content: a },
        ]),
        model,
      })}\n`;
    assert.deepEqual(host.posted.at(-1), {
      type: 'export',
      format: 'jsonl',
      suggestedName: 'one.jsonl',
      // A line holds the context its replies were written in: a reply left out that the model saw
      // (the cut-off one, the stopped one) ends the line; a failed one, never sent again, does not.
      content:
        line('Base · unsloth/gemma-4-E4B-it', ['One', 'Base one.']) +
        line('captain-speak · final', ['Three', 'Adapter three.']) +
        line('captain-speak · final', ['Six', 'Adapter six.']),
      note: '3 replies left out: 1 stopped, 1 cut off at the token limit, 1 failed.',
    });
  });

  describe('a conversation belongs to the backend its model came from', () => {
    const LOCAL: JobOrigin = { backend: 'local', label: 'the local backend' };
    const CLOUD: JobOrigin = {
      backend: 'cloud',
      baseUrl: 'https://api.arkor.ai',
      orgSlug: 'acme',
      projectSlug: 'demo',
      label: 'Arkor Cloud (acme/demo on api.arkor.ai)',
    };
    const LOCAL_MODELS: ModelOption[] = [
      MODELS[0]!,
      { ref: { kind: 'final', jobId: 'local-7' }, label: 'pirate-talk · final', group: 'pirate-talk' },
    ];
    const cloudChat: Conversation = {
      id: 'c-cloud',
      title: 'Cloud chat',
      updatedAt: '2025-01-01T00:00:00.000Z',
      systemPrompt: '',
      params: PARAMS,
      columns: [
        {
          model: FINAL,
          label: 'captain-speak · final',
          origin: CLOUD,
          turns: [
            { role: 'user', content: 'Ahoy?' },
            {
              role: 'assistant',
              content: 'Ahoy from the cloud.',
              stats: { finishReason: 'stop' },
              model: { ref: FINAL, label: 'captain-speak · final', origin: CLOUD },
            },
          ],
        },
      ],
    };
    const banner = (view: ReturnType<typeof render>) => view.queryByTestId('playground-elsewhere');

    it('on another backend says where its model is, offers to switch, and sends nothing', async () => {
      const { host, view, type, chats } = await setup({
        conversations: [cloudChat],
        uiState: { currentId: 'c-cloud' },
        models: LOCAL_MODELS,
        origin: LOCAL,
      });
      assert.equal(
        banner(view)?.querySelector('p')?.textContent,
        "This conversation's model ‘captain-speak · final’ is on Arkor Cloud (acme/demo on api.arkor.ai). " +
          'You are connected to the local backend: switch back to go on with it, or pick a model of this backend above its column.',
      );
      // The picker lists this backend's models, and shows the column's as the other backend's.
      const picker = view.getByTestId('model-picker') as HTMLSelectElement;
      assert.equal(
        picker.selectedOptions[0]?.textContent,
        'captain-speak · final · on Arkor Cloud (acme/demo on api.arkor.ai)',
      );
      assert.deepEqual(
        [...picker.querySelectorAll('optgroup option')].map((o) => o.textContent),
        ['Base · unsloth/gemma-4-E4B-it', 'pirate-talk · final'],
      );
      await type('Still there?');
      assert.ok(view.getByTestId('send').hasAttribute('disabled'), 'Send is disabled');
      await run(() => fireEvent.keyDown(view.getByTestId('composer'), { key: 'Enter' }));
      assert.equal(chats().length, 0, 'no chat goes to a backend without the model');
      assert.equal(view.queryByTestId('regenerate'), null);
      assert.equal(view.queryByTestId('deploy-model'), null, 'no Deploy of a model this backend lacks');

      await run(() => fireEvent.click(view.getByTestId('playground-switch-backend')));
      assert.deepEqual(host.posted.at(-1), { type: 'switchBackend', backend: 'cloud' });
      // The switch lands: the cloud's models come, and the conversation goes on.
      await run(() => host.send({ type: 'models', models: MODELS, origin: CLOUD }));
      assert.equal(banner(view), null);
      await run(() => fireEvent.keyDown(view.getByTestId('composer'), { key: 'Enter' }));
      assert.equal(chats().length, 1);
      assert.deepEqual(chats()[0]!.model, FINAL);
      assert.deepEqual(chats()[0]!.origin, CLOUD);
    });

    it('goes on here with a model of this backend picked in the column', async () => {
      const { view, send, chats, deliver } = await setup({
        conversations: [cloudChat],
        uiState: { currentId: 'c-cloud' },
        models: LOCAL_MODELS,
        origin: LOCAL,
      });
      await run(() =>
        fireEvent.change(view.getByTestId('model-picker'), { target: { value: 'final:local-7' } }),
      );
      assert.equal(banner(view), null);
      await send('And here?');
      assert.deepEqual(chats()[0]!.model, { kind: 'final', jobId: 'local-7' });
      assert.deepEqual(chats()[0]!.origin, LOCAL);
      await deliver({ type: 'chatDone', requestId: chats()[0]!.requestId, stats: { finishReason: 'stop' } });
      // Each reply keeps naming its own model.
      assert.deepEqual(
        view.getAllByTestId('reply-model').map((m) => [m.textContent, m.getAttribute('title')]),
        [
          ['captain-speak · final', CLOUD.label],
          ['pirate-talk · final', LOCAL.label],
        ],
      );
    });

    it('a live switch: a conversation with replies stays with its backend, an empty one moves', async () => {
      const { host, view, send, deliver, chats } = await setup({ models: MODELS, origin: CLOUD });
      await send('Hi');
      await deliver({ type: 'chatDone', requestId: chats()[0]!.requestId, stats: { finishReason: 'stop' } });
      await run(() => host.send({ type: 'models', models: [MODELS[0]!], origin: undefined }));
      assert.equal(banner(view), null, 'not connected yet: nothing is claimed');
      await run(() => host.send({ type: 'models', models: LOCAL_MODELS, origin: LOCAL }));
      assert.match(
        banner(view)?.textContent ?? '',
        /model ‘Base · unsloth\/gemma-4-E4B-it’ is on Arkor Cloud \(acme\/demo/,
      );
      // A new conversation has nothing to keep: it starts on this backend.
      await run(() => fireEvent.click(view.getByTestId('new-conversation')));
      assert.equal(banner(view), null);
      await send('Hello local');
      assert.deepEqual(chats().at(-1)!.origin, LOCAL);
    });

    it("saved state from before origins loads, and is then recorded as this backend's", async () => {
      const old: Conversation = {
        ...cloudChat,
        id: 'c-old',
        columns: [
          {
            model: BASE,
            turns: [
              { role: 'user', content: 'Old' },
              { role: 'assistant', content: 'Old reply', stats: { finishReason: 'stop' } },
            ],
          },
        ],
      };
      const { host, view, send, chats, deliver } = await setup({
        conversations: [old],
        uiState: { currentId: 'c-old' },
        origin: LOCAL,
      });
      assert.equal(
        view.getAllByTestId('assistant-message')[0]!.querySelector('.md')!.textContent,
        'Old reply',
      );
      assert.equal(view.queryByTestId('reply-model'), null, 'an old reply names no model it did not record');
      assert.equal(banner(view), null);
      await send('New');
      assert.deepEqual(chats()[0]!.origin, LOCAL);
      await deliver({ type: 'chatDone', requestId: chats()[0]!.requestId, stats: { finishReason: 'stop' } });
      await tick();
      const saved = host.posted.filter((m) => m.type === 'saveConversations').at(-1);
      assert.ok(saved?.type === 'saveConversations');
      assert.deepEqual(saved.conversations[0]!.columns[0]!.origin, LOCAL);
    });
  });

  it('updates the model list live and applies a select message', async () => {
    const { view, deliver } = await setup({ models: [MODELS[0]!] });
    const picker = () => view.getByTestId('model-picker') as HTMLSelectElement;
    assert.equal(picker().querySelectorAll('option').length, 1);
    await deliver({ type: 'models', models: MODELS });
    assert.equal(picker().querySelectorAll('option').length, 3);
    assert.ok(picker().textContent?.includes('pirate · step 40 (live)'));
    await deliver({ type: 'select', model: CKPT });
    assert.equal(picker().value, 'checkpoint:job-2:40');
  });

  it('says a chosen model not listed yet is loading while the list fills in, and unavailable after', async () => {
    // "Open in Playground" on a job right after the window loaded: its adapter is not listed yet.
    const { view, deliver } = await setup({ models: [MODELS[0]!], preselect: FINAL, loading: true });
    const picker = () => view.getByTestId('model-picker') as HTMLSelectElement;
    const chosen = () => picker().selectedOptions[0]?.textContent;
    assert.equal(picker().value, 'final:job-1');
    assert.equal(chosen(), 'job-1 · final (loading…)');
    await deliver({ type: 'models', models: MODELS, loading: false });
    assert.equal(picker().value, 'final:job-1', 'the choice is kept');
    assert.equal(chosen(), 'captain-speak · final');
    await deliver({ type: 'models', models: [], loading: true });
    assert.ok(picker().textContent?.includes('Loading models…'));
  });

  it('names a chosen model that left the list as it was listed: loading while the list refills, then unavailable', async () => {
    const { view, deliver } = await setup();
    await deliver({ type: 'select', model: FINAL });
    const chosen = () =>
      (view.getByTestId('model-picker') as HTMLSelectElement).selectedOptions[0]?.textContent;
    assert.equal(chosen(), 'captain-speak · final');
    // A reconnect: the list refills.
    await deliver({ type: 'models', models: [MODELS[0]!], loading: true });
    assert.equal(chosen(), 'captain-speak · final (loading…)');
    // Listed no more (the job was deleted), with the list complete: unavailable.
    await deliver({ type: 'models', models: [MODELS[0]!], loading: false });
    assert.equal(chosen(), 'captain-speak · final (unavailable)');
  });

  it('restores history from the snapshot, switches, deletes, and survives reload via webview state', async () => {
    const older: Conversation = {
      id: 'c-old',
      title: 'Older chat',
      updatedAt: '2025-01-01T00:00:00.000Z',
      systemPrompt: 'Be terse.',
      params: { temperature: 0.2, topP: 0.9, maxTokens: 64 },
      columns: [
        {
          model: BASE,
          turns: [
            { role: 'user', content: 'Old question' },
            { role: 'assistant', content: 'Old *answer*', stats: { tokens: 3, finishReason: 'stop' } },
          ],
        },
      ],
    };
    const newer: Conversation = {
      ...older,
      id: 'c-new',
      title: 'Newer chat',
      updatedAt: '2025-01-02T00:00:00.000Z',
      columns: [
        {
          model: FINAL,
          turns: [
            { role: 'user', content: 'New question' },
            { role: 'assistant', content: 'New answer' },
          ],
        },
      ],
    };
    const { host, view, assistants } = await setup({
      conversations: [older, newer],
      uiState: { currentId: 'c-old', historyOpen: true },
    });
    // The current conversation from webview state is restored from the host's snapshot.
    assert.equal(assistants()[0]!.querySelector('em')?.textContent, 'answer');
    assert.equal(
      (view.getByTestId('model-picker') as HTMLSelectElement).value,
      'base:unsloth/gemma-4-E4B-it',
    );
    assert.equal((view.getByTestId('system-prompt') as HTMLTextAreaElement).value, 'Be terse.');
    const items = () => view.getAllByTestId('history-item');
    assert.deepEqual(
      items().map((i) => i.querySelector('.history-title')?.textContent),
      ['Newer chat', 'Older chat'],
    );
    await run(() => fireEvent.click(items()[0]!));
    assert.equal(assistants()[0]!.querySelector('.md')!.textContent, 'New answer');
    assert.equal(host.getState<PlaygroundUiState>()?.currentId, 'c-new');

    await run(() => fireEvent.click(view.getAllByTestId('history-delete')[1]!));
    await tick();
    const save = host.posted.filter((m) => m.type === 'saveConversations').at(-1);
    assert.deepEqual(save?.type === 'saveConversations' && save.conversations.map((c) => c.id), ['c-new']);

    // Reload: a new page with the same webview state and the host's stored list.
    cleanup();
    const again = await setup({ conversations: [newer], uiState: host.getState<PlaygroundUiState>() });
    assert.equal(again.assistants()[0]!.querySelector('.md')!.textContent, 'New answer');
    assert.equal(again.view.getAllByTestId('history-item').length, 1);
  });

  it('switching conversations never splices two replies into one view', async () => {
    // Same first character, same length prefix and the same last characters where the first reply
    // ends: only the middle differs, so a view reused across conversations could take the second
    // reply for a continuation of the first.
    const common = ' and the same ending of 32 chars.';
    const reply = (fill: string, more = '') => `Z${fill.repeat(40)}${common}${more}`;
    const conversation = (id: string, content: string): Conversation => ({
      id,
      title: id,
      updatedAt: '2025-01-01T00:00:00.000Z',
      systemPrompt: '',
      params: PARAMS,
      columns: [
        {
          model: BASE,
          turns: [
            { role: 'user', content: 'Q' },
            { role: 'assistant', content },
          ],
        },
      ],
    });
    const first = conversation('c-1', reply('x'));
    const second = conversation('c-2', reply('y', ' More text.'));
    const { view, assistants } = await setup({
      conversations: [first, second],
      uiState: { currentId: 'c-1', historyOpen: true },
    });
    assert.equal(assistants()[0]!.querySelector('.md')!.textContent, reply('x'));
    const item = (id: string) =>
      view.getAllByTestId('history-item').find((b) => b.textContent?.startsWith(id))!;
    await run(() => fireEvent.click(item('c-2')));
    assert.equal(assistants()[0]!.querySelector('.md')!.textContent, reply('y', ' More text.'));
    await run(() => fireEvent.click(item('c-1')));
    assert.equal(assistants()[0]!.querySelector('.md')!.textContent, reply('x'));
  });

  it('keeps a finished turn across reload even if its save never reached the host', async () => {
    const first = await setup();
    await first.send('Remember me');
    await first.deliver({ type: 'chatDelta', requestId: 'id-2', text: 'I will' });
    await first.deliver({ type: 'chatDone', requestId: 'id-2', stats: {} });
    const state = first.host.getState<PlaygroundUiState>();
    cleanup();
    const second = await setup({ conversations: [], uiState: state });
    assert.equal(second.assistants()[0]!.querySelector('.md')!.textContent, 'I will');
    await tick();
    assert.ok(
      second.host.posted.some((m) => m.type === 'saveConversations'),
      'and re-saves it',
    );
  });

  it('exports exact JSONL (one line per column and model) and Markdown', async () => {
    const { host, view, send, chats, deliver } = await setup();
    await run(() =>
      fireEvent.input(view.getByTestId('system-prompt'), { target: { value: 'You are a pirate.' } }),
    );
    await run(() => fireEvent.click(view.getByTestId('compare-toggle')));
    await run(() =>
      fireEvent.change(view.getByTestId('model-picker-1'), { target: { value: 'final:job-1' } }),
    );
    await send('Say hi');
    const [a, b] = chats();
    await deliver({ type: 'chatDelta', requestId: a!.requestId, text: 'Hello.' });
    await deliver({
      type: 'chatDone',
      requestId: a!.requestId,
      stats: { ttftMs: 1500, finishReason: 'stop' },
    });
    await deliver({ type: 'chatDelta', requestId: b!.requestId, text: 'Ahoy "matey"!\nArr.' });
    await deliver({ type: 'chatDone', requestId: b!.requestId, stats: { tokens: 4, finishReason: 'stop' } });

    await run(() => fireEvent.click(view.getByTestId('export-jsonl')));
    assert.deepEqual(host.posted.at(-1), {
      type: 'export',
      format: 'jsonl',
      suggestedName: 'say-hi.jsonl',
      content:
        '{"messages":[{"role":"system","content":"You are a pirate."},{"role":"user","content":"Say hi"},{"role":"assistant","content":"Hello."}],"model":"Base · unsloth/gemma-4-E4B-it"}\n' +
        '{"messages":[{"role":"system","content":"You are a pirate."},{"role":"user","content":"Say hi"},{"role":"assistant","content":"Ahoy \\"matey\\"!\\nArr."}],"model":"captain-speak · final"}\n',
    });

    await run(() => fireEvent.click(view.getByTestId('export-markdown')));
    assert.deepEqual(host.posted.at(-1), {
      type: 'export',
      format: 'markdown',
      suggestedName: 'say-hi.md',
      content: [
        '# Say hi',
        '',
        'Temperature 0.7 · top-p 0.95 · max tokens 1024',
        '',
        '**System prompt**',
        '',
        '> You are a pirate.',
        '',
        '## Base · unsloth/gemma-4-E4B-it',
        '',
        '### User',
        '',
        'Say hi',
        '',
        '### Assistant · Base · unsloth/gemma-4-E4B-it',
        '',
        'Hello.',
        '',
        '*TTFT 1.50 s · finish: stop*',
        '',
        '## captain-speak · final',
        '',
        '### User',
        '',
        'Say hi',
        '',
        '### Assistant · captain-speak · final',
        '',
        'Ahoy "matey"!',
        'Arr.',
        '',
        '*4 tokens · finish: stop*',
        '',
      ].join('\n'),
    });
  });

  it('Copy uses navigator.clipboard and falls back gracefully without it', async () => {
    const { view, send, deliver } = await setup();
    await send('x');
    await deliver({ type: 'chatDelta', requestId: 'id-2', text: 'copy **me**\n\n```\ncode here\n```' });
    await deliver({ type: 'chatDone', requestId: 'id-2', stats: {} });
    const written: string[] = [];
    const nav = navigator as unknown as { clipboard?: unknown };
    const had = Object.getOwnPropertyDescriptor(nav, 'clipboard');
    Object.defineProperty(nav, 'clipboard', {
      configurable: true,
      value: { writeText: async (t: string) => void written.push(t) },
    });
    try {
      await act(async () => {
        fireEvent.click(view.getByTestId('copy-reply'));
        await tick();
      });
      await act(async () => {
        fireEvent.click(view.getByTestId('copy-code'));
        await tick();
      });
      assert.deepEqual(written, ['copy **me**\n\n```\ncode here\n```', 'code here']);
      assert.equal(view.getByTestId('copy-reply').textContent, 'Copied');

      Object.defineProperty(nav, 'clipboard', { configurable: true, value: undefined });
      await act(async () => {
        fireEvent.click(view.getByTestId('copy-code'));
        await tick();
      });
      // jsdom has no execCommand('copy'): the fallback reports failure instead of throwing.
      assert.equal(view.getByTestId('copy-code').textContent, 'Copy failed');
      assert.equal(document.querySelector('.clipboard-offscreen'), null, 'the helper textarea is removed');
    } finally {
      if (had) Object.defineProperty(nav, 'clipboard', had);
      else delete nav.clipboard;
    }
  });

  it('Clear stops any stream, empties the conversation and saves', async () => {
    const { host, view, send, deliver, assistants } = await setup();
    await send('one');
    await deliver({ type: 'chatDone', requestId: 'id-2', stats: {} });
    await send('two');
    await run(() => fireEvent.click(view.getByTestId('clear')));
    assert.deepEqual(
      host.posted.filter((m) => m.type === 'stop'),
      [{ type: 'stop', requestId: 'id-3' }],
    );
    assert.equal(assistants().length, 0);
    await tick();
    assert.deepEqual(host.posted.at(-1), { type: 'saveConversations', conversations: [] });
  });
});
