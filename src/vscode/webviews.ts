import type { z } from 'zod';
import { endpointPanelMessage, jobPanelMessage, jobsViewMessage, playgroundMessage } from './messageSchemas';

/**
 * Every Arkor webview by its bundle (dist/webview/<bundle>.js and .css, built by esbuild.mjs): its
 * page title and the schema of the messages it may send. A host names its bundle; the rest follows.
 */
export const WEBVIEWS = {
  jobs: { title: 'Arkor Jobs', schema: jobsViewMessage },
  job: { title: 'Arkor Job', schema: jobPanelMessage },
  playground: { title: 'Playground', schema: playgroundMessage },
  endpoint: { title: 'Arkor Endpoint', schema: endpointPanelMessage },
} as const;

export type WebviewBundle = keyof typeof WEBVIEWS;

/** The bundle whose webview sends messages of type `In` (a host's type ties it to its bundle). */
export type BundleSending<In> = {
  [B in WebviewBundle]: (typeof WEBVIEWS)[B]['schema'] extends z.ZodType<In> ? B : never;
}[WebviewBundle];
