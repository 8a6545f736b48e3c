/**
 * Kernels backed by the native oneDNN addon, registered over the pure wasm ones when the addon loads. Tensors stay
 * in the wasm backend's heap: each kernel allocates its output first, then hands the addon Float32Array views of
 * the heap (no copies). Cases the addon does not cover (NCHW, dilations, other activations, odd broadcasts) go to
 * the pure wasm kernels, which are correct everywhere.
 */
import * as tf from "@tensorflow/tfjs";
import type { NativeAccelerator } from "../native";
import { asWasmBackend, heapView, type WasmBackendInternals, type WasmKernelArgs, type WasmKernelFunc } from "./wasm-internals";
import { conv2DBackpropFilterKernel } from "./conv2d-backprop-filter";
import { conv2DBackpropInputKernel } from "./conv2d-backprop-input";
import { batchMatMulKernel, fusedMatMulKernel } from "./batch-mat-mul";
import { maxPoolGradKernel } from "./max-pool-grad";
import { reducesAllButLast, sumKernel } from "./sum";
import { runStock } from "./stock-kernels";
import { makeAddKernel } from "./add";

type Shape4 = [number, number, number, number];

const ACTIVATION_NONE = 0;
const ACTIVATION_RELU = 1;

/** The addon's convolution dims: [N,H,W,Ci,KH,KW,Co,OH,OW,strideH,strideW,padT,padB,padL,padR,act]. */
function convDims(info: tf.backend_util.Conv2DInfo, activation: number): Int32Array {
  const { padInfo } = info;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.outChannels, info.outHeight, info.outWidth,
    info.strideHeight, info.strideWidth, padInfo.top, padInfo.bottom, padInfo.left, padInfo.right, activation,
  ]);
}

/** Convolution geometry when the addon can run it (NHWC, no dilation, non-negative padding), else null. */
function nativeConvInfo(
  xShape: Shape4,
  filterShape: Shape4,
  attrs: { strides: [number, number] | number; pad: tf.Conv2DAttrs["pad"]; dataFormat: string; dimRoundingMode?: "floor" | "round" | "ceil"; dilations?: [number, number] | number },
): tf.backend_util.Conv2DInfo | null {
  if (attrs.dataFormat === "NCHW") return null;
  const dilations = attrs.dilations ?? 1;
  if (!(dilations === 1 || (Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1))) return null;
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, "channelsLast");
  const { top, bottom, left, right } = info.padInfo;
  if (Math.min(top, bottom, left, right) < 0) return null;
  // Windows must end exactly at the padded edge: where a stride leaves trailing rows or columns no window reads,
  // oneDNN 2.6's backward kernels corrupted memory (seen with stride 3 over 5 and 9 columns); the wasm kernels
  // handle those shapes.
  const spanHeight = (info.outHeight - 1) * info.strideHeight + info.filterHeight;
  const spanWidth = (info.outWidth - 1) * info.strideWidth + info.filterWidth;
  if (spanHeight !== info.inHeight + top + bottom || spanWidth !== info.inWidth + left + right) return null;
  return info;
}

function activationCode(activation: string | undefined): number | null {
  if (activation === undefined || activation === "linear") return ACTIVATION_NONE;
  if (activation === "relu") return ACTIVATION_RELU;
  return null;
}

function isFloat(...infos: Array<tf.TensorInfo | undefined>): boolean {
  return infos.every((info) => info === undefined || info.dtype === "float32");
}

/**
 * Runs `native` and, should the addon throw (a shape oneDNN rejects), frees what it allocated, says so once, and
 * answers with `fallback` (the pure wasm kernel) instead: the accelerator may be slower to fail, never wrong.
 */
