import { useState } from 'preact/hooks';
import type { EndpointSample } from '../../src/protocol';
import { Card } from '../shared/Card';
import { Button } from '../shared/toolkit';
import { readPersisted, usePersisted } from '../shared/useHost';
import type { EndpointChannel } from './EndpointApp';

const LANGUAGES: { id: EndpointSample['language']; label: string }[] = [
  { id: 'curl', label: 'cURL' },
  { id: 'python', label: 'Python (OpenAI SDK)' },
  { id: 'javascript', label: 'JavaScript (OpenAI SDK)' },
];

interface QuickStartState {
  sampleLanguage: EndpointSample['language'];
  sampleStream: boolean;
}

/** Samples with the endpoint's real URL and its auth line, streaming or not, copyable. */
export function QuickStart(props: {
  channel: EndpointChannel;
  samples: EndpointSample[];
  onCopy(text: string, what: string): void;
}) {
  const saved = readPersisted<QuickStartState>(props.channel);
  const [language, setLanguage] = useState(saved.sampleLanguage ?? 'curl');
  const [stream, setStream] = useState(saved.sampleStream ?? false);
  usePersisted<QuickStartState>(props.channel, { sampleLanguage: language, sampleStream: stream });
  const sample = props.samples.find((s) => s.language === language && s.stream === stream);
  const name = LANGUAGES.find((l) => l.id === language)?.label ?? language;
  return (
    <Card
      id="qs"
      title="Quick start"
      aside={
        <div class="qs-controls">
          <select
            aria-label="Language"
            data-testid="sample-language"
            value={language}
            onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as typeof language)}
          >
            {LANGUAGES.map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
              </option>
            ))}
          </select>
          <label class="radio">
            <input
              type="checkbox"
              checked={stream}
              data-testid="sample-stream"
              onChange={(e) => setStream((e.currentTarget as HTMLInputElement).checked)}
            />
            Streaming
          </label>
          <Button
            appearance="secondary"
            disabled={!sample}
            onClick={() => sample && props.onCopy(sample.code, `${name} sample`)}
            data-testid="copy-sample"
          >
            Copy
          </Button>
        </div>
      }
    >
      {sample ? (
        <pre class="sample" data-testid="sample-code">
          {sample.code}
        </pre>
      ) : (
        <p class="muted">No sample for this choice.</p>
      )}
      <p class="muted small">
        The <code>model</code> field is ignored: the endpoint serves its target. SDKs take the base URL ending
        in <code>/v1</code>.
      </p>
    </Card>
  );
}
