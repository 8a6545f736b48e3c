/**
 * MaxPoolGrad for the wasm backend as one pass over the wasm heap: each output's gradient goes to the FIRST maximum
 * of its window in row-major order (tf's tie rule: exactly one element per window gets it). The stock kernel was
 * the slowest part of a training step. Any window, stride and padding; channels innermost so memory runs in order.
 * Where windows tile the input (stride = window, no leading padding: every pooling layer of the course), a SIMD
 * kernel does the same in the heap itself, 4 channels at a time.
 */
import * as tf from "@tensorflow/tfjs";
import { asWasmBackend, heapAddress, heapMemory, heapView, type WasmKernelArgs } from "./wasm-internals";
import { kernelsInMemory } from "../simd/kernel-threads";

export function maxPoolGradKernel(args: WasmKernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, input } = args.inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const dx = backend.makeOutput(input.shape, "float32");
  const kernels = kernelsInMemory(heapMemory(backend));
  const tiled =
    info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.outHeight * info.filterHeight <= info.inHeight && info.outWidth * info.filterWidth <= info.inWidth;
  if (kernels !== null && tiled && info.inChannels % 4 === 0 && input.dtype === "float32" && dy.dtype === "float32") {
    // Rows or columns no window covers get no gradient.
    if (info.outHeight * info.filterHeight < info.inHeight || info.outWidth * info.filterWidth < info.inWidth) heapView(backend, dx).fill(0);
    kernels.maxPoolGradTiled(
      heapAddress(backend, input), heapAddress(backend, dy), heapAddress(backend, dx),
      info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.outHeight, info.outWidth,
      0, info.batchSize * info.outHeight,
    );
    return dx;
  }
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
