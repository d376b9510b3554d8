// Pretrains the frozen base models of the local backend from assets/base-model/corpus.txt, an
// original corpus of short everyday chat exchanges written for this project, and writes
// assets/base-model/<stem>.{bin,json}. Reproducible: fixed seed and fixed step counts, and
// training on the wasm backend is deterministic, so re-running gives the same weights.
//
//   npx tsx scripts/pretrain-base.ts            # both presets (about 2-3 minutes on 2 cores)
//   npx tsx scripts/pretrain-base.ts --preset test
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { saveBaseModel } from '../src/backend/engine/baseModel';
import { type Example, toWindows } from '../src/backend/engine/data';
import { TinyGpt } from '../src/backend/engine/model';
import { isPresetName, PRESETS, type PresetName } from '../src/backend/engine/presets';
import { mulberry32, shuffle } from '../src/backend/engine/rng';
import { initTf } from '../src/backend/engine/tf';
import { allowedBytesOf } from '../src/backend/engine/tokenizer';
import { evaluate, train } from '../src/backend/engine/train';

const SEED = 1234;
/** Steps per preset: enough for fluent-looking (if garbled) short replies, a few minutes at most. */
const STEPS: Record<PresetName, number> = { default: 900, test: 1500 };
const LEARNING_RATE = 3e-3;

const assetsDir = path.resolve(__dirname, '../assets/base-model');

function readCorpus(): { examples: Example[]; hash: string } {
  const text = readFileSync(path.join(assetsDir, 'corpus.txt'), 'utf8');
  const pairs: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [user, assistant] = line.split('\t');
    if (!user || !assistant) throw new Error(`corpus line without a tab: ${line}`);
    pairs.push([user.trim(), assistant.trim()]);
  }
  const examples: Example[] = pairs.map(([u, a], i) => ({
    line: i + 1,
    messages: [
      { role: 'user', content: u },
      { role: 'assistant', content: a },
    ],
  }));
  // Some two-turn conversations too, so the base has seen a reply that follows earlier turns.
  const rng = mulberry32(SEED);
  const shuffled = shuffle(pairs, rng);
  for (let i = 0; i + 1 < shuffled.length; i += 2) {
    const [u1, a1] = shuffled[i] as [string, string];
    const [u2, a2] = shuffled[i + 1] as [string, string];
    examples.push({
      line: 0,
      messages: [
        { role: 'user', content: u1 },
        { role: 'assistant', content: a1 },
        { role: 'user', content: u2 },
        { role: 'assistant', content: a2 },
      ],
    });
  }
  return { examples, hash: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

/** Formats the JSON header the way `npm run lint` (biome) wants it, so a re-run leaves git clean. */
function formatHeader(file: string) {
  try {
    execFileSync(process.execPath, [require.resolve('@biomejs/biome/bin/biome'), 'format', '--write', file], {
      stdio: 'ignore',
    });
  } catch {
    console.warn(`could not run biome on ${file}; run \`npx biome format --write ${file}\``);
  }
}

async function main() {
  const arg = process.argv.indexOf('--preset');
  const only = arg >= 0 ? process.argv[arg + 1] : undefined;
  if (only !== undefined && !isPresetName(only)) throw new Error(`unknown preset ${only}`);
  await initTf();
  const { examples, hash } = readCorpus();
  const allowedBytes = allowedBytesOf(examples.flatMap((e) => e.messages.map((m) => m.content)));
  for (const name of only ? [only] : (['test', 'default'] as PresetName[])) {
    const preset = PRESETS[name];
    const T = preset.model.context;
    const ordered = shuffle(examples, mulberry32(SEED + 1));
    const nEval = Math.max(4, Math.round(ordered.length * 0.05));
    // Base models learn the whole conversation (both roles), not only the replies.
    const evalSet = toWindows(ordered.slice(0, nEval), T, false);
    const trainSet = toWindows(ordered.slice(nEval), T, false);
    const model = TinyGpt.init(preset.model, SEED, { trainable: true });
    const started = Date.now();
    const result = train({
      model,
      train: trainSet,
      evalSet,
      batchSize: preset.batchSize,
      maxSteps: STEPS[name],
      learningRate: LEARNING_RATE,
      warmupSteps: 50,
      schedule: 'cosine',
      seed: SEED,
      loggingSteps: 100,
      evalSteps: STEPS[name],
      onLog: (m) =>
        console.log(
          `[${name}] step ${m.step} loss ${m.loss?.toFixed(3) ?? '-'}` +
            (m.evalLoss !== null ? ` evalLoss ${m.evalLoss.toFixed(3)}` : ''),
        ),
    });
    const seconds = (Date.now() - started) / 1000;
    const evalLoss = evaluate(model, evalSet, preset.batchSize);
    saveBaseModel(assetsDir, preset, model.weights(), allowedBytes, {
      corpus: 'corpus.txt',
      corpusSha256: hash,
      examples: examples.length,
      seed: SEED,
      steps: result.steps,
      learningRate: LEARNING_RATE,
      batchSize: preset.batchSize,
      finalLoss: result.lastLoss,
      evalLoss,
    });
    formatHeader(path.join(assetsDir, `${preset.baseFile}.json`));
    console.log(
      `[${name}] ${result.steps} steps in ${seconds.toFixed(1)} s, eval loss ${evalLoss.toFixed(3)}`,
    );
    model.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
