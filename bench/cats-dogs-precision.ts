/**
 * Chapter 6's lab-profile training (the book's convnet on 64 × 64 pictures, batch 20, 30 epochs of 100 steps, 50
 * validation steps) in float32 with several seeds and in mixed_bfloat16, then whether bf16's validation curves stay
 * inside float32's seed band. Runs go to the lab ledger (runs/lab/bench-precision/, git-ignored) with checkpoints, so
 * an interrupted comparison resumes.
 *
 *   CNN_DATA_MIRROR=../shared/data tsx bench/cats-dogs-precision.ts [--seeds 42,43,44] [--bf16-seeds 42]
 */
import { setupBackend } from "../lib/backend";
import { setPrecisionPolicy } from "../lib/backend/precision";
import { trainCatsDogsExperiment, labExperiment } from "../lib/train/cats-dogs-experiment";
import type { FitResult } from "../lib/train/fit";

const CHAPTER_6_BATCH = 20;
const LEDGER_NOTEBOOK = "bench-precision";
const CURVES = ["val_accuracy", "val_loss"] as const;

function seedsOption(name: string, fallback: number[]): number[] {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : process.argv[index + 1].split(",").map(Number);
}

/** Per epoch, the smallest and largest value of a metric over the runs. */
function band(runs: FitResult[], metric: string): { low: number[]; high: number[] } {
  const epochs = Math.min(...runs.map((run) => run.history[metric].length));
  const low: number[] = [];
  const high: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const values = runs.map((run) => run.history[metric][epoch]);
    low.push(Math.min(...values));
    high.push(Math.max(...values));
  }
  return { low, high };
}

function insideShare(values: number[], { low, high }: { low: number[]; high: number[] }): { share: number; worst: number } {
  let inside = 0;
  let worst = 0;
  for (let epoch = 0; epoch < low.length; epoch++) {
    const outside = Math.max(low[epoch] - values[epoch], values[epoch] - high[epoch], 0);
    if (outside === 0) inside += 1;
    worst = Math.max(worst, outside);
  }
  return { share: inside / low.length, worst };
}

const lastMean = (values: number[], count = 5) => values.slice(-count).reduce((a, b) => a + b, 0) / Math.min(count, values.length);

async function main(): Promise<void> {
  process.env.CNN_PROFILE ??= "lab";
  await setupBackend({ quiet: true });
  const experiment = { ...labExperiment(), batchSize: CHAPTER_6_BATCH };
  const options = { notebook: LEDGER_NOTEBOOK, runName: "chapter-6-lab", progress: false };
  const float32Runs: FitResult[] = [];
  for (const seed of seedsOption("seeds", [42, 43, 44])) {
    setPrecisionPolicy("float32");
    float32Runs.push(await trainCatsDogsExperiment({ ...experiment, seed }, options));
    console.log(`float32 seed ${seed}: ${float32Runs.at(-1)!.secondsPerEpoch.toFixed(1)} s/epoch`);
  }
  const bf16Runs: { seed: number; run: FitResult }[] = [];
  for (const seed of seedsOption("bf16-seeds", [42])) {
    const precision = setPrecisionPolicy("mixed_bfloat16");
    if (precision.active !== "mixed_bfloat16") throw new Error(precision.note ?? "mixed_bfloat16 unavailable");
    bf16Runs.push({ seed, run: await trainCatsDogsExperiment({ ...experiment, seed }, options) });
    console.log(`mixed_bfloat16 seed ${seed}: ${bf16Runs.at(-1)!.run.secondsPerEpoch.toFixed(1)} s/epoch`);
  }
  const report: Record<string, unknown> = { float32Seeds: float32Runs.length };
  for (const metric of CURVES) {
    const float32Band = band(float32Runs, metric);
    report[metric] = {
      float32LastFive: float32Runs.map((run) => lastMean(run.history[metric])),
      bf16: bf16Runs.map(({ seed, run }) => ({ seed, lastFive: lastMean(run.history[metric]), ...insideShare(run.history[metric], float32Band) })),
    };
  }
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
