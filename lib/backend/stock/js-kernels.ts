/**
 * Kernels written in plain TypeScript over the wasm heap: correct for every shape they accept, and faster than the
 * stock kernel they replace.
 * - Identity and same-dtype Cast share the input's data (a reference count, as the cpu backend does) instead of
 *   copying it: the engine clones every tensor it saves for the backward pass and the relu gradient casts float32
 *   to float32, so on the wasm backend's copying kernels a training step spent several percent in plain memcpy.
 * - MaxPoolGrad as one pass: each output's gradient goes to the FIRST maximum of its window in row-major order
 *   (tf's tie rule); any window, stride and padding. The stock kernel was the slowest part of a training step.
 * - Sum over every axis but the last (a bias gradient) in one pass with float64 running sums, as exact as the cpu
 *   backend's; the stock kernel transposes first.
 */
import * as tf from "@tensorflow/tfjs";
import { heapView, type WasmBackendInternals } from "../wasm-internals";

export function shareData(backend: WasmBackendInternals, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** True when `axis` names every axis of a rank-`rank` tensor except the last. */
export function reducesAllButLast(axis: number | number[], rank: number): boolean {
  const axes = tf.util.parseAxisParam(axis, Array(rank).fill(1));
  const unique = new Set(axes);
  if (rank < 2 || unique.size !== rank - 1) return false;
  for (let a = 0; a < rank - 1; a++) if (!unique.has(a)) return false;
  return true;
}

/** The shape of a bias-gradient Sum's output. */
export function channelSumShape(x: tf.TensorInfo, keepDims: boolean): number[] {
  const channels = x.shape[x.shape.length - 1];
  return keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels];
}

export function sumAllButLast(backend: WasmBackendInternals, x: tf.TensorInfo, keepDims: boolean): tf.TensorInfo {
  const channels = x.shape[x.shape.length - 1];
  const out = backend.makeOutput(channelSumShape(x, keepDims), "float32");
  const values = heapView(backend, x);
  // Accumulate in float64 so long reductions stay as exact as the cpu backend's. (A product with a row of ones on
  // XNNPACK looked faster, but only while the tensor's packed copy was cached: fresh gradients pay for packing.)
  const accumulator = new Float64Array(channels);
  for (let base = 0; base < values.length; base += channels) {
    for (let c = 0; c < channels; c++) accumulator[c] += values[base + c];
  }
  heapView(backend, out).set(accumulator);
  return out;
}

/** Whether a pool's windows tile its input: stride = window, no leading padding, every window inside the input. */
export function windowsTile(info: tf.backend_util.Conv2DInfo): boolean {
  return info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.outHeight * info.filterHeight <= info.inHeight && info.outWidth * info.filterWidth <= info.inWidth;
}

export function poolInfo(input: tf.TensorInfo, attrs: tf.MaxPoolGradAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
  );
}

export function maxPoolGradLoop(backend: WasmBackendInternals, dy: tf.TensorInfo, input: tf.TensorInfo, attrs: tf.MaxPoolGradAttrs): tf.TensorInfo {
  const info = poolInfo(input, attrs);
  const dx = backend.makeOutput(input.shape, "float32");
  // Views only after the allocation above: allocating may grow (and detach) the heap.
  const x = heapView(backend, input);
  const gradOut = heapView(backend, dy);
  const gradIn = heapView(backend, dx);
  gradIn.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const best = new Float32Array(channels);
  const bestAt = new Int32Array(channels);
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchBase = b * inHeight * inWidth * channels;
    for (let outRow = 0; outRow < outHeight; outRow++) {
      const rowStart = outRow * strideHeight - info.padInfo.top;
      const rowFrom = Math.max(0, rowStart);
      const rowTo = Math.min(inHeight, rowStart + filterHeight);
      for (let outCol = 0; outCol < outWidth; outCol++) {
        const colStart = outCol * strideWidth - info.padInfo.left;
        const colFrom = Math.max(0, colStart);
        const colTo = Math.min(inWidth, colStart + filterWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        bestAt.fill(-1);
        for (let row = rowFrom; row < rowTo; row++) {
          for (let col = colFrom; col < colTo; col++) {
            const base = batchBase + (row * inWidth + col) * channels;
            for (let d = 0; d < channels; d++) {
              const value = x[base + d];
              if (value > best[d]) {
                best[d] = value;
                bestAt[d] = base + d;
              }
            }
          }
        }
        for (let d = 0; d < channels; d++, dyIndex++) {
          if (bestAt[d] >= 0) gradIn[bestAt[d]] += gradOut[dyIndex];
        }
      }
    }
  }
  return dx;
}

/** Keras' RMSprop mean square, ms·rho + g²·(1 − rho), in float32 as the optimizer's ops compute it. */
export function rmspropMeanSquareLoop(backend: WasmBackendInternals, meanSquare: tf.TensorInfo, gradient: tf.TensorInfo, rho: number, oneMinusRho: number): tf.TensorInfo {
  const out = backend.makeOutput(meanSquare.shape, "float32");
  const [ms, g, result] = [heapView(backend, meanSquare), heapView(backend, gradient), heapView(backend, out)];
  const [r, c] = [Math.fround(rho), Math.fround(oneMinusRho)];
  const f = Math.fround;
  for (let i = 0; i < result.length; i++) result[i] = f(f(ms[i] * r) + f(f(g[i] * g[i]) * c));
  return out;
}

/** Keras' RMSprop step, w − (g·lr)/(√ms + ε), in float32 as the optimizer's ops compute it. */
export function rmspropStepLoop(backend: WasmBackendInternals, variable: tf.TensorInfo, gradient: tf.TensorInfo, meanSquare: tf.TensorInfo, learningRate: number, epsilon: number): tf.TensorInfo {
  const out = backend.makeOutput(variable.shape, "float32");
  const [w, g, ms, result] = [heapView(backend, variable), heapView(backend, gradient), heapView(backend, meanSquare), heapView(backend, out)];
  const [lr, eps] = [Math.fround(learningRate), Math.fround(epsilon)];
  const f = Math.fround;
  for (let i = 0; i < result.length; i++) result[i] = f(w[i] - f(f(g[i] * lr) / f(f(Math.sqrt(ms[i])) + eps)));
  return out;
}
