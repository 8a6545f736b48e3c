import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { inspect } from "node:util";
import {
  checkAnswer, checkConvParameters, checkDenseParameters, checkFeatureMap, checkFlattenLength, checkOutputSize, checkPooling,
  checkReceptiveField, checkWindowSum, checkLayerParameters, checkLayerOutputShape, checkModelReceptiveField, measuredOutputSize,
  layerParameterCount,
} from "../../lib/exercises";
import { SEVEN_IMAGE, STROKE_KERNEL, VERTICAL_LINE_KERNEL } from "../../lib/examples/worked-example";
import { buildMnistConvnet } from "../../lib/models/mnist-convnet";
import { buildCatsDogsConvnet } from "../../lib/models/cats-dogs-convnet";

const quiet = { print: false };

describe("exercises: the checker says ✓ or what to reconsider", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  it("waits for an answer, accepts the right one, rejects a wrong one and a wrong shape", () => {
    const options = { question: "q", explain: "because", hint: "think", print: false };
    expect(checkAnswer(undefined, 4, options)).to.include({ answered: false, correct: false });
    expect(checkAnswer(4, 4, options).message).to.match(/^✓ q: 4\. because/);
    const wrong = checkAnswer(5, 4, options);
    expect(wrong).to.include({ answered: true, correct: false });
    expect(wrong.message).to.match(/^✗ .*Reconsider: think/);
    expect(checkAnswer([1, 2], [[1, 2]], options).message).to.match(/a list of 2 numbers.*a 1×2 grid/);
    expect(checkAnswer(Number.NaN, 4, options).correct).to.equal(false);
    expect(checkAnswer(0.334, 1 / 3, { ...options, tolerance: 0.01 }).correct).to.equal(true);
  });

  it("shows as its message alone when it ends a cell, and prints only when asked", () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    let result;
    try {
      result = checkOutputSize({ inputSize: 6, kernelSize: 3, stride: 2 }, 2);
      checkOutputSize({ inputSize: 6, kernelSize: 3, stride: 2 }, 3, { print: true });
    } finally {
      console.log = log;
    }
    expect(lines).to.have.lengthOf(1);
    expect(lines[0]).to.match(/^✗/);
    expect(inspect(result)).to.equal(result.message).and.to.match(/^✓/);
  });

  it("output size: computed by running conv2d, with advice for the usual mistakes", () => {
    expect(measuredOutputSize({ inputSize: 6, kernelSize: 3, stride: 2 })).to.equal(2);
    expect(measuredOutputSize({ inputSize: 7, kernelSize: 3, stride: 2, padding: 1 })).to.equal(4);
    expect(checkOutputSize({ inputSize: 6, kernelSize: 3, stride: 2 }, 2, quiet).correct).to.equal(true);
    expect(checkOutputSize({ inputSize: 6, kernelSize: 3, stride: 2 }, 4, quiet).message).to.match(/stride 1/);
    expect(checkOutputSize({ inputSize: 6, kernelSize: 3, stride: 2 }, 3, quiet).message).to.match(/"same"/);
    expect(checkOutputSize({ inputSize: 6, kernelSize: 3, stride: 2 }, 1, quiet).message).to.match(/\+ 1/);
    expect(checkOutputSize({ inputSize: 6, kernelSize: 3, stride: 2, padding: "same" }, 3, quiet).correct).to.equal(true);
    expect(checkOutputSize({ inputSize: 6, kernelSize: 3, stride: 2, padding: "same" }, 6, quiet).message).to.match(/stride 1/);
    expect(checkOutputSize({ inputSize: 28, kernelSize: 3 }, 26, quiet).correct).to.equal(true);
    expect(checkOutputSize({ inputSize: 28, kernelSize: 3 }, 28, quiet).message).to.match(/"same"/);
  });

  it("one window's sum, before and after ReLU, and the kernel turned round", () => {
    expect(checkWindowSum(SEVEN_IMAGE, STROKE_KERNEL, 1, 3, 3, quiet).correct).to.equal(true);
    expect(checkWindowSum(SEVEN_IMAGE, VERTICAL_LINE_KERNEL, 1, 2, -3, quiet).correct).to.equal(true);
    const beforeRelu = checkWindowSum(SEVEN_IMAGE, VERTICAL_LINE_KERNEL, 1, 2, -3, { ...quiet, activation: "relu" });
    expect(beforeRelu.correct).to.equal(false);
    expect(beforeRelu.message).to.match(/ReLU turns a negative sum into 0/);
    expect(checkWindowSum(SEVEN_IMAGE, VERTICAL_LINE_KERNEL, 1, 2, 0, { ...quiet, activation: "relu" }).correct).to.equal(true);
    const corner = [[1, 0, 0], [0, 0, 0], [0, 0, 0]];
    expect(checkWindowSum(SEVEN_IMAGE, corner, 1, 2, 1, quiet).message).to.match(/turned the kernel round/);
  });

  it("whole maps and pooling: any wrong cell fails; max and average are told apart", () => {
    expect(checkFeatureMap(SEVEN_IMAGE, STROKE_KERNEL, { stride: 2 }, [[1, 2], [0, 1]], quiet).correct).to.equal(true);
    expect(checkFeatureMap(SEVEN_IMAGE, STROKE_KERNEL, { stride: 2 }, [[1, 2], [0, 2]], quiet).correct).to.equal(false);
    const map = [[1, 3], [0, 4]];
    expect(checkPooling(map, { kind: "average" }, [[2]], quiet).correct).to.equal(true);
    expect(checkPooling(map, { kind: "average" }, [[4]], quiet).message).to.match(/max pooling/);
    expect(checkPooling(map, { kind: "max" }, [[4]], quiet).correct).to.equal(true);
  });

  it("parameter counts: the forgotten bias and the forgotten input channels get their own advice", () => {
    expect(checkConvParameters({ kernelSize: 3, inChannels: 32, filters: 64 }, 18_496, quiet).correct).to.equal(true);
    expect(checkConvParameters({ kernelSize: 3, inChannels: 32, filters: 64 }, 18_432, quiet).message).to.match(/bias/);
    expect(checkConvParameters({ kernelSize: 3, inChannels: 32, filters: 64 }, 640, quiet).message).to.match(/spans all 32/);
    expect(checkConvParameters({ kernelSize: 3, inChannels: 3, filters: 2 }, 28, quiet).message).to.match(/one filter/);
    expect(checkDenseParameters({ inputs: 576, units: 64 }, 36_928, quiet).correct).to.equal(true);
    expect(checkDenseParameters({ inputs: 576, units: 64 }, 36_864, quiet).message).to.match(/bias/);
    expect(checkFlattenLength([3, 3, 64], 576, quiet).correct).to.equal(true);
    expect(checkFlattenLength([3, 3, 64], 9, quiet).message).to.match(/64 maps/);
  });

  it("receptive field: ignoring the strides is recognised", () => {
    const layers = [{ kernelSize: 3, stride: 1 }, { kernelSize: 2, stride: 2 }, { kernelSize: 3, stride: 1 }];
    expect(checkReceptiveField(layers, 8, quiet).correct).to.equal(true);
    expect(checkReceptiveField(layers, 6, quiet).message).to.match(/2 pixels apart/);
  });

  it("questions about the course's models take their answers from the model itself", () => {
    const mnist = buildMnistConvnet();
    const names = mnist.layers.map((l) => l.name);
    const [conv1, , conv2, , conv3, flatten, dense1, dense2] = names;
    expect([conv1, conv2, conv3, dense1, dense2].map((n) => layerParameterCount(mnist, n))).to.deep.equal([320, 18_496, 36_928, 36_928, 650]);
    expect(layerParameterCount(mnist, flatten)).to.equal(0);
    expect(checkLayerParameters(mnist, conv2, 18_496, quiet).correct).to.equal(true);
    expect(checkLayerParameters(mnist, conv2, 18_432, quiet).message).to.match(/bias/);
    expect(checkLayerOutputShape(mnist, conv2, [11, 11, 64], quiet).correct).to.equal(true);
    expect(checkLayerOutputShape(mnist, conv2, [13, 13, 64], quiet).message).to.match(/padding "valid"/);
    expect(checkLayerOutputShape(mnist, conv2, [11, 11, 32], quiet).message).to.match(/number of filters/);
    expect(checkModelReceptiveField(mnist, conv3, 18, quiet).message).to.match(new RegExp(`^✓ receptive field of one unit of ${conv3}: 18`));
    expect(() => checkLayerParameters(mnist, "nope", 1, quiet)).to.throw(/no layer "nope"/);
    const cats = buildCatsDogsConvnet({ dropout: 0.5 });
    const catsConvs = cats.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.name);
    expect(catsConvs.map((n) => layerParameterCount(cats, n))).to.deep.equal([896, 18_496, 73_856, 147_584]);
    // 3 → 4 → 8 → 10 → 18 → 22 → 38: a unit of the last convolution sees 38×38 of the 150×150 picture.
    expect(checkModelReceptiveField(cats, catsConvs[3], 38, quiet).correct).to.equal(true);
    // Chapter 9's Grad-CAM layer: 15×15 cells of 128 maps.
    expect(checkLayerOutputShape(cats, catsConvs[3], [15, 15, 128], quiet).correct).to.equal(true);
  });
});
