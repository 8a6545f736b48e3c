/**
 * Conv2DBackpropInput for the wasm backend, faster than the stock one (a scalar loop) where the forward stride is 1:
 * the input gradient is then the convolution of dy, padded by (K−1−pad), with the filter flipped in space and its
 * in/out channels swapped — which XNNPACK runs fast. Other strides (and paddings wider than the filter) use the stock
 * kernel, which is correct for all cases.
 */
import * as tf from "@tensorflow/tfjs";
import { asWasmBackend, type WasmBackendInternals, type WasmKernelArgs } from "./wasm-internals";
import { conv2dInfo, release, reverseInfo, runStock, transposeInfo } from "./stock-kernels";
import { withChannelsLast } from "./conv2d-backprop-filter";
import { simdConv2DBackpropInput } from "./simd-convolutions";
import { whenSimdKernels } from "../simd/kernel-threads";

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

export function conv2DBackpropInputKernel(args: WasmKernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = args.inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const nchw = attrs.dataFormat === "NCHW";
  const [n, a, b, c] = attrs.inputShape;
  const inputShapeNhwc: [number, number, number, number] = nchw ? [n, b, c, a] : [n, a, b, c];
  const pads = flippedFilterPads(inputShapeNhwc, filter.shape as [number, number, number, number], attrs);
  if (pads === null) return runStock("Conv2DBackpropInput", backend, args.inputs, args.attrs);
  return withChannelsLast(backend, attrs.dataFormat, [dy], ([dyNhwc]) =>
    whenSimdKernels(() => simdConv2DBackpropInput(backend, dyNhwc, filter, pads)) ??
      composedConv2DBackpropInput(backend, dyNhwc, filter, pads), true);
}
