/**
 * The cats-vs-dogs convnet of the course (Chollet, "Deep Learning with Python", 5.2): four convolution + max-pool
 * stages on 150×150 RGB images, then a 512-unit dense layer and one sigmoid output. 3,453,121 parameters.
 * `dropout` inserts Dropout(rate) after Flatten, as in the dropout chapter. Returned uncompiled.
 */
import * as tf from "@tensorflow/tfjs";

export const CATS_DOGS_IMAGE_SHAPE: [number, number, number] = [150, 150, 3];

export interface CatsDogsConvnetOptions {
  /** Dropout rate after Flatten (0 < rate < 1); omitted means no Dropout layer. */
  dropout?: number;
}

const CONV_FILTERS = [32, 64, 128, 128] as const;

export function buildCatsDogsConvnet(options: CatsDogsConvnetOptions = {}): tf.Sequential {
  const { dropout } = options;
  if (dropout !== undefined && !(dropout > 0 && dropout < 1)) {
    throw new Error(`dropout must be a rate between 0 and 1, not ${dropout}`);
  }
  const model = tf.sequential({ name: dropout === undefined ? "cats_dogs_convnet" : "cats_dogs_convnet_dropout" });
  CONV_FILTERS.forEach((filters, index) => {
    const shape = index === 0 ? { inputShape: CATS_DOGS_IMAGE_SHAPE } : {};
    model.add(tf.layers.conv2d({ ...shape, filters, kernelSize: 3, activation: "relu" }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tf.layers.flatten());
  if (dropout !== undefined) model.add(tf.layers.dropout({ rate: dropout }));
  model.add(tf.layers.dense({ units: 512, activation: "relu" }));
  model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
  return model;
}
