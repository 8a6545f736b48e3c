/**
 * The image-folder flow on tiny folders written here with sharp: layout and labels, shapes, values, seeded shuffles,
 * bad files and wrong layouts, and training from it with fitDataset without growing memory.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { imageFolderDataset, ImageFolderDataset, sniffImageFormat } from "../../lib/data/image-folder";

const SIDE = 10;
/** Each test image is one flat colour: red tells the class (cats 200, dogs 40), green its number within the class. */
const CLASS_RED: Record<string, number> = { cats: 200, dogs: 40 };

async function writeImage(file: string, rgb: [number, number, number], format: "png" | "jpeg" = "png"): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const picture = sharp({ create: { width: SIDE + 3, height: SIDE, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  await (format === "png" ? picture.png() : picture.jpeg({ quality: 100 })).toFile(file);
}

function temporaryFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "image-folder-test-"));
}

/** A folder with `perClass` PNG images in cats/ and dogs/. */
async function catsAndDogs(perClass: { cats: number; dogs: number }): Promise<string> {
  const root = temporaryFolder();
  for (const [className, count] of Object.entries(perClass)) {
    for (let i = 0; i < count; i++) {
      await writeImage(path.join(root, className, `${className.slice(0, 3)}.${i}.png`), [CLASS_RED[className], 10 * i, 51]);
    }
  }
  return root;
}

