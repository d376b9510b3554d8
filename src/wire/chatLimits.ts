/**
 * The ranges the local backend accepts for chat parameters (Arkor Cloud's are not published; these
 * are the tightest we know). The Playground's controls use the same numbers, so it never offers a
 * value the backend answers with 400. No zod here: the webviews import this file.
 */
export const CHAT_LIMITS = {
  temperature: { min: 0, max: 2 },
  /** Exclusive of 0: a top-p of 0 keeps no token at all. */
  topP: { min: 0.01, max: 1 },
  maxTokens: { min: 1, max: 4096 },
} as const;
