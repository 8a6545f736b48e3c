/**
 * Convolution gradients composed from the wasm backend's own (XNNPACK) kernels — correct for every shape they
 * accept; the SIMD and oneDNN kernels are faster where they apply (see ../kernel-table.ts).
 *
 * Conv2DBackpropFilter: the wasm backend has none (so `fit` of any Conv2D model throws there).
 * The filter gradient dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−pad, ow·s+kw−pad, ci] · dy[n,oh,ow,co] is itself a
 * convolution with the batch as the channel axis and dy as the filter, dilated by the forward stride, so the wasm
 * backend's XNNPACK convolution does the heavy part (see composedConv2DBackpropFilter). Covers any stride, 'valid'/'same'/explicit
 * padding, NCHW (by transposing to NHWC first).
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendInternals } from "../wasm-internals";
import { conv2dInfo, release, reverseInfo, sliceInfo, transposeInfo } from "./stock-kernels";

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

/**
 * Conv2DBackpropInput where the forward stride is 1: the input gradient is then the convolution of dy, padded by
 * (K−1−pad), with the filter flipped in space and its in/out channels swapped — which XNNPACK runs fast (the stock
 * kernel is a scalar loop).
 */
/** Padding of dy for the flipped-filter convolution, or null when the composed form does not apply. */
export function flippedFilterPads(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: Pick<tf.Conv2DBackpropInputAttrs, "strides" | "pad" | "dimRoundingMode">,
): [number, number, number, number] | null {
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, "channelsLast");
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const top = info.filterHeight - 1 - info.padInfo.top;
  const left = info.filterWidth - 1 - info.padInfo.left;
  // Far sides: whatever makes the output exactly the input's size.
  const bottom = info.inHeight - info.outHeight + info.padInfo.top;
  const right = info.inWidth - info.outWidth + info.padInfo.left;
  if (Math.min(top, left, bottom, right) < 0) return null;
  return [top, bottom, left, right];
}

export function composedConv2DBackpropInput(
  backend: WasmBackendInternals,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  pads: [number, number, number, number],
): tf.TensorInfo {
  const flipped = reverseInfo(backend, filter, [0, 1]);
  const swapped = transposeInfo(backend, flipped, [0, 1, 3, 2]);
  const dx = conv2dInfo(backend, dy, swapped, [1, 1], [1, 1], pads);
  release(backend, flipped, swapped);
  return dx;
}
