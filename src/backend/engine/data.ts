// Chat JSONL → fixed-length training windows. One line = one example `{messages:[{role,content}]}`
// (the "chatml" shape the Arkor templates use). Each example becomes one or more windows of
// context+1 tokens; the loss weight is 1 on assistant reply tokens only (or on every real token
// when trainOnResponsesOnly is false) and 0 on padding.
import { type ChatMessage, encodeChat, PAD } from './tokenizer';

export interface Example {
  messages: ChatMessage[];
  /** 1-based line number in the source file, for error messages. */
  line: number;
}

export interface Window {
  /** context+1 tokens: inputs are [0, T), targets are [1, T]. */
  tokens: Int32Array;
  /** Weight of predicting tokens[i+1], length T. */
  weights: Float32Array;
}

/** Parses chat JSONL, failing with the 1-based line number of the first bad line. */
export function parseChatJsonl(text: string): Example[] {
  const out: Example[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const n = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // Never the parser's message: it quotes the line, and the file may not be training data.
      throw new Error(`dataset line ${n}: not valid JSON (each line must be one JSON object)`);
    }
    const messages = (value as { messages?: unknown })?.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new Error(`dataset line ${n}: expected an object with a non-empty "messages" array`);
    }
    const msgs: ChatMessage[] = messages.map((m, j) => {
      const role = (m as { role?: unknown })?.role;
      const content = (m as { content?: unknown })?.content;
      if (typeof role !== 'string' || typeof content !== 'string') {
        throw new Error(`dataset line ${n}: messages[${j}] needs string "role" and "content"`);
      }
      return { role, content };
    });
    if (!msgs.some((m) => m.role === 'assistant')) {
      throw new Error(`dataset line ${n}: no assistant message to learn from`);
    }
    out.push({ messages: msgs, line: n });
  });
  if (out.length === 0) throw new Error('dataset is empty');
  return out;
}

/**
 * Cuts an example into windows of `context` predictions. Conversations longer than the context are
 * covered by successive windows (stride = context); windows without any weighted token are dropped.
 */
export function toWindows(examples: Example[], context: number, responsesOnly: boolean): Window[] {
  const out: Window[] = [];
  for (const ex of examples) {
    const { tokens, assistant } = encodeChat(ex.messages);
    for (let start = 0; start < tokens.length - 1; start += context) {
      const t = new Int32Array(context + 1).fill(PAD);
      const w = new Float32Array(context);
      let any = false;
      for (let i = 0; i <= context && start + i < tokens.length; i++) t[i] = tokens[start + i] as number;
      for (let i = 0; i < context; i++) {
        const target = start + i + 1;
        if (target >= tokens.length) break;
        if (!responsesOnly || assistant[target]) {
          w[i] = 1;
          any = true;
        }
      }
      if (any) out.push({ tokens: t, weights: w });
    }
  }
  return out;
}

/** Packs windows into the flat arrays the model takes: ids/targets [B, T] and weights [B, T]. */
export function packBatch(windows: Window[], context: number) {
  const B = windows.length;
  const ids = new Int32Array(B * context);
  const targets = new Int32Array(B * context);
  const weights = new Float32Array(B * context);
  windows.forEach((w, b) => {
    ids.set(w.tokens.subarray(0, context), b * context);
    targets.set(w.tokens.subarray(1, context + 1), b * context);
    weights.set(w.weights, b * context);
  });
  return { ids, targets, weights, B };
}
