/**
 * Sum for the wasm backend, fast where training needs it: the bias gradient sums dy over every axis but the last
 * (batch, rows, columns), which the stock kernel does by transposing first. That case is one pass over the heap;
 * every other reduction goes to the stock kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { asWasmBackend, heapAddress, heapMemory, heapView, type WasmKernelArgs } from "./wasm-internals";
import { release, runStock } from "./stock-kernels";
import { kernelsInMemory } from "../simd/kernel-threads";

/** True when `axis` names every axis of a rank-`rank` tensor except the last. */
export function reducesAllButLast(axis: number | number[], rank: number): boolean {
  const axes = tf.util.parseAxisParam(axis, Array(rank).fill(1));
  const unique = new Set(axes);
  if (rank < 2 || unique.size !== rank - 1) return false;
  for (let a = 0; a < rank - 1; a++) if (!unique.has(a)) return false;
  return true;
}

export function sumKernel(args: WasmKernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  if (x.dtype !== "float32" || !reducesAllButLast(axis, x.shape.length)) return runStock("Sum", backend, args.inputs, args.attrs);
  const channels = x.shape[x.shape.length - 1];
  const outShape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels];
  const out = backend.makeOutput(outShape, "float32");
  const kernels = kernelsInMemory(heapMemory(backend));
  if (kernels !== null && channels % 4 === 0) {
    // The SIMD kernel in the heap, float64 running sums in a scratch tensor (channels doubles).
    const scratch = backend.makeOutput([2 * channels], "float32");
    const rows = tf.util.sizeFromShape(x.shape) / channels;
    kernels.sumRows(heapAddress(backend, x), heapAddress(backend, out), heapAddress(backend, scratch), rows, channels);
    release(backend, scratch);
    return out;
  }
  const values = heapView(backend, x);
  const sums = heapView(backend, out);
  // Accumulate in float64 so long reductions stay as exact as the cpu backend's. (A product with a row of ones on
  // XNNPACK looked faster, but only while the tensor's packed copy was cached: fresh gradients pay for packing.)
  const accumulator = new Float64Array(channels);
  for (let base = 0; base < values.length; base += channels) {
    for (let c = 0; c < channels; c++) accumulator[c] += values[base + c];
  }
  sums.set(accumulator);
  return out;
}
