/**
 * The cats-vs-dogs convnet of the course (Chollet, "Deep Learning with Python", 5.2): four convolution + max-pool
 * stages on 150×150 RGB images, then a 512-unit dense layer and one sigmoid output. 3,453,121 parameters.
 * `dropout` inserts Dropout(rate) after Flatten, as in the dropout chapter; `l2` adds weight decay to every kernel;
 * `imageSize` shrinks the input (the lab profile's quick experiments) while keeping the book's layers.
 * Kernels start as Keras' do (glorot_uniform), seeded. Returned uncompiled.
 */
import * as tf from "@tensorflow/tfjs";
import { courseEnv } from "../env";
import { kernelRegularizer, kerasKernelInitializer } from "./keras-defaults";

export const CATS_DOGS_IMAGE_SIZE = 150;
export const CATS_DOGS_IMAGE_SHAPE: [number, number, number] = [CATS_DOGS_IMAGE_SIZE, CATS_DOGS_IMAGE_SIZE, 3];

export interface CatsDogsConvnetOptions {
  /** Dropout rate after Flatten (0 < rate < 1); omitted means no Dropout layer. */
  dropout?: number;
  /** Weight decay: Keras' `kernel_regularizer=l2(factor)` on every convolution and dense kernel; omitted means none. */
  l2?: number;
  /** Height and width of the input images (default 150, the book's). */
  imageSize?: number;
  /** Seed of the initial weights (default: the course seed, CNN_SEED). */
  seed?: number;
}

const CONV_FILTERS = [32, 64, 128, 128] as const;
const DENSE_UNITS = 512;
/** Four 3×3 valid convolutions and 2×2 pools need at least this many pixels to leave a 1×1 map. */
const SMALLEST_IMAGE = 46;

export function buildCatsDogsConvnet(options: CatsDogsConvnetOptions = {}): tf.Sequential {
  const { dropout, l2, imageSize = CATS_DOGS_IMAGE_SIZE, seed = courseEnv().seed } = options;
  if (dropout !== undefined && !(dropout > 0 && dropout < 1)) {
    throw new Error(`dropout must be a rate between 0 and 1, not ${dropout}`);
  }
  if (!Number.isInteger(imageSize) || imageSize < SMALLEST_IMAGE) {
    throw new Error(`imageSize must be a whole number of pixels ≥ ${SMALLEST_IMAGE}, not ${imageSize}`);
  }
  const model = tf.sequential({ name: dropout === undefined ? "cats_dogs_convnet" : "cats_dogs_convnet_dropout" });
  let layerIndex = 0;
  const kernel = () => ({ kernelInitializer: kerasKernelInitializer(seed, layerIndex++), ...kernelRegularizer(l2) });
  CONV_FILTERS.forEach((filters, index) => {
    const shape = index === 0 ? { inputShape: [imageSize, imageSize, 3] } : {};
    model.add(tf.layers.conv2d({ ...shape, filters, kernelSize: 3, activation: "relu", ...kernel() }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tf.layers.flatten());
  if (dropout !== undefined) model.add(tf.layers.dropout({ rate: dropout }));
  model.add(tf.layers.dense({ units: DENSE_UNITS, activation: "relu", ...kernel() }));
  model.add(tf.layers.dense({ units: 1, activation: "sigmoid", ...kernel() }));
  return model;
}
