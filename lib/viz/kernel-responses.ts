/**
 * A trained first layer, read the way chapters 1–3 read the hand-made kernel: for each learned kernel, the digit,
 * the kernel's 3×3 weights and the feature map it makes, as steps for the step-through view. The strongest
 * responders come first, so the slider starts on the kernels that lit up the most ink.
 */
import * as tf from "@tensorflow/tfjs";
import type { Step } from "./step-through";

/** Each channel of a [h, w, c] activation as its own [row][col] matrix. */
export function channelMatrices(activation: tf.Tensor3D): number[][][] {
  const [height, width, channels] = activation.shape;
  const values = activation.dataSync();
  return Array.from({ length: channels }, (_, c) =>
    Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, x) => values[(r * width + x) * channels + c])));
}

/** Each output filter of a [kh, kw, 1, filters] kernel as a [row][col] matrix (single-channel input only). */
export function kernelMatrices(kernel: tf.Tensor4D): number[][][] {
  const [kh, kw, inputChannels, filters] = kernel.shape;
  if (inputChannels !== 1) throw new Error(`kernelMatrices: expected one input channel, got ${inputChannels}`);
  return channelMatrices(kernel.reshape([kh, kw, filters]) as tf.Tensor3D);
}

/** Channel indices ordered by their largest response, strongest first (ties: lower index first). */
export function rankChannelsByResponse(maps: number[][][]): number[] {
  const peaks = maps.map((map) => Math.max(...map.flat()));
  return peaks.map((_, i) => i).sort((a, b) => peaks[b] - peaks[a] || a - b);
}

/** One step per kernel (in `order`): the input, the kernel's weights, and its feature map after ReLU. */
export function kernelResponseSteps(input: number[][], kernels: number[][][], maps: number[][][], order: number[] = rankChannelsByResponse(maps)): Step[] {
  if (kernels.length !== maps.length) throw new Error(`${kernels.length} kernels but ${maps.length} feature maps`);
  const weightRange = Math.max(...kernels.flat(2).map(Math.abs));
  const mapPeak = Math.max(...maps.flat(2), 1e-6);
  return order.map((k) => {
    const peak = Math.max(...maps[k].flat());
    return {
      label: `#${k}`,
      summary: `kernel ${k}: peak ${peak.toFixed(2)}`,
      caption: `kernel ${k}: strongest response ${peak.toFixed(2)}`,
      panels: [
        { matrix: input, title: "input", showValues: false, zmin: 0, zmax: 1 },
        { matrix: kernels[k], title: `kernel ${k} (3×3)`, decimals: 2, zmin: -weightRange, zmax: weightRange },
        { matrix: maps[k], title: "feature map after ReLU", showValues: false, zmin: 0, zmax: mapPeak },
      ],
    };
  });
}