/** Run `action` with console.log/warn captured. */
async function captureConsole<T>(action: () => Promise<T>): Promise<{ result: T; logs: string[]; warnings: string[] }> {
  const logs: string[] = [];
  const warnings: string[] = [];
  const { log, warn } = console;
  console.log = (...parts: unknown[]) => void logs.push(parts.join(" "));
  console.warn = (...parts: unknown[]) => void warnings.push(parts.join(" "));
  try {
    return { result: await action(), logs, warnings };
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/** Red and green of each image's first pixel, with its label, for `batches` batches of the model-side stream. */
async function readStream(dataset: ImageFolderDataset, batches: number): Promise<Array<{ red: number; green: number; label: number }>> {
  const iterator = await dataset.iterator();
  const seen: Array<{ red: number; green: number; label: number }> = [];
  for (let b = 0; b < batches; b++) {
    const { value, done } = await iterator.next();
    if (done) break;
    const pixels = value.xs.arraySync() as number[][][][];
    const labels = value.ys.dataSync();
    pixels.forEach((picture, i) => seen.push({ red: Math.round(picture[0][0][0] * 255), green: Math.round(picture[0][0][1] * 255), label: labels[i] }));
    tf.dispose(value);
  }
  return seen;
}

const quiet = { verbose: false } as const;

describe("data/image-folder", () => {
  const folders: string[] = [];
  let previousBackend = "";
  before(async () => {
    previousBackend = tf.getBackend() ?? "";
    await tf.setBackend("cpu");
  });
  after(async () => {
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
    if (previousBackend !== "" && previousBackend !== "cpu") await tf.setBackend(previousBackend);
  });
  const remember = (folder: string) => (folders.push(folder), folder);

  it("numbers the classes by sorted folder name and reports what it found, as Keras does", async () => {
    const root = remember(await catsAndDogs({ cats: 4, dogs: 3 }));
    const { result, logs } = await captureConsole(() => imageFolderDataset(root, { targetSize: [6, 8], classMode: "binary" }));
    expect(logs).to.deep.equal(["Found 7 images belonging to 2 classes."]);
    expect(result.classIndices).to.deep.equal({ cats: 0, dogs: 1 });
    expect(result.samples).to.equal(7);
    expect(result.filenames.slice(0, 4)).to.deep.equal(["cats/cat.0.png", "cats/cat.1.png", "cats/cat.2.png", "cats/cat.3.png"]);
    expect(result.classes).to.deep.equal([0, 0, 0, 0, 1, 1, 1]);
  });

  it("yields Keras-shaped batches and model-shaped ones, the last batch of a pass partial", async () => {
    const root = remember(await catsAndDogs({ cats: 4, dogs: 3 }));
    const flow = await imageFolderDataset(root, { ...quiet, targetSize: [6, 8], batchSize: 3, classMode: "binary", repeat: false });
    expect(flow.batchesPerPass).to.equal(3);
    const kerasShapes: number[][][] = [];
    for await (const [images, labels] of flow) {
      kerasShapes.push([images.shape, labels.shape]);
      expect(images.dtype).to.equal("float32");
      tf.dispose([images, labels]);
    }
    expect(kerasShapes).to.deep.equal([[[3, 6, 8, 3], [3]], [[3, 6, 8, 3], [3]], [[1, 6, 8, 3], [1]]]);
    const [images, labels] = await flow.firstBatch();
    expect([images.shape, labels.shape]).to.deep.equal([[3, 6, 8, 3], [3]]);
    tf.dispose([images, labels]);
    const iterator = await flow.iterator();
    const first = await iterator.next();
    expect(first.value.xs.shape).to.deep.equal([3, 6, 8, 3]);
    expect(first.value.ys.shape).to.deep.equal([3, 1]);
    tf.dispose(first.value);
  });

  it("decodes, resizes and rescales pixels, each paired with its own label", async () => {
    const root = remember(await catsAndDogs({ cats: 5, dogs: 5 }));
    const flow = await imageFolderDataset(root, { ...quiet, targetSize: [4, 4], batchSize: 4, classMode: "binary", rescale: 1 / 255, seed: 3 });
    const seen = await readStream(flow, 3);
    expect(seen).to.have.length(10);
    for (const { red, label } of seen) expect(red).to.equal(label === 0 ? CLASS_RED.cats : CLASS_RED.dogs);
    const iterator = await flow.iterator();
    const { value } = await iterator.next();
    const values = value.xs.dataSync();
    expect(Math.max(...values)).to.be.at.most(1);
    expect(values[2]).to.be.closeTo(51 / 255, 1e-6); // blue of the first pixel
    tf.dispose(value);
  });

  it("shuffles each pass in the same order for the same seed, another order for another seed", async () => {
    const root = remember(await catsAndDogs({ cats: 8, dogs: 8 }));
    const options = { ...quiet, targetSize: [4, 4] as [number, number], batchSize: 5, classMode: "binary" as const, rescale: 1 / 255 };
    const order = async (seed: number) =>
      (await readStream(await imageFolderDataset(root, { ...options, seed }), 8)).map(({ red, green }) => `${red}/${green}`);
    const first = await order(1);
    const again = await order(1);
    const other = await order(2);
    expect(first).to.have.length(32); // two passes of 16 images, in batches of 5, 5, 5, 1
    expect(again).to.deep.equal(first);
    expect(other).to.not.deep.equal(first);
    const [passOne, passTwo] = [first.slice(0, 16), first.slice(16)];
    expect(new Set(passOne).size).to.equal(16); // every image once per pass
    expect([...passTwo].sort()).to.deep.equal([...passOne].sort());
    expect(passTwo).to.not.deep.equal(passOne); // reshuffled between passes
    const unshuffled = await readStream(await imageFolderDataset(root, { ...options, shuffle: false }), 4);
    expect(unshuffled.map(({ label }) => label)).to.deep.equal([...Array(8).fill(0), ...Array(8).fill(1)]);
  });

  it("turns grey, transparent and JPEG files into 3-channel RGB", async () => {
    const root = remember(temporaryFolder());
    await sharp({ create: { width: 5, height: 5, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } })
      .toColourspace("b-w")
      .png()
      .toFile((fs.mkdirSync(path.join(root, "a"), { recursive: true }), path.join(root, "a", "grey-alpha.png")));
    await writeImage(path.join(root, "b", "photo.jpg"), [0, 0, 255], "jpeg");
    const flow = await imageFolderDataset(root, { ...quiet, targetSize: [3, 3], batchSize: 2, shuffle: false, classMode: "categorical" });
    for await (const [images, labels] of flow) {
      expect(images.shape).to.deep.equal([2, 3, 3, 3]);
      expect(labels.arraySync()).to.deep.equal([[1, 0], [0, 1]]);
      const [grey, blue] = images.arraySync() as number[][][][];
      expect(grey[1][1][0]).to.equal(grey[1][1][1]);
      expect(blue[1][1][2]).to.be.above(240);
      tf.dispose([images, labels]);
      break;
    }
  });

  it("skips a non-image file and a broken JPEG with warnings that name them", async () => {
    const root = remember(await catsAndDogs({ cats: 3, dogs: 3 }));
    fs.writeFileSync(path.join(root, "cats", "notes.txt"), "not a picture");
    fs.writeFileSync(path.join(root, "cats", ".DS_Store"), "ignored silently");
    const whole = fs.readFileSync(path.join(root, "dogs", "dog.0.png"));
    const jpeg = await sharp(whole).jpeg().toBuffer();
    fs.writeFileSync(path.join(root, "dogs", "dog.9.jpg"), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    const { result: flow, logs, warnings } = await captureConsole(() =>
      imageFolderDataset(root, { targetSize: [4, 4], batchSize: 7, classMode: "binary", onBadFile: "skip" }),
    );
    expect(logs).to.deep.equal(["Found 7 images belonging to 2 classes."]);
    expect(warnings.join("\n")).to.contain(path.join(root, "cats", "notes.txt"));
    const { result: seen, warnings: decodeWarnings } = await captureConsole(() => readStream(flow, 2));
    expect(decodeWarnings.join("\n")).to.contain(path.join(root, "dogs", "dog.9.jpg"));
    expect(seen).to.have.length(6 + 6); // the broken file is left out of its batch and of later passes
    expect(flow.badFiles.map((bad) => path.basename(bad.path)).sort()).to.deep.equal(["dog.9.jpg", "notes.txt"]);
  });

  it("stops with an error naming the bad file when asked to fail", async () => {
    const root = remember(await catsAndDogs({ cats: 2, dogs: 2 }));
    fs.writeFileSync(path.join(root, "cats", "cat.2.jpg"), "<html>not a jpeg</html>");
    let error: Error | null = null;
    await imageFolderDataset(root, { ...quiet, targetSize: [4, 4], onBadFile: "fail" }).catch((e: Error) => (error = e));
    expect(String(error)).to.contain(path.join(root, "cats", "cat.2.jpg"));

    fs.rmSync(path.join(root, "cats", "cat.2.jpg"));
    const jpeg = await sharp(fs.readFileSync(path.join(root, "dogs", "dog.1.png"))).jpeg().toBuffer();
    fs.writeFileSync(path.join(root, "dogs", "dog.5.jpg"), jpeg.subarray(0, 40));
    const flow = await imageFolderDataset(root, { ...quiet, targetSize: [4, 4], batchSize: 5, onBadFile: "fail", shuffle: false });
    const iterator = await flow.iterator();
    let decodeError: Error | null = null;
    await iterator.next().catch((e: Error) => (decodeError = e));
    expect(String(decodeError)).to.contain(path.join(root, "dogs", "dog.5.jpg"));
  });

  it("explains the expected layout for a missing, empty or flat folder", async () => {
    const expectLayoutError = async (dir: string, mention: string) => {
      let error: Error | null = null;
      await imageFolderDataset(dir, { ...quiet, classMode: "binary" }).catch((e: Error) => (error = e));
      expect(String(error)).to.contain(mention);
      expect(String(error)).to.contain("Expected one sub-folder per class");
    };
    const missing = path.join(os.tmpdir(), "no-such-image-folder-for-tests");
    await expectLayoutError(missing, "not found");
    const empty = remember(temporaryFolder());
    await expectLayoutError(empty, "it is empty");
    const flat = remember(temporaryFolder());
    await writeImage(path.join(flat, "cat.0.png"), [1, 2, 3]);
    await expectLayoutError(flat, "no class sub-folders");
    const emptyClasses = remember(temporaryFolder());
    fs.mkdirSync(path.join(emptyClasses, "cats"));
    fs.mkdirSync(path.join(emptyClasses, "dogs"));
    await expectLayoutError(emptyClasses, "No images");
    const threeClasses = remember(await catsAndDogs({ cats: 1, dogs: 1 }));
    await writeImage(path.join(threeClasses, "fish", "fish.0.png"), [1, 2, 3]);
    await expectLayoutError(threeClasses, "needs exactly 2 class folders");
  });

  it("recognises image files by their first bytes, not their names", () => {
    expect(sniffImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).to.equal("JPEG");
    expect(sniffImageFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).to.equal("PNG");
    expect(sniffImageFormat(Buffer.from("<html>"))).to.equal(null);
  });

  it("feeds model.fitDataset with training and validation data without growing memory", async () => {
    const root = remember(await catsAndDogs({ cats: 6, dogs: 6 }));
    const options = { ...quiet, targetSize: [8, 8] as [number, number], batchSize: 4, classMode: "binary" as const, rescale: 1 / 255 };
    const train = await imageFolderDataset(root, { ...options, augment: { rotationRange: 20, horizontalFlip: true } });
    const validation = await imageFolderDataset(root, options);
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 1, activation: "sigmoid" })],
    });
    model.compile({ optimizer: tf.train.rmsprop(1e-2), loss: "binaryCrossentropy", metrics: ["acc"] });
    const tensorsAfterEpoch: number[] = [];
    const history = await model.fitDataset(train, {
      epochs: 4,
      batchesPerEpoch: 3,
      validationData: validation,
      validationBatches: 3,
      verbose: 0,
      callbacks: { onEpochEnd: async () => void tensorsAfterEpoch.push(tf.memory().numTensors) },
    });
    expect(history.history.val_loss).to.have.length(4);
    expect(history.history.acc.every((value) => Number.isFinite(Number(value)))).to.equal(true);
    expect(tensorsAfterEpoch[3]).to.equal(tensorsAfterEpoch[1]);
    model.dispose();
  });
});
