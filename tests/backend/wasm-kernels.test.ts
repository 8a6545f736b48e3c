/**
 * Every kernel the wasm training paths add or replace, against the cpu backend, on seeded random inputs over a grid
 * of shapes (odd sizes, batch 1 and more), strides and paddings — on each available path.
 */
import * as tf from "@tensorflow/tfjs";
import { expectSameAsCpu, runKernel, seeded, seededIntegers, wasmPaths, restoreBackendAfter } from "./compare";

const TOLERANCE = 2e-5;

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  kernel: [number, number];
  outChannels: number;
  strides: [number, number];
  pad: "valid" | "same";
}

const CONV_CASES: ConvCase[] = [];
for (const [batch, height, width] of [[1, 7, 9], [3, 8, 8], [2, 5, 6]] as const) {
  for (const kernel of [[3, 3], [2, 3], [1, 1]] as Array<[number, number]>) {
    for (const strides of [[1, 1], [2, 2], [3, 1]] as Array<[number, number]>) {
      for (const pad of ["valid", "same"] as const) {
        if (pad === "valid" && (kernel[0] > height || kernel[1] > width)) continue;
        CONV_CASES.push({ batch, height, width, inChannels: 1 + (batch % 3), kernel, outChannels: 2 + height % 3, strides, pad });
      }
    }
  }
}

// Wide layers (≥ 16 channels in and out): the native path runs their backward passes on blocked layouts.
for (const strides of [[1, 1], [2, 2]] as Array<[number, number]>) {
  for (const pad of ["valid", "same"] as const) {
    CONV_CASES.push({ batch: 2, height: 9, width: 7, inChannels: 16, kernel: [3, 3], outChannels: 32, strides, pad });
  }
}

// Channels the SIMD kernels take (output channels a multiple of 8; for the input gradient, input channels too), with
// widths that leave remainders of the kernels' 4-pixel and 4-tap blocks.
for (const [batch, height, width] of [[1, 7, 9], [2, 6, 5]] as const) {
  for (const kernel of [[3, 3], [2, 3], [1, 1]] as Array<[number, number]>) {
    for (const strides of [[1, 1], [2, 2], [1, 3]] as Array<[number, number]>) {
      for (const pad of ["valid", "same"] as const) {
        for (const [inChannels, outChannels] of [[3, 8], [8, 16]]) {
          CONV_CASES.push({ batch, height, width, inChannels, kernel, outChannels, strides, pad });
        }
      }
    }
  }
}

function describeCase(c: ConvCase): string {
  return `x ${c.batch}×${c.height}×${c.width}×${c.inChannels}, k ${c.kernel.join("×")}→${c.outChannels}, s ${c.strides.join(",")}, ${c.pad}`;
}

function convShapes(c: ConvCase): { x: number[]; filter: number[]; dy: number[] } {
  const x = [c.batch, c.height, c.width, c.inChannels];
  const filter = [c.kernel[0], c.kernel[1], c.inChannels, c.outChannels];
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], filter as [number, number, number, number], c.strides, 1, c.pad);
  return { x, filter, dy: info.outShape };
}

