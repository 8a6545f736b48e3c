/**
 * Filter patterns by gradient ascent (Chollet's section 5.4.2): start from a grey picture with a little noise and
 * change the picture, not the weights, step by step in the direction that makes one filter of one layer respond
 * more. What the picture turns into is the pattern that filter looks for.
 */
import * as tf from "@tensorflow/tfjs";
import { seededRandom } from "../env/random";
import type { PixelImage } from "./pixels-png";

export interface FilterPatternOptions {
  /** Gradient-ascent steps. Default 40 (the book's). */
  steps?: number;
  /** How far each step moves a pixel, on the 0..1 scale, after the gradient is scaled to unit RMS. Default 0.01. */
  stepSize?: number;
  /** Seed of the starting noise. Default 1. */
  seed?: number;
}

export interface FilterPattern {
  /** The pattern, made displayable (centred on grey, contrast stretched, clipped to 0..1). */
  image: PixelImage;
  /** The filter's mean response to the starting picture and to the final one: ascent should raise it. */
  startResponse: number;
  finalResponse: number;
}

/** Make a picture displayable the way the book does: zero mean, std 0.1, centred on 0.5, clipped to 0..1. */
export function deprocessPattern(values: Float32Array | number[]): Float32Array {
  const n = values.length;
  const mean = Array.from(values).reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(Array.from(values).reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return Float32Array.from(values, (v) => Math.min(1, Math.max(0, ((v - mean) / (std + 1e-5)) * 0.1 + 0.5)));
}

/** The input that filter `filterIndex` of layer `layerName` responds to most, found by gradient ascent. */
export function filterPattern(model: tf.LayersModel, layerName: string, filterIndex: number, options: FilterPatternOptions = {}): FilterPattern {
  const steps = options.steps ?? 40;
  const stepSize = options.stepSize ?? 0.01;
  const layer = model.getLayer(layerName);
  const filters = (layer.outputShape as number[])[3];
  if (!Number.isInteger(filterIndex) || filterIndex < 0 || filterIndex >= filters) {
    throw new Error(`${layerName} has filters 0..${filters - 1}, not ${filterIndex}`);
  }
  const [height, width, channels] = (model.inputs[0].shape as number[]).slice(1);
  const probe = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  const response = (x: tf.Tensor): tf.Scalar =>
    ((probe.apply(x, { training: false }) as tf.Tensor4D).slice([0, 0, 0, filterIndex], [-1, -1, -1, 1]).mean() as tf.Scalar);

  const random = seededRandom(options.seed ?? 1);
  const noise = Float32Array.from({ length: height * width * channels }, () => 0.5 + (random() - 0.5) * 0.2);
  let picture = tf.tensor4d(noise, [1, height, width, channels]);
  const startResponse = tf.tidy(() => response(picture).dataSync()[0]);
  const gradient = tf.grad(response);
  for (let step = 0; step < steps; step++) {
    const next = tf.tidy(() => {
      const g = gradient(picture);
      const rms = g.square().mean().sqrt().add(1e-5);
      return picture.add(g.div(rms).mul(stepSize)) as tf.Tensor4D;
    });
    picture.dispose();
    picture = next;
  }
  const finalResponse = tf.tidy(() => response(picture).dataSync()[0]);
  const pixels = deprocessPattern(picture.dataSync() as Float32Array);
  picture.dispose();
  return { image: { pixels, width, height, channels: channels === 3 ? 3 : 1 }, startResponse, finalResponse };
}
