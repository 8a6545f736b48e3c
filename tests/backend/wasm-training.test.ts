/**
 * Training end to end on each wasm path: a small convnet trained a few steps from the same weights ends with the
 * same weights as on the cpu backend, and a training loop does not leak tensors.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { useBackend, wasmPaths, restoreBackendAfter } from "./compare";
import { buildMnistConvnet } from "../../lib/models/mnist-convnet";
import { setupBackend } from "../../lib/backend";
import { loadNativeAccelerator } from "../../lib/backend/onednn/addon";

const STEPS = 4;
const LEAK_CHECK_STEPS = 15;
const WEIGHT_TOLERANCE = 1e-4;

/** Exercises every trained kernel: strided and 'same' convolutions, overlapping pools, both fused matMuls. */
function buildSmallConvnet(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [11, 9, 2], filters: 4, kernelSize: 3, activation: "relu" }));
  model.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }));
  model.add(tf.layers.conv2d({ filters: 5, kernelSize: [2, 3], strides: 2, padding: "same", activation: "relu" }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 6, activation: "relu" }));
  model.add(tf.layers.dense({ units: 3, activation: "softmax" }));
  return model;
}

async function trainedWeights(backend: Parameters<typeof useBackend>[0], initial: Float32Array[]): Promise<Float32Array[]> {
  await useBackend(backend);
  const model = buildSmallConvnet();
  model.setWeights(initial.map((values, i) => tf.tensor(values, model.getWeights()[i].shape)));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  const x = tf.randomUniform([5, 11, 9, 2], -1, 1, "float32", 7);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0], "int32"), 3);
  for (let step = 0; step < STEPS; step++) await model.trainOnBatch(x, y);
  const weights = await Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
  tf.dispose([x, y]);
  model.dispose();
  return weights;
}

function largestDifference(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((values, i) => values.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - b[i][j])))));
  return worst;
}

describe("wasm training paths: end to end", function () {
  this.timeout(120_000);
  restoreBackendAfter();

  it("finds the pure wasm path always", () => {
    expect(wasmPaths()).to.include("wasm");
  });

  it("setupBackend reports the active path and the accelerator's threads in its line", async () => {
    const report = await setupBackend({ prefer: "wasm", force: true, quiet: true });
    const accelerator = loadNativeAccelerator().accelerator;
    if (accelerator === null) {
      expect(report.path).to.equal("wasm");
      expect(report.line).to.match(/native accelerator/);
    } else {
      expect(report.path).to.equal("wasm+onednn");
      expect(report.threads).to.equal(accelerator.threads());
      expect(report.line).to.match(/^Backend: wasm\+onednn \(\d+ threads?;/);
    }
  });

  if (loadNativeAccelerator().accelerator !== null) {
    it("on wasm+onednn, the convolutions really ran in oneDNN's optimised (not reference) implementations", async () => {
      await useBackend("wasm+onednn");
      tf.tidy(() => {
        const x = tf.randomUniform([2, 9, 9, 4], -1, 1, "float32", 1);
        const filter = tf.randomUniform([3, 3, 4, 8], -1, 1, "float32", 2);
        const gradients = tf.grads((input: tf.Tensor, kernel: tf.Tensor) => tf.sum(tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, 1, "same")));
        gradients([x, filter]);
      });
      const implementations = loadNativeAccelerator().accelerator!.convImplementations();
      for (const kind of ["f:", "d:", "w:"]) expect(implementations.some((name) => name.startsWith(kind)), kind).to.equal(true);
      expect(implementations.filter((name) => /ref/.test(name))).to.deep.equal([]);
    });
  }

  for (const path of wasmPaths()) {
    it(`on ${path}, a small convnet trained ${STEPS} steps ends with the cpu backend's weights`, async () => {
      await useBackend("cpu");
      const initialModel = buildSmallConvnet();
      const initial = await Promise.all(initialModel.getWeights().map(async (w) => Float32Array.from(await w.data())));
      initialModel.dispose();
      const reference = await trainedWeights("cpu", initial);
      const candidate = await trainedWeights(path, initial);
      // Training must have moved the weights, or the comparison proves nothing.
      expect(largestDifference(reference, initial)).to.be.above(1e-3);
      expect(largestDifference(reference, candidate)).to.be.below(WEIGHT_TOLERANCE);
    });

    it(`on ${path}, tf.memory().numTensors (and the backend's buffers) stay flat over ${LEAK_CHECK_STEPS} MNIST-convnet steps`, async () => {
      await useBackend(path);
      const model = buildMnistConvnet();
      model.compile({ optimizer: "rmsprop", loss: "categoricalCrossentropy" });
      const x = tf.randomUniform([8, 28, 28, 1], 0, 1, "float32", 3);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10);
      await model.trainOnBatch(x, y); // the optimizer creates its slots on the first step
      const before = tf.memory().numTensors;
      // The backend's own count also catches kernel temporaries that never reached the engine.
      const buffersBefore = tf.backend().numDataIds();
      for (let step = 0; step < LEAK_CHECK_STEPS; step++) await model.trainOnBatch(x, y);
      expect(tf.memory().numTensors).to.equal(before);
      expect(tf.backend().numDataIds()).to.equal(buffersBefore);
      tf.dispose([x, y]);
      model.dispose();
    });
  }
});
