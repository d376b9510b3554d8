// Benchmarks of the local engine and backend. Prints figures; asserts nothing.
//
//   npx tsx bench/train.ts            (about a minute on 2 cores)
//
// 1. LoRA training steps/s and tokens/s, default preset (d=64, 2 layers, context 64, batch 16) and
//    test preset, on the real shipped base models.
// 2. The custom matmul gradient against tfjs' own MatMul gradient, same model and batches, side by side.
// 3. GET /v1/jobs latency (p50/p99) of a running backend while a training job runs in its worker.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBackend } from '../src/backend/backend';
import { loadBaseModel } from '../src/backend/engine/baseModel';
import { type Example, parseChatJsonl, toWindows } from '../src/backend/engine/data';
import { createLora, disposeLora } from '../src/backend/engine/lora';
import { type MatmulGrad, TinyGpt } from '../src/backend/engine/model';
import { PRESETS, type PresetName } from '../src/backend/engine/presets';
import { initTf } from '../src/backend/engine/tf';
import { train } from '../src/backend/engine/train';

const REPO = path.resolve(__dirname, '..');
const examples: Example[] = parseChatJsonl(
  readFileSync(path.join(REPO, 'test/fixtures/pirate-chat.jsonl'), 'utf8'),
);

function trainSpeed(presetName: PresetName, steps: number, matmulGrad: MatmulGrad = 'custom') {
  const preset = PRESETS[presetName];
  const T = preset.model.context;
  const model = TinyGpt.fromWeights(preset.model, loadBaseModel(preset).weights, { matmulGrad });
  const lora = createLora(preset.model, 8, 16, 1);
  const windows = toWindows(examples, T, true);
  // Warm-up: first steps compile kernels and allocate the optimizer state.
  train({
    model,
    lora,
    train: windows,
    batchSize: preset.batchSize,
    maxSteps: 3,
    learningRate: 1e-2,
    seed: 1,
  });
  const t = performance.now();
  train({
    model,
    lora,
    train: windows,
    batchSize: preset.batchSize,
    maxSteps: steps,
    learningRate: 1e-2,
    seed: 2,
  });
  const secs = (performance.now() - t) / 1000;
  disposeLora(lora);
  model.dispose();
  const stepsPerSec = steps / secs;
  return { stepsPerSec, tokensPerSec: stepsPerSec * preset.batchSize * T, msPerStep: (secs * 1000) / steps };
}

async function listLatencyWhileTraining() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arkor-bench-'));
  const backend = await startBackend({
    dataDir,
    preset: 'default',
  });
  const h = { 'X-Arkor-Client': 'arkor/0.0.3-alpha.1', 'Content-Type': 'application/json' };
  try {
    const { token } = (await (
      await fetch(`${backend.url}/v1/auth/anonymous`, { method: 'POST', headers: h, body: '{"kind":"cli"}' })
    ).json()) as { token: string };
    const auth = { ...h, Authorization: `Bearer ${token}` };
    // The project of the fixtures folder, as the extension binds a project to its folder.
    const { project } = (await (
      await fetch(`${backend.url}/v1/local/projects`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ root: path.join(REPO, 'test/fixtures') }),
      })
    ).json()) as { project: { slug: string } };
    const q = `${backend.url}/v1/jobs?orgSlug=local&projectSlug=${project.slug}`;
    const { job } = (await (
      await fetch(q, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          name: 'bench',
          config: {
            model: 'unsloth/gemma-4-E4B-it',
            datasetSource: { type: 'blob', url: 'pirate-chat.jsonl' },
            maxSteps: 100_000,
          },
        }),
      })
    ).json()) as { job: { id: string } };
    const jobUrl = `${backend.url}/v1/jobs/${job.id}?orgSlug=local&projectSlug=bench`;
    for (;;) {
      const { job: j } = (await (await fetch(jobUrl, { headers: auth })).json()) as {
        job: { status: string };
      };
      if (j.status === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const times: number[] = [];
    const until = Date.now() + 8000;
    while (Date.now() < until) {
      const t = performance.now();
      await (await fetch(q, { headers: auth })).arrayBuffer();
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
    const { events } = (await (await fetch(jobUrl, { headers: auth })).json()) as {
      events: { step?: number }[];
    };
    await fetch(`${backend.url}/v1/jobs/${job.id}/cancel?orgSlug=local&projectSlug=bench`, {
      method: 'POST',
      headers: auth,
    });
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))] as number;
    const steps = Math.max(0, ...events.map((e) => e.step ?? 0));
    return { n: times.length, p50: pct(0.5), p99: pct(0.99), max: pct(1), stepsDuring: steps };
  } finally {
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Median of several rounds: the machine is often shared, and single runs swing by ±30 %. */
function medianOf<T>(rounds: number, run: () => T, key: (t: T) => number): T {
  const results = Array.from({ length: rounds }, run).sort((a, b) => key(a) - key(b));
  return results[Math.floor(rounds / 2)] as T;
}

async function main() {
  await initTf();
  const f = (x: number, d = 2) => x.toFixed(d);
  console.log('Arkor local engine bench (tfjs-core + wasm, single-threaded SIMD kernels)\n');

  const def = medianOf(
    3,
    () => trainSpeed('default', 20),
    (r) => r.stepsPerSec,
  );
  console.log(
    `train default (d=64, L=2, T=64, B=16, LoRA r=8): ${f(def.stepsPerSec)} steps/s, ${f(def.tokensPerSec, 0)} tokens/s`,
  );
  const small = medianOf(
    3,
    () => trainSpeed('test', 100),
    (r) => r.stepsPerSec,
  );
  console.log(
    `train test    (d=32, L=1, T=32, B=8,  LoRA r=8): ${f(small.stepsPerSec)} steps/s, ${f(small.tokensPerSec, 0)} tokens/s`,
  );

  // Interleaved rounds, so background load hits both variants alike.
  const customRounds: number[] = [];
  const stockRounds: number[] = [];
  for (let i = 0; i < 3; i++) {
    customRounds.push(trainSpeed('default', 8, 'custom').msPerStep);
    stockRounds.push(trainSpeed('default', 8, 'tfjs').msPerStep);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const custom = { msPerStep: median(customRounds) };
  const stock = { msPerStep: median(stockRounds) };
  console.log(
    `matmul gradient, default preset: custom ${f(custom.msPerStep, 0)} ms/step vs tfjs ${f(stock.msPerStep, 0)} ms/step → ${f(stock.msPerStep / custom.msPerStep)}x speed-up`,
  );

  const lat = await listLatencyWhileTraining();
  console.log(
    `GET /v1/jobs while training (${lat.n} requests, ${lat.stepsDuring} steps trained meanwhile): p50 ${f(lat.p50, 1)} ms, p99 ${f(lat.p99, 1)} ms, max ${f(lat.max, 1)} ms`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
