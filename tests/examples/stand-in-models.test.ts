import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadModelIfSaved, mnistConvnetForInspection } from "../../lib/examples/stand-in-models";
import { buildMnistConvnet } from "../../lib/models/mnist-convnet";
import { saveModel } from "../../lib/train/model-io";

describe("the trained models chapter 9 looks inside: saved, or a labelled stand-in", () => {
  let scratch = "";
  before(async () => {
    await tf.setBackend("cpu");
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "stand-in-"));
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  // 8 blank digits, labelled in turn: enough for one quick epoch on the cpu backend.
  const tinySplit = () => ({
    images: tf.zeros([8, 28, 28, 1]) as tf.Tensor4D,
    labels: tf.oneHot(tf.tensor1d(Array.from({ length: 8 }, (_, i) => i), "int32"), 10).toFloat() as tf.Tensor2D,
    classIndices: Uint8Array.from({ length: 8 }, (_, i) => i),
  });

  it("reads a saved model, and says so", async () => {
    const dir = path.join(scratch, "saved");
    const original = buildMnistConvnet();
    await saveModel(original, dir);
    const found = await mnistConvnetForInspection(tinySplit(), { epochs: 1, savedDir: dir, projectRoot: scratch });
    expect(found.source).to.equal("saved");
    expect(found.note).to.include("chapter 5's trained convnet, read from saved");
    const sample = tf.randomUniform([2, 28, 28, 1], 0, 1, "float32", 3);
    const difference = tf.tidy(() => (original.predict(sample) as tf.Tensor).sub(found.model.predict(sample) as tf.Tensor).abs().max().dataSync()[0]);
    expect(difference).to.be.below(1e-6);
  });

  it("trains a stand-in when nothing is saved, labels it, and never writes it where the chapter saves", async () => {
    const dir = path.join(scratch, "missing");
    expect(await loadModelIfSaved(dir)).to.equal(null);
    const found = await mnistConvnetForInspection(tinySplit(), { epochs: 1, savedDir: dir, projectRoot: scratch });
    expect(found.source).to.equal("stand-in");
    expect(found.note).to.match(/no model in missing .*STAND-IN.*1 epoch\(s\) on 8 images/);
    expect(found.model.layers.map((l) => l.getClassName())).to.deep.equal(buildMnistConvnet().layers.map((l) => l.getClassName()));
    expect(fs.existsSync(dir)).to.equal(false);
  });
});
