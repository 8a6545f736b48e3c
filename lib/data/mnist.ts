/**
 * MNIST and Fashion-MNIST as the Keras code prepares them (Chollet 5.1):
 *   train_images.reshape((60000, 28, 28, 1)).astype('float32') / 255;  to_categorical(train_labels)
 * i.e. images as a float32 tensor [n, 28, 28, 1] in [0, 1] and labels one-hot [n, 10].
 */
import * as tf from "@tensorflow/tfjs";
import { IDX_DATASETS, type IdxDatasetName, type RemoteFile } from "./checksums";
import { ensureDatasetFile, type EnsureFileOptions } from "./download";
import { checkSameCount, readIdxImages, readIdxLabels, type IdxImages, type IdxLabels } from "./idx";

export const MNIST_CLASS_NAMES: readonly string[] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];
const CLASS_NAMES: Record<IdxDatasetName, readonly string[]> = { mnist: MNIST_CLASS_NAMES, "fashion-mnist": FASHION_MNIST_CLASS_NAMES };
const PIXEL_MAX = 255;

export interface MnistSplit {
  /** float32 [n, 28, 28, 1], pixel / 255. */
  images: tf.Tensor4D;
  /** float32 one-hot [n, 10]. */
  labels: tf.Tensor2D;
  /** The labels as class indices (for confusion matrices, titles, picking examples). */
  classIndices: Uint8Array;
}

export interface MnistData {
  dataset: IdxDatasetName;
  classNames: readonly string[];
  train: MnistSplit;
  test: MnistSplit;
}

export interface LoadMnistOptions {
  dataset?: IdxDatasetName;
  /** Use only the first n training examples (the smoke profile's subsets). */
  trainLimit?: number;
  /** Use only the first n test examples. */
  testLimit?: number;
  /** Download/mirror options (tests). */
  files?: EnsureFileOptions;
}

interface RawSplit {
  images: IdxImages;
  labels: IdxLabels;
}

/** Parsed files, kept per process: re-running a notebook cell does not unzip 47 MB again. */
const rawCache = new Map<string, RawSplit>();

async function rawSplit(dataset: IdxDatasetName, imagesFile: RemoteFile, labelsFile: RemoteFile, files?: EnsureFileOptions): Promise<RawSplit> {
  const spec = IDX_DATASETS[dataset];
  const fetch = (file: RemoteFile) => ensureDatasetFile({ ...file, dataset: spec.folder, url: spec.baseUrl + file.name }, files);
  const imagesPath = await fetch(imagesFile);
  const labelsPath = await fetch(labelsFile);
  const key = `${imagesPath}|${labelsPath}`;
  const cached = rawCache.get(key);
  if (cached) return cached;
  const images = readIdxImages(imagesPath);
  const labels = readIdxLabels(labelsPath, CLASS_NAMES[dataset].length);
  checkSameCount(images, labels, imagesFile.name, labelsFile.name);
  const raw = { images, labels };
  rawCache.set(key, raw);
  return raw;
}

function checkLimit(limit: number | undefined, name: string): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error(`loadMnist: ${name} must be a positive whole number, not ${limit}`);
}

/** Tensors for the first `limit` examples of a split. */
export function splitTensors(raw: RawSplit, limit: number | undefined, classCount: number): MnistSplit {
  const n = Math.min(limit ?? raw.images.count, raw.images.count);
  const { rows, columns } = raw.images;
  const pixels = raw.images.pixels.subarray(0, n * rows * columns);
  const classIndices = raw.labels.labels.slice(0, n);
  // Scaled in plain JS: one float32 buffer, no intermediate integer tensor of the same size.
  const scaled = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) scaled[i] = pixels[i] / PIXEL_MAX;
  const images = tf.tensor4d(scaled, [n, rows, columns, 1], "float32");
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(classIndices, "int32"), classCount).toFloat()) as tf.Tensor2D;
  return { images, labels, classIndices };
}

/**
 * Load MNIST (default) or Fashion-MNIST: downloaded once and checked (or read from CNN_DATA_MIRROR), parsed, and
 * returned as tensors. `trainLimit` / `testLimit` take the first examples only.
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistData> {
  const dataset = options.dataset ?? "mnist";
  const spec = IDX_DATASETS[dataset];
  if (spec === undefined) throw new Error(`loadMnist: unknown dataset "${dataset}"; use "mnist" or "fashion-mnist"`);
  checkLimit(options.trainLimit, "trainLimit");
  checkLimit(options.testLimit, "testLimit");
  const classNames = CLASS_NAMES[dataset];
  const train = await rawSplit(dataset, spec.files.trainImages, spec.files.trainLabels, options.files);
  const test = await rawSplit(dataset, spec.files.testImages, spec.files.testLabels, options.files);
  return {
    dataset,
    classNames,
    train: splitTensors(train, options.trainLimit, classNames.length),
    test: splitTensors(test, options.testLimit, classNames.length),
  };
}
