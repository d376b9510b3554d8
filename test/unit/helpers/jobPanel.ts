import type { JobStore } from '../../../src/core';
import { PROGRESSIVE_SNAPSHOT } from '../../../src/core';
import type { HostToJobPanel } from '../../../src/protocol';
import { JobPanelFeed } from '../../../src/vscode/jobPanelFeed';
import { recordingChannel } from './recordingChannel';

/** A job panel as the host builds it: channel + feed, posting into an array instead of a webview. */
export function openPanel(store: JobStore, jobId: string, progressive = PROGRESSIVE_SNAPSHOT) {
  let feed: JobPanelFeed | undefined;
  const { channel, posted } = recordingChannel<HostToJobPanel>('a test job panel', () => feed?.snapshot());
  feed = new JobPanelFeed(jobId, () => store, channel, undefined, progressive);
  const subscription = store.onDidChange((change) => feed?.onStoreChange(change));
  channel.attach();
  return {
    channel,
    /** The webview asks for the next chunk of a loading snapshot's rows. */
    moreRows: () => feed?.moreRows(),
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
