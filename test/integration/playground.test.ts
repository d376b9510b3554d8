import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ArkorExtensionApi } from '../../src/extension';
import {
  clickInWebview,
  evalInWebview,
  evalInWorkbench,
  notificationText,
  pressKey,
  screenshot,
  selectInWebview,
  sleep,
  typeInWebview,
  waitFor,
} from './driver';
import { activateAndConnect, currentThemeSetting, setTheme, trainJob } from './helpers';

interface Reply {
  text: string;
  streaming: string | null;
  stats: string | null;
  error: string | null;
}

/** Every assistant message in the Playground, in column order (the last one of each column last). */
const readReplies = () =>
  evalInWebview<Reply[]>(
    'playground',
    `return [...document.querySelectorAll('[data-testid=assistant-message]')].map((m) => {
       const body = m.cloneNode(true);
       body.querySelector('.msg-foot')?.remove();
       body.querySelector('[data-testid=chat-error]')?.remove();
       return {
         text: body.textContent.trim(),
         streaming: m.getAttribute('data-streaming'),
         stats: m.querySelector('[data-testid=reply-stats]')?.textContent ?? null,
         error: m.querySelector('[data-testid=chat-error]')?.textContent ?? null,
       };
     });`,
  );

interface ColumnView {
  users: string[];
  replies: (Reply & { model: string | null })[];
}

/** Each column's user turns and replies (with the model each reply names in its header). */
const readColumns = () =>
  evalInWebview<ColumnView[]>(
    'playground',
    `return [...document.querySelectorAll('section.column')].map((col) => ({
       users: [...col.querySelectorAll('[data-testid=user-message]')].map((u) => u.textContent),
       replies: [...col.querySelectorAll('[data-testid=assistant-message]')].map((m) => {
         const body = m.cloneNode(true);
         for (const s of ['.msg-foot', '.msg-head', '[data-testid=chat-error]']) body.querySelector(s)?.remove();
         return {
           text: body.textContent.trim(),
           model: m.querySelector('[data-testid=reply-model]')?.textContent ?? null,
           streaming: m.getAttribute('data-streaming'),
           stats: m.querySelector('[data-testid=reply-stats]')?.textContent ?? null,
           error: m.querySelector('[data-testid=chat-error]')?.textContent ?? null,
         };
       }),
     }));`,
  );

/** A reply's letters and digits: its raw markdown (exported) and its rendered text (shown) compare equal. */
const letters = (text: string) => text.replace(/[^\p{L}\p{N}]+/gu, '');

/** Sets a range or number input as a user does (`input` for sliders, `change` for the number box). */
const setInput = (testId: string, value: number, event: 'input' | 'change') =>
  evalInWebview<boolean>(
    'playground',
    `const el = document.querySelector('[data-testid=${testId}]');
     if (!el) return false;
     document.querySelector('details.settings')?.setAttribute('open', '');
     el.value = '${value}';
     el.dispatchEvent(new Event('${event}', { bubbles: true }));
     return true;`,
  );

/**
 * The Playground against the real local backend: a job trained here is compared with its base model
 * in two columns, both replies stream in with their figures, and Stop really ends the host request.
 */
