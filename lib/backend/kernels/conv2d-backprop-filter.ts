/**
 * Conv2DBackpropFilter for the wasm backend, which has none (so `fit` of any Conv2D model throws there).
 *
 * The filter gradient dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−pad, ow·s+kw−pad, ci] · dy[n,oh,ow,co] is itself a
 * convolution with the batch as the channel axis and dy as the filter, dilated by the forward stride, so the wasm
 * backend's XNNPACK convolution does the heavy part (see composedConv2DBackpropFilter). Covers any stride, 'valid'/'same'/explicit
 * padding, NCHW (by transposing to NHWC first).
 */
import * as tf from "@tensorflow/tfjs";
import { asWasmBackend, type WasmBackendInternals, type WasmKernelArgs } from "./wasm-internals";
import { conv2dInfo, release, sliceInfo, transposeInfo } from "./stock-kernels";
import { simdConv2DBackpropFilter } from "./simd-convolutions";
import { whenSimdKernels } from "../simd/kernel-threads";

export interface BackpropFilterGeometry {
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
  outHeight: number;
  outWidth: number;
}

export function backpropFilterGeometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: tf.Conv2DBackpropFilterAttrs,
): BackpropFilterGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  return {
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
  };
}

/**
 * NHWC x and dy → filter gradient [KH,KW,Ci,Co]: x transposed to [Ci,H,W,N] (batch Ci, channels N) convolved with dy
 * transposed to [OH,OW,N,Co] as a filter dilated by the forward stride gives [Ci,KH,KW,Co]. (Measured faster on
 * XNNPACK than one convolution per filter column with N·OW channels, and than im2col + matMul.)
 */
export function composedConv2DBackpropFilter(
  backend: WasmBackendInternals,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  attrs: tf.Conv2DBackpropFilterAttrs,
): tf.TensorInfo {
  const [batch, height, width, inChannels] = x.shape as [number, number, number, number];
  const g = backpropFilterGeometry([batch, height, width, inChannels], attrs.filterShape, attrs);
  // Rows of x that some output reads: from −padTop to −padTop + (OH−1)·s + KH − 1; likewise columns.
  const spanHeight = (g.outHeight - 1) * g.strideHeight + g.filterHeight;
  const spanWidth = (g.outWidth - 1) * g.strideWidth + g.filterWidth;
  const padBottom = spanHeight - g.padTop - height;
  const padRight = spanWidth - g.padLeft - width;
  // Negative far-side padding means trailing rows/columns no output reads: crop them.
  const cropped =
    padBottom < 0 || padRight < 0
      ? sliceInfo(backend, x, [0, 0, 0, 0], [batch, height + Math.min(0, padBottom), width + Math.min(0, padRight), inChannels])
      : null;
  const xByChannel = transposeInfo(backend, cropped ?? x, [3, 1, 2, 0]);
  const dyAsFilter = transposeInfo(backend, dy, [1, 2, 0, 3]);
  const gradient = conv2dInfo(
    backend,
    xByChannel,
    dyAsFilter,
    [1, 1],
    [g.strideHeight, g.strideWidth],
    [g.padTop, Math.max(0, padBottom), g.padLeft, Math.max(0, padRight)],
  );
  const dw = transposeInfo(backend, gradient, [1, 2, 0, 3]);
  release(backend, xByChannel, dyAsFilter, gradient, ...(cropped === null ? [] : [cropped]));
  return dw;
}

/** Runs an NHWC kernel on NCHW tensors by transposing the 4-D inputs in and the (4-D, NHWC) result out. */
export function withChannelsLast(
  backend: WasmBackendInternals,
  dataFormat: string,
  inputs: tf.TensorInfo[],
  run: (nhwc: tf.TensorInfo[]) => tf.TensorInfo,
  transposeResult: boolean,
): tf.TensorInfo {
  if (dataFormat !== "NCHW") return run(inputs);
  const converted = inputs.map((input) => transposeInfo(backend, input, [0, 2, 3, 1]));
  const result = run(converted);
  release(backend, ...converted);
  if (!transposeResult) return result;
  const back = transposeInfo(backend, result, [0, 3, 1, 2]);
  release(backend, result);
  return back;
}

export function conv2DBackpropFilterKernel(args: WasmKernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  // The filter gradient has no batch/channel layout of its own, so only the inputs are converted.
  return withChannelsLast(backend, attrs.dataFormat, [x, dy], ([xNhwc, dyNhwc]) => {
    const nhwcAttrs = { ...attrs, dataFormat: "NHWC" as const };
    return whenSimdKernels(() => simdConv2DBackpropFilter(backend, xNhwc, dyNhwc, nhwcAttrs)) ??
      composedConv2DBackpropFilter(backend, xNhwc, dyNhwc, nhwcAttrs);
  }, false);
}
