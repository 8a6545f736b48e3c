import { expect } from "chai";
import { conv2d, conv2dVolume, convolveWindow, dense, flatten, maxPool, paddingFor, samePadding, sigmoid, softmax, stackChannels, zeroPad } from "../../lib/ops";

describe("reference ops: small cases worked by hand", () => {
  it("conv2d multiplies each window by the kernel and adds up", () => {
    // 3×3 image, 2×2 kernel: 4 windows. Top-left: 1·1 + 2·0 + 4·0 + 5·(-1) = -4, and so on.
    const image = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    const kernel = [
      [1, 0],
      [0, -1],
    ];
    expect(conv2d(image, kernel)).to.deep.equal([
      [-4, -4],
      [-4, -4],
    ]);
    expect(conv2d(image, [[0, 1], [1, 0]])).to.deep.equal([
      [6, 8],
      [12, 14],
    ]);
  });

  it("convolveWindow shows the window, the products and their sum", () => {
    const step = convolveWindow([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[0, 1], [2, 0]], 1, 1);
    expect(step.window).to.deep.equal([[5, 6], [8, 9]]);
    expect(step.products).to.deep.equal([[0, 6], [16, 0]]);
    expect(step.sum).to.equal(22);
  });

  it("stride skips windows; 'same' pads so the output is ceil(n / stride)", () => {
    const ones = Array.from({ length: 5 }, () => new Array(5).fill(1));
    const kernel3 = [[1, 1, 1], [1, 1, 1], [1, 1, 1]];
    expect(conv2d(ones, kernel3, { stride: 2 })).to.deep.equal([[9, 9], [9, 9]]);
    // 'same' on 5×5: one zero each side; the corners see 4 ones, edges 6, inside 9.
    expect(conv2d(ones, kernel3, { padding: "same" })[0]).to.deep.equal([4, 6, 6, 6, 4]);
    expect(samePadding(5, 3, 1)).to.deep.equal([1, 1]);
    expect(samePadding(6, 2, 1)).to.deep.equal([0, 1]); // tfjs puts the odd zero at the bottom/right
    expect(samePadding(8, 3, 2)).to.deep.equal([0, 1]);
    expect(paddingFor([6, 6], [3, 3], 1, "valid")).to.deep.equal({ top: 0, bottom: 0, left: 0, right: 0 });
  });

  it("zeroPad adds a border of zeros", () => {
    expect(zeroPad([[7]], 1)).to.deep.equal([
      [0, 0, 0],
      [0, 7, 0],
      [0, 0, 0],
    ]);
  });

  it("maxPool keeps each window's largest value and where it was", () => {
    const map = [
      [1, 5, 2, 0],
      [3, 4, 8, 1],
      [0, 0, 6, 7],
      [2, 1, 7, 6],
    ];
    const pooled = maxPool(map);
    expect(pooled.values).to.deep.equal([[5, 8], [2, 7]]);
    expect(pooled.argmax).to.deep.equal([
      [{ row: 0, col: 1 }, { row: 1, col: 2 }],
      [{ row: 3, col: 0 }, { row: 2, col: 3 }], // tie 7/7: the first in reading order wins
    ]);
  });

  it("flatten interleaves channels like Keras (pixel by pixel)", () => {
    const volume = stackChannels([[[1, 2], [3, 4]], [[10, 20], [30, 40]]]);
    expect(volume).to.deep.equal([[[1, 10], [2, 20]], [[3, 30], [4, 40]]]);
    expect(flatten(volume)).to.deep.equal([1, 10, 2, 20, 3, 30, 4, 40]);
  });

  it("dense: every output is a weighted sum of every input plus a bias", () => {
    // inputs [1, 2]; unit 0: 1·0.5 + 2·(-1) + 1 = -0.5; unit 1: 1·2 + 2·0 + 0 = 2.
    expect(dense([1, 2], [[0.5, 2], [-1, 0]], [1, 0])).to.deep.equal([-0.5, 2]);
    expect(dense([1, 2], [[0.5, 2], [-1, 0]], [1, 0], "relu")).to.deep.equal([0, 2]);
  });

  it("sigmoid(0) = 0.5 and softmax adds up to 1", () => {
    expect(sigmoid([0])).to.deep.equal([0.5]);
    const p = softmax([0, Math.log(3)]);
    expect(p[0]).to.be.closeTo(0.25, 1e-12);
    expect(p[1]).to.be.closeTo(0.75, 1e-12);
  });

  it("conv2dVolume sums the per-channel convolutions", () => {
    // 2×2 image, 2 channels; 1×1 kernel weighting channel 0 by 1 and channel 1 by 10.
    const input = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]];
    expect(conv2dVolume(input, [[[[1], [10]]]])).to.deep.equal([[[21], [43]], [[65], [87]]]);
  });
});

describe("reference ops: bad input gets a clear error", () => {
  it("names ragged rows", () => {
    expect(() => conv2d([[1, 2], [3]], [[1]])).to.throw(/image is ragged: row 1 has 1 values, row 0 has 2/);
  });
  it("names a kernel larger than the image", () => {
    expect(() => conv2d([[1, 2], [3, 4]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]])).to.throw(/kernel \(3×3\) is larger than the image \(2×2\)/);
  });
  it("names NaN and its position", () => {
    expect(() => conv2d([[1, NaN], [3, 4]], [[1]])).to.throw(/image\[0\]\[1\] is NaN/);
    expect(() => softmax([1, Infinity])).to.throw(/softmax input\[1\] is Infinity/);
  });
  it("names a wrong depth", () => {
    expect(() => conv2dVolume([[[1, 2]]], [[[[1]]]])).to.throw(/input has depth 2/);
    expect(() => stackChannels([[[1, 2]], [[1], [2]]])).to.throw(/map 1 is 2×1, map 0 is 1×2/);
  });
  it("names mismatched dense shapes", () => {
    expect(() => dense([1, 2, 3], [[1], [1]], [0])).to.throw(/2 rows \(one per input\) but there are 3 inputs/);
    expect(() => dense([1, 2], [[1], [1]], [0, 0])).to.throw(/bias has 2 values, the weights have 1 units/);
  });
  it("rejects bad stride, padding and pool size", () => {
    expect(() => conv2d([[1]], [[1]], { stride: 0 })).to.throw(/stride must be a whole number/);
    expect(() => conv2d([[1]], [[1]], { padding: "full" as "same" })).to.throw(/padding must be "valid" or "same"/);
    expect(() => maxPool([[1]], { size: 2 })).to.throw(/pool window \(2×2\) is larger than the map \(1×1\)/);
    expect(() => zeroPad([[1]], -1)).to.throw(/padding top must be a whole number/);
  });
});
