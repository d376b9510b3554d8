// Byte-level tokenizer: a token is one UTF-8 byte, so any text round-trips and the vocabulary is
// 256. A few ASCII control bytes, which never occur in chat text, mark the chat structure.

export const ROLE_USER = 0x01;
export const ROLE_ASSISTANT = 0x02;
export const ROLE_SYSTEM = 0x03;
/** End of a turn. Generation stops when the model emits it. */
export const END_OF_TURN = 0x04;
/** Padding for short sequences; always carries loss weight 0. */
export const PAD = 0x00;

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export function roleByte(role: string): number {
  if (role === 'assistant') return ROLE_ASSISTANT;
  if (role === 'system') return ROLE_SYSTEM;
  // Tool results are shown to the model like user turns: the tiny model has no tool format.
  return ROLE_USER;
}

const encoder = new TextEncoder();

export function encodeText(text: string): number[] {
  return Array.from(encoder.encode(text));
}

export interface ChatMessage {
  role: string;
  content: string;
}

/**
 * Tokens of a conversation plus a per-token flag telling whether the token belongs to an assistant
 * reply (its text and closing END_OF_TURN). Training on responses only weights exactly those.
 */
export function encodeChat(messages: ChatMessage[]): { tokens: number[]; assistant: boolean[] } {
  const tokens: number[] = [];
  const assistant: boolean[] = [];
  for (const m of messages) {
    const isAssistant = m.role === 'assistant';
    tokens.push(roleByte(m.role));
    assistant.push(false);
    for (const b of encodeText(m.content)) {
      // Control bytes inside text would fake structure; chat text never needs them.
      if (b < 0x09) continue;
      tokens.push(b);
      assistant.push(isAssistant);
    }
    tokens.push(END_OF_TURN);
    assistant.push(isAssistant);
  }
  return { tokens, assistant };
}

/** Prompt for generation: the conversation so far, then the assistant role byte. */
export function encodePrompt(messages: ChatMessage[]): number[] {
  return [...encodeChat(messages).tokens, ROLE_ASSISTANT];
}

/** Bytes the model may emit when sampling: printable text seen in its data, plus END_OF_TURN. */
export function allowedBytesOf(texts: Iterable<string>): number[] {
  const seen = new Set<number>([END_OF_TURN]);
  for (const t of texts) for (const b of encodeText(t)) if (b >= 0x09) seen.add(b);
  return [...seen].sort((a, b) => a - b);
}
