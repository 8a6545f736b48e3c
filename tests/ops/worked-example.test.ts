import { expect } from "chai";
import { conv2d, dense, flatten, maxPool, stackChannels, zeroPad } from "../../lib/ops";
import { EXAMPLE_SEED, HORIZONTAL_KERNEL, SEVEN_IMAGE, STROKE_KERNEL, exampleDenseWeights } from "../../lib/examples/worked-example";

// The numbers chapters 1–4 print. The expected values below were worked out independently (by hand for the maps,
// and with a separate NumPy script for the seeded weights), not by calling this code: if the example or an op
// changes a printed number, these fail.

describe("the worked example of chapters 1–4", () => {
  it("the 6×6 '7' and the kernels are the ones the chapters describe", () => {
    expect(SEVEN_IMAGE[0]).to.deep.equal([1, 1, 1, 1, 1, 1]);
    expect(SEVEN_IMAGE.map((row) => row[4])).to.deep.equal([1, 1, 1, 1, 1, 1]);
    expect(SEVEN_IMAGE.flat().reduce((a, b) => a + b, 0)).to.equal(11);
    expect(STROKE_KERNEL).to.deep.equal([[0, 1, 0], [1, 1, 1], [0, 1, 0]]);
    expect(HORIZONTAL_KERNEL).to.deep.equal([[0, 0, 0], [1, 1, 1], [0, 0, 0]]);
  });

  it("chapter 1: the valid 4×4 feature map (the top stroke only leaves 1s)", () => {
    expect(conv2d(SEVEN_IMAGE, STROKE_KERNEL)).to.deep.equal([
      [1, 1, 2, 3],
      [0, 0, 1, 3],
      [0, 0, 1, 3],
      [0, 0, 1, 3],
    ]);
  });

  it("chapter 2: the padded 8×8 image and the 6×6 feature map (both strokes)", () => {
    const padded = zeroPad(SEVEN_IMAGE, 1);
    expect(padded).to.have.lengthOf(8);
    expect(padded[0]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(padded[1]).to.deep.equal([0, 1, 1, 1, 1, 1, 1, 0]);
    const expected = [
      [2, 3, 3, 3, 4, 2],
      [1, 1, 1, 2, 3, 2],
      [0, 0, 0, 1, 3, 1],
      [0, 0, 0, 1, 3, 1],
      [0, 0, 0, 1, 3, 1],
      [0, 0, 0, 1, 2, 1],
    ];
    expect(conv2d(padded, STROKE_KERNEL)).to.deep.equal(expected);
    expect(conv2d(SEVEN_IMAGE, STROKE_KERNEL, { padding: "same" })).to.deep.equal(expected);
  });

  it("chapter 3: the 3×3 pooled map and each window's winner", () => {
    const pooled = maxPool(conv2d(SEVEN_IMAGE, STROKE_KERNEL, { padding: "same" }));
    expect(pooled.values).to.deep.equal([
      [3, 3, 4],
      [0, 1, 3],
      [0, 1, 3],
    ]);
    expect(pooled.argmax.flat().map((cell) => [cell.row, cell.col])).to.deep.equal([
      [0, 1], [0, 2], [0, 4],
      [2, 0], [2, 3], [2, 4],
      [4, 0], [4, 3], [4, 4],
    ]);
  });

  it("chapter 4: the second map, the 18-vector and the seeded layers' outputs", () => {
    const horizontal = maxPool(conv2d(SEVEN_IMAGE, HORIZONTAL_KERNEL, { padding: "same" })).values;
    expect(horizontal).to.deep.equal([
      [3, 3, 3],
      [0, 1, 1],
      [0, 1, 1],
    ]);
    const stroke = maxPool(conv2d(SEVEN_IMAGE, STROKE_KERNEL, { padding: "same" })).values;
    const vector = flatten(stackChannels([stroke, horizontal]));
    expect(vector).to.deep.equal([3, 3, 3, 3, 4, 3, 0, 0, 1, 1, 3, 1, 0, 0, 1, 1, 3, 1]);

    expect(EXAMPLE_SEED).to.equal(7);
    const weights = exampleDenseWeights(18);
    expect(weights.hidden.weights).to.have.lengthOf(18);
    expect(weights.hidden.weights.slice(0, 3)).to.deep.equal([
      [-0.49, -0.44, 0.48, 0.2],
      [0.02, -0.09, -0.03, -0.26],
      [0.05, 0.23, -0.24, -0.34],
    ]);
    expect(weights.isSeven.weights.flat()).to.deep.equal([0.09, 0.46, 0.47, 0.05]);
    expect(weights.digits.weights[0]).to.deep.equal([0.32, -0.49, 0.02, -0.17, 0.22, 0.05, 0.26, 0.48, 0.06, 0.32]);

    const hidden = dense(vector, weights.hidden.weights, weights.hidden.bias, "relu");
    [0, 1.12, 0, 1.09].forEach((h, i) => expect(hidden[i]).to.be.closeTo(h, 1e-9));
    expect(dense(hidden, weights.isSeven.weights, weights.isSeven.bias, "sigmoid")[0]).to.be.closeTo(0.6387, 5e-5);
    const digits = dense(hidden, weights.digits.weights, weights.digits.bias, "softmax");
    [0.0942, 0.1498, 0.079, 0.1613, 0.0731, 0.0721, 0.0356, 0.0468, 0.1067, 0.1814].forEach((p, i) =>
      expect(digits[i]).to.be.closeTo(p, 5e-5),
    );
  });
});