function withFallback(kernelName: string, native: WasmKernelFunc, fallback: WasmKernelFunc): WasmKernelFunc {
  let warned = false;
  return (args) => {
    const backend = asWasmBackend(args.backend);
    const allocated: tf.TensorInfo[] = [];
    const makeOutput = backend.makeOutput.bind(backend);
    const tracking = Object.create(backend) as WasmBackendInternals;
    tracking.makeOutput = (shape, dtype) => {
      const info = makeOutput(shape, dtype);
      allocated.push(info);
      return info;
    };
    try {
      return native({ ...args, backend: tracking });
    } catch (error) {
      for (const info of allocated) backend.disposeData(info.dataId);
      if (!warned) {
        warned = true;
        console.warn(`oneDNN ${kernelName} failed (${error instanceof Error ? error.message : String(error)}); using the wasm kernel`);
      }
      return fallback(args);
    }
  };
}

export function nativeKernels(accelerator: NativeAccelerator): ReadonlyArray<[string, WasmKernelFunc]> {
  const convForward = (
    backend: WasmBackendInternals,
    x: tf.TensorInfo,
    filter: tf.TensorInfo,
    bias: tf.TensorInfo | undefined,
    info: tf.backend_util.Conv2DInfo,
    activation: number,
  ): tf.TensorInfo => {
    const out = backend.makeOutput(info.outShape, "float32");
    accelerator.convForward(
      heapView(backend, x), heapView(backend, filter), bias === undefined ? null : heapView(backend, bias), heapView(backend, out),
      convDims(info, activation),
    );
    return out;
  };

  const conv2D: WasmKernelFunc = (args) => {
    const backend = asWasmBackend(args.backend);
    const { x, filter } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DAttrs;
    const info = isFloat(x, filter) ? nativeConvInfo(x.shape as Shape4, filter.shape as Shape4, attrs) : null;
    if (info === null) return runStock("Conv2D", backend, args.inputs, args.attrs);
    return convForward(backend, x, filter, undefined, info, ACTIVATION_NONE);
  };

  const fusedConv2D: WasmKernelFunc = (args) => {
    const backend = asWasmBackend(args.backend);
    const { x, filter, bias, preluActivationWeights } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const activation = activationCode(attrs.activation);
    const info =
      activation !== null && preluActivationWeights === undefined && isFloat(x, filter, bias)
        ? nativeConvInfo(x!.shape as Shape4, filter!.shape as Shape4, attrs)
        : null;
    const biasFits = bias === undefined || bias.shape.reduce((p, d) => p * d, 1) === filter!.shape[3];
    if (info === null || !biasFits) return runStock("FusedConv2D", backend, args.inputs, args.attrs);
    return convForward(backend, x!, filter!, bias, info, activation!);
  };

  const conv2DBackpropInput: WasmKernelFunc = (args) => {
    const backend = asWasmBackend(args.backend);
    const { dy, filter } = args.inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const info = isFloat(dy, filter) ? nativeConvInfo(attrs.inputShape as Shape4, filter.shape as Shape4, attrs) : null;
    if (info === null) return conv2DBackpropInputKernel(args);
    const dx = backend.makeOutput(info.inShape, "float32");
    accelerator.convBackwardData(heapView(backend, dy), heapView(backend, filter), heapView(backend, dx), convDims(info, ACTIVATION_NONE));
    return dx;
  };

  const conv2DBackpropFilter: WasmKernelFunc = (args) => {
    const backend = asWasmBackend(args.backend);
    const { x, dy } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const info = isFloat(x, dy) ? nativeConvInfo(x.shape as Shape4, attrs.filterShape, attrs) : null;
    if (info === null) return conv2DBackpropFilterKernel(args);
    const dw = backend.makeOutput(attrs.filterShape, "float32");
    accelerator.convBackwardWeights(heapView(backend, x), heapView(backend, dy), heapView(backend, dw), convDims(info, ACTIVATION_NONE));
    return dw;
  };

  const matMul = (fused: boolean, fallback: WasmKernelFunc): WasmKernelFunc => (args) => {
    const backend = asWasmBackend(args.backend);
    const { a, b, bias, preluActivationWeights } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean; activation?: string };
    const activation = fused ? activationCode(attrs.activation) : ACTIVATION_NONE;
    const rank = a!.shape.length;
    if (activation === null || preluActivationWeights !== undefined || !isFloat(a, b, bias) || rank < 2 || rank > 3 || b!.shape.length !== rank) {
      return fallback(args);
    }
    const batchA = rank === 3 ? a!.shape[0] : 1;
    const batchB = rank === 3 ? b!.shape[0] : 1;
    const [m, k] = attrs.transposeA ? [a!.shape[rank - 1], a!.shape[rank - 2]] : [a!.shape[rank - 2], a!.shape[rank - 1]];
    const [kB, n] = attrs.transposeB ? [b!.shape[rank - 1], b!.shape[rank - 2]] : [b!.shape[rank - 2], b!.shape[rank - 1]];
    const batch = Math.max(batchA, batchB);
    const biasFits = bias === undefined || bias.shape.reduce((p, d) => p * d, 1) === n && bias.shape[bias.shape.length - 1] === n;
    if (k !== kB || !biasFits || (batchA !== batchB && Math.min(batchA, batchB) !== 1)) return fallback(args);
    const out = backend.makeOutput(rank === 3 ? [batch, m, n] : [m, n], "float32");
    const dims = Int32Array.from([batchA, batchB, m, k, n, attrs.transposeA ? 1 : 0, attrs.transposeB ? 1 : 0, activation, bias === undefined ? 0 : 1]);
    accelerator.matmul(heapView(backend, a!), heapView(backend, b!), bias === undefined ? null : heapView(backend, bias), heapView(backend, out), dims);
    return out;
  };

  const maxPoolGrad: WasmKernelFunc = (args) => {
    const backend = asWasmBackend(args.backend);
    const { dy, input } = args.inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
    if (!isFloat(dy, input)) return maxPoolGradKernel(args);
    const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const dx = backend.makeOutput(input.shape, "float32");
    const dims = Int32Array.from([
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    ]);
    accelerator.maxPoolBackward(heapView(backend, input), heapView(backend, dy), heapView(backend, dx), dims);
    return dx;
  };

  const sum: WasmKernelFunc = (args) => {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    if (x.dtype !== "float32" || !reducesAllButLast(axis, x.shape.length)) return sumKernel(args);
    const channels = x.shape[x.shape.length - 1];
    const out = backend.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels], "float32");
    const values = heapView(backend, x);
    accelerator.sumRows(values, heapView(backend, out), values.length / channels, channels);
    return out;
  };

  const add = makeAddKernel((backend, x, bias, out, channels) => {
    const values = heapView(backend, x);
    accelerator.addBias(values, heapView(backend, bias), heapView(backend, out), values.length / channels, channels);
  });

  const stock = (name: string): WasmKernelFunc => (args) => runStock(name, asWasmBackend(args.backend), args.inputs, args.attrs);
  const kernels: Array<[string, WasmKernelFunc, WasmKernelFunc]> = [
    ["Add", add, stock("Add")],
    ["Conv2D", conv2D, stock("Conv2D")],
    ["FusedConv2D", fusedConv2D, stock("FusedConv2D")],
    ["Conv2DBackpropInput", conv2DBackpropInput, conv2DBackpropInputKernel],
    ["Conv2DBackpropFilter", conv2DBackpropFilter, conv2DBackpropFilterKernel],
    ["BatchMatMul", matMul(false, batchMatMulKernel), batchMatMulKernel],
    ["_FusedMatMul", matMul(true, fusedMatMulKernel), fusedMatMulKernel],
    ["MaxPoolGrad", maxPoolGrad, maxPoolGradKernel],
    ["Sum", sum, sumKernel],
  ];
  return kernels.map(([name, native, fallback]) => [name, withFallback(name, native, fallback)]);
}
