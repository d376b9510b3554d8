/**
 * The trainers a new project starts from. `triage`, `translate` and `redaction` are `arkor init`'s
 * templates (arkor-sdk-api.md §13.2: model, Hugging Face dataset `arkorlab/<id>-demo`, chatml,
 * 100 steps, eval every 25, LoRA r 16 / alpha 16 without 4-bit, an `onLog` printing
 * `step=<n>[ loss=<4dp>][ evalLoss=<4dp>]`, and for triage an `onCheckpoint` that asks the checkpoint
 * for strict JSON). Their datasets live on the Hugging Face Hub, so they train on Arkor Cloud only.
 * `captain` is this extension's own: a dataset file in the project, so it trains offline on the
 * local backend (the same trainer as examples/quickstart).
 */

export type TemplateId = 'captain' | 'triage' | 'translate' | 'redaction';

export interface ProjectTemplate {
  id: TemplateId;
  label: string;
  description: string;
  /** Where it can train: `local` templates carry their data; `cloud` ones read the Hub. */
  runsOn: 'local and cloud' | 'cloud';
  /** `src/arkor/trainer.ts` for a project whose trainer is called `name`. */
  trainer(name: string): string;
  /** Extra files (relative path → content), read from the extension's assets by the caller. */
  assets?: Record<string, string>;
}

/** The `arkor init` templates' shared model and settings (§13.2). */
const MODEL = 'unsloth/gemma-4-E4B-it';

const ON_LOG = `    onLog: ({ step, loss, evalLoss }) => {
      const parts = [\`step=\${step}\`];
      if (loss !== null && Number.isFinite(loss)) parts.push(\`loss=\${loss.toFixed(4)}\`);
      if (evalLoss !== null && Number.isFinite(evalLoss)) parts.push(\`evalLoss=\${evalLoss.toFixed(4)}\`);
      console.log(parts.join(' '));
    },`;

function initTemplate(
  id: 'triage' | 'translate' | 'redaction',
  extraCallbacks = '',
): (name: string) => string {
  return (name) => `import { createTrainer } from 'arkor';

export const trainer = createTrainer({
  name: ${JSON.stringify(name)},
  model: '${MODEL}',
  dataset: { type: 'huggingface', name: 'arkorlab/${id}-demo' },
  datasetFormat: { type: 'chatml' },
  maxSteps: 100,
  evalSteps: 25,
  lora: { r: 16, alpha: 16, loadIn4bit: false },
  callbacks: {
${ON_LOG}${extraCallbacks}
  },
});
`;
}

/** Triage: at each checkpoint, ask the adapter to classify a ticket as strict JSON. */
const TRIAGE_CHECKPOINT = `
    onCheckpoint: async ({ step, infer }) => {
      const res = await infer({
        messages: [{ role: 'user', content: 'My invoice was charged twice this month.' }],
        stream: false,
        maxTokens: 200,
        responseFormat: {
          type: 'json_schema',
          json_schema: {
            name: 'triage',
            strict: true,
            schema: {
              type: 'object',
              properties: {
                category: { type: 'string' },
                priority: { type: 'string', enum: ['low', 'medium', 'high'] },
              },
              required: ['category', 'priority'],
              additionalProperties: false,
            },
          },
        },
      });
      const body = (await res.json()) as { choices?: { message?: { content?: string } }[] };
      console.log(\`checkpoint step=\${step}: \${body.choices?.[0]?.message?.content ?? ''}\`);
    },`;

export const TEMPLATES: readonly ProjectTemplate[] = [
  {
    id: 'captain',
    label: 'Captain (offline)',
    description:
      "Teaches a small model to answer like a ship's captain, from a dataset in the project. Trains on this machine with the local backend in under a minute.",
    runsOn: 'local and cloud',
    trainer: (name) => `import { createTrainer } from 'arkor';

export const trainer = createTrainer({
  name: ${JSON.stringify(name)},
  model: '${MODEL}',
  // A path relative to the project folder: the local backend reads it from disk.
  dataset: { type: 'blob', url: './data/captain.jsonl' },
  maxSteps: 60,
  saveSteps: 20,
  evalSteps: 10,
  lora: { r: 8, alpha: 16 },
  callbacks: {
${ON_LOG}
  },
});
`,
    assets: { 'data/captain.jsonl': 'captain.jsonl' },
  },
  {
    id: 'triage',
    label: 'Triage',
    description: 'arkor init template: classify support tickets, checked as strict JSON at each checkpoint.',
    runsOn: 'cloud',
    trainer: initTemplate('triage', TRIAGE_CHECKPOINT),
  },
  {
    id: 'translate',
    label: 'Translate',
    description: 'arkor init template: a translation assistant.',
    runsOn: 'cloud',
    trainer: initTemplate('translate'),
  },
  {
    id: 'redaction',
    label: 'Redaction',
    description: 'arkor init template: redact personal data from text.',
    runsOn: 'cloud',
    trainer: initTemplate('redaction'),
  },
];

export function templateById(id: string): ProjectTemplate | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
