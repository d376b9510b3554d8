/**
 * Conversation exports, built in the webview and handed to the host (`export` message), which shows
 * the save dialog. JSONL is the fine-tuning dataset format: one line per example,
 * `{"messages":[{"role":"system",...}?,{"role":"user",...},{"role":"assistant",...},...],"model":"..."}`,
 * where `model` names the model that wrote every assistant message of the line.
 */
import type {
  ChatStats,
  ChatTurn,
  Conversation,
  ModelChoice,
  ModelOption,
  StoredTurn,
} from '../../src/protocol';
import { modelLabel, refKey } from './playgroundState';

/** Why a reply is not training data, in the order the export's note lists them. */
const SKIP_REASONS = {
  stopped: 'stopped',
  length: 'cut off at the token limit',
  failed: 'failed',
  empty: 'empty',
  finish: 'ended for another reason',
  unfinished: 'unfinished',
  unrecorded: 'from a model not recorded (saved by an older version)',
} as const;
type SkipReason = keyof typeof SKIP_REASONS;

/** Whether a reply is complete training data, or why not. */
function verdict(reply: StoredTurn | undefined): SkipReason | undefined {
  if (reply?.role !== 'assistant') return 'unfinished';
  if (reply.error) return 'failed';
  if (!reply.content) return 'empty';
  const finish = reply.stats?.finishReason;
  if (finish === 'stopped') return 'stopped';
  if (finish === 'length') return 'length';
  // No finish reason: the stream ended by itself without naming one (a server's plain-text chunks).
  if (finish !== undefined && finish !== 'stop') return 'finish';
  if (!reply.stats) return 'unfinished';
  if (!reply.model) return 'unrecorded';
  return undefined;
}

function sameModel(a: ModelChoice, b: ModelChoice): boolean {
  return refKey(a.ref) === refKey(b.ref) && a.origin?.label === b.origin?.label;
}

export interface DatasetExample {
  model: ModelChoice;
  turns: ChatTurn[];
}

/**
 * A column's complete exchanges as training examples. An example holds the context its replies were
 * written in: it ends where the model changes, and where a reply left out was part of what the model
 * saw next (one with text: stopped, cut off); a reply that produced nothing was never sent again.
 */
export function datasetExamples(turns: StoredTurn[], skipped: Map<SkipReason, number>): DatasetExample[] {
  const out: DatasetExample[] = [];
  let current: DatasetExample | undefined;
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i]!;
    if (t.role !== 'user') continue;
    const reply = turns[i + 1]?.role === 'assistant' ? turns[i + 1] : undefined;
    const why = verdict(reply);
    if (why) {
      skipped.set(why, (skipped.get(why) ?? 0) + 1);
      if (reply?.content) current = undefined;
      continue;
    }
    const model = reply!.model!;
    if (!current || !sameModel(current.model, model)) {
      current = { model, turns: [] };
      out.push(current);
    }
    current.turns.push({ role: 'user', content: t.content }, { role: 'assistant', content: reply!.content });
  }
  return out;
}

export interface JsonlExport {
  content: string;
  /** What was left out and why, e.g. "2 replies left out: 1 stopped, 1 failed."; absent if nothing. */
  note?: string;
}

export function toJsonl(conversation: Conversation): JsonlExport {
  const lines: string[] = [];
  const skipped = new Map<SkipReason, number>();
  const system = conversation.systemPrompt.trim()
    ? [{ role: 'system', content: conversation.systemPrompt }]
    : [];
  for (const column of conversation.columns) {
    for (const example of datasetExamples(column.turns, skipped)) {
      lines.push(JSON.stringify({ messages: [...system, ...example.turns], model: example.model.label }));
    }
  }
  const out: JsonlExport = { content: lines.map((l) => `${l}\n`).join('') };
  const total = [...skipped.values()].reduce((a, b) => a + b, 0);
  if (total > 0) {
    const parts = (Object.keys(SKIP_REASONS) as SkipReason[])
      .filter((r) => skipped.has(r))
      .map((r) => `${skipped.get(r)} ${SKIP_REASONS[r]}`);
    out.note = `${total} ${total === 1 ? 'reply' : 'replies'} left out: ${parts.join(', ')}.`;
  }
  return out;
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
    // The column's model as listed now, else as it was named when chosen (another backend's).
    const listed = models.some((m) => refKey(m.ref) === refKey(column.model));
    out.push(
      `## ${listed ? modelLabel(column.model, models) : (column.label ?? modelLabel(column.model, models))}`,
      '',
    );
    for (const turn of column.turns) {
      const by = turn.role === 'assistant' && turn.model ? ` · ${turn.model.label}` : '';
      out.push(turn.role === 'user' ? '### User' : `### Assistant${by}`, '');
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
