// The pieces every route module of the server shares: a route of the wire table with its handler,
// answers typed by the route's `response` schema, bodies validated by its `request` schema.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { type ResponseOf, type RouteSpec, routePattern } from '../wire';
import { HttpError, readJson, sendJson } from './http';

export type Handler = (ctx: Ctx) => Promise<void> | void;
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
}
export interface Route {
  spec: RouteSpec;
  pattern: RegExp;
  handler: Handler;
}

/** A route of the wire table with its handler. */
export const route = (spec: RouteSpec, handler: Handler): Route => ({
  spec,
  pattern: routePattern(spec),
  handler,
});

/** Answers a JSON route with its success status and a body its wire `response` schema types. */
export function reply<R extends RouteSpec>(res: ServerResponse, spec: R, body: ResponseOf<R>): void {
  sendJson(res, spec.status, body);
}

/** Validates a request body with the route's wire `request` schema; a 400 naming `what` if it fails. */
export async function body<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
  what: string,
): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(req));
  if (!parsed.success) throw new HttpError(400, `${what}: ${zodMessage(parsed.error)}`);
  return parsed.data;
}

export function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}
