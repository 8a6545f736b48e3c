import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { gradCam, heatColour, heatmapOverlay, lastConvLayerName } from "../../lib/viz/grad-cam";
import { filterPattern, deprocessPattern } from "../../lib/viz/filter-patterns";
import { kernelResponseSteps, rankChannelsByResponse, channelMatrices, kernelMatrices } from "../../lib/viz/kernel-responses";

/**
 * A model whose Grad-CAM can be worked out by hand: a 1×1 convolution copies the picture into two identical maps;
 * the dense layer weighs map 0 by +1 and map 1 by −0.5 at every position, then a sigmoid. For the positive class
 * the gradient is p(1 − p)·(+1, −0.5), so the map weights are proportional to (+1, −0.5) and the heatmap is
 * ReLU(0.5 · picture): the picture itself, scaled to a maximum of 1. For the negative class every weight changes
 * sign and the heatmap is ReLU(−0.5 · picture) = 0.
 */
function handModel(): tf.Sequential {
  const side = 6;
  const model = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [side, side, 1], filters: 2, kernelSize: 1, useBias: false, name: "copy" }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 1, activation: "sigmoid", name: "score" }),
  ] });
  const denseWeights = Array.from({ length: side * side }, () => [1, -0.5]).flat();
  model.setWeights([tf.ones([1, 1, 1, 2]), tf.tensor2d(denseWeights, [side * side * 2, 1]), tf.zeros([1])]);
  return model;
}

describe("lib/viz: Grad-CAM, filter patterns, learned kernels' responses", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  it("Grad-CAM of a model worked out by hand: the picture for one class, nothing for the other", () => {
    const model = handModel();
    const picture = Array.from({ length: 36 }, (_, i) => (i % 6 < 2 && i < 12 ? 0.2 * (1 + (i % 2)) : 0));
    const image = tf.tensor3d(picture, [6, 6, 1]);
    expect(lastConvLayerName(model)).to.equal("copy");
    const dog = gradCam(model, image, { classIndex: 1 });
    const largest = Math.max(...picture);
    dog.heatmap.flat().forEach((v, i) => expect(v).to.be.closeTo(picture[i] / largest, 1e-5));
    expect(dog.prediction).to.have.lengthOf(1);
    const cat = gradCam(model, image, { classIndex: 0 });
    expect(cat.heatmap.flat().every((v) => v === 0)).to.equal(true);
    // Without a class, the predicted one is explained: here p > 0.5, the positive class.
    expect(gradCam(model, image).classIndex).to.equal(dog.prediction[0] >= 0.5 ? 1 : 0);
    expect(() => gradCam(model, image, { classIndex: 2 })).to.throw(/classIndex/);
    expect(() => gradCam(model, image, { layerName: "nope" })).to.throw(/no layer "nope"/);
  });

  it("Grad-CAM on a softmax model localises the evidence for the chosen class", () => {
    // Class 0's score adds up the left half of the map; class 1's score is always 0.
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 1, kernelSize: 1, useBias: false, name: "conv" }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, activation: "softmax" }),
    ] });
    const weights = Array.from({ length: 16 }, (_, i) => (i % 4 < 2 ? [1, 0] : [0, 0])).flat();
    model.setWeights([tf.ones([1, 1, 1, 1]), tf.tensor2d(weights, [16, 2]), tf.zeros([2])]);
    const image = tf.tensor3d(Array.from({ length: 16 }, (_, i) => (i % 4 === 0 ? 1 : 0)), [4, 4, 1]);
    const result = gradCam(model, image);
    expect(result.classIndex).to.equal(0);
    expect(result.heatmap.map((row) => row[0])).to.deep.equal([1, 1, 1, 1]);
    expect(result.heatmap.flat().filter((v) => v > 0)).to.have.lengthOf(4);
  });

  it("lays the heatmap over the picture in colour", () => {
    expect(heatColour(0)).to.deep.equal([0, 0, 0.5]);
    expect(heatColour(1)).to.deep.equal([0.85, 0, 0]);
    const picture = tf.fill([4, 4, 3], 0.5) as tf.Tensor3D;
    const plain = heatmapOverlay(picture, [[1, 0], [0, 0]], 0);
    expect(Array.from(plain.pixels).every((v) => v === 0.5)).to.equal(true);
    const hot = heatmapOverlay(picture, [[1, 0], [0, 0]], 1);
    expect(hot).to.include({ width: 4, height: 4, channels: 3 });
    expect(Array.from(hot.pixels).slice(0, 3)).to.deep.equal(heatColour(1).map((v) => Math.fround(v)));
    expect(() => heatmapOverlay(picture, [[1]], 2)).to.throw(/opacity/);
  });

  it("gradient ascent raises the filter's response and is reproducible from its seed", () => {
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 2, kernelSize: 3, name: "conv", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ] });
    const a = filterPattern(model, "conv", 1, { steps: 20, seed: 5 });
    const b = filterPattern(model, "conv", 1, { steps: 20, seed: 5 });
    expect(a.finalResponse).to.be.greaterThan(a.startResponse);
    expect(Array.from(a.image.pixels)).to.deep.equal(Array.from(b.image.pixels));
    expect(a.image).to.include({ width: 12, height: 12, channels: 3 });
    expect(Array.from(a.image.pixels).every((v) => v >= 0 && v <= 1)).to.equal(true);
    expect(() => filterPattern(model, "conv", 2)).to.throw(/filters 0..1/);
    const shown = deprocessPattern([1, 3]);
    expect(shown[0]).to.be.closeTo(0.4, 1e-4);
    expect(shown[1]).to.be.closeTo(0.6, 1e-4);
  });

  it("learned kernels' responses: matrices per channel, strongest first, one step per kernel", () => {
    const activation = tf.tensor3d([0, 5, 1, 2, 0, 9, 3, 1], [2, 2, 2]);
    expect(channelMatrices(activation)).to.deep.equal([[[0, 1], [0, 3]], [[5, 2], [9, 1]]]);
    expect(rankChannelsByResponse(channelMatrices(activation))).to.deep.equal([1, 0]);
    const kernels = kernelMatrices(tf.tensor4d([1, -1, 2, -2], [1, 2, 1, 2]));
    expect(kernels).to.deep.equal([[[1, 2]], [[-1, -2]]]);
    const steps = kernelResponseSteps([[0, 1], [1, 0]], kernels, channelMatrices(activation));
    expect(steps.map((s) => s.label)).to.deep.equal(["#1", "#0"]);
    expect(steps[0].panels.map((p) => p.title)).to.deep.equal(["input", "kernel 1 (3×3)", "feature map after ReLU"]);
    expect(() => kernelResponseSteps([[0]], kernels, [])).to.throw(/2 kernels but 0/);
  });
});
