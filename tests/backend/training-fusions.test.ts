/**
 * The training fusion (lib/backend/training-fusions.ts): a relu convolution being differentiated runs as one
 * FusedConv2D with its own gradient. Checked against tfjs' unfused path on the cpu backend, on cpu and every wasm
 * path, and by the kernels a training step runs.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { setTrainingFusion, trainingFusionActive, trainingFusionMismatch } from "../../lib/backend/training-fusions";
import { MAX_POOL_RELU_BIAS_GRADIENT_KERNEL, RELU_BIAS_GRADIENT_KERNEL } from "../../lib/backend/course-kernels";
import { restoreBackendAfter, resultOn, runKernel, scaledMaxDifference, seeded, seededIntegers, useBackend, wasmPaths, type Result } from "./compare";
import type { WasmTrainingPath } from "../../lib/backend/wasm-training";

type Pad = "valid" | "same";
interface Case {
  name: string;
  x: number[];
  filter: number[];
  strides: number;
  pad: Pad;
  activation: "relu" | "linear" | "sigmoid";
  /** A max pool after the convolution (the course's blocks): its gradient may go through the relu at once. */
  pool?: { size: number; strides: number; pad: Pad };
  /** The convolution's output also feeds the loss directly (two consumers: the gradients add before the relu). */
  alsoDirect?: boolean;
}

const CASES: Case[] = [
  { name: "3×3 valid, relu (the course's layers)", x: [2, 9, 9, 3], filter: [3, 3, 3, 8], strides: 1, pad: "valid", activation: "relu" },
  { name: "3×3 same, stride 2, relu", x: [2, 10, 10, 4], filter: [3, 3, 4, 16], strides: 2, pad: "same", activation: "relu" },
  { name: "odd channels, relu", x: [3, 7, 7, 5], filter: [3, 3, 5, 6], strides: 1, pad: "valid", activation: "relu" },
  { name: "sigmoid (tfjs' own path)", x: [2, 6, 6, 2], filter: [3, 3, 2, 4], strides: 1, pad: "valid", activation: "sigmoid" },
  { name: "relu, then a 2×2 max pool (the course's blocks)", x: [2, 10, 10, 4], filter: [3, 3, 4, 8], strides: 1, pad: "valid", activation: "relu", pool: { size: 2, strides: 2, pad: "valid" } },
  { name: "relu, then a 2×2 max pool leaving a row and a column, odd channels", x: [2, 9, 9, 3], filter: [3, 3, 3, 6], strides: 1, pad: "valid", activation: "relu", pool: { size: 2, strides: 2, pad: "valid" } },
  { name: "relu, then a 3×3 max pool with stride 3", x: [2, 11, 11, 4], filter: [3, 3, 4, 8], strides: 1, pad: "valid", activation: "relu", pool: { size: 3, strides: 3, pad: "valid" } },
  { name: "relu, then a padded 2×2 max pool", x: [2, 9, 9, 4], filter: [3, 3, 4, 8], strides: 1, pad: "valid", activation: "relu", pool: { size: 2, strides: 2, pad: "same" } },
  {
    name: "relu feeding a 2×2 max pool and the loss directly", x: [2, 10, 10, 4], filter: [3, 3, 4, 8], strides: 1, pad: "valid", activation: "relu",
    pool: { size: 2, strides: 2, pad: "valid" }, alsoDirect: true,
  },
];

/** Gradients of Σ (conv(x) · w) with respect to x, filter and bias, as plain values. */
async function gradients(backend: "cpu" | WasmTrainingPath, fused: boolean, c: Case): Promise<Result[]> {
  await useBackend(backend);
  setTrainingFusion(fused);
  const pooled = (y: tf.Tensor) => (c.pool === undefined ? y : tf.maxPool(y as tf.Tensor4D, c.pool.size, c.pool.strides, c.pool.pad));
  const convShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x).as4D(c.x[0], c.x[1], c.x[2], c.x[3]), tf.zeros(c.filter).as4D(c.filter[0], c.filter[1], c.filter[2], c.filter[3]), c.strides, c.pad).shape as number[]);
  const outShape = tf.tidy(() => pooled(tf.zeros(convShape)).shape as number[]);
  const loss = (x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor) => {
    const y = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, bias, strides: c.strides, pad: c.pad, activation: c.activation });
    const value = tf.sum(tf.mul(pooled(y), seeded(outShape, 4)));
    return c.alsoDirect ? tf.add(value, tf.sum(tf.mul(y, seeded(convShape, 5)))) : value;
  };
  const grads = tf.tidy(() => tf.grads(loss)([seeded(c.x, 1), seeded(c.filter, 2), tf.mul(seeded([c.filter[3]], 3), 0.2)]));
  const results: Result[] = [];
  for (const grad of grads) results.push({ shape: grad.shape, values: Float32Array.from(await grad.data()) });
  tf.dispose(grads);
  return results;
}

