import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { HostChannel } from './hostChannel';

/**
 * The host side of a webview app: subscribes `onMessage` (always the latest one passed) to the
 * channel, then tells the host `ready` (so nothing it sends in reply can be missed), and returns a
 * stable `post`. One subscription per channel, dropped on unmount.
 */
export function useHost<FromHost, ToHost extends { type: string }>(
  channel: HostChannel<FromHost, ToHost>,
  onMessage: (message: FromHost) => void,
): (message: ToHost) => void {
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    const off = channel.onMessage((m) => handler.current(m));
    channel.post({ type: 'ready' } as ToHost);
    return off;
  }, [channel]);
  return useMemo(() => (message: ToHost) => channel.post(message), [channel]);
}

/**
 * The webview's persisted state (VS Code `getState`/`setState`, which survive a reload) as one
 * object of which each app owns some keys. `readPersisted` gives what is stored now; `usePersisted`
 * stores `patch` (merged over what is stored) whenever one of its values changes identity.
 */
export function readPersisted<S extends object>(channel: HostChannel<unknown, unknown>): Partial<S> {
  return channel.getState<Partial<S>>() ?? {};
}

export function usePersisted<S extends object>(channel: HostChannel<unknown, unknown>, patch: S): void {
  const values = Object.values(patch);
  useEffect(() => {
    channel.setState<S>({ ...readPersisted<S>(channel), ...patch });
  }, [channel, ...values]);
}
