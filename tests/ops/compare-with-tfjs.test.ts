import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { conv2d, conv2dVolume, dense, flatten, maxPool, relu, sigmoid, softmax, stackChannels, zeroPad } from "../../lib/ops";
import type { Matrix, Volume } from "../../lib/ops";

/** A small deterministic generator so a failing shape can be reproduced. */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 * 2 - 1;
  };
}
const randomMatrix = (rows: number, cols: number, next: () => number): Matrix =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, next));
const randomVolume = (rows: number, cols: number, depth: number, next: () => number): Volume =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => Array.from({ length: depth }, next)));

const TOLERANCE = 1e-4;
function expectClose(actual: unknown, expected: unknown, path = "value"): void {
  if (Array.isArray(expected)) {
    expect(actual, path).to.be.an("array").with.lengthOf(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}[${i}]`));
  } else {
    expect(actual as number, path).to.be.closeTo(expected as number, TOLERANCE);
  }
}

describe("reference ops agree with tfjs (cpu backend)", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  const convCases = [
    { image: [6, 6], kernel: [3, 3], stride: 1 },
    { image: [7, 5], kernel: [3, 2], stride: 1 },
    { image: [8, 8], kernel: [3, 3], stride: 2 },
    { image: [9, 7], kernel: [4, 4], stride: 3 },
    { image: [5, 5], kernel: [5, 5], stride: 1 },
  ];
  for (const padding of ["valid", "same"] as const) {
    for (const c of convCases) {
      it(`conv2d ${c.image.join("×")} * ${c.kernel.join("×")}, stride ${c.stride}, ${padding}`, () => {
        const next = randomSource(c.image[0] * 31 + c.kernel[0] * 7 + c.stride);
        const image = randomMatrix(c.image[0], c.image[1], next);
        const kernel = randomMatrix(c.kernel[0], c.kernel[1], next);
        const expected = tf.tidy(() =>
          tf
            .conv2d(tf.tensor4d(image.flat(), [1, c.image[0], c.image[1], 1]), tf.tensor4d(kernel.flat(), [c.kernel[0], c.kernel[1], 1, 1]), c.stride, padding)
            .squeeze([0, 3])
            .arraySync(),
        );
        expectClose(conv2d(image, kernel, { stride: c.stride, padding }), expected);
      });
    }
  }

  it("conv2dVolume matches tf.conv2d with 3 input and 2 output channels", () => {
    const next = randomSource(99);
    const input = randomVolume(7, 6, 3, next);
    const filters = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => randomMatrix(3, 2, next)));
    for (const padding of ["valid", "same"] as const) {
      const expected = tf.tidy(() =>
        tf.conv2d(tf.tensor3d(input), tf.tensor4d(filters), 1, padding).arraySync(),
      );
      expectClose(conv2dVolume(input, filters, { padding }), expected);
    }
  });

  for (const [rows, cols, size] of [[6, 6, 2], [4, 4, 2], [7, 5, 2], [9, 9, 3]]) {
    it(`maxPool ${rows}×${cols} with ${size}×${size} windows`, () => {
      const map = randomMatrix(rows, cols, randomSource(rows * 13 + cols + size));
      const expected = tf.tidy(() =>
        tf.maxPool(tf.tensor3d(map.flat(), [rows, cols, 1]), size, size, "valid").squeeze([2]).arraySync(),
      );
      const pooled = maxPool(map, { size });
      expectClose(pooled.values, expected);
      // Each reported winner holds the pooled value and lies inside its window.
      pooled.argmax.forEach((row, r) =>
        row.forEach((cell, c) => {
          expect(map[cell.row][cell.col]).to.equal(pooled.values[r][c]);
          expect(Math.floor(cell.row / size)).to.equal(r);
          expect(Math.floor(cell.col / size)).to.equal(c);
        }),
      );
    });
  }

  it("zeroPad matches tf.pad", () => {
    const image = randomMatrix(4, 5, randomSource(5));
    const expected = tf.tidy(() => tf.pad(tf.tensor2d(image), [[1, 2], [3, 0]]).arraySync());
    expectClose(zeroPad(image, { top: 1, bottom: 2, left: 3, right: 0 }), expected);
  });

  it("flatten(stackChannels) matches tf.layers.flatten on a [3,3,2] volume", () => {
    const next = randomSource(11);
    const maps = [randomMatrix(3, 3, next), randomMatrix(3, 3, next)];
    const volume = stackChannels(maps);
    const expected = tf.tidy(() => (tf.layers.flatten().apply(tf.tensor4d([volume])) as tf.Tensor).arraySync() as number[][]);
    expectClose(flatten(volume), expected[0]);
  });

  for (const activation of ["linear", "relu", "sigmoid", "softmax"] as const) {
    it(`dense 18→5 with ${activation} matches a tf.layers.dense layer`, () => {
      const next = randomSource(activation.length * 17);
      const inputs = Array.from({ length: 18 }, next);
      const weights = randomMatrix(18, 5, next);
      const bias = Array.from({ length: 5 }, next);
      const layer = tf.layers.dense({ units: 5, activation, inputShape: [18], weights: [tf.tensor2d(weights), tf.tensor1d(bias)] });
      const expected = tf.tidy(() => (layer.apply(tf.tensor2d([inputs])) as tf.Tensor).arraySync() as number[][]);
      expectClose(dense(inputs, weights, bias, activation), expected[0]);
      layer.dispose();
    });
  }

  it("relu, sigmoid and softmax match tf on large and small values", () => {
    const x = [-1000, -3.5, -0.1, 0, 0.1, 2, 40, 700];
    expectClose(relu(x), tf.tidy(() => tf.relu(tf.tensor1d(x)).arraySync()));
    expectClose(sigmoid(x), tf.tidy(() => tf.sigmoid(tf.tensor1d(x)).arraySync()));
    expectClose(softmax(x), tf.tidy(() => tf.softmax(tf.tensor1d(x)).arraySync()));
    expect(softmax(x).every(Number.isFinite)).to.equal(true);
  });
});
