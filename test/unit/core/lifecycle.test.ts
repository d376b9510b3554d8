import assert from 'node:assert/strict';
import { DisposableStore, Emitter, setUnexpectedErrorHandler, toDisposable } from '../../../src/core';
import { Disposable } from '../../../src/core/lifecycle';

describe('lifecycle: Disposable base, DisposableStore and Emitter', () => {
  let reported: string[];
  let previous: ReturnType<typeof setUnexpectedErrorHandler>;
  beforeEach(() => {
    reported = [];
    previous = setUnexpectedErrorHandler((error, context) =>
      reported.push(`${context}: ${(error as Error).message}`),
    );
  });
  afterEach(() => setUnexpectedErrorHandler(previous));

  it('disposes what a subclass registered, last first, once, and reports a failing item', () => {
    const order: string[] = [];
    class Thing extends Disposable {
      constructor() {
        super();
        this._register(toDisposable(() => order.push('a')));
        this._register(
          toDisposable(() => {
            order.push('b');
            throw new Error('b broke');
          }),
        );
        this._register(toDisposable(() => order.push('c')));
      }
      get disposed() {
        return this.isDisposed;
      }
      late() {
        this._register(toDisposable(() => order.push('late')));
      }
    }
    const thing = new Thing();
    thing.dispose();
    thing.dispose();
    assert.deepEqual(order, ['c', 'b', 'a']);
    assert.equal(thing.disposed, true);
    assert.deepEqual(reported, ['disposing: b broke']);
    thing.late();
    assert.deepEqual(order, ['c', 'b', 'a', 'late'], 'registered after dispose: disposed at once');
  });

  it('lets a store be cleared and reused', () => {
    const store = new DisposableStore();
    let n = 0;
    store.add(toDisposable(() => n++));
    store.clear();
    store.add(toDisposable(() => n++));
    assert.equal(n, 1);
    store.dispose();
    assert.equal(n, 2);
  });

  it('reports a throwing listener without starving the others, and stops after dispose', () => {
    const emitter = new Emitter<number>('a test listener');
    const seen: number[] = [];
    const subs: { dispose(): void }[] = [];
    emitter.event(() => {
      throw new Error('broken view');
    });
    const sub = emitter.event((n) => seen.push(n), undefined, subs);
    assert.equal(subs.length, 1, 'the subscription is added to the given array, as vscode.Event does');
    emitter.fire(1);
    sub.dispose();
    emitter.fire(2);
    assert.deepEqual(seen, [1]);
    assert.deepEqual(reported, ['a test listener threw: broken view', 'a test listener threw: broken view']);
    emitter.dispose();
    emitter.event((n) => seen.push(n));
    emitter.fire(3);
    assert.deepEqual(seen, [1]);
  });
});
