/**
 * A run's identity comes from the objects that run: each input changed in turn makes a new run; the same inputs
 * rebuilt (new layer names, new objects) are the same run. fitWithLedger resumes only the identical run.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { buildCatsDogsConvnet } from "../../lib/models/cats-dogs-convnet";
import { imageFolderDataset } from "../../lib/data/image-folder";
import { COURSE_AUGMENTATION } from "../../lib/data/augment";
import { RMSprop } from "../../lib/train/rmsprop";
import { runIdentity, describeData, type RunIdentityInputs } from "../../lib/train/run-identity";
import { fitWithLedger } from "../../lib/train/fit";

async function imageFolder(): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "identity-images-"));
  for (const [animal, shade] of [["cats", 40], ["dogs", 200]] as const) {
    fs.mkdirSync(path.join(root, "train", animal), { recursive: true });
    for (let i = 0; i < 3; i++) {
      await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: shade, g: i * 50, b: 90 } } })
        .png()
        .toFile(path.join(root, "train", animal, `${animal}.${i}.png`));
    }
  }
  return path.join(root, "train");
}

describe("lib/train: run identity from the real objects", function () {
  let folder: string;
  before(async () => {
    await tf.setBackend("cpu");
    folder = await imageFolder();
  });
  after(() => fs.rmSync(path.dirname(folder), { recursive: true, force: true }));

  interface Variation {
    dropout?: number;
    imageSize?: number;
    learningRate?: number;
    adam?: boolean;
    batchSize?: number;
    augment?: boolean;
    maxPerClass?: number;
    steps?: number;
    epochs?: number;
    profile?: string;
    seed?: number;
    dataSeed?: number;
    modelSeed?: number;
    precision?: string;
  }

  async function identityOf(v: Variation = {}): Promise<string> {
    const imageSize = v.imageSize ?? 46;
    const model = buildCatsDogsConvnet({ dropout: v.dropout, imageSize, seed: v.modelSeed ?? 1 });
    const optimizer = v.adam ? tf.train.adam(v.learningRate ?? 1e-4) : new RMSprop({ learningRate: v.learningRate ?? 1e-4 });
    model.compile({ optimizer, loss: "binaryCrossentropy", metrics: ["acc"] });
    const data = await imageFolderDataset(folder, {
      targetSize: [imageSize, imageSize], batchSize: v.batchSize ?? 2, classMode: "binary", rescale: 1 / 255,
      augment: v.augment ? COURSE_AUGMENTATION : undefined, maxPerClass: v.maxPerClass, seed: v.dataSeed ?? 5, verbose: false,
    });
    const inputs: RunIdentityInputs = {
      model, data: describeData(data), validation: null, epochs: v.epochs ?? 30, batchesPerEpoch: v.steps ?? 100,
      validationBatches: null, validationSplit: null, shuffle: null, seed: v.seed ?? 42, profile: v.profile ?? "full",
      precision: v.precision ?? "float32", extra: {},
    };
    const { hash } = runIdentity(inputs);
    model.dispose();
    return hash;
  }

  it("is the same for the same objects built again (tfjs' per-process layer names do not count)", async () => {
    expect(await identityOf()).to.equal(await identityOf());
  });

  const changes: Array<[string, Variation]> = [
    ["a Dropout layer", { dropout: 0.5 }],
    ["the image size of the model and data", { imageSize: 50 }],
    ["the learning rate", { learningRate: 1e-3 }],
    ["the optimizer's class", { adam: true }],
    ["the batch size", { batchSize: 3 }],
    ["augmentation", { augment: true }],
    ["images per class", { maxPerClass: 2 }],
    ["steps per epoch", { steps: 50 }],
    ["epochs", { epochs: 10 }],
    ["the profile", { profile: "lab" }],
    ["the training seed", { seed: 7 }],
    ["the data pipeline's seed", { dataSeed: 6 }],
    ["the initial weights' seed", { modelSeed: 2 }],
    ["the precision policy", { precision: "mixed_bfloat16" }],
  ];
  for (const [what, variation] of changes) {
    it(`changes with ${what}`, async () => {
      expect(await identityOf(variation)).to.not.equal(await identityOf());
    });
  }

  it("changes with the dropout rate", async () => {
    expect(await identityOf({ dropout: 0.3 })).to.not.equal(await identityOf({ dropout: 0.5 }));
  });

  it("the seed governs everything tfjs draws while training (shuffles, dropout masks): same seed, same weights", async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "identity-seed-"));
    try {
      const x = tf.randomUniform([32, 4], -1, 1, "float32", 3);
      const y = tf.oneHot(tf.tidy(() => x.slice([0, 0], [32, 2]).argMax(1)) as tf.Tensor1D, 2).toFloat();
      const start = [tf.fill([4, 8], 0.1), tf.zeros([8]), tf.fill([8, 2], -0.05), tf.zeros([2])];
      const train = async (seed: number) => {
        const model = tf.sequential();
        model.add(tf.layers.dense({ inputShape: [4], units: 8, activation: "relu" }));
        model.add(tf.layers.dropout({ rate: 0.5 }));
        model.add(tf.layers.dense({ units: 2, activation: "softmax" }));
        model.setWeights(start);
        model.compile({ optimizer: new RMSprop({ learningRate: 0.01 }), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
        await fitWithLedger(model, { x, y }, { epochs: 2, batchSize: 8, seed, shuffle: true, notebook: "t", runsDir, progress: false, checkpoints: false, log: () => undefined });
        return Array.from(model.getWeights()[0].dataSync());
      };
      const first = await train(1);
      expect(await train(1)).to.deep.equal(first);
      expect(await train(2)).to.not.deep.equal(first);
    } finally {
      fs.rmSync(runsDir, { recursive: true, force: true });
    }
  });

  it("fitWithLedger resumes only the identical run: a changed learning rate trains anew, changing it back resumes", async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "identity-runs-"));
    try {
      const x = tf.randomUniform([16, 4], -1, 1, "float32", 3);
      const y = tf.oneHot(tf.tidy(() => x.slice([0, 0], [16, 2]).argMax(1)) as tf.Tensor1D, 2).toFloat();
      const train = async (learningRate: number) => {
        const model = tf.sequential();
        model.add(tf.layers.dense({ inputShape: [4], units: 2, activation: "softmax" }));
        model.compile({ optimizer: new RMSprop({ learningRate }), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
        const messages: string[] = [];
        const result = await fitWithLedger(model, { x, y }, { epochs: 2, batchSize: 8, notebook: "t", runName: "lr", runsDir, progress: false, log: (m) => messages.push(m) });
        return { result, messages: messages.join("\n") };
      };
      const first = await train(1e-3);
      expect(first.result.resumedAtEpoch).to.equal(0);
      const changed = await train(1e-2);
      expect(changed.result.resumedAtEpoch, "another learning rate is another run").to.equal(0);
      expect(changed.result.identity.hash).to.not.equal(first.result.identity.hash);
      const again = await train(1e-3);
      expect(again.result.resumedAtEpoch).to.equal(2);
      expect(again.messages).to.match(/"lr" \([0-9a-f]{8}\) already trained 2\/2 epochs/);
      expect(again.result.run.config["learning rate"]).to.equal(1e-3);
    } finally {
      fs.rmSync(runsDir, { recursive: true, force: true });
    }
  });
});
