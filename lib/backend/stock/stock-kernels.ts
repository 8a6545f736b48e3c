/**
 * The wasm backend's own kernels, called directly (backend level: no engine bookkeeping, no gradient tape) so that
 * composed kernels can chain them. Each wrapper returns a new TensorInfo the caller must release with `release`.
 * The stock implementations are captured before any of ours replaces them.
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendInternals, WasmKernelFunc } from "../wasm-internals";

const stock = new Map<string, WasmKernelFunc>();

/** Remember the stock kernel for `kernelName` (once; later registrations of ours do not overwrite it). */
export function captureStockKernel(kernelName: string): WasmKernelFunc | null {
  const known = stock.get(kernelName);
  if (known !== undefined) return known;
  const config = tf.getKernel(kernelName, "wasm");
  if (config === undefined) return null;
  const kernelFunc = config.kernelFunc as unknown as WasmKernelFunc;
  stock.set(kernelName, kernelFunc);
  return kernelFunc;
}

export function runStock(
  kernelName: string,
  backend: WasmBackendInternals,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const kernelFunc = captureStockKernel(kernelName);
  if (kernelFunc === null) throw new Error(`the wasm backend has no ${kernelName} kernel`);
  const out = kernelFunc({ inputs, backend, attrs });
  // The stock kernels the course composes from each have one output.
  if (Array.isArray(out)) throw new Error(`stock ${kernelName} gave ${out.length} outputs, expected one`);
  return out;
}

export function release(backend: WasmBackendInternals, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function transposeInfo(backend: WasmBackendInternals, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runStock("Transpose", backend, { x }, { perm });
}

export function reverseInfo(backend: WasmBackendInternals, x: tf.TensorInfo, dims: number[]): tf.TensorInfo {
  return runStock("Reverse", backend, { x }, { dims });
}

export function sliceInfo(backend: WasmBackendInternals, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  return runStock("Slice", backend, { x }, { begin, size });
}

/** NHWC convolution, stride/dilation as given, explicit padding [top, bottom, left, right]. */
export function conv2dInfo(
  backend: WasmBackendInternals,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  strides: [number, number],
  dilations: [number, number],
  pads: [number, number, number, number],
): tf.TensorInfo {
  const [top, bottom, left, right] = pads;
  const pad = [[0, 0], [top, bottom], [left, right], [0, 0]] as unknown as tf.NamedAttrMap[string];
  return runStock("Conv2D", backend, { x, filter }, { strides, dilations, pad, dataFormat: "NHWC", dimRoundingMode: null as unknown as string });
}
