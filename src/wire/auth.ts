/**
 * Bootstrap and identity (docs/wire-protocol.md, "Auth and identity"): the two unauthenticated
 * routes and `GET /v1/me`.
 */
import { z } from 'zod';

export const OrgSchema = z.looseObject({ id: z.string(), slug: z.string(), name: z.string() });
export type Org = z.output<typeof OrgSchema>;

/** `GET /v1/auth/cli/config`. OAuth is available only when all three strings are non-null. */
export const CliConfigResponseSchema = z.looseObject({
  auth0Domain: z.string().nullable(),
  clientId: z.string().nullable(),
  audience: z.string().nullable(),
  callbackPorts: z.array(z.number()),
});

export const ANONYMOUS_KINDS = ['cli', 'web'] as const;

/** `POST /v1/auth/anonymous` body. The SDK always sends `{kind: 'cli'}`; a missing kind means cli. */
export const AnonymousSignupRequestSchema = z.looseObject({
  kind: z.enum(ANONYMOUS_KINDS).optional(),
});
export type AnonymousSignupRequest = z.input<typeof AnonymousSignupRequestSchema>;

/** `POST /v1/auth/anonymous` response, as a server sends it. */
export const AnonymousSignupResponseSchema = z.looseObject({
  token: z.string().min(1),
  anonymousId: z.string(),
  kind: z.enum(ANONYMOUS_KINDS),
  personalOrg: OrgSchema,
});

/** As clients read it: a kind the client does not know is kept, not refused. */
export const AnonymousSignupReadSchema = AnonymousSignupResponseSchema.extend({
  kind: z.union([z.enum(ANONYMOUS_KINDS), z.string()]),
});
export type AnonymousSignup = z.output<typeof AnonymousSignupReadSchema>;

/** `GET /v1/me`. `user` is opaque (shown, never interpreted). */
export const IdentityResponseSchema = z.looseObject({
  user: z.looseObject({}),
  orgs: z.array(OrgSchema),
});
export type Identity = z.output<typeof IdentityResponseSchema>;
