import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadModel, saveModel } from "../../lib/train/model-io";

describe("lib/train: saving and loading models", () => {
  let dir: string;
  before(async () => {
    await tf.setBackend("cpu");
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "model-io-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function smallConvnet(): tf.Sequential {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: "relu" }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 3, activation: "softmax" }));
    return model;
  }

  it("round-trips a convnet: model.json + weights.bin, same predictions", async () => {
    const model = smallConvnet();
    const input = tf.randomUniform([5, 8, 8, 1], 0, 1, "float32", 3);
    await saveModel(model, dir);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(["model.json", "weights.bin"]);
    const loaded = await loadModel(dir);
    expect(loaded.layers.map((l) => l.getClassName())).to.deep.equal(model.layers.map((l) => l.getClassName()));
    const expected = (model.predict(input) as tf.Tensor).arraySync();
    const actual = (loaded.predict(input) as tf.Tensor).arraySync();
    expect(actual).to.deep.equal(expected);
  });

  it("keeps the optimizer state when asked", async () => {
    const model = smallConvnet();
    model.compile({ optimizer: tf.train.rmsprop(0.01), loss: "categoricalCrossentropy" });
    await model.fit(tf.randomUniform([4, 8, 8, 1]), tf.oneHot(tf.tensor1d([0, 1, 2, 0], "int32"), 3), { epochs: 1, verbose: 0 });
    await saveModel(model, dir, { includeOptimizer: true });
    const json = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
    const specs = json.weightsManifest[0].weights as Array<{ group?: string }>;
    expect(specs.filter((s) => s.group === "optimizer").length).to.be.above(0);
    const loaded = await loadModel(dir);
    expect(loaded.optimizer?.getClassName()).to.equal("RMSProp");
  });

  it("rejects a truncated weights file, naming both sizes", async () => {
    await saveModel(smallConvnet(), dir);
    const weights = path.join(dir, "weights.bin");
    fs.truncateSync(weights, fs.statSync(weights).size - 8);
    let message = "";
    try {
      await loadModel(dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.match(/weights\.bin holds \d+ bytes but model\.json describes \d+/);
  });

  it("says which folder has no model.json", async () => {
    let message = "";
    try {
      await loadModel(path.join(dir, "nothing"));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.include("nothing").and.include("no model.json");
  });
});
