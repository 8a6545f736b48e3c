/**
 * `npm run bench`: training speed of the course's two convnets on every available path — wasm+oneDNN in float32 and
 * mixed_bfloat16, pure wasm, and PyTorch (bench/pytorch_reference.py) in float32 and bf16 autocast where `import
 * torch` works — on random data for a fixed number of steps.
 * Each measurement runs in a fresh process; runs alternate between paths so a busy machine hurts them alike.
 * Prints a table (median img/s, ratio to PyTorch, peak RSS, share of peak FLOP/s), where a training step's time
 * goes per kernel, and projected wall times for the course's training runs; writes JSON to bench/results/.
 *
 *   npm run bench [-- --runs 3] [--models mnist,catsdogs] [--paths "wasm+onednn,wasm+onednn bf16,wasm,pytorch,pytorch bf16"]
 *                 [--profile-kernels]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { availableWasmTrainingPaths } from "../lib/backend/wasm-training";
import { loadNativeAccelerator } from "../lib/backend/onednn/addon";
import { measureMachinePeak, type MachinePeak } from "../bench/machine-peak";
import { BENCH_PATHS, MODEL_BENCH, type BenchModel, type BenchPath, type RunResult } from "../bench/config";

const PROJECT_ROOT = path.resolve(__dirname, "..");
const RESULTS_DIR = path.join(PROJECT_ROOT, "bench", "results");
const PYTHON = "/usr/bin/python3";
const DEFAULT_RUNS = 3;
const TOP_KERNELS = 8;
const WORKER_TIMEOUT_MS = 300_000;
/**
 * glibc's malloc told to keep freed memory for reuse, for every worker. PyTorch allocates and frees each step's
 * activations; beyond 32 MiB glibc maps and unmaps them every time, and re-faulting those pages made PyTorch's FP32
 * cats/dogs step 3.4× slower here (15 vs 52 img/s) — a PyTorch tuned as its CPU guide advises (a caching allocator)
 * is the fairer reference. The course's wasm heap never returns memory, so it is unaffected (118 vs 119 img/s).
 */
const ALLOCATOR_ENV = { MALLOC_MMAP_THRESHOLD_: "33554432", MALLOC_TRIM_THRESHOLD_: "4294967295", MALLOC_TOP_PAD_: "536870912" };

/** The course's long training runs, projected from the measured speeds. */
const COURSE_RUNS = [
  { name: "MNIST: 5 epochs of 60k", model: "mnist" as BenchModel, trainImages: 5 * 60_000, validationImages: 0 },
  { name: "cats/dogs: 30 epochs × 100 steps × 20 (+50 val steps)", model: "catsdogs" as BenchModel, trainImages: 30 * 100 * 20, validationImages: 30 * 50 * 20 },
  { name: "dropout: 100 epochs × 100 steps × 32 (+50 val steps)", model: "catsdogs" as BenchModel, trainImages: 100 * 100 * 32, validationImages: 100 * 50 * 32 },
];

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
}

