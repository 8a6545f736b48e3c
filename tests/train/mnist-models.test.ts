import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { buildMnistConvnet } from "../../lib/models/mnist-convnet";
import { buildDenseBaseline } from "../../lib/models/dense-baseline";
import { confusionMatrix } from "../../lib/viz/confusion-matrix";
import { channelImages, kernelImages, layerActivations } from "../../lib/viz/feature-maps";
import { historyFigure } from "../../lib/viz/training-curves";

describe("chapter 5 models and figures", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  it("the convnet's layers have the book's output shapes and per-layer parameter counts", () => {
    const model = buildMnistConvnet();
    expect(model.layers.map((l) => l.outputShape)).to.deep.equal([
      [null, 26, 26, 32], [null, 13, 13, 32], [null, 11, 11, 64], [null, 5, 5, 64],
      [null, 3, 3, 64], [null, 576], [null, 64], [null, 10],
    ]);
    expect(model.layers.map((l) => l.countParams())).to.deep.equal([320, 0, 18496, 0, 36928, 0, 36928, 650]);
    expect(model.countParams()).to.equal(93322);
  });

  it("the dense baseline flattens 28×28×1 to 784 and has 407,050 parameters", () => {
    const model = buildDenseBaseline();
    expect(model.layers.map((l) => l.outputShape)).to.deep.equal([[null, 784], [null, 512], [null, 10]]);
    expect(model.countParams()).to.equal(784 * 512 + 512 + 512 * 10 + 10);
  });

  it("counts a confusion matrix as [true][predicted]", () => {
    const counts = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3);
    expect(counts).to.deep.equal([[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
    expect(() => confusionMatrix([0], [0, 1], 3)).to.throw(/1 true labels but 2 predictions/);
  });

  it("splits activations into one image per channel and reads each conv layer's output", () => {
    const activation = tf.tensor3d([1, 10, 2, 20, 3, 30, 4, 40], [2, 2, 2]);
    const images = channelImages(activation);
    expect(images).to.have.length(2);
    expect(Array.from(images[1].pixels)).to.deep.equal([10, 20, 30, 40]);
    const model = buildMnistConvnet();
    const names = model.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.name);
    const maps = layerActivations(model, tf.zeros([1, 28, 28, 1]) as tf.Tensor4D, names);
    expect(names.map((n) => maps.get(n)?.shape)).to.deep.equal([[26, 26, 32], [11, 11, 64], [3, 3, 64]]);
    const kernel = model.layers[0].getWeights()[0] as tf.Tensor4D;
    const filters = kernelImages(kernel);
    expect(filters).to.have.length(32);
    expect(filters[5].pixels[4]).to.be.closeTo(kernel.arraySync()[1][1][0][5], 1e-7);
  });

  it("draws training and dashed validation curves from a Keras-style history", () => {
    const figure = historyFigure({ loss: [0.5, 0.3], val_loss: [0.6, 0.4] }, "loss");
    expect(figure.data).to.have.length(2);
    expect(figure.data[1].y).to.deep.equal([0.6, 0.4]);
    expect((figure.data[1].line as { dash: string }).dash).to.equal("dash");
    expect(figure.data[0].x).to.deep.equal([1, 2]);
  });
});
