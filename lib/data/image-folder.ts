/**
 * Batches of images read from a folder laid out one sub-folder per class — the TensorFlow.js counterpart of Keras'
 * `ImageDataGenerator(rescale=1/255).flow_from_directory(dir, target_size=(150, 150), batch_size=20,
 * class_mode='binary')`.
 *
 * - Classes are the sub-folders, sorted by name, numbered 0, 1, … (as Keras numbers them).
 * - Each file is decoded by sharp (JPEG, PNG, WebP, GIF, TIFF; grey, RGBA or 16-bit become 8-bit RGB), resized to
 *   the target size with nearest-neighbour sampling (Keras' default `interpolation='nearest'`), optionally augmented
 *   (lib/data/augment.ts), then multiplied by `rescale`.
 * - It streams: only the batch being trained and the next one are in memory. While the model trains on one batch,
 *   sharp decodes the next on libuv's worker threads.
 * - Like Keras' generator it loops over the data forever, reshuffling (seeded) at every pass, so
 *   `fitDataset(…, { batchesPerEpoch: 100 })` plays the role of `steps_per_epoch=100`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { AugmentOptions, augmentBatch, augmentPixels, augmentsAnything, canAugmentPixels } from "./augment";
import { mixSeeds, permutation, seededRandom } from "../env/random";
import { courseEnv } from "../env";

export type ClassMode = "binary" | "categorical" | "sparse";
export type BadFilePolicy = "skip" | "fail";
export type ResizeInterpolation = "nearest" | "bilinear";

export interface ImageFolderOptions {
  /** [height, width] every image is resized to; Keras' default is [256, 256]. */
  targetSize?: [number, number];
  /** Images per batch (the last batch of a pass may be smaller, as in Keras). */
  batchSize?: number;
  /** binary: labels 0/1 (exactly two classes); categorical: one-hot; sparse: class numbers. */
  classMode?: ClassMode;
  /** Multiply every pixel value by this after decoding (1/255 brings 0–255 into 0–1). */
  rescale?: number;
  /** Reshuffle the images at every pass over the folder. */
  shuffle?: boolean;
  /** Seed of the shuffles and of the augmentation draws (default: the course seed, CNN_SEED). */
  seed?: number;
  /** Random transforms applied to every image (training data only; never give this to validation data). */
  augment?: AugmentOptions;
  /** A file that is not a readable image: skip it with a warning naming it, or stop with an error. */
  onBadFile?: BadFilePolicy;
  /** How images are resized to targetSize. */
  interpolation?: ResizeInterpolation;
  /** Use only the first N images of each class (sorted by name): a quick subset for smoke runs. */
  maxPerClass?: number;
  /** Loop over the data forever like Keras (true), or stop after one pass (false). */
  repeat?: boolean;
  /** Print Keras' "Found N images belonging to K classes." line. */
  verbose?: boolean;
  /**
   * Keep each picture's decoded, resized pixels in memory after its first pass, so later passes skip the JPEG
   * decoding (the same pixels: augmentation works on the resized picture, as Keras'). Default: on when the folder's
   * pictures at the target size fit in 512 MB.
   */
  cache?: boolean;
}

/** One batch as `model.fitDataset` reads it: labels shaped like the model's output ([batch, 1] for binary). */
export interface ImageFolderElement extends tf.TensorContainerObject {
  xs: tf.Tensor4D;
  ys: tf.Tensor2D;
}

/** One batch as Keras' generator yields it: (images [batch, h, w, 3], labels [batch] for binary/sparse). */
export type KerasBatch = [images: tf.Tensor4D, labels: tf.Tensor];

export interface BadFile {
  path: string;
  reason: string;
}

const KERAS_DEFAULT_TARGET_SIZE: [number, number] = [256, 256];
const KERAS_DEFAULT_BATCH_SIZE = 32;
/** Largest decoded-pixel cache kept by default (2,000 pictures at 150 × 150 take 135 MB). */
const DEFAULT_CACHE_LIMIT_BYTES = 512 * 1024 * 1024;
const RGB_CHANNELS = 3;
/** Enough bytes to recognise every format sharp reads here by its signature. */
const SIGNATURE_BYTES = 12;
const OPEN_FILES_AT_ONCE = 64;
/** Separates the augmentation seeds from the shuffle seeds drawn from the same user seed. */
const AUGMENT_STREAM = 0x41554721;
const SHUFFLE_STREAM = 0x53485546;