function runOnce(model: BenchModel, benchPath: BenchPath): RunResult {
  const { batch, steps, warmupSteps } = MODEL_BENCH[model];
  const bf16 = benchPath.endsWith(" bf16");
  const [command, args] =
    benchPath.startsWith("pytorch")
      ? [PYTHON, [path.join(PROJECT_ROOT, "bench", "pytorch_reference.py"), "--model", model, "--warmup", String(warmupSteps), "--steps", String(steps), "--batch", String(batch), "--precision", bf16 ? "bf16" : "fp32"]]
      : [process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "bench", "train-worker.ts"), "--model", model, "--path", benchPath]];
  const child = spawnSync(command, args, { cwd: PROJECT_ROOT, encoding: "utf8", timeout: WORKER_TIMEOUT_MS, env: { ...process.env, ...ALLOCATOR_ENV } });
  const line = child.stdout.split("\n").filter((text) => text.startsWith("{")).pop();
  if (child.status !== 0 || line === undefined) {
    throw new Error(`${benchPath} ${model} failed (exit ${child.status}): ${child.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  }
  return JSON.parse(line) as RunResult;
}

interface Summary {
  model: BenchModel;
  path: BenchPath;
  runs: number;
  trainImagesPerSecond: number;
  inferenceImagesPerSecond: number;
  /** Speed over PyTorch's float32 and over its bf16 autocast. */
  ratioToPytorch: number | null;
  ratioToPytorchBf16: number | null;
  peakRssMb: number;
  /** Achieved training FLOP/s over the measured matmul peak of the row's precision (null: no peak measured). */
  shareOfPeakFlops: number | null;
  threads: number;
  kernelMsPerStep: Record<string, number>;
  tensorLeak: number;
}

function summarize(results: RunResult[], models: BenchModel[], paths: BenchPath[], peak: MachinePeak | null): Summary[] {
  const summaries: Summary[] = [];
  for (const model of models) {
    const speedOf = (reference: BenchPath) => {
      const runs = results.filter((r) => r.model === model && r.path === reference);
      return runs.length > 0 ? median(runs.map((r) => r.trainImagesPerSecond)) : null;
    };
    const torchSpeed = speedOf("pytorch");
    const torchBf16Speed = speedOf("pytorch bf16");
    for (const benchPath of paths) {
      const runs = results.filter((r) => r.model === model && r.path === benchPath);
      if (runs.length === 0) continue;
      const speed = median(runs.map((r) => r.trainImagesPerSecond));
      const peakFlops = benchPath.endsWith(" bf16") ? peak?.bfloat16Flops : peak?.float32Flops;
      const kernelNames = new Set(runs.flatMap((r) => Object.keys(r.kernelMs ?? {})));
      const kernelMsPerStep: Record<string, number> = {};
      for (const name of kernelNames) kernelMsPerStep[name] = median(runs.map((r) => r.kernelMs?.[name] ?? 0));
      summaries.push({
        model,
        path: benchPath,
        runs: runs.length,
        trainImagesPerSecond: speed,
        inferenceImagesPerSecond: median(runs.map((r) => r.inferenceImagesPerSecond)),
        ratioToPytorch: torchSpeed === null ? null : speed / torchSpeed,
        ratioToPytorchBf16: torchBf16Speed === null ? null : speed / torchBf16Speed,
        peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
        shareOfPeakFlops: peakFlops == null ? null : (speed * MODEL_BENCH[model].trainFlopsPerImage) / peakFlops,
        threads: runs[0].threads,
        kernelMsPerStep,
        tensorLeak: Math.max(...runs.map((r) => r.tensorLeak ?? 0)),
      });
    }
  }
  return summaries;
}

function formatSeconds(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, "0")} min` : `${m} min ${String(Math.round(seconds % 60)).padStart(2, "0")} s`;
}

function printReport(summaries: Summary[], fullProfile: boolean, peak: MachinePeak | null): string[] {
  const lines: string[] = [];
  if (peak !== null) {
    const gflops = (flops: number | null) => (flops === null ? "–" : `${(flops / 1e9).toFixed(0)} GFLOP/s`);
    lines.push(`Measured peak (oneDNN ${peak.matrixSize}² matmul, all threads): float32 ${gflops(peak.float32Flops)}, bfloat16 ${gflops(peak.bfloat16Flops)}`, "");
  }
  const ratio = (value: number | null) => (value === null ? "–" : value.toFixed(2));
  lines.push("| model | path | train img/s | × PyTorch FP32 | × PyTorch bf16 | infer img/s | peak RSS | % of measured peak (bf16 rows: of the bf16 peak) | threads | runs |");
  lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of summaries) {
    lines.push(
      `| ${s.model} | ${s.path} | ${s.trainImagesPerSecond.toFixed(1)} | ${ratio(s.ratioToPytorch)} | ${ratio(s.ratioToPytorchBf16)} | ` +
        `${s.inferenceImagesPerSecond.toFixed(0)} | ${s.peakRssMb.toFixed(0)} MB | ${s.shareOfPeakFlops === null ? "–" : `${(100 * s.shareOfPeakFlops).toFixed(1)}%`} | ${s.threads} | ${s.runs} |`,
    );
  }
  lines.push("", "Where a training step's time goes (median ms per kernel, one profiled step):");
  for (const s of summaries) {
    const entries = Object.entries(s.kernelMsPerStep).sort((a, b) => b[1] - a[1]);
    if (entries.length === 0) continue;
    const total = entries.reduce((sum, [, ms]) => sum + ms, 0);
    const shown = fullProfile ? entries : entries.slice(0, TOP_KERNELS);
    const parts = shown.map(([name, ms]) => `${name} ${ms.toFixed(1)} (${((100 * ms) / total).toFixed(0)}%)`);
    lines.push(`  ${s.model} ${s.path}: ${total.toFixed(0)} ms in kernels — ${parts.join(", ")}${s.tensorLeak !== 0 ? `  [LEAK ${s.tensorLeak} tensors/run]` : ""}`);
  }
  const bestByModel = new Map<BenchModel, Summary>();
  for (const s of summaries) {
    if (s.path.startsWith("pytorch")) continue;
    const best = bestByModel.get(s.model);
    if (best === undefined || s.trainImagesPerSecond > best.trainImagesPerSecond) bestByModel.set(s.model, s);
  }
  lines.push("", "Projected wall time of the course's training runs (training + validation, no data loading):");
  for (const run of COURSE_RUNS) {
    const cells = summaries
      .filter((s) => s.model === run.model)
      .map((s) => `${s.path} ${formatSeconds(run.trainImages / s.trainImagesPerSecond + run.validationImages / s.inferenceImagesPerSecond)}`);
    if (cells.length > 0) lines.push(`  ${run.name}: ${cells.join(" · ")}`);
  }
  // The three runs together, per path that measured both models: the full course's training in that precision.
  const totals = [...new Set(summaries.map((s) => s.path))].flatMap((benchPath) => {
    const seconds = COURSE_RUNS.map((run) => {
      const s = summaries.find((summary) => summary.model === run.model && summary.path === benchPath);
      return s === undefined ? Number.NaN : run.trainImages / s.trainImagesPerSecond + run.validationImages / s.inferenceImagesPerSecond;
    });
    const total = seconds.reduce((sum, value) => sum + value, 0);
    return Number.isNaN(total) ? [] : [`${benchPath} ${formatSeconds(total)}`];
  });
  if (totals.length > 0) lines.push(`  all three: ${totals.join(" · ")}`);
  for (const line of lines) console.log(line);
  return lines;
}

