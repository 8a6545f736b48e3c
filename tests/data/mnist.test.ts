import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { courseEnv } from "../../lib/env";
import { MNIST } from "../../lib/data/checksums";
import { readIdxLabels } from "../../lib/data/idx";
import { FASHION_MNIST_CLASS_NAMES, loadMnist } from "../../lib/data/mnist";

/** The checked-in data mirror (CNN_DATA_MIRROR, else ../shared/data next to the project). */
function mirror(): string | null {
  const env = courseEnv();
  const candidate = env.dataMirror ?? path.resolve(env.projectRoot, "../shared/data");
  return fs.existsSync(path.join(candidate, "mnist")) ? candidate : null;
}

describe("lib/data: loadMnist", function () {
  const dataMirror = mirror();
  before(async function () {
    if (dataMirror === null) this.skip(); // no mirror and no network here: nothing to load
    await tf.setBackend("cpu");
  });

  it("gives Keras' tensors: images [n,28,28,1] float32 in [0,1], one-hot labels [n,10]", async () => {
    const data = await loadMnist({ trainLimit: 200, testLimit: 50, files: { mirror: dataMirror } });
    expect(data.train.images.shape).to.deep.equal([200, 28, 28, 1]);
    expect(data.train.images.dtype).to.equal("float32");
    expect(data.test.images.shape).to.deep.equal([50, 28, 28, 1]);
    expect(data.train.labels.shape).to.deep.equal([200, 10]);
    expect(data.train.images.min().dataSync()[0]).to.equal(0);
    expect(data.train.images.max().dataSync()[0]).to.equal(1);
    expect(Array.from(data.train.labels.sum(1).dataSync()).every((v) => v === 1)).to.equal(true);
    expect(Array.from(data.train.labels.argMax(1).dataSync())).to.deep.equal(Array.from(data.train.classIndices));
    // The famous first digits: a 5 in training, a 7 in the test set.
    expect(data.train.classIndices[0]).to.equal(5);
    expect(data.test.classIndices[0]).to.equal(7);
    expect(data.classNames[3]).to.equal("3");
  });

  it("parses all 60,000 training labels with the published class counts", async () => {
    const labels = readIdxLabels(path.join(dataMirror as string, "mnist", MNIST.files.trainLabels.name));
    const counts = new Array(10).fill(0);
    labels.labels.forEach((label) => counts[label]++);
    expect(labels.count).to.equal(60000);
    expect(counts).to.deep.equal([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  });

  it("loads Fashion-MNIST through the same code, with its class names", async () => {
    const data = await loadMnist({ dataset: "fashion-mnist", trainLimit: 10, testLimit: 10, files: { mirror: dataMirror } });
    expect(data.train.images.shape).to.deep.equal([10, 28, 28, 1]);
    expect(data.classNames).to.equal(FASHION_MNIST_CLASS_NAMES);
    expect(data.classNames[data.train.classIndices[0]]).to.equal("Ankle boot");
  });

  it("rejects a limit that is not a positive whole number", async () => {
    let message = "";
    try {
      await loadMnist({ trainLimit: 0, files: { mirror: dataMirror } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.include("trainLimit must be a positive whole number");
  });
});
