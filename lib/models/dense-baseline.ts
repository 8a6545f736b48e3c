/**
 * The densely connected baseline for MNIST (Chollet, "Deep Learning with Python", 2.1): flatten the 28×28 image
 * into 784 numbers, one hidden layer of 512 ReLU units, a 10-way softmax. 407,050 parameters, no notion of
 * neighbouring pixels: the convnet's comparison point. Returned uncompiled.
 */
import * as tf from "@tensorflow/tfjs";
import { courseEnv } from "../env";
import { kerasKernelInitializer } from "./keras-defaults";

export const DENSE_BASELINE_HIDDEN_UNITS = 512;

export function buildDenseBaseline(
  inputShape: [number, number, number] = [28, 28, 1],
  classCount = 10,
  seed: number = courseEnv().seed,
): tf.Sequential {
  const model = tf.sequential({ name: "dense_baseline" });
  model.add(tf.layers.flatten({ inputShape }));
  model.add(tf.layers.dense({ units: DENSE_BASELINE_HIDDEN_UNITS, activation: "relu", kernelInitializer: kerasKernelInitializer(seed, 0) }));
  model.add(tf.layers.dense({ units: classCount, activation: "softmax", kernelInitializer: kerasKernelInitializer(seed, 1) }));
  return model;
}
