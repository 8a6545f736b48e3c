/** What the bench trains, shared by the orchestrator (scripts/bench.ts) and its worker (bench/train-worker.ts). */

export type BenchModel = "mnist" | "catsdogs";
export type BenchPath = "wasm+onednn" | "wasm" | "pytorch";

export interface ModelBench {
  /** Images per training step (the course's batch size for this model). */
  batch: number;
  /** Timed steps per run (after warm-up); sized so a default bench stays within a few minutes here. */
  steps: number;
  /** Training FLOPs per image (forward + both backward passes of every conv and dense layer). */
  trainFlopsPerImage: number;
  learningRate: number;
}

export const MODEL_BENCH: Record<BenchModel, ModelBench> = {
  mnist: { batch: 64, steps: 30, trainFlopsPerImage: 16.4e6, learningRate: 1e-3 },
  catsdogs: { batch: 20, steps: 6, trainFlopsPerImage: 1.38e9, learningRate: 1e-4 },
};

export const WARMUP_STEPS = 2;

/** FP32 peak of this machine (2 Zen 4 cores, AVX-512): the denominator of "share of peak". */
export const PEAK_FLOPS = 220e9;

/** One worker's measurement, printed as a JSON line. */
export interface RunResult {
  path: BenchPath;
  model: BenchModel;
  steps: number;
  batch: number;
  trainImagesPerSecond: number;
  inferenceImagesPerSecond: number;
  peakRssMb: number;
  threads: number;
  /** Milliseconds per kernel name in one profiled training step (tfjs paths only). */
  kernelMs?: Record<string, number>;
  /** Tensors alive after the timed steps minus before (0 = no leak). */
  tensorLeak?: number;
}
