import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { imageFolderDataset } from "../../lib/data/image-folder";
import { COURSE_AUGMENTATION } from "../../lib/data/augment";

async function folder(): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "image-cache-"));
  for (const [animal, shade] of [["cats", 30], ["dogs", 220]] as const) {
    fs.mkdirSync(path.join(root, animal));
    for (let i = 0; i < 5; i++) {
      await sharp({ create: { width: 21 + i, height: 17, channels: 3, background: { r: shade, g: 40 * i, b: 100 } } })
        .jpeg()
        .toFile(path.join(root, animal, `${animal}.${i}.jpg`));
    }
  }
  return root;
}

/** `batches` batches' pixels and labels, as plain arrays. */
async function take(dataset: tf.data.Dataset<tf.TensorContainer>, batches: number): Promise<number[][]> {
  const iterator = await dataset.iterator();
  const out: number[][] = [];
  for (let i = 0; i < batches; i++) {
    const { value } = await iterator.next();
    const { xs, ys } = value as { xs: tf.Tensor; ys: tf.Tensor };
    out.push([...xs.dataSync(), ...ys.dataSync()]);
    tf.dispose([xs, ys]);
  }
  return out;
}

describe("lib/data: the decoded-picture cache", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  it("gives the same batches as decoding every time, and after the first pass needs no file", async () => {
    const root = await folder();
    try {
      const options = { targetSize: [12, 12] as [number, number], batchSize: 4, classMode: "binary" as const, rescale: 1 / 255, augment: COURSE_AUGMENTATION, seed: 3, verbose: false };
      // 10 pictures in batches of 4: 3 batches a pass; 9 batches are three passes, reshuffled and re-augmented.
      const uncached = await take(await imageFolderDataset(root, { ...options, cache: false }), 9);
      const cachedDataset = await imageFolderDataset(root, { ...options, cache: true });
      const iterator = await cachedDataset.iterator();
      const cached: number[][] = [];
      for (let i = 0; i < 9; i++) {
        const { value } = await iterator.next();
        const { xs, ys } = value as { xs: tf.Tensor; ys: tf.Tensor };
        cached.push([...xs.dataSync(), ...ys.dataSync()]);
        tf.dispose([xs, ys]);
        // After the first pass (and the batch decoded ahead of it), the files may go: the cache has every picture.
        if (i === 3) for (const animal of ["cats", "dogs"]) fs.rmSync(path.join(root, animal), { recursive: true });
      }
      expect(cached).to.deep.equal(uncached);
      expect(cachedDataset.badFiles).to.deep.equal([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("is on by default for a folder that fits in memory", async () => {
    const root = await folder();
    try {
      const dataset = await imageFolderDataset(root, { targetSize: [12, 12], batchSize: 10, classMode: "binary", verbose: false });
      await take(dataset as unknown as tf.data.Dataset<tf.TensorContainer>, 2);
      fs.rmSync(path.join(root, "cats"), { recursive: true });
      const [again] = await take(dataset as unknown as tf.data.Dataset<tf.TensorContainer>, 1);
      expect(again.length).to.equal(10 * 12 * 12 * 3 + 10);
      expect(dataset.badFiles, "no picture had to be read again").to.deep.equal([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
