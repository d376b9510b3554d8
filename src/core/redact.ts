/**
 * Token redaction. Anything that may end up in an error message, a log line or a webview goes
 * through `redact()` first, so a bearer token can never leak even if a server echoes it back.
 */

export const REDACTED = '[REDACTED]';

// Patterns for secrets we might not know about explicitly (e.g. a token a server echoes in a body).
const PATTERNS: RegExp[] = [
  // `Bearer <credential>` as in an echoed Authorization header. A credential has a digit or symbol
  // inside it, or is long: "missing or invalid bearer token." keeps its words (a message users need).
  /\b(Bearer\s+)(?:(?=[A-Za-z]*(?:[0-9_~+/=-]|\.[A-Za-z0-9]))[A-Za-z0-9._~+/=-]+|[A-Za-z]{20,})/gi,
  // JSON or query fields that carry secrets: "token": "...", accessToken=..., refresh_token: ...
  /((?:"|')?(?:token|access_?token|refresh_?token|id_?token|api_?key|plaintext|password|secret)(?:"|')?\s*[:=]\s*(?:"|')?)[^"'\s,&}]+/gi,
  // JWT-looking strings (three base64url segments, the first starting with eyJ).
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
];

/**
 * Replace every occurrence of the given secrets and of anything that looks like a token.
 * Secrets shorter than 4 characters are ignored: replacing them would mangle ordinary text and
 * such values cannot be real tokens.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (_match, prefix: string) =>
      typeof prefix === 'string' ? prefix + REDACTED : REDACTED,
    );
  }
  return out;
}

/** Redact secrets in an arbitrary value by way of its JSON form (for logging objects). */
export function redactValue(value: unknown, secrets: ReadonlyArray<string | undefined> = []): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return redact(text ?? String(value), secrets);
}