for (const path of wasmPaths()) {
  /** Pooling windows, strides and paddings the MaxPool and MaxPoolGrad tests cover. */
const POOLS = [
  { filterSize: [2, 2], strides: [2, 2], pad: "valid" },
  { filterSize: [3, 3], strides: [2, 2], pad: "same" },
  { filterSize: [2, 3], strides: [1, 2], pad: "valid" },
  { filterSize: [3, 3], strides: [3, 3], pad: "same" },
] as const;

describe(`wasm training kernels on the ${path} path, against cpu`, function () {
    this.timeout(60_000);
    restoreBackendAfter();

    it(`Conv2DBackpropFilter over ${CONV_CASES.length} shapes/strides/paddings`, async () => {
      for (const [index, c] of CONV_CASES.entries()) {
        const shapes = convShapes(c);
        const compute = () => runKernel("Conv2DBackpropFilter", { x: seeded(shapes.x, index), dy: seeded(shapes.dy, index + 1000) },
          { strides: c.strides, pad: c.pad, dataFormat: "NHWC", filterShape: shapes.filter });
        await expectSameAsCpu(path, compute, TOLERANCE, describeCase(c));
      }
    });

    it(`Conv2DBackpropInput over ${CONV_CASES.length} shapes/strides/paddings`, async () => {
      for (const [index, c] of CONV_CASES.entries()) {
        const shapes = convShapes(c);
        const compute = () => runKernel("Conv2DBackpropInput", { dy: seeded(shapes.dy, index), filter: seeded(shapes.filter, index + 1000) },
          { strides: c.strides, pad: c.pad, dataFormat: "NHWC", inputShape: shapes.x });
        await expectSameAsCpu(path, compute, TOLERANCE, describeCase(c));
      }
    });

    it("conv2d forward (with bias and relu fused, as layers call it) over the grid", async () => {
      for (const [index, c] of CONV_CASES.entries()) {
        const shapes = convShapes(c);
        for (const activation of ["linear", "relu"] as const) {
          const compute = () => tf.fused.conv2d({ x: seeded(shapes.x, index) as tf.Tensor4D, filter: seeded(shapes.filter, index + 1) as tf.Tensor4D,
            bias: seeded([c.outChannels], index + 2), strides: c.strides, pad: c.pad, activation });
          await expectSameAsCpu(path, compute, TOLERANCE, `${describeCase(c)} ${activation}`);
        }
      }
    });

    it("the gradients of conv2d with NCHW data (converted to NHWC inside)", async () => {
      const x = [2, 3, 7, 6];
      const filter = [3, 2, 3, 4];
      for (const [strides, pad] of [[1, "same"], [2, "valid"]] as const) {
        const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], filter as [number, number, number, number], strides, 1, pad, undefined, false, "channelsFirst");
        const filterGrad = () => runKernel("Conv2DBackpropFilter", { x: seeded(x, 1), dy: seeded(info.outShape, 2) },
          { strides, pad, dataFormat: "NCHW", filterShape: filter });
        const inputGrad = () => runKernel("Conv2DBackpropInput", { dy: seeded(info.outShape, 3), filter: seeded(filter, 4) },
          { strides, pad, dataFormat: "NCHW", inputShape: x });
        for (const compute of [filterGrad, inputGrad]) {
          await expectSameAsCpu(path, compute, TOLERANCE);
        }
      }
    });

    it("MaxPool over windows, strides and paddings (padded positions never win, negative values included)", async () => {
      for (const [p, pool] of POOLS.entries()) {
        for (const [s, shape] of [[1, 7, 9, 3], [4, 8, 8, 2], [2, 5, 5, 16], [3, 26, 26, 32]].entries()) {
          // All-negative inputs: a zero-padded window would wrongly answer 0.
          const compute = () => tf.maxPool(tf.sub(seeded(shape, 20 * p + s), 2) as tf.Tensor4D, pool.filterSize as [number, number], pool.strides as [number, number], pool.pad);
          await expectSameAsCpu(path, compute, 0, `${shape.join("×")} pool ${pool.filterSize.join("×")} s ${pool.strides.join(",")} ${pool.pad}`);
        }
      }
    });

    it("MaxPoolGrad over windows, strides and paddings, with ties resolved as tf does (one element per window)", async () => {
      // Channels in fours take the SIMD kernel where windows tile the input (2×2 stride 2, 3×3 stride 3). The last
      // two exceed the addon's threshold for threading (32,768 elements), one with a row and column no window covers.
      const inputs = [[1, 7, 9, 3], [4, 8, 8, 2], [2, 5, 5, 1], [2, 7, 9, 4], [1, 6, 6, 8], [3, 26, 26, 32], [2, 27, 27, 32]];
      for (const [p, pool] of POOLS.entries()) {
        for (const [s, shape] of inputs.entries()) {
          for (const ties of [false, true]) {
            const seed = 10 * p + s;
            const compute = () => {
              const input = ties ? seededIntegers(shape, seed, 2) : seeded(shape, seed);
              const output = tf.maxPool(input as tf.Tensor4D, pool.filterSize as [number, number], pool.strides as [number, number], pool.pad);
              const dy = tf.add(seededIntegers(output.shape, seed + 1, 5), 1);
              return runKernel("MaxPoolGrad", { dy, input, output }, { filterSize: pool.filterSize, strides: pool.strides, pad: pool.pad });
            };
            const label = `${shape.join("×")} pool ${pool.filterSize.join("×")} s ${pool.strides.join(",")} ${pool.pad} ties=${ties}`;
            await expectSameAsCpu(path, compute, 0, label);
          }
        }
      }
    });

    it("Sum over every axis but the last (the bias gradient) and other reductions", async () => {
      const cases: Array<{ shape: number[]; axis: number[]; keepDims: boolean }> = [
        { shape: [3, 5, 7, 4], axis: [0, 1, 2], keepDims: false },
        { shape: [3, 5, 7, 4], axis: [2, 0, 1], keepDims: true },
        { shape: [6, 9], axis: [0], keepDims: false },
        { shape: [3, 5, 7, 4], axis: [1, 2], keepDims: false },
        { shape: [3, 5, 7, 4], axis: [3], keepDims: false },
        { shape: [2, 3, 5, 12], axis: [0, 1, 2], keepDims: false },
        // A long reduction, as a first layer's bias gradient (438,080 rows in cats/dogs): float64 running sums.
        { shape: [200000, 8], axis: [0], keepDims: false },
      ];
      for (const [index, c] of cases.entries()) {
        const compute = () => tf.sum(seeded(c.shape, index), c.axis, c.keepDims);
        await expectSameAsCpu(path, compute, TOLERANCE);
      }
    });

    it("Add of a bias broadcast over rows (either operand order) and other broadcasts", async () => {
      const cases: Array<[number[], number[]]> = [
        [[3, 5, 7, 4], [4]],
        [[4], [2, 6, 4]],
        [[6, 9], [9]],
        [[3, 5, 7, 4], [1, 1, 1, 4]],
        [[3, 5, 7, 4], [3, 5, 7, 4]],
        [[3, 1, 7, 4], [5, 1, 1]],
      ];
      for (const [index, [aShape, bShape]] of cases.entries()) {
        const compute = () => tf.add(seeded(aShape, index), seeded(bShape, index + 50));
        await expectSameAsCpu(path, compute, 0, `${aShape} + ${bShape}`);
      }
    });

    it("Identity and same-dtype Cast share data safely; other casts convert", async () => {
      const compute = () => {
        const source = seeded([4, 6], 1);
        const copy = tf.clone(source);
        const same = tf.cast(source, "float32");
        source.dispose(); // the shared data must outlive the tensor it came from
        return tf.concat([copy, same, tf.cast(tf.cast(tf.mul(copy, 10), "int32"), "float32")]);
      };
      await expectSameAsCpu(path, compute, 0);
    });

    it("matMul with every transpose combination, plain and fused with bias and relu, 2-D and batched", async () => {
      // n = 16 takes the SIMD kernel (2-D or batch 1; m = 6 splits across two threads, m = 5 does not).
      for (const [batch, m, k, n] of [[0, 5, 7, 4], [3, 5, 7, 4], [0, 5, 7, 16], [0, 6, 9, 16], [1, 8, 3, 24]]) {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            const lead = batch === 0 ? [] : [batch];
            const aShape = [...lead, ...(transposeA ? [k, m] : [m, k])];
            const bShape = [...lead, ...(transposeB ? [n, k] : [k, n])];
            const label = `batch ${batch} ${m}×${k}·${k}×${n} tA ${transposeA} tB ${transposeB}`;
            const plain = () => tf.matMul(seeded(aShape, 1), seeded(bShape, 2), transposeA, transposeB);
            const fused = () => tf.fused.matMul({ a: seeded(aShape, 1), b: seeded(bShape, 2), transposeA, transposeB, bias: seeded([n], 3), activation: "relu" });
            for (const compute of [plain, fused]) {
              await expectSameAsCpu(path, compute, TOLERANCE, label);
            }
          }
        }
      }
      // A batch of one on either side broadcasts.
      for (const [aShape, bShape] of [[[1, 5, 7], [3, 7, 4]], [[3, 5, 7], [1, 7, 4]]]) {
        const compute = () => tf.matMul(seeded(aShape, 5), seeded(bShape, 6));
        await expectSameAsCpu(path, compute, TOLERANCE);
      }
    });
  });
}
