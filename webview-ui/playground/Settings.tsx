import type { SamplingParams } from '../../src/protocol';
import { CHAT_LIMITS } from '../../src/wire/chatLimits';

/** The collapsible system prompt and sampling parameters of the conversation on screen. */
export function Settings(props: {
  systemPrompt: string;
  params: SamplingParams;
  onSystemPrompt(text: string): void;
  onParams(params: Partial<SamplingParams>): void;
}) {
  const { params } = props;
  const num = (e: Event) => Number((e.currentTarget as HTMLInputElement).value);
  return (
    <details class="settings">
      <summary>
        System prompt and parameters
        <span class="muted">
          {' '}
          · {props.systemPrompt.trim() ? 'system prompt set' : 'no system prompt'} · temperature{' '}
          {params.temperature} · top-p {params.topP} · max {params.maxTokens} tokens
        </span>
      </summary>
      <label class="field">
        <span>System prompt</span>
        <textarea
          data-testid="system-prompt"
          rows={3}
          value={props.systemPrompt}
          placeholder="You are a helpful assistant."
          onInput={(e) => props.onSystemPrompt((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="params">
        <label class="field">
          <span>Temperature {params.temperature.toFixed(2)}</span>
          <input
            type="range"
            data-testid="temperature"
            min={0}
            max={2}
            step={0.05}
            value={params.temperature}
            onInput={(e) => props.onParams({ temperature: num(e) })}
          />
        </label>
        <label class="field">
          <span>Top-p {params.topP.toFixed(2)}</span>
          <input
            type="range"
            data-testid="top-p"
            min={CHAT_LIMITS.topP.min}
            max={CHAT_LIMITS.topP.max}
            step={0.01}
            value={params.topP}
            onInput={(e) => props.onParams({ topP: num(e) })}
          />
        </label>
        <label class="field">
          <span>Max tokens</span>
          <input
            type="number"
            data-testid="max-tokens"
            min={CHAT_LIMITS.maxTokens.min}
            max={CHAT_LIMITS.maxTokens.max}
            step={1}
            value={params.maxTokens}
            onChange={(e) => {
              const v = Math.round(num(e));
              const { min, max } = CHAT_LIMITS.maxTokens;
              if (Number.isFinite(v) && v >= min) props.onParams({ maxTokens: Math.min(max, v) });
            }}
          />
        </label>
      </div>
    </details>
  );
}