describe("training fusion: conv + bias + relu as one kernel while training", function () {
  this.timeout(120_000);
  restoreBackendAfter();
  let wasActive = false;
  before(() => {
    wasActive = trainingFusionActive();
  });
  after(() => setTrainingFusion(wasActive));

  for (const c of CASES) {
    for (const backend of ["cpu", ...wasmPaths()] as Array<"cpu" | WasmTrainingPath>) {
      it(`${c.name}: the gradients of tfjs' unfused path, on ${backend}`, async () => {
        const reference = await gradients("cpu", false, c);
        const candidate = await gradients(backend, true, c);
        ["x", "filter", "bias"].forEach((name, index) => {
          expect(candidate[index].shape, name).to.deep.equal(reference[index].shape);
          expect(scaledMaxDifference(reference[index], candidate[index]), `${name} gradient`).to.be.below(1e-5);
        });
      });
    }
  }

  for (const path of wasmPaths()) {
    it(`the relu-and-bias-gradient kernel gives dy · step(y) exactly (NaN and zeros included) and its sum per channel, on ${path}`, async () => {
      const viaKernel = (dy: tf.Tensor, y: tf.Tensor) => runKernel(RELU_BIAS_GRADIENT_KERNEL, { dy, y }, {}) as unknown as tf.Tensor[];
      const output = (index: number) => (dy: tf.Tensor, y: tf.Tensor) => viaKernel(dy, y)[index];
      // y: negatives, exact zeros, positives and a NaN; dy: any values, one infinite where y is 0 (0 · ∞ = NaN).
      const yValues = [-2, 0, 0.5, Number.NaN, 3, 0, -0.1, 7, 1e-30, -1e-30, 2, 0];
      const dyValues = [1, 2, -3, 4, 5, Number.POSITIVE_INFINITY, 7, -8, 9, 10, Number.NaN, -0];
      const small = (op: (dy: tf.Tensor, y: tf.Tensor) => tf.Tensor) => () => op(tf.tensor2d(dyValues, [3, 4]), tf.tensor2d(yValues, [3, 4]));
      const reference = await resultOn("cpu", small((dy, y) => tf.mul(dy, tf.step(y))));
      const candidate = await resultOn(path, small(output(0)));
      expect(Array.from(candidate.values).map(String)).to.deep.equal(Array.from(reference.values).map(String));
      // Large enough for the addon to thread its loop (> 32,768 elements), with channels not a multiple of 4 too.
      for (const shape of [[4, 30, 30, 16], [3, 41, 41, 6]]) {
        const large = (op: (dy: tf.Tensor, y: tf.Tensor) => tf.Tensor) => () => op(seeded(shape, 8), seeded(shape, 9));
        const gradient = await resultOn(path, large(output(0)));
        const gradientReference = await resultOn("cpu", large((dy, y) => tf.mul(dy, tf.step(y))));
        expect(scaledMaxDifference(gradientReference, gradient), `${shape} gradient`).to.equal(0);
        const bias = await resultOn(path, large(output(1)));
        const biasReference = await resultOn("cpu", large((dy, y) => tf.sum(tf.mul(dy, tf.step(y)), [0, 1, 2])));
        expect(bias.shape, `${shape} bias gradient shape`).to.deep.equal([shape[3]]);
        expect(scaledMaxDifference(biasReference, bias), `${shape} bias gradient`).to.be.below(1e-5);
      }
    });
  }

  for (const path of wasmPaths()) {
    it(`the max-pool-relu-bias-gradient kernel gives MaxPoolGrad then dy · step(y) exactly (ties, zeros, NaN) and its sum per channel, on ${path}`, async () => {
      // y as a relu's output would be, with ties (integers), zeros, a NaN and, to be exact anyway, negatives; 2×2 pools
      // over maps leaving a row and a column, channels in fours (SIMD) and not, above the addon's threading threshold.
      const composed = (dy: tf.Tensor, y: tf.Tensor, output: tf.Tensor, attrs: { filterSize: number[]; strides: number[]; pad: "valid" | "same" }) =>
        tf.mul(runKernel("MaxPoolGrad", { dy, input: y, output }, attrs), tf.step(y));
      for (const [shape, pool] of [
        [[2, 9, 9, 4], { filterSize: [2, 2], strides: [2, 2], pad: "valid" }],
        [[3, 8, 7, 6], { filterSize: [2, 2], strides: [2, 2], pad: "valid" }],
        [[4, 40, 40, 8], { filterSize: [2, 2], strides: [2, 2], pad: "valid" }],
        [[2, 9, 9, 4], { filterSize: [3, 3], strides: [3, 3], pad: "valid" }],
        [[2, 7, 7, 4], { filterSize: [2, 2], strides: [2, 2], pad: "same" }],
      ] as const) {
        const attrs = { filterSize: [...pool.filterSize], strides: [...pool.strides], pad: pool.pad };
        const operands = () => {
          const values = seededIntegers([...shape], 30, 3).dataSync().map((v, i) => (i % 97 === 5 ? Number.NaN : i % 89 === 7 ? -1 : v));
          const y = tf.tensor(values, [...shape]);
          const output = tf.maxPool(y as tf.Tensor4D, attrs.filterSize as [number, number], attrs.strides as [number, number], attrs.pad);
          return { y, output, dy: tf.sub(seeded(output.shape, 31), 0.5) };
        };
        const label = `${shape.join("×")} pool ${attrs.filterSize.join("×")}/${attrs.strides[0]} ${attrs.pad}`;
        const gradient = await resultOn(path, () => {
          const { y, output, dy } = operands();
          return (runKernel(MAX_POOL_RELU_BIAS_GRADIENT_KERNEL, { dy, input: y, output }, attrs) as unknown as tf.Tensor[])[0];
        });
        const reference = await resultOn("cpu", () => {
          const { y, output, dy } = operands();
          return composed(dy, y, output, attrs);
        });
        expect(Array.from(gradient.values).map(String), `${label} gradient`).to.deep.equal(Array.from(reference.values).map(String));
        const bias = await resultOn(path, () => {
          const { y, output, dy } = operands();
          return (runKernel(MAX_POOL_RELU_BIAS_GRADIENT_KERNEL, { dy, input: y, output }, attrs) as unknown as tf.Tensor[])[1];
        });
        const biasReference = await resultOn("cpu", () => {
          const { y, output, dy } = operands();
          return tf.sum(composed(dy, y, output, attrs), [0, 1, 2]);
        });
        expect(bias.shape, `${label} bias shape`).to.deep.equal([shape[3]]);
        expect(Array.from(bias.values).map((v, i) => (Number.isNaN(v) ? "NaN" : Math.abs(v - biasReference.values[i]) <= 1e-5 * (1 + Math.abs(biasReference.values[i])) ? "ok" : `${v} ≠ ${biasReference.values[i]}`)),
          `${label} bias`).to.deep.equal(Array.from(biasReference.values).map((v) => (Number.isNaN(v) ? "NaN" : "ok")));
      }
    });
  }

  it("says why a call keeps tfjs' own path", () => {
    const x = tf.zeros([1, 5, 5, 2]) as tf.Tensor4D;
    const filter = tf.zeros([3, 3, 2, 4]) as tf.Tensor4D;
    const bias = tf.zeros([4]);
    expect(trainingFusionMismatch({ x, filter, bias, strides: 1, pad: "valid", activation: "relu" })).to.equal(null);
    expect(trainingFusionMismatch({ x, filter, bias, strides: 1, pad: "valid", activation: "sigmoid" })).to.equal("activation sigmoid");
    expect(trainingFusionMismatch({ x, filter, bias, strides: 1, pad: "valid" })).to.match(/^linear/);
    expect(trainingFusionMismatch({ x, filter, strides: 1, pad: "valid", activation: "relu" })).to.equal("no bias per output channel");
    expect(trainingFusionMismatch({ x, filter, bias, strides: 1, pad: "valid", activation: "relu", dilations: 2 })).to.equal("dilated");
    tf.dispose([x, filter, bias]);
  });

  it("a training step of a conv layer runs FusedConv2D, no Relu or bias Add, and no input gradient for the first layer", async () => {
    await useBackend("cpu");
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: "relu" }));
    model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: "relu" }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 1 }));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
    const x = seeded([2, 8, 8, 1], 5);
    const y = seeded([2, 1], 6);
    const kernelsOfStep = async (fused: boolean) => {
      setTrainingFusion(fused);
      const profile = await tf.profile(async () => {
        await model.trainOnBatch(x, y);
      });
      const counts: Record<string, number> = {};
      for (const kernel of profile.kernels) counts[kernel.name] = (counts[kernel.name] ?? 0) + 1;
      return counts;
    };
    const unfused = await kernelsOfStep(false);
    expect(unfused.Relu).to.equal(2);
    expect(unfused.FusedConv2D).to.equal(undefined);
    const fused = await kernelsOfStep(true);
    expect(fused.FusedConv2D).to.equal(2);
    expect(fused.Relu).to.equal(undefined);
    expect(fused.Conv2DBackpropFilter).to.equal(2);
    expect(fused.Conv2DBackpropInput, "only the second layer's input needs a gradient").to.equal(1);
    tf.dispose([x, y]);
    model.dispose();
  });
});
