import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { buildCatsDogsConvnet } from "../../lib/models/cats-dogs-convnet";
import { buildMnistConvnet } from "../../lib/models/mnist-convnet";

function layerSummary(model: tf.LayersModel): string[] {
  return model.layers.map((layer) => `${layer.getClassName()} ${JSON.stringify(layer.outputShape)}`);
}

describe("lib/models: the course's convnets", () => {
  // Shapes and counts do not depend on the backend; build on cpu and put back whatever ran before.
  let previousBackend: string | null = null;
  before(async () => {
    previousBackend = tf.getBackend() ?? null;
    await tf.setBackend("cpu");
  });
  after(async () => {
    if (previousBackend !== null) await tf.setBackend(previousBackend);
  });

  it("buildMnistConvnet has the book's layers, output shapes and 93,322 parameters", () => {
    const model = buildMnistConvnet();
    expect(layerSummary(model)).to.deep.equal([
      "Conv2D [null,26,26,32]",
      "MaxPooling2D [null,13,13,32]",
      "Conv2D [null,11,11,64]",
      "MaxPooling2D [null,5,5,64]",
      "Conv2D [null,3,3,64]",
      "Flatten [null,576]",
      "Dense [null,64]",
      "Dense [null,10]",
    ]);
    expect(model.countParams()).to.equal(93_322);
    model.dispose();
  });

  it("buildCatsDogsConvnet has the book's layers and 3,453,121 parameters, with Dropout only when asked", () => {
    const plain = buildCatsDogsConvnet();
    expect(layerSummary(plain)).to.deep.equal([
      "Conv2D [null,148,148,32]",
      "MaxPooling2D [null,74,74,32]",
      "Conv2D [null,72,72,64]",
      "MaxPooling2D [null,36,36,64]",
      "Conv2D [null,34,34,128]",
      "MaxPooling2D [null,17,17,128]",
      "Conv2D [null,15,15,128]",
      "MaxPooling2D [null,7,7,128]",
      "Flatten [null,6272]",
      "Dense [null,512]",
      "Dense [null,1]",
    ]);
    expect(plain.countParams()).to.equal(3_453_121);
    const withDropout = buildCatsDogsConvnet({ dropout: 0.5 });
    expect(withDropout.layers.map((layer) => layer.getClassName())).to.include("Dropout");
    expect(withDropout.layers[9].getConfig().rate).to.equal(0.5);
    expect(withDropout.countParams()).to.equal(3_453_121);
    expect(() => buildCatsDogsConvnet({ dropout: 1.5 })).to.throw(/dropout/);
    tf.dispose([plain, withDropout].flatMap((model) => model.weights.map((w) => w.read())));
  });
});
