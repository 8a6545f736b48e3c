import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import {
  averagePool, conv2d, conv2dParameterCount, convOutputSize, denseParameterCount, flipKernel, maxPool, receptiveField, receptiveFields,
  reluMap, trueConvolution,
} from "../../lib/ops";
import { SEVEN_IMAGE, STROKE_KERNEL, HORIZONTAL_KERNEL, VERTICAL_LINE_KERNEL, CORNER_KERNEL, RGB_SEVEN_IMAGE, RGB_FILTERS } from "../../lib/examples/worked-example";
import { conv2dVolume } from "../../lib/ops";
import { buildMnistConvnet } from "../../lib/models/mnist-convnet";
import { windowLayersOf } from "../../lib/exercises/models";

describe("shape arithmetic: output sizes, parameter counts, receptive fields", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  it("⌊(n + 2p − k)/s⌋ + 1 and 'same' agree with tf.conv2d for every small case", () => {
    for (let n = 3; n <= 9; n++) for (let k = 1; k <= 3; k++) for (let s = 1; s <= 3; s++) for (const padding of ["valid", "same"] as const) {
      const shape = tf.tidy(() => tf.conv2d(tf.zeros([1, n, n, 1]) as tf.Tensor4D, tf.zeros([k, k, 1, 1]) as tf.Tensor4D, s, padding).shape);
      expect(convOutputSize(n, k, s, padding), `n=${n} k=${k} s=${s} ${padding}`).to.equal(shape[1]);
    }
    // Explicit zeros on each side: pad first, then "valid".
    for (let p = 0; p <= 2; p++) {
      const shape = tf.tidy(() => tf.conv2d(tf.zeros([1, 6 + 2 * p, 6 + 2 * p, 1]) as tf.Tensor4D, tf.zeros([3, 3, 1, 1]) as tf.Tensor4D, 2, "valid").shape);
      expect(convOutputSize(6, 3, 2, p)).to.equal(shape[1]);
    }
    expect(() => convOutputSize(2, 3)).to.throw(/does not fit/);
    expect(() => convOutputSize(6, 3, 0)).to.throw(/stride/);
  });

  it("pins the sizes chapters 1–3 state for the 6×6 \"7\"", () => {
    expect(convOutputSize(6, 3)).to.equal(4); // chapter 1
    expect(convOutputSize(6, 3, 1, 1)).to.equal(6); // chapter 2, one ring of zeros
    expect(convOutputSize(6, 3, 2)).to.equal(2); // stride 2, valid: ⌊3/2⌋ + 1
    expect(convOutputSize(6, 3, 2, "same")).to.equal(3);
    expect(convOutputSize(6, 3, 2, 1)).to.equal(3); // ⌊5/2⌋ + 1
    expect(convOutputSize(6, 2, 2)).to.equal(3); // 2×2 pooling, chapter 3
    expect(convOutputSize(28, 3)).to.equal(26); // chapter 5's first layer
    // Stride 2 puts window centres on columns 1 and 3 (valid) or 1, 3, 5 ("same", the odd zero at the right):
    // never on column 4, the vertical stroke, so it shows up only weakly.
    expect(conv2d(SEVEN_IMAGE, STROKE_KERNEL, { stride: 2 })).to.deep.equal([[1, 2], [0, 1]]);
    expect(conv2d(SEVEN_IMAGE, STROKE_KERNEL, { stride: 2, padding: "same" })).to.deep.equal([[1, 2, 2], [0, 1, 1], [0, 1, 1]]);
  });

  it("counts parameters like tfjs does, and pins the counts the chapters state", () => {
    const convCount = (inputShape: number[], filters: number, k: number) => {
      const layer = tf.layers.conv2d({ inputShape, filters, kernelSize: k });
      tf.sequential({ layers: [layer] });
      return layer.countParams();
    };
    expect(conv2dParameterCount(3, 3, 1)).to.equal(convCount([6, 6, 3], 1, 3)).and.to.equal(28);
    expect(conv2dParameterCount(3, 3, 2)).to.equal(56);
    expect(conv2dParameterCount(3, 1, 32)).to.equal(convCount([28, 28, 1], 32, 3)).and.to.equal(320);
    expect(conv2dParameterCount(3, 32, 64)).to.equal(convCount([13, 13, 32], 64, 3)).and.to.equal(18_496);
    expect(conv2dParameterCount(3, 64, 64)).to.equal(36_928);
    expect(conv2dParameterCount(3, 1, 32, false)).to.equal(288);
    expect(denseParameterCount(576, 64)).to.equal(36_928);
    expect(denseParameterCount(64, 10)).to.equal(650);
    expect(denseParameterCount(18, 4)).to.equal(76); // chapter 4
    // Chapter 3, Chollet's model without pooling: 22×22×64 features into chapter 5's Dense(64), and the book's Dense(512).
    expect(convOutputSize(convOutputSize(convOutputSize(28, 3), 3), 3)).to.equal(22);
    expect(22 * 22 * 64).to.equal(30_976);
    expect(denseParameterCount(30_976, 64)).to.equal(1_982_528);
    expect(denseParameterCount(30_976, 64) / denseParameterCount(576, 64)).to.be.greaterThan(50); // "more than fifty times"
    expect(denseParameterCount(30_976, 512) / 1e6).to.be.closeTo(15.8, 0.1); // the book's "15.8 million"
  });

  it("computes receptive fields that match where a unit's gradient reaches in a real stack", () => {
    // Chapter 5's model: conv 3, pool 2, conv 3, pool 2, conv 3.
    expect(receptiveFields(windowLayersOf(buildMnistConvnet())).map((s) => [s.receptiveField, s.jump])).to.deep.equal([
      [3, 1], [4, 2], [8, 2], [10, 4], [18, 4],
    ]);
    // Without pooling (Chollet's comparison): 3, 5, 7.
    expect(receptiveField([{ kernelSize: 3, stride: 1 }, { kernelSize: 3, stride: 1 }, { kernelSize: 3, stride: 1 }])).to.equal(7);
    expect(receptiveField([])).to.equal(1);
    // Independent check: a linear stack of all-ones convolutions and average pools; the input pixels that
    // influence one unit of the last layer form a square as wide as the receptive field.
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 1, kernelSize: 3, kernelInitializer: "ones", useBias: false }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 1, kernelSize: 3, kernelInitializer: "ones", useBias: false }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 1, kernelSize: 3, kernelInitializer: "ones", useBias: false }),
    ] });
    const gradient = tf.tidy(() => tf.grad((x: tf.Tensor) => (model.apply(x) as tf.Tensor).slice([0, 1, 1, 0], [1, 1, 1, 1]).sum())(tf.zeros([1, 28, 28, 1])).squeeze().arraySync() as number[][]);
    const rows = gradient.map((row, r) => (row.some((v) => v !== 0) ? r : -1)).filter((r) => r >= 0);
    expect(rows.length).to.equal(receptiveField(windowLayersOf(model)));
    expect(rows.length).to.equal(18);
  });

  it("average pooling takes each block's mean; max pooling its largest value", () => {
    const map = conv2d(SEVEN_IMAGE, STROKE_KERNEL, { padding: "same" });
    expect(averagePool(map)).to.deep.equal([[1.75, 2.25, 2.75], [0, 0.5, 2], [0, 0.5, 1.75]]);
    expect(maxPool(map).values).to.deep.equal([[3, 3, 4], [0, 1, 3], [0, 1, 3]]);
    const byTfjs = tf.tidy(() => tf.avgPool(tf.tensor4d(map.flat(), [1, 6, 6, 1]), 2, 2, "valid").squeeze().arraySync());
    expect(averagePool(map)).to.deep.equal(byTfjs);
  });

  it("true convolution flips the kernel; for a symmetric kernel it changes nothing", () => {
    const corner = [[1, 0, 0], [0, 0, 0], [0, 0, 0]];
    expect(flipKernel(corner)).to.deep.equal([[0, 0, 0], [0, 0, 0], [0, 0, 1]]);
    expect(trueConvolution(SEVEN_IMAGE, STROKE_KERNEL)).to.deep.equal(conv2d(SEVEN_IMAGE, STROKE_KERNEL));
    // By the definition: (I ∗ K)(r, c) = Σ I(r + 2 − i, c + 2 − j) K(i, j) for a 3×3 kernel, valid positions.
    const byDefinition = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => {
      let sum = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) sum += SEVEN_IMAGE[r + 2 - i][c + 2 - j] * corner[i][j];
      return sum;
    }));
    expect(trueConvolution(SEVEN_IMAGE, corner)).to.deep.equal(byDefinition);
    expect(conv2d(SEVEN_IMAGE, corner)).to.not.deep.equal(byDefinition);
  });

  it("the corner kernel finds the 7's corner; turned round (true convolution) it looks for an L", () => {
    const correlated = conv2d(SEVEN_IMAGE, CORNER_KERNEL);
    expect(Math.max(...correlated.flat())).to.equal(5);
    expect(correlated[0][2]).to.equal(5); // window columns 2–4: top row 3 + right column 2
    expect(Math.max(...trueConvolution(SEVEN_IMAGE, CORNER_KERNEL).flat())).to.equal(2);
  });

  it("ReLU after the vertical-line kernel keeps the stroke and clears the negative flanks", () => {
    const map = conv2d(SEVEN_IMAGE, VERTICAL_LINE_KERNEL);
    // Row 0 of windows also holds the top stroke, which this kernel ignores (−1 + 2 − 1 = 0).
    expect(map).to.deep.equal([[0, 0, -2, 4], [0, 0, -3, 6], [0, 0, -3, 6], [0, 0, -3, 6]]);
    expect(reluMap(map)).to.deep.equal([[0, 0, 0, 4], [0, 0, 0, 6], [0, 0, 0, 6], [0, 0, 0, 6]]);
  });

  it("the colour \"7\" and its two 3×3×3 filters: summed across channels, one map per filter", () => {
    expect(RGB_SEVEN_IMAGE[0][0]).to.deep.equal([1, 0, 0]);
    expect(RGB_SEVEN_IMAGE[0][4]).to.deep.equal([1, 0, 1]);
    expect(RGB_SEVEN_IMAGE[3][4]).to.deep.equal([0, 0, 1]);
    const maps = conv2dVolume(RGB_SEVEN_IMAGE, RGB_FILTERS, { padding: "same" });
    const channel = (k: number) => maps.map((row) => row.map((px) => px[k]));
    const red = SEVEN_IMAGE.map((row, r) => row.map((v) => (r === 0 ? v : 0)));
    const blue = SEVEN_IMAGE.map((row) => row.map((v, c) => (c === 4 ? v : 0)));
    const verticalKernel = [[0, 1, 0], [0, 1, 0], [0, 1, 0]];
    const sumOf = (a: number[][], b: number[][]) => a.map((row, r) => row.map((v, c) => v + b[r][c]));
    expect(channel(0)).to.deep.equal(sumOf(conv2d(red, HORIZONTAL_KERNEL, { padding: "same" }), conv2d(blue, verticalKernel, { padding: "same" })));
    expect(channel(1)).to.deep.equal(conv2d(blue, verticalKernel, { padding: "same" }));
    expect(channel(0)[0]).to.deep.equal([2, 3, 3, 3, 5, 2]); // the corner: 3 from red's row, 2 from blue's column
  });
});
