import type { JobStore } from '../../../src/core';
import type { HostToJobPanel } from '../../../src/protocol';
import { JobPanelFeed } from '../../../src/vscode/jobPanelFeed';
import { recordingChannel } from './recordingChannel';

/** A job panel as the host builds it: channel + feed, posting into an array instead of a webview. */
export function openPanel(store: JobStore, jobId: string) {
  let feed: JobPanelFeed | undefined;
  const { channel, posted } = recordingChannel<HostToJobPanel>('a test job panel', () => feed?.snapshot());
  feed = new JobPanelFeed(jobId, () => store, channel);
  const subscription = store.onDidChange((change) => feed?.onStoreChange(change));
  channel.attach();
  return {
    channel,
    posted,
    of<K extends HostToJobPanel['type']>(type: K) {
      return posted.filter((m): m is Extract<HostToJobPanel, { type: K }> => m.type === type);
    },
    close() {
      subscription.dispose();
      channel.dispose();
    },
  };
}
