import { WebviewChannel } from '../../../src/core';

/**
 * A host's webview channel posting into an array instead of a webview: what the host would send,
 * in order. `snapshot` is read when the webview says ready (as the real host's view does); errors
 * from posting or building a snapshot fail the test.
 */
export function recordingChannel<T>(name: string, snapshot: () => T | undefined) {
  const posted: T[] = [];
  const channel = new WebviewChannel<T>({
    name,
    post: (m) => {
      posted.push(m);
      return true;
    },
    snapshot,
    onError: (error) => {
      throw error;
    },
  });
  return { channel, posted };
}