describe('Playground (local backend)', function () {
  this.timeout(300_000);
  let api: ArkorExtensionApi;
  let jobId: string;
  let themeBefore: ReturnType<typeof currentThemeSetting>;

  before(async () => {
    themeBefore = currentThemeSetting();
    api = await activateAndConnect();
    jobId = (await trainJob(api, 'playground-adapter', 30)).id;
  });

  after(async () => {
    await setTheme(themeBefore);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('compares the base model with the trained adapter side by side', async () => {
    await vscode.commands.executeCommand('arkor.openJobInPlayground', { jobId });
    await waitFor(() => api.playground.isMounted, 'the Playground to mount');
    // The job's final adapter is preselected in the single column.
    const picked = await waitFor(
      () =>
        evalInWebview<string | null>(
          'playground',
          `return document.querySelector('[data-testid=model-picker]')?.value || null;`,
        ),
      'the model picker to show the preselected adapter',
    );
    assert.equal(picked, `final:${jobId}`);

    await clickInWebview('playground', '[data-testid=compare-toggle]');
    await waitFor(
      () =>
        evalInWebview<boolean>(
          'playground',
          `return !!document.querySelector('[data-testid=model-picker-1]');`,
        ),
      'a second column',
    );
    await selectInWebview('playground', '[data-testid=model-picker-0]', 'base:unsloth/gemma-4-E4B-it');
    await selectInWebview('playground', '[data-testid=model-picker-1]', `final:${jobId}`);
    // Greedy decoding: the two replies then differ because the models do, not by sampling chance.
    assert.ok(await setInput('temperature', 0, 'input'));
    assert.ok(await setInput('max-tokens', 60, 'change'));
    const pickers = await evalInWebview<string[]>(
      'playground',
      `return ['model-picker-0', 'model-picker-1'].map((id) => document.querySelector('[data-testid=' + id + ']').value);`,
    );
    assert.deepEqual(pickers, ['base:unsloth/gemma-4-E4B-it', `final:${jobId}`]);
    const summary = await evalInWebview<string>(
      'playground',
      `return document.querySelector('details.settings summary').textContent;`,
    );
    assert.match(summary, /temperature 0\b/);
    assert.match(summary, /max 60 tokens/);

    await typeInWebview('playground', '[data-testid=composer]', 'Ahoy! Where be the treasure?');
    await clickInWebview('playground', '[data-testid=send]');
    const replies = await waitFor(
      async () => {
        const r = await readReplies();
        return r.length === 2 && r.every((m) => m.streaming === 'false') ? r : null;
      },
      'both replies to finish streaming',
      120_000,
    );
    for (const [i, r] of replies.entries()) {
      assert.equal(r.error, null, `column ${i + 1} has no error`);
      assert.ok(r.text.length > 0, `column ${i + 1} has a non-empty reply`);
      assert.match(r.stats ?? '', /TTFT \d/, `column ${i + 1} shows its time to first token`);
      assert.match(r.stats ?? '', /tok\/s/, `column ${i + 1} shows its tokens per second`);
    }
    assert.notEqual(replies[0]!.text, replies[1]!.text, 'the adapter answers differently from its base');
    assert.equal(api.playground.inFlight, 0);

    await evalInWebview(
      'playground',
      `document.querySelector('details.settings')?.removeAttribute('open'); return true;`,
    );
    await setTheme('Default Light Modern');
    await screenshot('30-playground-compare-light');
    await setTheme('Default Dark Modern');
    await screenshot('31-playground-compare-dark');
  });

  /** Opens the Playground on a new conversation in one column. */
  async function newSingleColumnChat(): Promise<void> {
    await vscode.commands.executeCommand('arkor.openPlayground');
    await waitFor(() => api.playground.isMounted, 'the Playground to mount');
    await clickInWebview('playground', '[data-testid=new-conversation]');
    const compare = await evalInWebview<boolean>(
      'playground',
      `return document.querySelector('[data-testid=compare-toggle]').checked;`,
    );
    if (compare) await clickInWebview('playground', '[data-testid=compare-toggle]');
  }

  it('a reply keeps its model: change the left model, turn Compare on, send; nothing is copied; export in the project', async () => {
    const BASE_LABEL = 'Base · unsloth/gemma-4-E4B-it';
    await newSingleColumnChat();
    await selectInWebview('playground', '[data-testid=model-picker]', 'base:unsloth/gemma-4-E4B-it');
    assert.ok(await setInput('temperature', 0, 'input'));
    assert.ok(await setInput('max-tokens', 60, 'change'));
    await typeInWebview('playground', '[data-testid=composer]', 'Hello, who are you?');
    await clickInWebview('playground', '[data-testid=send]');
    const [first] = await waitFor(
      async () => {
        const c = await readColumns();
        return c[0]?.replies.length === 1 && c[0].replies[0]!.streaming === 'false' ? c : null;
      },
      'the base model to reply',
      120_000,
    );
    const baseReply = first!.replies[0]!;
    assert.equal(baseReply.model, BASE_LABEL);

    // The user points the left column at the adapter, then turns Compare on.
    await selectInWebview('playground', '[data-testid=model-picker]', `final:${jobId}`);
    const adapterLabel = await evalInWebview<string>(
      'playground',
      `const s = document.querySelector('[data-testid=model-picker]'); return s.selectedOptions[0].textContent;`,
    );
    await clickInWebview('playground', '[data-testid=compare-toggle]');
    const before = await waitFor(async () => {
      const c = await readColumns();
      return c.length === 2 ? c : null;
    }, 'a second column');
    const pickers = await evalInWebview<string[]>(
      'playground',
      `return ['model-picker-0', 'model-picker-1'].map((id) => document.querySelector('[data-testid=' + id + ']').value);`,
    );
    assert.deepEqual(pickers, [`final:${jobId}`, 'base:unsloth/gemma-4-E4B-it']);
    assert.deepEqual(before[0]!.replies, [baseReply], 'the left reply still names the base model');
    assert.deepEqual(before[1], { users: [], replies: [] }, 'nothing is copied into the right column');
    await screenshot('32-playground-compare-after-model-change');

    await typeInWebview('playground', '[data-testid=composer]', 'Ahoy! Where be the treasure?');
    await clickInWebview('playground', '[data-testid=send]');
    const [left, right] = await waitFor(
      async () => {
        const c = await readColumns();
        const done = c.flatMap((x) => x.replies).every((r) => r.streaming === 'false');
        return c[0]?.replies.length === 2 && c[1]?.replies.length === 1 && done ? c : null;
      },
      'both columns to reply',
      120_000,
    );
    assert.deepEqual(
      left!.replies.map((r) => r.model),
      [BASE_LABEL, adapterLabel],
      'each left reply names the model that wrote it',
    );
    assert.deepEqual(left!.replies[0], baseReply, 'the first reply is unchanged');
    assert.deepEqual(
      right!.users,
      ['Ahoy! Where be the treasure?'],
      'the right column holds only its own turn',
    );
    assert.equal(right!.replies[0]!.model, BASE_LABEL);
    for (const r of [left!.replies[1]!, right!.replies[0]!]) {
      assert.equal(r.error, null);
      assert.ok(r.text.length > 0);
      assert.match(r.stats ?? '', /TTFT \d/);
    }
    assert.notEqual(left!.replies[1]!.text, right!.replies[0]!.text, 'the adapter and the base answer apart');
    await evalInWebview(
      'playground',
      `document.querySelector('details.settings')?.removeAttribute('open'); return true;`,
    );
    await screenshot('33-playground-compare-attributed');

    // Exports: the save dialog starts in the project's folder (not /), named after the first prompt,
    // and Enter writes the file there.
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const saveViaDialog = async (button: string, file: string, shot?: string) => {
      const target = path.join(folder, file);
      rmSync(target, { force: true });
      await clickInWebview('playground', `[data-testid=${button}]`);
      const shown = await waitFor(
        () =>
          evalInWorkbench<{ value: string; title: string } | null>(
            `const w = document.querySelector('.quick-input-widget');
             if (!w || w.style.display === 'none') return null;
             const input = w.querySelector('input');
             // The simple dialog fills its input in steps (folder, then name): wait for the name.
             return input?.value.endsWith(${JSON.stringify(path.extname(file))}) ? { value: input.value, title: w.querySelector('.quick-input-title')?.textContent ?? '' } : null;`,
          ),
        'the save dialog',
      );
      if (shot) await screenshot(shot);
      assert.equal(path.resolve(shown.value), target, `the dialog offers ${shown.value}`);
      await pressKey('Enter');
      // The file can exist a moment before its content is written: wait for the content.
      const text = await waitFor(
        () => (existsSync(target) ? readFileSync(target, 'utf8') || null : null),
        'Enter to write the file there',
        10_000,
      );
      rmSync(target, { force: true });
      return { title: shown.title, text };
    };
    const markdown = await saveViaDialog(
      'export-markdown',
      'hello-who-are-you.md',
      '34-playground-export-dialog',
    );
    assert.deepEqual(markdown.text.match(/^### Assistant.*$/gm), [
      `### Assistant · ${BASE_LABEL}`,
      `### Assistant · ${adapterLabel}`,
      `### Assistant · ${BASE_LABEL}`,
    ]);

    // Training data: only complete replies ("finish: stop"), each line naming the model that wrote
    // its replies; what was left out is said in the dialog's title and the notice after saving.
    const replies = [...left!.replies, ...right!.replies];
    const complete = replies.filter((r) => /finish: stop/.test(r.stats ?? ''));
    const skipped = replies.length - complete.length;
    const leftOut = new RegExp(`${skipped} repl(y|ies) left out`);
    if (complete.length === 0) {
      // Every greedy reply ran to the token limit: there is nothing to write, and it says so.
      await clickInWebview('playground', '[data-testid=export-jsonl]');
      await noticeSays(/no complete reply to export/, 'the notice that nothing is complete');
      return;
    }
    const jsonl = await saveViaDialog('export-jsonl', 'hello-who-are-you.jsonl');
    const lines = jsonl.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[]; model: string });
    const exported = lines.flatMap((l) =>
      l.messages.filter((m) => m.role === 'assistant').map((m) => [l.model, letters(m.content)]),
    );
    assert.deepEqual(
      exported,
      complete.map((r) => [r.model, letters(r.text)]),
    );
    if (skipped > 0) {
      assert.match(jsonl.title, leftOut);
      await noticeSays(leftOut, 'the saved notice to say what was left out');
    }
  });

  /** Waits for a notification matching `pattern`: a toast, or in the notification centre. */
  async function noticeSays(pattern: RegExp, what: string): Promise<void> {
    const found = await waitFor(async () => pattern.test(await notificationText()), what, 10_000).catch(
      () => false,
    );
    if (found) return;
    await vscode.commands.executeCommand('notifications.showList');
    await waitFor(async () => pattern.test(await notificationText()), `${what} (notification centre)`);
    await vscode.commands.executeCommand('notifications.hideList');
  }

  /**
   * The tiny local model may end a turn early on some prompts. A greedy (temperature 0) reply is
   * deterministic, so probe through the API for a model and prompt that run to the token limit.
   */
  async function findLongReply(): Promise<{ option: string; prompt: string }> {
    const c = api.session.connection!;
    const models = [
      { option: `final:${jobId}`, model: { adapter: { kind: 'final' as const, jobId } } },
      { option: 'base:unsloth/gemma-4-E4B-it', model: { baseModel: 'unsloth/gemma-4-E4B-it' } },
    ];
    const prompts = [
      'Ahoy! Where be the treasure?',
      'Tell me a very long tale of the sea.',
      'Sing a shanty.',
    ];
    const seen: string[] = [];
    for (const prompt of prompts) {
      for (const m of models) {
        const r = await c.client.streamChat(c.scope, {
          ...m.model,
          messages: [{ role: 'user', content: prompt }],
          temperature: 0,
          maxTokens: 400,
        });
        if (r.finishReason === 'length') return { option: m.option, prompt };
        seen.push(`${m.option} / ${prompt}: ${r.tokens} tokens, ${r.finishReason}`);
      }
    }
    return assert.fail(`no greedy reply ran to 400 tokens:\n${seen.join('\n')}`);
  }

  it('stops a long reply: the host request ends and the UI leaves streaming', async () => {
    // One column (the previous test left compare on), a long sampled reply.
    await newSingleColumnChat();
    const long = await findLongReply();
    await selectInWebview('playground', '[data-testid=model-picker]', long.option);
    // Greedy decoding repeats the probe's reply, which runs to at least 400 tokens.
    assert.ok(await setInput('temperature', 0, 'input'));
    assert.ok(await setInput('max-tokens', 2000, 'change'));
    await typeInWebview('playground', '[data-testid=composer]', long.prompt);
    await clickInWebview('playground', '[data-testid=send]');

    await waitFor(
      async () => {
        const r = await readReplies();
        if (r.length === 1 && r[0]!.streaming === 'false') {
          assert.fail(`the reply ended before Stop could be clicked: ${JSON.stringify(r[0])}`);
        }
        return r[0]?.streaming === 'true' && r[0].text.length >= 5;
      },
      'the reply to start streaming',
      60_000,
    );
    assert.equal(api.playground.inFlight, 1, 'one chat request is in flight on the host');
    const stopButton = await evalInWebview<{ disabled: unknown; attr: boolean } | null>(
      'playground',
      `const b = document.querySelector('[data-testid=stop]');
       return b && { disabled: b.disabled, attr: b.hasAttribute('disabled') };`,
    );
    assert.deepEqual(stopButton, { disabled: false, attr: false }, 'the Stop button is enabled');
    await clickInWebview('playground', '[data-testid=stop]');
    const stoppedAt = Date.now();
    await waitFor(() => api.playground.inFlight === 0, 'the host request to end', 3_000);
    const elapsed = Date.now() - stoppedAt;
    assert.ok(elapsed < 3_000, `the request ended ${elapsed} ms after Stop`);

    const [reply] = await waitFor(
      async () => {
        const r = await readReplies();
        return r.length === 1 && r[0]!.streaming === 'false' ? r : null;
      },
      'the reply to leave streaming state',
      5_000,
    );
    assert.match(reply!.stats ?? '', /Stopped/);
    const buttons = await evalInWebview<{ send: boolean; stop: boolean }>(
      'playground',
      `return { send: !!document.querySelector('[data-testid=send]'), stop: !!document.querySelector('[data-testid=stop]') };`,
    );
    assert.deepEqual(buttons, { send: true, stop: false });
    // Nothing more arrives for the stopped request.
    const length = reply!.text.length;
    await sleep(500);
    const [after] = await readReplies();
    assert.equal(after!.text.length, length, 'no text arrives after Stop');
  });
});
