import assert from 'node:assert/strict';
import { LineSplitter, parseRunLine, stripAnsi } from '../../../src/core/trainer';

describe('trainer output parsing', () => {
  it('strips ANSI colours, cursor codes and hyperlinks', () => {
    assert.equal(stripAnsi('\u001b[32m◆\u001b[39m  \u001b[1mBuilt\u001b[22m'), '◆  Built');
    assert.equal(stripAnsi('\u001b[2K\u001b[1Gdone'), 'done');
    assert.equal(stripAnsi('\u001b]8;;https://x\u0007link\u001b]8;;\u0007'), 'link');
  });

  it('parses the start and finish lines, coloured or with CRLF', () => {
    assert.deepEqual(parseRunLine('Started job 3f2a-1\r'), { kind: 'started', jobId: '3f2a-1' });
    assert.deepEqual(parseRunLine('\u001b[36mStarted job abc\u001b[0m'), { kind: 'started', jobId: 'abc' });
    assert.deepEqual(parseRunLine('Job abc finished with status=completed\r\n'.trimEnd()), {
      kind: 'finished',
      jobId: 'abc',
      status: 'completed',
    });
    assert.deepEqual(parseRunLine('\u001b[1mJob j-2 finished with status=failed\u001b[22m\r'), {
      kind: 'finished',
      jobId: 'j-2',
      status: 'failed',
    });
    assert.equal(parseRunLine('Started job'), undefined);
    assert.equal(parseRunLine('Started job a b'), undefined);
    assert.equal(parseRunLine('│'), undefined);
    assert.equal(parseRunLine('◆  Built src/arkor/index.ts → .arkor/build/index.mjs'), undefined);
  });

  it('parses template metric lines, including missing values', () => {
    assert.deepEqual(parseRunLine('step=10 loss=2.3267 evalLoss=2.3156'), {
      kind: 'metrics',
      step: 10,
      loss: 2.3267,
      evalLoss: 2.3156,
    });
    assert.deepEqual(parseRunLine('step=3 loss=0.5000\r'), { kind: 'metrics', step: 3, loss: 0.5 });
    assert.deepEqual(parseRunLine('step=0 loss=- evalLoss=2.9749'), {
      kind: 'metrics',
      step: 0,
      evalLoss: 2.9749,
    });
    assert.deepEqual(parseRunLine('\u001b[2mstep=7 loss=NaN\u001b[0m'), { kind: 'metrics', step: 7 });
    assert.equal(parseRunLine('step=x loss=1'), undefined);
    assert.equal(parseRunLine('the step=1 loss=1'), undefined);
  });

  it('splits chunked output into lines (LF and CRLF, a UTF-8 character split across chunks)', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('Started job a\r\nstep=1 lo', 'utf8');
    splitter.push(bytes);
    splitter.push('ss=1.5\n│\n◆');
    const arrow = Buffer.from(' → done\r\nJob a finished with status=completed', 'utf8');
    splitter.push(arrow.subarray(0, 3)); // ends inside the 3-byte arrow
    splitter.push(arrow.subarray(3));
    splitter.end();
    assert.deepEqual(lines, [
      'Started job a',
      'step=1 loss=1.5',
      '│',
      '◆ → done',
      'Job a finished with status=completed',
    ]);
    assert.deepEqual(lines.map(parseRunLine).filter(Boolean), [
      { kind: 'started', jobId: 'a' },
      { kind: 'metrics', step: 1, loss: 1.5 },
      { kind: 'finished', jobId: 'a', status: 'completed' },
    ]);
  });
});
