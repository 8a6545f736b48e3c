/** A tiny dense classifier and its data, for tests that train for real in milliseconds (checkpoints, resume, faults). */
import * as tf from "@tensorflow/tfjs";

export const TINY_SAMPLES = 64;
export const TINY_FEATURES = 6;

/** 6 inputs → 8 relu → 3 softmax, compiled with tfjs' "rmsprop"; `initial` weights when given. */
export function tinyModel(initial?: tf.Tensor[]): tf.Sequential {
  const model = tf.sequential({ name: "tiny_dense" });
  model.add(tf.layers.dense({ inputShape: [TINY_FEATURES], units: 8, activation: "relu" }));
  model.add(tf.layers.dense({ units: 3, activation: "softmax" }));
  if (initial) model.setWeights(initial);
  model.compile({ optimizer: "rmsprop", loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

/** 64 seeded points; the label is which of the first three features is largest. */
export function tinyData(): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = tf.randomUniform([TINY_SAMPLES, TINY_FEATURES], -1, 1, "float32", 7) as tf.Tensor2D;
  const classes = tf.tidy(() => x.slice([0, 0], [TINY_SAMPLES, 3]).argMax(1));
  const y = tf.oneHot(classes as tf.Tensor1D, 3).toFloat() as tf.Tensor2D;
  classes.dispose();
  return { x, y };
}
