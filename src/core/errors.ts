/**
 * Typed errors for everything the core does over the network.
 *
 * Each error carries a `kind` the UI can switch on, a `retryable` flag the reconnect/poll loops use,
 * and a `message` written for the user ("what happened, what to do"). Messages are always passed
 * through `redact()` so tokens never leak into them, even when a server echoes one back.
 */
import { redact } from './redact';

export type ArkorErrorKind =
  | 'auth'
  | 'not-found'
  | 'conflict'
  | 'upgrade'
  | 'server'
  | 'network'
  | 'timeout'
  | 'invalid-response'
  | 'bad-request'
  | 'aborted';

export interface ArkorApiErrorOptions {
  kind: ArkorErrorKind;
  message: string;
  status?: number;
  retryable?: boolean;
  /** Machine-readable `error` field of the server body, e.g. `sdk_version_unsupported`. */
  code?: string;
  /** For 426: the suggested upgrade command from the body, if any. */
  upgrade?: string;
  /** Secrets to scrub from the message (the bearer token in use). */
  secrets?: ReadonlyArray<string | undefined>;
  cause?: unknown;
}

export class ArkorApiError extends Error {
  override readonly name = 'ArkorApiError';
  readonly kind: ArkorErrorKind;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly code: string | undefined;
  readonly upgrade: string | undefined;

  constructor(opts: ArkorApiErrorOptions) {
    super(redact(opts.message, opts.secrets));
    this.kind = opts.kind;
    this.status = opts.status;
    this.retryable = opts.retryable ?? defaultRetryable(opts.kind);
    this.code = opts.code === undefined ? undefined : redact(opts.code, opts.secrets);
    this.upgrade = opts.upgrade === undefined ? undefined : redact(opts.upgrade, opts.secrets);
    // `cause` is deliberately not stored verbatim when it is a string: it may contain a body.
    if (opts.cause instanceof Error) {
      Object.defineProperty(this, 'cause', { value: opts.cause, enumerable: false });
    }
  }
}

function defaultRetryable(kind: ArkorErrorKind): boolean {
  return kind === 'server' || kind === 'network' || kind === 'timeout';
}

/** `.arkor/state.json` belongs to another (anonymous) identity. The file is never touched. */
export class ProjectStateMismatchError extends Error {
  override readonly name = 'ProjectStateMismatchError';
  constructor(stateOrg: string, credentialsOrg: string | undefined) {
    super(
      `.arkor/state.json points at org "${stateOrg}", which does not belong to the signed-in anonymous ` +
        `account${credentialsOrg ? ` (org "${credentialsOrg}")` : ''}. Delete .arkor/state.json to start a ` +
        'new project, or sign in with the account that created it.',
    );
  }
}

/** OAuth users must point `.arkor/state.json` at a project themselves (docs/wire-protocol.md, "Credentials and project state"). */
export class MissingProjectStateError extends Error {
  override readonly name = 'MissingProjectStateError';
  constructor() {
    super(
      'No .arkor/state.json found. Create it by hand with { orgSlug, projectSlug, projectId } pointing at the ' +
        'project you want to use.',
    );
  }
}

export function isAbortError(err: unknown): boolean {
  return (
    (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) ||
    (err instanceof ArkorApiError && err.kind === 'aborted')
  );
}
