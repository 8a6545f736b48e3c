/**
 * The MNIST convnet of the course (Chollet, "Deep Learning with Python", 5.1): three 3×3 convolutions with two
 * 2×2 max-pools between them, then a small dense classifier. 93,322 parameters. Kernels start as Keras' do
 * (glorot_uniform), seeded by `seed` (default: the course seed). Returned uncompiled: the notebook chooses optimizer,
 * loss and metrics.
 */
import * as tf from "@tensorflow/tfjs";
import { courseEnv } from "../env";
import { kerasKernelInitializer } from "./keras-defaults";

export const MNIST_IMAGE_SHAPE: [number, number, number] = [28, 28, 1];
export const MNIST_CLASS_COUNT = 10;

export function buildMnistConvnet(seed: number = courseEnv().seed): tf.Sequential {
  const model = tf.sequential({ name: "mnist_convnet" });
  let layerIndex = 0;
  const kernel = () => ({ kernelInitializer: kerasKernelInitializer(seed, layerIndex++) });
  model.add(tf.layers.conv2d({ inputShape: MNIST_IMAGE_SHAPE, filters: 32, kernelSize: 3, activation: "relu", ...kernel() }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu", ...kernel() }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu", ...kernel() }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 64, activation: "relu", ...kernel() }));
  model.add(tf.layers.dense({ units: MNIST_CLASS_COUNT, activation: "softmax", ...kernel() }));
  return model;
}
