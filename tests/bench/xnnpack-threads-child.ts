/**
 * Run by xnnpack-threads.test.ts in a fresh process (threads must be enabled before the wasm backend first starts, and
 * the process must exit on its own): sets up the wasm backend through setupBackend, trains a small convnet a few steps
 * on it and on cpu from the same weights, and prints one JSON line { threads (XNNPACK's), path, line, maxWeightDifference }.
 */
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../../lib/backend";
import { enableWasmThreads, wasmThreadsReport } from "../../bench/xnnpack-threads";

const STEPS = 4;
const SEED = 11;

function buildSmallConvnet(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [12, 10, 3], filters: 8, kernelSize: 3, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: SEED }) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: "same", activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + 1 }) }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 4, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + 2 }) }));
  return model;
}

async function trainedWeights(): Promise<Float32Array[]> {
  const model = buildSmallConvnet();
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  const x = tf.randomUniform([16, 12, 10, 3], -1, 1, "float32", SEED);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3], "int32"), 4);
  for (let step = 0; step < STEPS; step++) await model.trainOnBatch(x, y);
  const weights = await Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
  tf.dispose([x, y]);
  model.dispose();
  return weights;
}

async function main(): Promise<void> {
  enableWasmThreads(); // must precede the backend's start
  const report = await setupBackend({ prefer: "wasm", quiet: true });
  if (report.backend !== "wasm") throw new Error(`expected the wasm backend, got ${report.line}`);
  const onWasm = await trainedWeights();
  await tf.setBackend("cpu");
  const onCpu = await trainedWeights();
  let maxWeightDifference = 0;
  onWasm.forEach((values, i) => values.forEach((value, j) => {
    maxWeightDifference = Math.max(maxWeightDifference, Math.abs(value - onCpu[i][j]));
  }));
  console.log(JSON.stringify({ threads: wasmThreadsReport().threads, note: wasmThreadsReport().note, path: report.path, line: report.line, maxWeightDifference }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
