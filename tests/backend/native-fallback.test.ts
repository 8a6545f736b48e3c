/**
 * The accelerator may fail but never break training: when the addon throws, each native kernel frees what it
 * allocated and answers with the pure wasm kernel. Runs everywhere (a stand-in addon that always throws).
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import type { NativeAccelerator } from "../../lib/backend/onednn/addon";
import { useAcceleratorForTests } from "../../lib/backend/training-table";
import { setDisabledImplementations } from "../../lib/backend/kernel-table";
import { selectWasmTrainingPath } from "../../lib/backend/wasm-training";
import { resultOn, restoreBackendAfter, scaledMaxDifference, seeded } from "./compare";

const alwaysThrows = new Proxy({} as NativeAccelerator, {
  get: (_target, name) => () => {
    throw new Error(`stand-in addon: ${String(name)} failed`);
  },
});

describe("wasm+onednn: a failing addon falls back to the pure wasm kernels", function () {
  this.timeout(60_000);
  restoreBackendAfter();
  const warnings: string[] = [];
  const originalWarn = console.warn;

  before(() => {
    console.warn = (message: string) => warnings.push(message);
  });
  after(() => {
    console.warn = originalWarn;
  });

  it("conv and matMul gradients still match cpu, one warning per kernel, no leaked memory", async () => {
    const compute = () => {
      const gradients = tf.grads((x: tf.Tensor, filter: tf.Tensor, weights: tf.Tensor) => {
        const features = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, "same"), seeded([4], 4)));
        const pooled = tf.maxPool(features as tf.Tensor4D, 2, 2, "valid");
        return tf.sum(tf.matMul(tf.reshape(pooled, [2, -1]), weights));
      });
      const [dx, dFilter, dWeights] = gradients([seeded([2, 6, 6, 3], 1), seeded([3, 3, 3, 4], 2), seeded([36, 5], 3)]);
      return tf.concat([dx.flatten(), dFilter.flatten(), dWeights.flatten()]);
    };
    const reference = await resultOn("cpu", compute);

    await tf.setBackend("wasm");
    selectWasmTrainingPath("wasm");
    // Every implementation on, oneDNN's answered by the stand-in.
    useAcceleratorForTests(alwaysThrows);
    setDisabledImplementations(new Map());
    // Counted in the backend: buffers a kernel allocates but never hands to the engine are invisible to tf.memory().
    const buffersBefore = tf.backend().numDataIds();
    const out = tf.tidy(compute);
    const candidate = { shape: out.shape, values: Float32Array.from(await out.data()) };
    out.dispose();
    useAcceleratorForTests(null);

    expect(tf.backend().numDataIds()).to.equal(buffersBefore);
    expect(scaledMaxDifference(reference, candidate)).to.be.below(2e-5);
    expect(warnings.some((message) => /oneDNN convolution backward-weights failed for Conv2DBackpropFilter/.test(message))).to.equal(true);
    expect(new Set(warnings).size).to.equal(warnings.length);
  });
});
