/**
 * One bench measurement in a fresh process (so peak RSS is this model on this path alone): trains a course model
 * on random data for a fixed number of steps on one wasm path, times inference, profiles one step per kernel, and
 * prints a RunResult as one JSON line. Started by scripts/bench.ts.
 *
 *   tsx bench/train-worker.ts --model mnist --path "wasm+onednn bf16" [--steps 30]
 */
// First: before tfjs loads (see the module).
import "./without-source-maps";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { selectWasmTrainingPath } from "../lib/backend/wasm-training";
import { currentPrecision, setPrecisionPolicy } from "../lib/backend/precision";
import { loadNativeAccelerator } from "../lib/backend/onednn/addon";
import { setTrainingFusion } from "../lib/backend/training-fusions";
import { buildCatsDogsConvnet } from "../lib/models/cats-dogs-convnet";
import { buildMnistConvnet } from "../lib/models/mnist-convnet";
// The chapters' optimizer (Keras' rule, as PyTorch's RMSprop: ε outside the root), not tf.train.rmsprop.
import { RMSprop } from "../lib/train/rmsprop";
import { MODEL_BENCH, type BenchModel, type BenchPath, type RunResult } from "./config";
import { enableWasmThreads } from "./xnnpack-threads";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function buildCompiled(model: BenchModel, learningRate: number): { model: tf.LayersModel; x: tf.Tensor; y: tf.Tensor } {
  const { batch } = MODEL_BENCH[model];
  if (model === "mnist") {
    const net = buildMnistConvnet();
    net.compile({ optimizer: new RMSprop({ learningRate }), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    const labels = tf.randomUniform([batch], 0, 10, "int32", 2);
    const y = tf.oneHot(labels, 10);
    labels.dispose();
    return { model: net, x: tf.randomUniform([batch, 28, 28, 1], 0, 1, "float32", 1), y };
  }
  const net = buildCatsDogsConvnet();
  net.compile({ optimizer: new RMSprop({ learningRate }), loss: "binaryCrossentropy", metrics: ["accuracy"] });
  const y = tf.tidy(() => tf.round(tf.randomUniform([batch, 1], 0, 1, "float32", 2)));
  return { model: net, x: tf.randomUniform([batch, 150, 150, 3], 0, 1, "float32", 1), y };
}

async function main(): Promise<void> {
  const modelName = argument("model") as BenchModel;
  const path = argument("path") as BenchPath;
  const config = MODEL_BENCH[modelName];
  if (config === undefined || (path !== "wasm" && path !== "wasm+onednn" && path !== "wasm+onednn bf16")) {
    throw new Error('usage: --model mnist|catsdogs --path wasm|wasm+onednn|"wasm+onednn bf16"');
  }
  const steps = Number(argument("steps") ?? config.steps);

  enableWasmThreads(); // CNN_WASM_THREADS=N benchmarks the multi-threaded pure wasm path
  await tf.setBackend("wasm");
  const setup = selectWasmTrainingPath(path === "wasm" ? "wasm" : "wasm+onednn");
  // As setupBackend does; `--fusion off` measures tfjs' unfused training path.
  setTrainingFusion(argument("fusion") !== "off");
  const precision = setPrecisionPolicy(path.endsWith(" bf16") ? "mixed_bfloat16" : "float32");
  if (precision.active !== precision.requested) throw new Error(`${path}: ${precision.note}`);
  const { model, x, y } = buildCompiled(modelName, config.learningRate);

  for (let step = 0; step < config.warmupSteps; step++) await model.trainOnBatch(x, y);
  const tensorsBefore = tf.memory().numTensors;
  const trainStart = performance.now();
  for (let step = 0; step < steps; step++) await model.trainOnBatch(x, y);
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const tensorLeak = tf.memory().numTensors - tensorsBefore;

  const predictOnce = async () => {
    const prediction = model.predict(x) as tf.Tensor;
    await prediction.data();
    prediction.dispose();
  };
  await predictOnce();
  const inferenceStart = performance.now();
  for (let step = 0; step < steps; step++) await predictOnce();
  const inferenceSeconds = (performance.now() - inferenceStart) / 1000;

  const profile = await tf.profile(async () => {
    await model.trainOnBatch(x, y);
  });
  const kernelMs: Record<string, number> = {};
  for (const kernel of profile.kernels) kernelMs[kernel.name] = (kernelMs[kernel.name] ?? 0) + Number(kernel.kernelTimeMs);

  const result: RunResult = {
    path,
    precision: currentPrecision().active,
    model: modelName,
    steps,
    batch: config.batch,
    trainImagesPerSecond: (steps * config.batch) / trainSeconds,
    inferenceImagesPerSecond: (steps * config.batch) / inferenceSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    threads: setup.threads,
    kernelMs,
    tensorLeak,
    onednnPrimitives: path === "wasm" ? undefined : loadNativeAccelerator().accelerator?.convImplementations(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