function main(): void {
  const runs = Number(option("runs") ?? DEFAULT_RUNS);
  const models = (option("models")?.split(",") ?? ["mnist", "catsdogs"]) as BenchModel[];
  const wasmPaths = availableWasmTrainingPaths();
  const bf16 = wasmPaths.includes("wasm+onednn") && loadNativeAccelerator().accelerator?.bf16Support?.() === null;
  const torch = torchAvailable();
  const available = BENCH_PATHS.filter((p) =>
    p === "wasm+onednn bf16" ? bf16 : p.startsWith("pytorch") ? torch : (wasmPaths as string[]).includes(p));
  const requested = option("paths")?.split(",") as BenchPath[] | undefined;
  const paths = requested === undefined ? available : available.filter((p) => requested.includes(p));
  console.log(`Bench: ${models.join(", ")} on ${paths.join(", ")}; ${runs} alternating runs each (load average ${os.loadavg()[0].toFixed(1)}); every worker with glibc malloc keeping freed memory (${Object.entries(ALLOCATOR_ENV).map(([k, v]) => `${k}=${v}`).join(" ")})`);

  // Measured first, on a machine no worker loads yet: the denominators of the "share of peak" column.
  const machinePeak = paths.some((p) => p.startsWith("wasm+onednn")) ? measureMachinePeak() : null;
  const results: RunResult[] = [];
  const failures: string[] = [];
  const loadBefore = os.loadavg();
  const started = Date.now();
  for (let run = 0; run < runs; run++) {
    // Rotate the order each round so no path always runs first (or right after the heaviest one).
    const order = paths.map((_, i) => paths[(i + run) % paths.length]);
    for (const model of models) {
      for (const benchPath of order) {
        try {
          const result = runOnce(model, benchPath);
          console.log(`  run ${run + 1}/${runs} ${model} ${benchPath}: ${result.trainImagesPerSecond.toFixed(1)} img/s, ${result.peakRssMb.toFixed(0)} MB`);
          results.push(result);
        } catch (error) {
          // One failed run (say, the addon being rebuilt meanwhile) should not cost the others.
          const message = error instanceof Error ? error.message : String(error);
          console.log(`  run ${run + 1}/${runs} ${model} ${benchPath}: FAILED — ${message}`);
          failures.push(message);
        }
      }
    }
  }
  console.log("");
  const summaries = summarize(results, models, paths, machinePeak);
  const report = printReport(summaries, process.argv.includes("--profile-kernels"), machinePeak);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() };
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), seconds: (Date.now() - started) / 1000, machine, models: MODEL_BENCH, machinePeak, summaries, results, failures, report }, null, 2)}\n`);
  console.log(`\nWrote ${path.relative(PROJECT_ROOT, file)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main();
