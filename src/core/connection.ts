/**
 * The connection to a backend as every surface shows it: one state, with the message that names
 * its cause and the actions that fix it. The session (src/vscode/session.ts) moves through it:
 *
 *   idle ─connect─▶ connecting ─proof ok─▶ connected ◀─poll ok── unreachable (outage, retried)
 *                        │                     └──poll fails (network)──▶ unreachable
 *                        └─fails─▶ signed-out | unauthorized | unreachable | wrong-scope | error
 *
 * "Connected" is said only after a request proved the backend is reachable, accepts the credentials
 * and knows the project's scope. Every failure state is retried or fixed by one of its actions; none
 * needs a manual refresh.
 */
import { ArkorApiError, MissingProjectStateError, ProjectStateMismatchError } from './errors';
import { type BackendKind, safeHost } from './origin';

export { type BackendKind, type JobOrigin, originOf, sameOrigin } from './origin';

export type ConnectionPhase =
  /** Nothing asked for a connection yet (connecting is lazy). */
  | 'idle'
  | 'connecting'
  | 'connected'
  /** No credentials for Arkor Cloud. */
  | 'signed-out'
  /** The backend rejected the credentials (401/403). */
  | 'unauthorized'
  /** Nothing answered at the URL, or the connection dropped; retried by itself. */
  | 'unreachable'
  /** The project's scope (.arkor/state.json) does not exist there or belongs to someone else. */
  | 'wrong-scope'
  | 'error';

/** What a surface offers to fix a state; each maps to a command (connectionStatus.ts). */
export const CONNECTION_ACTIONS = [
  'signIn',
  'selectBackend',
  'retry',
  'chooseProject',
  'showOutput',
  'newProject',
  'openFolder',
  'manageTrust',
] as const;
export type ConnectionAction = (typeof CONNECTION_ACTIONS)[number];

export interface ConnectionState {
  phase: ConnectionPhase;
  backend: BackendKind;
  /** "Local backend · 127.0.0.1:4000", "Arkor Cloud · api.arkor.ai". */
  label: string;
  /** For failures: the cause and the fix, in one sentence or two. */
  message?: string;
  actions: ConnectionAction[];
}

/**
 * Thrown by the session when Arkor Cloud is chosen and no credentials are stored; `cause` names why
 * the last sign-in did not give any (an anonymous sign-up the cloud refused, say).
 */
export class NotSignedInError extends Error {
  override readonly name = 'NotSignedInError';
  constructor(failedSignIn?: string) {
    super(
      failedSignIn
        ? `Signing in to Arkor Cloud failed: ${failedSignIn}`
        : 'Not signed in to Arkor Cloud. Sign in to see and run your jobs there.',
    );
  }
}

/** Thrown by the session when the workspace holds no Arkor project to connect for. */
export class NoProjectError extends Error {
  override readonly name = 'NoProjectError';
  constructor() {
    super(
      'No Arkor project here (a folder with src/arkor/index.ts). Create one, or open a folder that has one.',
    );
  }
}

/** Thrown in an untrusted workspace whose project has no usable Arkor Cloud scope (nothing is written there). */
export class UntrustedScopeError extends Error {
  override readonly name = 'UntrustedScopeError';
}

export function backendLabel(backend: BackendKind, baseUrl: string | undefined): string {
  const host = baseUrl ? safeHost(baseUrl) : undefined;
  return backend === 'local'
    ? `Local backend${host ? ` · ${host}` : ''}`
    : `Arkor Cloud${host ? ` · ${host}` : ''}`;
}

/** The state after `error` ended a connection attempt (or a poll of a live connection). */
export function failureState(
  error: unknown,
  backend: BackendKind,
  baseUrl: string | undefined,
): ConnectionState {
  const label = backendLabel(backend, baseUrl);
  const where = backend === 'local' ? 'the local backend' : (safeHost(baseUrl ?? '') ?? 'Arkor Cloud');
  const base = { backend, label };
  if (error instanceof NotSignedInError) {
    return { ...base, phase: 'signed-out', message: error.message, actions: ['signIn', 'selectBackend'] };
  }
  if (error instanceof NoProjectError) {
    return { ...base, phase: 'error', message: error.message, actions: ['newProject', 'openFolder'] };
  }
  if (error instanceof UntrustedScopeError) {
    return {
      ...base,
      phase: 'wrong-scope',
      message: error.message,
      actions: ['manageTrust', 'selectBackend'],
    };
  }
  if (error instanceof MissingProjectStateError) {
    return {
      ...base,
      phase: 'wrong-scope',
      message:
        'This project has no .arkor/state.json naming its Arkor Cloud project yet. Choose one (or create one): Arkor writes the file the way the arkor CLI reads it.',
      actions: ['chooseProject', 'signIn'],
    };
  }
  if (error instanceof ProjectStateMismatchError) {
    return { ...base, phase: 'wrong-scope', message: error.message, actions: ['chooseProject', 'signIn'] };
  }
  if (error instanceof ArkorApiError) {
    switch (error.kind) {
      case 'auth':
        return {
          ...base,
          phase: 'unauthorized',
          message: `${where} did not accept the sign-in: ${error.message}`,
          actions: ['signIn', 'selectBackend'],
        };
      case 'network':
      case 'timeout':
        return {
          ...base,
          phase: 'unreachable',
          message:
            backend === 'local'
              ? `${error.message} It is restarted and retried by itself.`
              : `${error.message} Retrying by itself.`,
          actions: backend === 'local' ? ['retry', 'showOutput'] : ['retry', 'selectBackend'],
        };
      case 'not-found':
        return {
          ...base,
          phase: 'wrong-scope',
          message: `${where} does not know this project: ${error.message} Choose a project that exists there, or sign in with the account that owns it.`,
          actions: ['chooseProject', 'signIn'],
        };
      case 'invalid-response':
        return {
          ...base,
          phase: 'error',
          message: `${where} does not answer like an Arkor API: ${error.message} Is arkor.cloud.apiUrl the Arkor Cloud API?`,
          actions: ['selectBackend', 'retry'],
        };
      default:
        return { ...base, phase: 'error', message: error.message, actions: ['retry', 'showOutput'] };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ...base, phase: 'error', message, actions: ['retry', 'showOutput'] };
}

/** Backoff of automatic retries while unreachable: 2 s, 4 s, … capped at 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(2000 * 2 ** Math.max(0, attempt), 30_000);
}
