/**
 * SIMD kernels that run directly in the wasm backend's heap (no copies): the max-pool gradient where windows tile
 * the input (stride = window, no leading padding — every pooling layer of the course), 4 channels at a time, and
 * the bias gradient (a Sum over every axis but the last) with float64 running sums in a scratch tensor.
 */
import * as tf from "@tensorflow/tfjs";
import { heapAddress, heapMemory, heapView, type WasmBackendInternals } from "../wasm-internals";
import { release } from "../stock/stock-kernels";
import { channelSumShape, poolInfo, windowsTile } from "../stock/js-kernels";
import { kernelsInMemory } from "./kernel-threads";

/** Why the tiled SIMD max-pool gradient does not apply, or null when it does. */
export function tiledMaxPoolGradMismatch(input: tf.TensorInfo, dy: tf.TensorInfo, attrs: tf.MaxPoolGradAttrs): string | null {
  if (input.dtype !== "float32" || dy.dtype !== "float32") return "not float32";
  const info = poolInfo(input, attrs);
  if (!windowsTile(info)) return "windows do not tile the input";
  if (info.inChannels % 4 !== 0) return "channels not a multiple of 4";
  return null;
}

export function maxPoolGradTiled(backend: WasmBackendInternals, dy: tf.TensorInfo, input: tf.TensorInfo, attrs: tf.MaxPoolGradAttrs): tf.TensorInfo {
  const kernels = kernelsInMemory(heapMemory(backend));
  if (kernels === null) throw new Error("the wasm heap is not reachable as a WebAssembly.Memory");
  const info = poolInfo(input, attrs);
  const dx = backend.makeOutput(input.shape, "float32");
  // Rows or columns no window covers get no gradient.
  if (info.outHeight * info.filterHeight < info.inHeight || info.outWidth * info.filterWidth < info.inWidth) heapView(backend, dx).fill(0);
  kernels.maxPoolGradTiled(
    heapAddress(backend, input), heapAddress(backend, dy), heapAddress(backend, dx),
    info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.outHeight, info.outWidth,
    0, info.batchSize * info.outHeight,
  );
  return dx;
}

export function sumRowsInHeap(backend: WasmBackendInternals, x: tf.TensorInfo, keepDims: boolean): tf.TensorInfo {
  const kernels = kernelsInMemory(heapMemory(backend));
  if (kernels === null) throw new Error("the wasm heap is not reachable as a WebAssembly.Memory");
  const channels = x.shape[x.shape.length - 1];
  const out = backend.makeOutput(channelSumShape(x, keepDims), "float32");
  const scratch = backend.makeOutput([2 * channels], "float32");
  const rows = tf.util.sizeFromShape(x.shape) / channels;
  kernels.sumRows(heapAddress(backend, x), heapAddress(backend, out), heapAddress(backend, scratch), rows, channels);
  release(backend, scratch);
  return out;
}
