/**
 * The Arkor wire format: every route, body, event and error this project speaks, as zod schemas and
 * the types inferred from them. Imported by the client (src/core), the local backend (src/backend)
 * and the tests. Never imports vscode, core or backend. See docs/wire-protocol.md.
 */
export * from './auth';
export * from './chat';
export * from './deployments';
export * from './errors';
export * from './events';
export * from './jobStatus';
export * from './jobs';
export * from './localBackend';
export * from './openai';
export * from './projects';
export * from './routes';
