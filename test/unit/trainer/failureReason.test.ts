/**
 * The reason a failed `arkor start` shows the user, from what the CLI really prints on stderr: a
 * thrown error's stack (the SDK's CLI writes `err.stack`), Node's uncaught-error display, a message
 * printed alone, commander's usage errors.
 */
import assert from 'node:assert/strict';
import { failureReason } from '../../../src/core/trainer';

const frames = [
  '    at createTrainer (file:///p/node_modules/arkor/lib/trainer.js:60:11)',
  '    at file:///p/.arkor/build/index.mjs:12:17',
  '    at ModuleJob.run (node:internal/modules/esm/module_job:234:25)',
];

describe('failureReason', () => {
  it('an Error’s stack: its message, without the frames or the class name', () => {
    assert.equal(
      failureReason(['Error: Unsupported model "tiny". This arkor release supports: x.', ...frames]),
      'Unsupported model "tiny". This arkor release supports: x.',
    );
  });

  it('a CloudApiError (a 4xx from the API): the API’s message', () => {
    assert.equal(
      failureReason(['CloudApiError: dataset file not found: ./data/missing.jsonl', ...frames]),
      'dataset file not found: ./data/missing.jsonl',
    );
  });

  it('other error classes keep their name, which says what went wrong', () => {
    assert.equal(failureReason(['TypeError: fetch failed', ...frames]), 'TypeError: fetch failed');
  });

  it('Node’s uncaught display (source excerpt, caret, error, frames, version) gives the error line', () => {
    const stderr = [
      'file:///p/.arkor/build/index.mjs:4',
      '  throw new Error("boom in onLog");',
      '  ^',
      '',
      'Error: boom in onLog',
      ...frames,
      '',
      'Node.js v22.22.0',
    ];
    assert.equal(failureReason(stderr), 'boom in onLog');
  });

  it('a message over several lines is joined; a later cause does not replace the error', () => {
    const stderr = [
      'Error: Trainer SSE stream failed 3 consecutive times;',
      'giving up.',
      ...frames,
      '  [cause]: TypeError: fetch failed',
      '      at node:internal/deps/undici:13502:13',
    ];
    assert.equal(failureReason(stderr), 'Trainer SSE stream failed 3 consecutive times; giving up.');
  });

  it('warnings before the error are skipped', () => {
    const stderr = [
      '(node:4242) ExperimentalWarning: something is experimental',
      '(Use `node --trace-warnings ...` to show where the warning was created)',
      'Error: the real reason',
      ...frames,
    ];
    assert.equal(failureReason(stderr), 'the real reason');
  });

  it('a message printed alone (a project-state mismatch) and commander’s usage errors', () => {
    assert.equal(
      failureReason(["This workspace's .arkor/state.json is scoped to a different organization."]),
      "This workspace's .arkor/state.json is scoped to a different organization.",
    );
    assert.equal(failureReason(["error: unknown option '--nope'"]), "unknown option '--nope'");
  });

  it('an error header without frames still counts', () => {
    assert.equal(failureReason(['some noise', 'Error: no stack here', '']), 'no stack here');
  });

  it('nothing useful printed: undefined', () => {
    assert.equal(failureReason([]), undefined);
    assert.equal(failureReason(['', '   ', ...frames]), undefined);
  });
});
