/**
 * Messages for failures of the `/v1/endpoints` routes (docs/wire-protocol.md, "Deployments"). The
 * client's generic messages speak of jobs and sign-in; on these routes the documented statuses mean
 * something narrower: 400 a bad slug, label or target (the rule is repeated so the user can fix it),
 * 403 not a member of the org or project, 404 an endpoint, key or target job missing in this scope,
 * 409 a slug someone already has, 426 a client too old (kept as the client words it).
 */
import type { z } from 'zod';
import {
  DEPLOYMENT_KEY_LABEL_MESSAGE,
  DEPLOYMENT_SLUG_MESSAGE,
  RESERVED_DEPLOYMENT_SLUGS,
  type Scope,
} from '../wire';
import { ArkorApiError, type ArkorErrorKind } from './errors';

export type EndpointAction =
  | 'list'
  | 'read'
  | 'create'
  | 'update'
  | 'delete'
  | 'listKeys'
  | 'issueKey'
  | 'revokeKey'
  | 'listRequests';

export interface EndpointContext {
  action: EndpointAction;
  scope: Scope;
  /** The deployment id (all but list and create). */
  id?: string;
  /** The slug being created. */
  slug?: string;
  keyId?: string;
}

const SLUG_RULE = `${DEPLOYMENT_SLUG_MESSAGE}; ${RESERVED_DEPLOYMENT_SLUGS.map((s) => `"${s}"`).join(', ')} and other reserved names are refused`;

function what(ctx: EndpointContext): string {
  if (ctx.action === 'create') return `endpoint "${ctx.slug ?? ''}"`;
  if (ctx.action === 'list') return 'the endpoints';
  if (ctx.action === 'revokeKey') return `key ${ctx.keyId ?? ''} of endpoint ${ctx.id ?? ''}`;
  return `endpoint ${ctx.id ?? ''}`;
}

/**
 * The message for a failed endpoint route, from its status and the server's own words (`detail`,
 * possibly empty); `undefined` keeps the client's generic message (426, 5xx, 401, …).
 */
export function endpointErrorMessage(
  ctx: EndpointContext,
): (status: number, detail: string) => { kind: ArkorErrorKind; message: string } | undefined {
  return (status, detailText) => {
    const detail = detailText ? `: ${detailText}` : '';
    const where = `${ctx.scope.orgSlug}/${ctx.scope.projectSlug}`;
    switch (status) {
      case 400:
        if (ctx.action === 'create')
          return {
            kind: 'bad-request',
            message: `Arkor refused ${what(ctx)} (HTTP 400${detail}). Rule: ${SLUG_RULE}.`,
          };
        if (ctx.action === 'issueKey')
          return {
            kind: 'bad-request',
            message: `Arkor refused the key (HTTP 400${detail}). Rule: ${DEPLOYMENT_KEY_LABEL_MESSAGE}.`,
          };
        return {
          kind: 'bad-request',
          message: `Arkor refused the change to ${what(ctx)} (HTTP 400${detail}).`,
        };
      case 403:
        return {
          kind: 'auth',
          message: `You are not a member of the organization or project ${where} (HTTP 403${detail}). Choose a project you belong to ("Arkor: Choose Arkor Cloud Project") or sign in with the account that owns it.`,
        };
      case 404:
        if (ctx.action === 'create')
          return {
            kind: 'not-found',
            message: `Arkor could not find the project ${where} or the target of ${what(ctx)} (HTTP 404${detail}). Check that the job exists and was not deleted.`,
          };
        if (ctx.action === 'list')
          return {
            kind: 'not-found',
            message: `Arkor could not find the project ${where} (HTTP 404${detail}).`,
          };
        return {
          kind: 'not-found',
          message: `Arkor could not find ${what(ctx)} in ${where} (HTTP 404${detail}). It may have been deleted; refresh the list.`,
        };
      case 409:
        if (ctx.action === 'create')
          return {
            kind: 'conflict',
            message: `The slug "${ctx.slug ?? ''}" is already taken (HTTP 409${detail}). Choose another slug: slugs are unique, and a disabled endpoint keeps its slug.`,
          };
        return { kind: 'conflict', message: `Arkor refused the change to ${what(ctx)} (HTTP 409${detail}).` };
      default:
        return undefined;
    }
  };
}

/** A body that fails its wire schema, refused before any request is sent, with the rule. */
export function invalidEndpointInput(error: z.ZodError, ctx: EndpointContext): ArkorApiError {
  const messages = [...new Set(error.issues.map((i) => i.message))];
  const subject = ctx.action === 'issueKey' ? 'key' : what(ctx);
  return new ArkorApiError({
    kind: 'bad-request',
    message: `Invalid ${subject}: ${messages.join('; ')}.`,
    retryable: false,
  });
}
