import assert from 'node:assert/strict';
import { WebviewChannel, type WebviewChannelOptions } from '../../../src/core';

type Msg = { type: 'snapshot'; n: number } | { type: 'delta'; n: number } | { type: 'event'; n: number };

/** A channel whose posts are recorded; the snapshot carries a counter so each one is distinguishable. */
function setup(options: Partial<WebviewChannelOptions<Msg>> = {}) {
  const posted: Msg[] = [];
  const errors: string[] = [];
  let snapshots = 0;
  const channel = new WebviewChannel<Msg>({
    name: 'a test view',
    post: (m) => {
      posted.push(m);
      return true;
    },
    snapshot: () => ({ type: 'snapshot', n: ++snapshots }),
    onError: (error, context) => errors.push(`${context}: ${(error as Error).message}`),
    ...options,
  });
  const types = () => posted.map((m) => `${m.type}${m.n}`);
  return { channel, posted, errors, types };
}

describe('webview channel: handshake and posting rule', () => {
  it('posts nothing before the webview says ready, then the snapshot and the queued events in order', () => {
    const { channel, types } = setup();
    channel.attach();
    assert.equal(channel.isReady, false);
    assert.equal(channel.postDelta({ type: 'delta', n: 1 }), false, 'a delta before ready is dropped');
    assert.equal(channel.post({ type: 'event', n: 1 }), false, 'an event before ready is queued');
    channel.post({ type: 'event', n: 2 });
    assert.deepEqual(types(), []);
    assert.equal(channel.queued, 2);

    let mounted = 0;
    channel.onDidBecomeReady(() => mounted++);
    assert.equal(channel.ready(), true);
    assert.deepEqual(types(), ['snapshot1', 'event1', 'event2']);
    assert.equal(mounted, 1);
    assert.equal(channel.isReady, true);

    channel.postDelta({ type: 'delta', n: 2 });
    channel.post({ type: 'event', n: 3 });
    assert.deepEqual(types().slice(3), ['delta2', 'event3']);
    assert.deepEqual(channel.stats, {
      snapshots: 1,
      deltas: 1,
      droppedDeltas: 1,
      events: 3,
      droppedEvents: 0,
    });
  });

  it('treats a hidden webview that is not retained as torn down: nothing until it mounts again', () => {
    const { channel, types } = setup();
    channel.attach();
    channel.ready();
    channel.setVisible(false);
    assert.equal(channel.isReady, false);
    assert.equal(channel.isMounted, false);
    channel.postDelta({ type: 'delta', n: 1 });
    channel.post({ type: 'event', n: 1 });
    channel.setVisible(true);
    assert.deepEqual(types(), ['snapshot1'], 'shown again, but its app has not said ready yet');
    channel.postDelta({ type: 'delta', n: 2 });
    channel.ready();
    assert.deepEqual(types(), ['snapshot1', 'snapshot2', 'event1']);
  });

  it('brings a retained webview up to date with a snapshot when it becomes visible again', () => {
    const { channel, types } = setup({ retainedWhenHidden: true });
    channel.attach();
    channel.ready();
    channel.setVisible(false);
    assert.equal(channel.isMounted, true);
    assert.equal(channel.isReady, false);
    channel.postDelta({ type: 'delta', n: 1 });
    channel.post({ type: 'event', n: 1 });
    channel.setVisible(true);
    assert.deepEqual(types(), ['snapshot1', 'snapshot2', 'event1']);
    channel.setVisible(true);
    assert.equal(types().length, 3, 'no snapshot without a visibility change');
  });

  it('completes a handshake only if nothing overtook it, and sends a fresh app nothing before its snapshot', () => {
    const { channel, types } = setup();
    channel.attach();
    channel.ready();
    // The app reloads and says ready again; the host prepares (connects) before answering.
    const complete = channel.beginHandshake();
    assert.equal(channel.postDelta({ type: 'delta', n: 1 }), false, 'the fresh app has no state yet');
    assert.equal(complete(), true);
    assert.deepEqual(types(), ['snapshot1', 'snapshot2']);

    const overtakenByHide = channel.beginHandshake();
    channel.setVisible(false);
    assert.equal(overtakenByHide(), false);
    const overtakenByReady = channel.beginHandshake();
    const latest = channel.beginHandshake();
    assert.equal(overtakenByReady(), false);
    assert.equal(latest(), true);
    const overtakenByReload = channel.beginHandshake();
    channel.attach();
    assert.equal(overtakenByReload(), false);
    assert.deepEqual(types(), ['snapshot1', 'snapshot2', 'snapshot3']);
  });

  it('resyncs with a snapshot only while ready', () => {
    const { channel, types } = setup();
    channel.attach();
    channel.resync();
    assert.deepEqual(types(), []);
    channel.ready();
    channel.resync();
    assert.deepEqual(types(), ['snapshot1', 'snapshot2']);
  });

  it('mounts without posting when there is no snapshot yet', () => {
    const posted: Msg[] = [];
    const channel = new WebviewChannel<Msg>({
      name: 'empty',
      post: (m) => void posted.push(m),
      snapshot: () => undefined,
    });
    channel.attach();
    assert.equal(channel.ready(), true);
    assert.equal(channel.isReady, true);
    assert.deepEqual(posted, []);
  });

  it('reports failures to post and to build a snapshot instead of throwing or swallowing them', async () => {
    let fail: 'reject' | 'throw' | undefined;
    let snapshotThrows = false;
    const { channel, errors } = setup({
      post: (m) => {
        if (fail === 'reject') return Promise.reject(new Error(`webview gone (${m.type})`));
        if (fail === 'throw') throw new Error('disposed');
        return true;
      },
      snapshot: () => {
        if (snapshotThrows) throw new Error('no store');
        return { type: 'snapshot', n: 0 };
      },
    });
    channel.attach();
    channel.ready();
    fail = 'reject';
    channel.postDelta({ type: 'delta', n: 1 });
    fail = 'throw';
    channel.post({ type: 'event', n: 1 });
    fail = undefined;
    snapshotThrows = true;
    channel.resync();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(errors.sort(), [
      'Building the snapshot of a test view: no store',
      'Posting to a test view: disposed',
      'Posting to a test view: webview gone (delta)',
    ]);
  });

  it('bounds the queue, drops it when the webview goes away, and posts nothing after dispose', () => {
    const { channel, types, errors } = setup({ maxQueued: 2 });
    channel.attach();
    channel.post({ type: 'event', n: 1 });
    channel.post({ type: 'event', n: 2 });
    assert.equal(channel.post({ type: 'event', n: 3 }), false);
    channel.post({ type: 'event', n: 4 });
    assert.equal(errors.length, 1, 'the overflow is reported once');
    assert.equal(channel.stats.droppedEvents, 2);
    channel.detach();
    assert.equal(channel.queued, 0);
    assert.equal(channel.post({ type: 'event', n: 5 }), false, 'no webview: nothing to queue for');
    channel.attach();
    channel.ready();
    assert.deepEqual(types(), ['snapshot1']);
    channel.dispose();
    channel.postDelta({ type: 'delta', n: 1 });
    channel.post({ type: 'event', n: 6 });
    assert.equal(channel.ready(), false);
    assert.deepEqual(types(), ['snapshot1']);
  });
});
