/**
 * Conversation exports, built in the webview and handed to the host (`export` message), which shows
 * the save dialog. JSONL is the fine-tuning dataset format: one line per column, each
 * `{"messages":[{"role":"system",...}?,{"role":"user",...},{"role":"assistant",...},...]}`.
 */
import type { ChatStats, ChatTurn, Conversation, ModelOption } from '../../src/protocol';
import { modelLabel } from './playgroundState';

type StoredTurn = Conversation['columns'][number]['turns'][number];

/** User/assistant pairs that produced a reply; failed or unanswered exchanges are left out. */
export function datasetTurns(turns: StoredTurn[]): ChatTurn[] {
  const out: ChatTurn[] = [];
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i]!;
    const reply = turns[i + 1];
    if (t.role === 'user' && reply?.role === 'assistant' && reply.content) {
      out.push({ role: 'user', content: t.content }, { role: 'assistant', content: reply.content });
      i++;
    }
  }
  return out;
}

export function toJsonl(conversation: Conversation): string {
  const lines: string[] = [];
  for (const column of conversation.columns) {
    const turns = datasetTurns(column.turns);
    if (turns.length === 0) continue;
    const messages: { role: string; content: string }[] = [];
    if (conversation.systemPrompt.trim())
      messages.push({ role: 'system', content: conversation.systemPrompt });
    messages.push(...turns);
    lines.push(JSON.stringify({ messages }));
  }
  return lines.map((l) => `${l}\n`).join('');
}

export function formatStats(stats: ChatStats | undefined): string {
  if (!stats) return '';
  const parts: string[] = [];
  if (stats.finishReason === 'stopped') parts.push('Stopped');
  if (stats.ttftMs !== undefined) {
    parts.push(
      `TTFT ${stats.ttftMs < 1000 ? `${Math.round(stats.ttftMs)} ms` : `${(stats.ttftMs / 1000).toFixed(2)} s`}`,
    );
  }
  if (stats.tokensPerSecond !== undefined) parts.push(`${stats.tokensPerSecond.toFixed(1)} tok/s`);
  if (stats.tokens !== undefined) parts.push(`${stats.tokens} tokens`);
  if (stats.finishReason && stats.finishReason !== 'stopped') parts.push(`finish: ${stats.finishReason}`);
  return parts.join(' · ');
}

export function toMarkdown(conversation: Conversation, models: ModelOption[]): string {
  const out: string[] = [`# ${conversation.title}`, ''];
  const p = conversation.params;
  out.push(`Temperature ${p.temperature} · top-p ${p.topP} · max tokens ${p.maxTokens}`, '');
  if (conversation.systemPrompt.trim()) {
    out.push('**System prompt**', '', ...conversation.systemPrompt.split('\n').map((l) => `> ${l}`), '');
  }
  for (const column of conversation.columns) {
    out.push(`## ${modelLabel(column.model, models)}`, '');
    for (const turn of column.turns) {
      out.push(turn.role === 'user' ? '### User' : '### Assistant', '');
      if (turn.content) out.push(turn.content, '');
      if (turn.error) out.push(`> **Error:** ${turn.error}`, '');
      const stats = formatStats(turn.stats);
      if (stats) out.push(`*${stats}*`, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function suggestedName(conversation: Conversation, ext: 'jsonl' | 'md'): string {
  const slug = conversation.title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'conversation'}.${ext}`;
}
