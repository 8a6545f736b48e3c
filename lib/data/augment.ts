/**
 * Data augmentation as Keras' `ImageDataGenerator` does it: for every image, draw a random rotation, shift, shear,
 * zoom and flip, compose them into ONE affine transform (lib/data/affine.ts) and resample the image once with
 * `tf.image.transform` (bilinear, like Keras' order-1 interpolation; 'nearest' fill repeats the edge pixels).
 * Draws come from a seeded generator, so the same seed gives the same pictures.
 */
import * as tf from "@tensorflow/tfjs";
import {
  AffineParameters,
  IDENTITY_PARAMETERS,
  isIdentity,
  samplingMatrix,
  toProjectiveTransform,
  transformPixels,
  type ProjectiveTransform,
} from "./affine";
import { RandomSource, seededRandom, uniform } from "../env/random";

export type FillMode = "nearest" | "constant" | "reflect" | "wrap";
export type Interpolation = "bilinear" | "nearest";

/** Keras' augmentation options, camel-cased (`rotation_range` → `rotationRange`), with Keras' meanings. */
export interface AugmentOptions {
  /** Degrees: the angle is drawn uniformly from [−r, r]. */
  rotationRange?: number;
  /** Below 1: a fraction of the width; 1 or more: pixels. The shift is drawn from [−r, r]. */
  widthShiftRange?: number;
  /** Below 1: a fraction of the height; 1 or more: pixels. */
  heightShiftRange?: number;
  /** Shear angle in degrees, drawn from [−r, r]. */
  shearRange?: number;
  /** z means [1 − z, 1 + z]; zoom factors for rows and for columns are drawn independently from that range. */
  zoomRange?: number | [number, number];
  /** Mirror left–right with probability 1/2. */
  horizontalFlip?: boolean;
  /** Mirror top–bottom with probability 1/2. */
  verticalFlip?: boolean;
  /** How to fill pixels that come from outside the image; Keras' default is 'nearest'. */
  fillMode?: FillMode;
  /** The value for fillMode 'constant'. */
  cval?: number;
  /** Keras resamples with order-1 (bilinear) interpolation. */
  interpolation?: Interpolation;
}

/** The options of the course's augmentation chapter (Chollet 5.2.5). */
export const COURSE_AUGMENTATION: Readonly<AugmentOptions> = Object.freeze({
  rotationRange: 40,
  widthShiftRange: 0.2,
  heightShiftRange: 0.2,
  shearRange: 0.2,
  zoomRange: 0.2,
  horizontalFlip: true,
  fillMode: "nearest",
});

/**
 * The same settings as the book's logged run read them. Its notebooks ran Keras 2.0.8, which took `shear_range` as an
 * angle in radians (0.2 rad ≈ 11.5°; later Keras reads degrees, so 0.2 is now a 0.2° slant) and resampled with
 * order-0 (nearest-neighbour) interpolation (later Keras: bilinear). The course teaches today's meaning.
 */
export const BOOK_KERAS_2_0_AUGMENTATION: Readonly<AugmentOptions> = Object.freeze({
  ...COURSE_AUGMENTATION,
  shearRange: (0.2 * 180) / Math.PI,
  interpolation: "nearest",
});

const FLIP_PROBABILITY = 0.5;
/** Keras treats a shift range below 1 as a fraction of the image size, from 1 up as pixels. */
const FRACTION_LIMIT = 1;

function checkNonNegative(name: string, value: number | undefined): number {
  const range = value ?? 0;
  if (!Number.isFinite(range) || range < 0) throw new Error(`augment: ${name} must be a number ≥ 0, not ${value}`);
  return range;
}

/** Keras' zoom_range: a scalar z means [1 − z, 1 + z]. */
export function zoomInterval(zoomRange: AugmentOptions["zoomRange"]): [number, number] {
  if (zoomRange === undefined) return [1, 1];
  const [low, high] = typeof zoomRange === "number" ? [1 - zoomRange, 1 + zoomRange] : zoomRange;
  if (!(low > 0 && high >= low && Number.isFinite(high))) {
    throw new Error(`augment: zoomRange must give 0 < low ≤ high, not ${JSON.stringify(zoomRange)}`);
  }
  return [low, high];
}

function shiftInPixels(range: number, size: number): number {
  return range < FRACTION_LIMIT ? range * size : range;
}

/** Draw one transform, as Keras' `get_random_transform` does (same ranges, same order of draws). */
export function randomAffineParameters(
  options: AugmentOptions,
  height: number,
  width: number,
  random: RandomSource,
): AffineParameters {
  const rotationRange = checkNonNegative("rotationRange", options.rotationRange);
  const heightShift = shiftInPixels(checkNonNegative("heightShiftRange", options.heightShiftRange), height);
  const widthShift = shiftInPixels(checkNonNegative("widthShiftRange", options.widthShiftRange), width);
  const shearRange = checkNonNegative("shearRange", options.shearRange);
  const [zoomLow, zoomHigh] = zoomInterval(options.zoomRange);
  const draw = (range: number) => (range > 0 ? uniform(random, -range, range) : 0);
  const parameters: AffineParameters = { ...IDENTITY_PARAMETERS };
  parameters.rotation = draw(rotationRange);
  parameters.shiftRows = draw(heightShift);
  parameters.shiftCols = draw(widthShift);
  parameters.shear = draw(shearRange);
  if (zoomLow !== 1 || zoomHigh !== 1) {
    parameters.zoomRows = uniform(random, zoomLow, zoomHigh);
    parameters.zoomCols = uniform(random, zoomLow, zoomHigh);
  }
  parameters.flipHorizontal = options.horizontalFlip === true && random() < FLIP_PROBABILITY;
  parameters.flipVertical = options.verticalFlip === true && random() < FLIP_PROBABILITY;
  return parameters;
}

