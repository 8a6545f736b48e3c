/** What the bench trains, shared by the orchestrator (scripts/bench.ts) and its worker (bench/train-worker.ts). */

export type BenchModel = "mnist" | "catsdogs";
/** A compute path and its precision: the course's (float32 unless "bf16") and PyTorch's (autocast for "bf16"). */
export type BenchPath = "wasm+onednn" | "wasm+onednn bf16" | "wasm" | "pytorch" | "pytorch bf16";

export const BENCH_PATHS: readonly BenchPath[] = ["wasm+onednn", "wasm+onednn bf16", "wasm", "pytorch", "pytorch bf16"];

export interface ModelBench {
  /** Images per training step (the course's batch size for this model). */
  batch: number;
  /**
   * Untimed steps first, for both the course and PyTorch: tfjs' JavaScript reaches V8's optimised code only after
   * some dozens of steps (MNIST's step measured ~20 ms over steps 0–19, ~12 ms from step 60 on), and a course run
   * lives in that steady state (938 steps per MNIST epoch).
   */
  warmupSteps: number;
  /** Timed steps per run (after warm-up); sized so a default bench stays within a few minutes here. */
  steps: number;
  /** Training FLOPs per image (forward + both backward passes of every conv and dense layer). */
  trainFlopsPerImage: number;
  learningRate: number;
}

export const MODEL_BENCH: Record<BenchModel, ModelBench> = {
  mnist: { batch: 64, warmupSteps: 60, steps: 150, trainFlopsPerImage: 16.4e6, learningRate: 1e-3 },
  catsdogs: { batch: 20, warmupSteps: 3, steps: 10, trainFlopsPerImage: 1.38e9, learningRate: 1e-4 },
};

/** One worker's measurement, printed as a JSON line. */
export interface RunResult {
  path: BenchPath;
  /** The precision policy the run computed in (float32 or mixed_bfloat16). */
  precision?: string;
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
  /** oneDNN's implementation behind each convolution pass the run created ("f:", "d:", "w:" = forward, data, weights). */
  onednnPrimitives?: string[];
}
