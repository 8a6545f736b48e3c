/**
 * What a trained convnet computes inside: the activations of chosen layers for one input, each channel as a
 * small grayscale image, and a first convolution's kernels as images. Pixels only (PNG grids), no charts.
 */
import * as tf from "@tensorflow/tfjs";
import type { PixelImage } from "./pixels-png";

/** Each channel of a [height, width, channels] activation as its own grayscale image. */
export function channelImages(activation: tf.Tensor3D): PixelImage[] {
  const [height, width, channels] = activation.shape;
  const values = activation.dataSync();
  return Array.from({ length: channels }, (_, c) => {
    const pixels = new Float32Array(height * width);
    for (let i = 0; i < height * width; i++) pixels[i] = values[i * channels + c];
    return { pixels, width, height };
  });
}

/** Each output filter of a [kh, kw, 1, filters] kernel as a kh×kw image (single-channel input only). */
export function kernelImages(kernel: tf.Tensor4D): PixelImage[] {
  const [kh, kw, inputChannels] = kernel.shape;
  if (inputChannels !== 1) throw new Error(`kernelImages: expected one input channel, got ${inputChannels}`);
  return channelImages(kernel.reshape([kh, kw, kernel.shape[3]]) as tf.Tensor3D);
}

/** The outputs of the layers `layerNames` (in order) for `input` (a batch of one): name → [h, w, c] tensor. */
export function layerActivations(model: tf.LayersModel, input: tf.Tensor4D, layerNames: string[]): Map<string, tf.Tensor3D> {
  const outputs = layerNames.map((name) => model.getLayer(name).output as tf.SymbolicTensor);
  const probe = tf.model({ inputs: model.inputs, outputs });
  const results = tf.tidy(() => {
    const predicted = probe.predict(input);
    const list = Array.isArray(predicted) ? predicted : [predicted];
    return list.map((t) => t.squeeze([0]) as tf.Tensor3D);
  });
  return new Map(layerNames.map((name, i) => [name, results[i]]));
}
