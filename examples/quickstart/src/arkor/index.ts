import { createArkor, createTrainer } from 'arkor';

// A tiny LoRA fine-tune: teach the model to answer like a ship's captain.
// On the local backend this trains a small model on your CPU in well under a minute.
const trainer = createTrainer({
  name: 'captain-speak',
  model: 'unsloth/gemma-4-E4B-it',
  dataset: { type: 'blob', url: './data/captain.jsonl' },
  maxSteps: 60,
  saveSteps: 20,
  evalSteps: 10,
  lora: { r: 8, alpha: 16 },
  callbacks: {
    onLog: ({ step, loss, evalLoss }) => {
      console.log(
        `step=${step} loss=${loss?.toFixed(4) ?? '-'}${evalLoss != null ? ` evalLoss=${evalLoss.toFixed(4)}` : ''}`,
      );
    },
  },
});

export const arkor = createArkor({ trainer });
