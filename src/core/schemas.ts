/**
 * zod schemas of the files the core reads (`~/.arkor/credentials.json`, `.arkor/state.json`). The
 * wire format (routes, bodies, events, errors) is in src/wire.
 *
 * All object schemas are `looseObject`, so fields added later pass through untouched.
 */
import { z } from 'zod';

// ---- Credentials and project state (docs/wire-protocol.md, "Credentials and project state") ----

export const AnonCredentialsSchema = z.looseObject({
  mode: z.literal('anon'),
  token: z.string().min(1),
  anonymousId: z.string(),
  orgSlug: z.string(),
  arkorCloudApiUrl: z.string().optional(),
});

/** `auth0` is the pre-rename spelling of `oauth`; both are read, `oauth` is what we produce. */
export const OAuthCredentialsSchema = z.looseObject({
  mode: z.union([z.literal('oauth'), z.literal('auth0')]),
  accessToken: z.string().min(1),
  refreshToken: z.string().optional(),
  expiresAt: z.number().optional(),
  auth0Domain: z.string().optional(),
  audience: z.string().optional(),
  clientId: z.string().optional(),
  arkorCloudApiUrl: z.string().optional(),
});

export const CredentialsFileSchema = z.union([AnonCredentialsSchema, OAuthCredentialsSchema]);

export const ProjectStateSchema = z.looseObject({
  orgSlug: z.string(),
  projectSlug: z.string(),
  projectId: z.string(),
});