const SIGNATURES: ReadonlyArray<{ format: string; matches: (head: Buffer) => boolean }> = [
  { format: "JPEG", matches: (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff },
  { format: "PNG", matches: (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { format: "GIF", matches: (h) => h.subarray(0, 4).toString("latin1") === "GIF8" },
  { format: "WebP", matches: (h) => h.subarray(0, 4).toString("latin1") === "RIFF" && h.subarray(8, 12).toString("latin1") === "WEBP" },
  { format: "TIFF", matches: (h) => ["II*\0", "MM\0*"].includes(h.subarray(0, 4).toString("latin1")) },
];
const READABLE_FORMATS = SIGNATURES.map((signature) => signature.format).join(", ");

/** What an image file is, judged by its first bytes (not its name), or null when sharp could not read it. */
export function sniffImageFormat(head: Buffer): string | null {
  return SIGNATURES.find((signature) => signature.matches(head))?.format ?? null;
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, "r");
  try {
    const head = Buffer.alloc(SIGNATURE_BYTES);
    const { bytesRead } = await handle.read(head, 0, SIGNATURE_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Python's `sorted()` order (by code point), which Keras uses for class folders and files; not locale order. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const isHidden = (name: string) => name.startsWith(".");

function expectedLayout(dir: string): string {
  return [
    "Expected one sub-folder per class, each holding that class's images, e.g.:",
    `  ${dir}/`,
    "    cats/   cat.0.jpg  cat.1.jpg  …",
    "    dogs/   dog.0.jpg  dog.1.jpg  …",
    "(the sub-folders' names, sorted, become the classes 0, 1, …)",
  ].join("\n");
}

/** What a folder entry is once symbolic links are followed; "broken" for a link to nothing. */
type EntryKind = "folder" | "file" | "broken" | "other";

async function entryKind(entry: fs.Dirent, full: string): Promise<EntryKind> {
  if (entry.isDirectory()) return "folder";
  if (entry.isFile()) return "file";
  if (!entry.isSymbolicLink()) return "other";
  // A linked class folder, a linked image, a mirror made of links: all count as what they point to.
  const target = await fs.promises.stat(full).catch(() => null);
  if (target === null) return "broken";
  return target.isDirectory() ? "folder" : target.isFile() ? "file" : "other";
}

/** Sorted, non-hidden entries of `dir` with their kinds (symbolic links followed). */
async function readFolder(dir: string): Promise<Array<{ name: string; full: string; kind: EntryKind }>> {
  const entries = (await fs.promises.readdir(dir, { withFileTypes: true })).filter((e) => !isHidden(e.name)).sort((a, b) => byCodePoint(a.name, b.name));
  return Promise.all(entries.map(async (entry) => ({ name: entry.name, full: path.join(dir, entry.name), kind: await entryKind(entry, path.join(dir, entry.name)) })));
}

/**
 * Every file under `dir`, following symbolic links; a folder reached twice (a link loop, or two links to one
 * folder) is read once and reported, as is a link that points nowhere.
 */
async function listFilesRecursively(dir: string, bad: BadFile[], visited: Set<string> = new Set()): Promise<string[]> {
  const real = await fs.promises.realpath(dir);
  if (visited.has(real)) {
    bad.push({ path: dir, reason: `a link back to a folder already read (${real}); not read again` });
    return [];
  }
  visited.add(real);
  const files: string[] = [];
  for (const entry of await readFolder(dir)) {
    if (entry.kind === "folder") files.push(...(await listFilesRecursively(entry.full, bad, visited)));
    else if (entry.kind === "file") files.push(entry.full);
    else if (entry.kind === "broken") bad.push({ path: entry.full, reason: "a symbolic link to nothing" });
  }
  return files;
}

export interface ImageFolderListing {
  /** Class names (the sub-folders), sorted; a class's label is its index here. */
  classNames: string[];
  /** Image files, grouped by class, each class in sorted order. */
  files: string[];
  /** The label of each file. */
  labels: number[];
  /** Files that are not images sharp can read (hidden files such as .DS_Store are ignored silently). */
  badFiles: BadFile[];
}

/**
 * Find the classes and images of a folder, checking the layout and each file's signature (the first bytes, so a
 * text file named cat.1.jpg is caught here; a truncated JPEG is caught when it is decoded).
 */
export async function listImageFolder(dir: string, options: { maxPerClass?: number } = {}): Promise<ImageFolderListing> {
  const root = path.resolve(dir);
  const stat = await fs.promises.stat(root).catch(() => null);
  if (stat === null) throw new Error(`Image folder not found: ${root}\n${expectedLayout(root)}`);
  if (!stat.isDirectory()) throw new Error(`Not a folder: ${root}\n${expectedLayout(root)}`);
  const entries = await readFolder(root);
  const classNames = entries.filter((e) => e.kind === "folder").map((e) => e.name).sort(byCodePoint);
  if (classNames.length === 0) {
    const loose = entries.filter((e) => e.kind === "file").length;
    const found = loose > 0 ? `it holds ${loose} file(s) but no class sub-folders` : "it is empty";
    throw new Error(`No class sub-folders in ${root}: ${found}.\n${expectedLayout(root)}`);
  }
  const files: string[] = [];
  const labels: number[] = [];
  const badFiles: BadFile[] = [];
  const realRoot = await fs.promises.realpath(root);
  for (const [label, className] of classNames.entries()) {
    // The root counts as read: a class folder linking back up to it must not take the other classes' images.
    const candidates = await listFilesRecursively(path.join(root, className), badFiles, new Set([realRoot]));
    const heads: Buffer[] = [];
    // In chunks: opening thousands of files at once would run into the open-file limit (EMFILE).
    for (let start = 0; start < candidates.length; start += OPEN_FILES_AT_ONCE) {
      heads.push(...(await Promise.all(candidates.slice(start, start + OPEN_FILES_AT_ONCE).map(readHead))));
    }
    let kept = 0;
    candidates.forEach((file, index) => {
      if (sniffImageFormat(heads[index]) === null) {
        badFiles.push({ path: file, reason: `not an image sharp can read (${READABLE_FORMATS})` });
      } else if (options.maxPerClass === undefined || kept < options.maxPerClass) {
        files.push(file);
        labels.push(label);
        kept += 1;
      }
    });
  }
  return { classNames, files, labels, badFiles };
}

/**
 * Decode one image file to 8-bit RGB pixels of `height` × `width`, row-major [h, w, 3] — Keras' `load_img` +
 * `img_to_array`. The aspect ratio is not kept (the picture is stretched), as in Keras.
 */
export async function decodeImage(
  file: string,
  [height, width]: [number, number],
  interpolation: ResizeInterpolation = "nearest",
): Promise<Uint8Array> {
  const { data, info } = await sharp(file)
    // fastShrinkOnLoad off: JPEG shrink-on-load would average pixels, which nearest-neighbour sampling does not.
    .resize({ width, height, fit: "fill", kernel: interpolation === "nearest" ? "nearest" : "linear", fastShrinkOnLoad: false })
    .removeAlpha()
    .toColourspace("srgb")
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== RGB_CHANNELS || info.width !== width || info.height !== height) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, not ${width}×${height}×${RGB_CHANNELS}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** One image as a float tensor [h, w, 3] of 0–255 values (Keras' `img_to_array(load_img(path, target_size))`). */
export async function loadImage(
  file: string,
  targetSize: [number, number],
  interpolation: ResizeInterpolation = "nearest",
): Promise<tf.Tensor3D> {
  const pixels = await decodeImage(file, targetSize, interpolation);
  return tf.tensor3d(Float32Array.from(pixels), [targetSize[0], targetSize[1], RGB_CHANNELS]);
}

interface PlannedBatch {
  pass: number;
  indices: number[];
}

interface DecodedBatch {
  pass: number;
  indices: number[];
  pixels: Uint8Array[];
}

const ignoreRejection = () => undefined;

/**
 * The images of a class-per-folder dataset as a tf.data.Dataset (for `model.fitDataset`) that is also an async
 * iterable of Keras-shaped `[images, labels]` batches (for looking at them). Create it with `imageFolderDataset`.
 */
export class ImageFolderDataset extends tf.data.Dataset<ImageFolderElement> {
  /** Infinity while the stream loops forever (as Keras' generator does); otherwise the batches of one pass. */
  override readonly size: number;
  /** Class name → label, as Keras' `class_indices`. */
  readonly classIndices: Readonly<Record<string, number>>;
  readonly classNames: readonly string[];
  /** Paths relative to the folder, as Keras' `filenames`. */
  readonly filenames: readonly string[];
  /** The label of each file, as Keras' `classes`. */
  readonly classes: readonly number[];
  /** Files that were skipped because they are not readable images. */
  readonly badFiles: BadFile[];
  readonly targetSize: [number, number];
  readonly batchSize: number;
  readonly classMode: ClassMode;
  readonly rescale: number;
  readonly seed: number;
  readonly augment: AugmentOptions | undefined;

  private readonly files: readonly string[];
  private readonly skipped = new Set<number>();
  /** Decoded pixels by file index, when caching. */
  private readonly cached = new Map<number, Uint8Array>();
  private readonly source: tf.data.Dataset<ImageFolderElement>;

  constructor(
    readonly directory: string,
    listing: ImageFolderListing,
    private readonly options: Required<Omit<ImageFolderOptions, "augment" | "maxPerClass">> & { augment?: AugmentOptions },
  ) {
    super();
    this.classNames = listing.classNames;
    this.classIndices = Object.fromEntries(listing.classNames.map((name, index) => [name, index]));
    this.files = listing.files;
    this.filenames = listing.files.map((file) => path.relative(directory, file));
    this.classes = listing.labels;
    this.badFiles = [...listing.badFiles];
    this.targetSize = options.targetSize;
    this.batchSize = options.batchSize;
    this.classMode = options.classMode;
    this.rescale = options.rescale;
    this.seed = options.seed;
    this.augment = augmentsAnything(options.augment) ? options.augment : undefined;
    this.size = options.repeat ? Infinity : this.batchesPerPass;
    this.source = tf.data.generator(() => this.modelBatches());
  }

  /** Number of images (Keras' `samples`). */
  get samples(): number {
    return this.files.length;
  }

  get numClasses(): number {
    return this.classNames.length;
  }

  /**
   * What this stream is, for a training run's identity and the ledger: every option that changes the batches, and
   * the folder by its last two names (`cats_and_dogs_small/train`), so the same data on another machine matches.
   */
  describe(): Record<string, unknown> {
    const { shuffle, interpolation, repeat } = this.options;
    return {
      kind: "imageFolder",
      folder: this.directory.split(path.sep).slice(-2).join("/"),
      classNames: [...this.classNames],
      samples: this.samples,
      targetSize: [...this.targetSize],
      batchSize: this.batchSize,
      classMode: this.classMode,
      rescale: this.rescale,
      shuffle,
      seed: this.seed,
      interpolation,
      repeat,
      augment: this.augment ?? null,
    };
  }

  /** Batches in one pass over the data, the last one possibly partial (Keras' `len(generator)`). */
  get batchesPerPass(): number {
    return Math.ceil(this.files.length / this.batchSize);
  }

  /**
   * For `model.fitDataset` / `evaluateDataset`: each call starts a fresh stream at pass 0 (so training resumed from a
   * checkpoint sees the first passes' shuffles again; each pass is still a full, seeded shuffle).
   */
  override iterator(): ReturnType<tf.data.Dataset<ImageFolderElement>["iterator"]> {
    return this.source.iterator();
  }

  /** `for await (const [images, labels] of generator)`: Keras-shaped batches; dispose them when done. */
  async *[Symbol.asyncIterator](): AsyncGenerator<KerasBatch> {
    for await (const batch of this.decodedBatches()) yield this.toTensors(batch, false);
  }

  /**
   * The first batch of a fresh stream, Keras-shaped, like Python's `next(iter(generator))` (top-level `for await`
   * does not run in a tslab cell). Dispose the tensors when done.
   */
  async firstBatch(): Promise<KerasBatch> {
    const stream = this[Symbol.asyncIterator]();
    try {
      const { value, done } = await stream.next();
      if (done) throw new Error(`No batch in ${this.directory}`);
      return value;
    } finally {
      await stream.return(undefined);
    }
  }

  private async *modelBatches(): AsyncGenerator<ImageFolderElement> {
    for await (const batch of this.decodedBatches()) {
      const [xs, ys] = this.toTensors(batch, true);
      yield { xs, ys: ys as tf.Tensor2D };
    }
  }

  /** Which files each batch holds: a seeded permutation per pass, skipping files found unreadable. */
  private *plan(): Generator<PlannedBatch> {
    for (let pass = 0; this.options.repeat || pass === 0; pass++) {
      const order = this.options.shuffle
        ? permutation(this.files.length, seededRandom(mixSeeds(this.seed, SHUFFLE_STREAM, pass)))
        : this.files.map((_, index) => index);
      const usable = order.filter((index) => !this.skipped.has(index));
      if (usable.length === 0) throw new Error(`No readable images left in ${this.directory}`);
      for (let start = 0; start < usable.length; start += this.batchSize) {
        yield { pass, indices: usable.slice(start, start + this.batchSize) };
      }
    }
  }

  /** Decode batch k + 1 while batch k is being used: sharp works on libuv threads, off the training thread. */
  private async *decodedBatches(): AsyncGenerator<DecodedBatch> {
    const plan = this.plan();
    let next = plan.next();
    if (next.done) return;
    let pending = this.decode(next.value);
    for (;;) {
      const current = await pending;
      next = plan.next();
      if (!next.done) {
        pending = this.decode(next.value);
        // If the consumer stops early nobody awaits this one; its failure must not become an unhandled rejection.
        pending.catch(ignoreRejection);
      }
      if (current.indices.length > 0) yield current;
      if (next.done) return;
    }
  }

  private async decode(batch: PlannedBatch): Promise<DecodedBatch> {
    const results = await Promise.all(
      batch.indices.map((index) => {
        const known = this.cached.get(index);
        if (known !== undefined) return { index, pixels: known };
        return decodeImage(this.files[index], this.targetSize, this.options.interpolation).then(
          (pixels) => {
            if (this.options.cache) this.cached.set(index, pixels);
            return { index, pixels };
          },
          (error: unknown) => this.badImage(index, error),
        );
      }),
    );
    const decoded = results.filter((result): result is { index: number; pixels: Uint8Array } => result !== null);
    return { pass: batch.pass, indices: decoded.map((d) => d.index), pixels: decoded.map((d) => d.pixels) };
  }

  private badImage(index: number, error: unknown): null {
    const file = this.files[index];
    const reason = error instanceof Error ? error.message : String(error);
    if (this.options.onBadFile === "fail") {
      throw new Error(`Cannot read image ${file}: ${reason} (use onBadFile: "skip" to leave such files out)`);
    }
    if (!this.skipped.has(index)) {
      this.skipped.add(index);
      this.badFiles.push({ path: file, reason });
      console.warn(`Skipping ${file}: ${reason}`);
    }
    return null;
  }

  private toTensors(batch: DecodedBatch, forModel: boolean): KerasBatch {
    const [height, width] = this.targetSize;
    const imageSize = height * width * RGB_CHANNELS;
    const count = batch.indices.length;
    const values = new Float32Array(count * imageSize);
    const seeds = batch.indices.map((index) => mixSeeds(this.seed, AUGMENT_STREAM, batch.pass, index));
    // Keras augments the 0–255 image, then rescales (so a 'constant' fill value is in pixel units there too).
    // The course's case is resampled on the plain pixels (no per-image tensors); other fill modes go through tfjs.
    const onPixels = this.augment !== undefined && canAugmentPixels(this.augment);
    if (onPixels) augmentPixels(batch.pixels, [height, width, RGB_CHANNELS], this.augment as AugmentOptions, seeds, values);
    else batch.pixels.forEach((pixels, i) => values.set(pixels, i * imageSize));
    const images = tf.tidy(() => {
      let raw: tf.Tensor4D = tf.tensor4d(values, [count, height, width, RGB_CHANNELS]);
      if (this.augment !== undefined && !onPixels) raw = augmentBatch(raw, this.augment, seeds);
      return this.rescale === 1 ? raw : raw.mul(this.rescale);
    }) as tf.Tensor4D;
    const labels = batch.indices.map((index) => this.classes[index]);
    return [images, this.labelTensor(labels, forModel)];
  }

  private labelTensor(labels: number[], forModel: boolean): tf.Tensor {
    switch (this.classMode) {
      case "categorical":
        return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), this.numClasses).toFloat());
      case "binary":
      case "sparse":
        // Keras yields [batch] and reshapes inside fit; tfjs' fitDataset does not, and its binary cross-entropy
        // refuses labels [batch] against predictions [batch, 1] — so the model side gets [batch, 1].
        return forModel ? tf.tensor2d(labels, [labels.length, 1]) : tf.tensor1d(labels);
    }
  }
}

/**
 * Read a class-per-folder image dataset as Keras' `flow_from_directory` does, printing
 * `Found N images belonging to K classes.`; see ImageFolderOptions for the options and their Keras defaults.
 */
export async function imageFolderDataset(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const targetSize = options.targetSize ?? KERAS_DEFAULT_TARGET_SIZE;
  const batchSize = options.batchSize ?? KERAS_DEFAULT_BATCH_SIZE;
  const classMode = options.classMode ?? "categorical";
  const onBadFile = options.onBadFile ?? "skip";
  if (!targetSize.every((side) => Number.isInteger(side) && side > 0)) {
    throw new Error(`targetSize must be two positive integers [height, width], not ${JSON.stringify(targetSize)}`);
  }
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new Error(`batchSize must be a positive integer, not ${batchSize}`);
  if (options.maxPerClass !== undefined && !(Number.isInteger(options.maxPerClass) && options.maxPerClass > 0)) {
    throw new Error(`maxPerClass must be a positive integer, not ${options.maxPerClass}`);
  }
  const root = path.resolve(dir);
  const listing = await listImageFolder(root, { maxPerClass: options.maxPerClass });
  if (options.verbose !== false) {
    console.log(`Found ${listing.files.length} images belonging to ${listing.classNames.length} classes.`);
  }
  for (const bad of listing.badFiles) {
    if (onBadFile === "fail") {
      throw new Error(`Not an image: ${bad.path} — ${bad.reason} (use onBadFile: "skip" to leave such files out)`);
    }
    console.warn(`Skipping ${bad.path}: ${bad.reason}`);
  }
  if (listing.files.length === 0) {
    throw new Error(`No images in the class folders of ${root} (${listing.classNames.join(", ")}).\n${expectedLayout(root)}`);
  }
  if (classMode === "binary" && listing.classNames.length !== 2) {
    throw new Error(
      `classMode "binary" needs exactly 2 class folders; ${root} has ${listing.classNames.length}: ` +
        `${listing.classNames.join(", ")}.\n${expectedLayout(root)}`,
    );
  }
  const emptyClasses = listing.classNames.filter((_, label) => !listing.labels.includes(label));
  if (emptyClasses.length > 0) {
    throw new Error(`Class folder(s) without images in ${root}: ${emptyClasses.join(", ")}.\n${expectedLayout(root)}`);
  }
  return new ImageFolderDataset(root, listing, {
    targetSize,
    batchSize,
    classMode,
    rescale: options.rescale ?? 1,
    shuffle: options.shuffle ?? true,
    seed: options.seed ?? courseEnv().seed,
    augment: options.augment,
    onBadFile,
    interpolation: options.interpolation ?? "nearest",
    repeat: options.repeat ?? true,
    verbose: options.verbose ?? true,
    cache: options.cache ?? listing.files.length * targetSize[0] * targetSize[1] * RGB_CHANNELS <= DEFAULT_CACHE_LIMIT_BYTES,
  });
}