/**
 * Apply one concrete transform to an image [h, w, c] (or a batch [n, h, w, c], the same transform for all).
 * The image's values are resampled as they are: augment before or after rescaling, bilinear sampling is linear.
 */
export function applyAffine<T extends tf.Tensor3D | tf.Tensor4D>(
  image: T,
  parameters: AffineParameters,
  options: Pick<AugmentOptions, "fillMode" | "cval" | "interpolation"> = {},
): T {
  if (isIdentity(parameters)) return image.clone() as T;
  const [height, width] = image.rank === 4 ? image.shape.slice(1, 3) : image.shape.slice(0, 2);
  const transform = toProjectiveTransform(samplingMatrix(parameters, height, width));
  return tf.tidy(() => {
    const batch = (image.rank === 4 ? image : image.expandDims(0)) as tf.Tensor4D;
    const transformed = tf.image.transform(
      batch.toFloat(),
      tf.tensor2d([transform], [1, transform.length]),
      options.interpolation ?? "bilinear",
      options.fillMode ?? "nearest",
      options.cval ?? 0,
    );
    return (image.rank === 4 ? transformed : transformed.squeeze([0])) as unknown as T;
  });
}

function toRandomSource(seedOrRandom: number | RandomSource): RandomSource {
  return typeof seedOrRandom === "number" ? seededRandom(seedOrRandom) : seedOrRandom;
}

/** One randomly augmented version of `image` [h, w, c]: draw a transform, apply it. */
export function augmentImage(image: tf.Tensor3D, options: AugmentOptions, seedOrRandom: number | RandomSource): tf.Tensor3D {
  const [height, width] = image.shape;
  const parameters = randomAffineParameters(options, height, width, toRandomSource(seedOrRandom));
  return applyAffine(image, parameters, options);
}

/** Backends whose Transform kernel is known to handle only the first image of a batched call. */
const BATCH_TRANSFORM_BROKEN_ON = new Set(["cpu"]);

/**
 * Augment each image of a batch [n, h, w, c] with its own transform, the i-th drawn from `seeds[i]`.
 * One batched `tf.image.transform` call with n transforms — except on tfjs' cpu backend, whose kernel computes only
 * the first image of a batch (tfjs-backend-cpu 4.22 returns from inside its batch loop): there, one call per image.
 */
export function augmentBatch(images: tf.Tensor4D, options: AugmentOptions, seeds: readonly number[]): tf.Tensor4D {
  const [count, height, width] = images.shape;
  if (seeds.length !== count) throw new Error(`augmentBatch: ${count} images but ${seeds.length} seeds`);
  const transforms = seeds.map((seed) => seededTransform(options, height, width, seed));
  const run = (batch: tf.Tensor4D, rows: number[][]) =>
    tf.image.transform(
      batch,
      tf.tensor2d(rows, [rows.length, 8]),
      options.interpolation ?? "bilinear",
      options.fillMode ?? "nearest",
      options.cval ?? 0,
    );
  return tf.tidy(() => {
    const floats = images.toFloat();
    if (!BATCH_TRANSFORM_BROKEN_ON.has(tf.getBackend())) return run(floats, transforms);
    const perImage = transforms.map((transform, index) =>
      run(floats.slice([index, 0, 0, 0], [1, height, width, images.shape[3]]), [transform]),
    );
    return tf.concat(perImage, 0);
  });
}

/** The projective transform for the image drawn from `seed` (what augmentBatch applies to it). */
export function seededTransform(options: AugmentOptions, height: number, width: number, seed: number): ProjectiveTransform {
  return toProjectiveTransform(samplingMatrix(randomAffineParameters(options, height, width, seededRandom(seed)), height, width));
}

/** True when `augmentPixels` can do the work: the course's (and Keras') bilinear sampling with 'nearest' fill. */
export function canAugmentPixels(options: AugmentOptions): boolean {
  return (options.fillMode ?? "nearest") === "nearest" && (options.interpolation ?? "bilinear") === "bilinear";
}

/**
 * augmentBatch on plain pixels: image i of `images` (each [height, width, channels]) is transformed with the transform
 * drawn from seeds[i] and written into `target` at i · height · width · channels. Same pictures as augmentBatch.
 */
export function augmentPixels(
  images: ReadonlyArray<ArrayLike<number>>,
  [height, width, channels]: [number, number, number],
  options: AugmentOptions,
  seeds: readonly number[],
  target: Float32Array,
): void {
  if (!canAugmentPixels(options)) throw new Error("augmentPixels handles bilinear sampling with 'nearest' fill only");
  const imageSize = height * width * channels;
  images.forEach((pixels, index) => {
    const transform = seededTransform(options, height, width, seeds[index]);
    transformPixels(pixels, height, width, channels, transform, target, index * imageSize);
  });
}

/** True when the options would change images at all (a generator without them skips augmentation). */
export function augmentsAnything(options: AugmentOptions | undefined): boolean {
  if (options === undefined) return false;
  const [zoomLow, zoomHigh] = zoomInterval(options.zoomRange);
  return (
    (options.rotationRange ?? 0) > 0 ||
    (options.widthShiftRange ?? 0) > 0 ||
    (options.heightShiftRange ?? 0) > 0 ||
    (options.shearRange ?? 0) > 0 ||
    zoomLow !== 1 ||
    zoomHigh !== 1 ||
    options.horizontalFlip === true ||
    options.verticalFlip === true
  );
}
