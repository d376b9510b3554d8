import type { SamplingParams } from '../../src/protocol';
import { CHAT_LIMITS } from '../../src/wire/chatLimits';

/** The sampling parameters set with a slider, shown with two decimals. */
const SLIDERS: {
  param: 'temperature' | 'topP';
  label: string;
  testId: string;
  min: number;
  max: number;
  step: number;
}[] = [
  { param: 'temperature', label: 'Temperature', testId: 'temperature', min: 0, max: 2, step: 0.05 },
  {
    param: 'topP',
    label: 'Top-p',
    testId: 'top-p',
    min: CHAT_LIMITS.topP.min,
    max: CHAT_LIMITS.topP.max,
    step: 0.01,
  },
];

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
        {SLIDERS.map(({ param, label, testId, min, max, step }) => (
          <label key={param} class="field">
            <span>
              {label} {params[param].toFixed(2)}
            </span>
            <input
              type="range"
              data-testid={testId}
              min={min}
              max={max}
              step={step}
              value={params[param]}
              onInput={(e) => props.onParams({ [param]: num(e) })}
            />
          </label>
        ))}
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
