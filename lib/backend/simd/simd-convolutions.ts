/**
 * Conv2D, FusedConv2D (bias, relu), Conv2DBackpropFilter and Conv2DBackpropInput (stride 1) on the course's own
 * SIMD kernels, split across threads (simd/kernel-threads.ts). Each kernel returns null where its fast form does
 * not apply — NCHW, dilations, output channels not a multiple of 8, other activations — and the caller then uses
 * the composed or stock kernel, which is correct everywhere.
 */
import * as tf from "@tensorflow/tfjs";
import { heapView, type WasmBackendInternals } from "../wasm-internals";
import { kernelThreads, splitRange, type KernelArguments, type KernelThreads } from "./kernel-threads";

type Shape4 = [number, number, number, number];

/** The kernels compute 8 output channels at a time. */
const CHANNEL_BLOCK = 8;
/** Below this much arithmetic a call is not worth waking a helper thread for. */
const MIN_FLOPS_PER_THREAD = 4e6;
const FLOAT_BYTES = 4;
/** Operands start on 64-byte boundaries (one cache line). */
const ALIGN_FLOATS = 16;

/** Places operands one after another in the kernel memory and hands out their float offsets. */
class Layout {
  private next = ALIGN_FLOATS;
  place(floats: number): number {
    const offset = this.next;
    this.next += Math.ceil(floats / ALIGN_FLOATS) * ALIGN_FLOATS;
    return offset;
  }
  get bytes(): number {
    return this.next * FLOAT_BYTES;
  }
}

/**
 * Copies an NHWC tensor into `target` at `offset` as a [N, paddedHeight, paddedWidth, C] tensor with `top` rows and
 * `left` columns of zeros before it, zeros after, and whatever does not fit cropped.
 */
export function copyPadded(
  source: Float32Array, [batch, height, width, channels]: Shape4,
  target: Float32Array, offset: number, paddedHeight: number, paddedWidth: number, top: number, left: number,
): void {
  target.fill(0, offset, offset + batch * paddedHeight * paddedWidth * channels);
  const rowFrom = Math.max(0, -top);
  const rowTo = Math.min(height, paddedHeight - top);
  const columnFrom = Math.max(0, -left);
  const columnTo = Math.min(width, paddedWidth - left);
  if (columnTo <= columnFrom) return;
  const span = (columnTo - columnFrom) * channels;
  for (let n = 0; n < batch; n++) {
    for (let row = rowFrom; row < rowTo; row++) {
      const from = ((n * height + row) * width + columnFrom) * channels;
      const to = offset + ((n * paddedHeight + row + top) * paddedWidth + columnFrom + left) * channels;
      target.set(source.subarray(from, from + span), to);
    }
  }
}

function threadsFor(threads: KernelThreads, flops: number, units: number): number {
  return Math.max(1, Math.min(threads.threads, units, Math.floor(flops / MIN_FLOPS_PER_THREAD)));
}

function isUnitDilation(dilations: number | [number, number] | undefined): boolean {
  return dilations === undefined || dilations === 1 || (Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1);
}

interface ConvolutionJob {
  /** Input, already padded, [N, H, W, Ci]. */
  inputShape: Shape4;
  writeInput(target: Float32Array, offset: number): void;
  /** Filter as [KH, KW, Ci, Co]. */
  filterShape: Shape4;
  writeFilter(target: Float32Array, offset: number): void;
  bias: tf.TensorInfo | null;
  relu: boolean;
  /** conv2dNarrow: few output channels, filter written as [Co, KH, KW, Ci]. */
  narrow?: boolean;
  outHeight: number;
  outWidth: number;
  strides: [number, number];
  /** Shape of the returned tensor when not [N, OH, OW, Co] (same size). */
  resultShape?: number[];
}

/** Runs a valid convolution of a padded input on the kernel threads; returns the [N, OH, OW, Co] output. */
function runConvolution(backend: WasmBackendInternals, job: ConvolutionJob): tf.TensorInfo {
  const threads = kernelThreads();
  const [batch, height, width, inChannels] = job.inputShape;
  const [filterHeight, filterWidth, , outChannels] = job.filterShape;
  const outShape: Shape4 = [batch, job.outHeight, job.outWidth, outChannels];
  const outSize = tf.util.sizeFromShape(outShape);
  const layout = new Layout();
  const inputAt = layout.place(batch * height * width * inChannels);
  const filterAt = layout.place(filterHeight * filterWidth * inChannels * outChannels);
  const biasAt = job.bias === null ? 0 : layout.place(outChannels);
  const outAt = layout.place(outSize);
  threads.reserve(layout.bytes);
  const out = backend.makeOutput(job.resultShape ?? outShape, "float32");
  // Views only now: the allocations above may grow either memory.
  const memory = threads.floats();
  job.writeInput(memory, inputAt);
  job.writeFilter(memory, filterAt);
  if (job.bias !== null) memory.set(heapView(backend, job.bias), biasAt);
  const rows = batch * job.outHeight;
  const flops = 2 * outSize * filterHeight * filterWidth * inChannels;
  const ranges = splitRange(rows, threadsFor(threads, flops, rows));
  const geometry = [height, width, inChannels, filterHeight, filterWidth, outChannels, job.outHeight, job.outWidth, job.strides[0], job.strides[1]];
  if (job.narrow === true) {
    threads.run("conv2dNarrow", ranges.map(([rowFrom, rowTo]) => [
      inputAt * FLOAT_BYTES, filterAt * FLOAT_BYTES, outAt * FLOAT_BYTES, ...geometry, rowFrom, rowTo,
    ]));
  } else {
    threads.run("conv2d", ranges.map(([rowFrom, rowTo]) => [
      inputAt * FLOAT_BYTES, filterAt * FLOAT_BYTES, biasAt * FLOAT_BYTES, outAt * FLOAT_BYTES, ...geometry, job.relu ? 1 : 0, rowFrom, rowTo,
    ]));
  }
  heapView(backend, out).set(threads.floats().subarray(outAt, outAt + outSize));
  return out;
}

export interface ForwardAttrs {
  strides: number | [number, number];
  pad: tf.Conv2DAttrs["pad"];
  dataFormat: string;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  activation?: string;
}

/** Why simdConv2D does not apply to these operands, or null when it does. */
export function simdConv2DMismatch(x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | null, attrs: ForwardAttrs): string | null {
  const activation = attrs.activation ?? "linear";
  if (attrs.dataFormat === "NCHW") return "NCHW";
  if (!isUnitDilation(attrs.dilations)) return "dilated";
  if (activation !== "linear" && activation !== "relu") return `activation ${activation}`;
  if (x.dtype !== "float32" || filter.dtype !== "float32" || x.shape.length !== 4) return "not a float32 4-D input";
  const outChannels = filter.shape[3];
  if (outChannels % CHANNEL_BLOCK !== 0) return `output channels ${outChannels} not a multiple of ${CHANNEL_BLOCK}`;
  if (bias !== null && (bias.dtype !== "float32" || bias.shape.length !== 1 || bias.shape[0] !== outChannels)) return "bias shape";
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, "channelsLast");
  if (Math.min(info.padInfo.top, info.padInfo.left, info.padInfo.bottom, info.padInfo.right) < 0) return "negative padding";
  return null;
}

/** Conv2D / FusedConv2D (bias and relu or linear) on the SIMD kernels, or null where they do not apply. */
export function simdConv2D(
  backend: WasmBackendInternals,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | null,
  attrs: ForwardAttrs,
): tf.TensorInfo | null {
  if (simdConv2DMismatch(x, filter, bias, attrs) !== null) return null;
  const activation = attrs.activation ?? "linear";
  const xShape = x.shape as Shape4;
  const info = tf.backend_util.computeConv2DInfo(xShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, "channelsLast");
  const { top, left } = info.padInfo;
  // Rows and columns the windows read, from −top.
  const paddedHeight = (info.outHeight - 1) * info.strideHeight + info.filterHeight;
  const paddedWidth = (info.outWidth - 1) * info.strideWidth + info.filterWidth;
  return runConvolution(backend, {
    inputShape: [xShape[0], paddedHeight, paddedWidth, xShape[3]],
    writeInput: (target, offset) => copyPadded(heapView(backend, x), xShape, target, offset, paddedHeight, paddedWidth, top, left),
    filterShape: filter.shape as Shape4,
    writeFilter: (target, offset) => target.set(heapView(backend, filter), offset),
    bias,
    relu: activation === "relu",
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    strides: [info.strideHeight, info.strideWidth],
  });
}

/** Why simdConv2DBackpropInput does not apply to this filter, or null when it does (stride 1 is the caller's test). */
export function simdConv2DBackpropInputMismatch(dy: tf.TensorInfo, filter: tf.TensorInfo): string | null {
  const [, , inChannels, outChannels] = filter.shape as Shape4;
  if (dy.dtype !== "float32" || filter.dtype !== "float32") return "not float32";
  if (inChannels % CHANNEL_BLOCK !== 0 && outChannels % 4 !== 0) {
    return `input channels ${inChannels} not a multiple of ${CHANNEL_BLOCK} and output channels ${outChannels} not of 4`;
  }
  return null;
}

/**
 * The input gradient of a stride-1 convolution: dy padded by `pads` ([top, bottom, left, right], from
 * flippedFilterPads) convolved with the filter flipped in space and its channels swapped. Null unless the input
 * channels are a multiple of 8 or (a first layer's 1 or 3, say) the output channels a multiple of 4.
 */
export function simdConv2DBackpropInput(
  backend: WasmBackendInternals,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  pads: [number, number, number, number],
): tf.TensorInfo | null {
  const [filterHeight, filterWidth, inChannels, outChannels] = filter.shape as Shape4;
  const narrow = inChannels % CHANNEL_BLOCK !== 0;
  if ((narrow && outChannels % 4 !== 0) || dy.dtype !== "float32" || filter.dtype !== "float32") return null;
  const dyShape = dy.shape as Shape4;
  const [top, bottom, left, right] = pads;
  const paddedHeight = dyShape[1] + top + bottom;
  const paddedWidth = dyShape[2] + left + right;
  return runConvolution(backend, {
    inputShape: [dyShape[0], paddedHeight, paddedWidth, outChannels],
    writeInput: (target, offset) => copyPadded(heapView(backend, dy), dyShape, target, offset, paddedHeight, paddedWidth, top, left),
    filterShape: [filterHeight, filterWidth, outChannels, inChannels],
    writeFilter: (target, offset) => {
      const w = heapView(backend, filter);
      if (narrow) {
        // flipped[ci, kh, kw, co] = w[KH−1−kh, KW−1−kw, ci, co]
        let index = offset;
        for (let ci = 0; ci < inChannels; ci++) {
          for (let kh = 0; kh < filterHeight; kh++) {
            for (let kw = 0; kw < filterWidth; kw++) {
              const from = (((filterHeight - 1 - kh) * filterWidth + (filterWidth - 1 - kw)) * inChannels + ci) * outChannels;
              target.set(w.subarray(from, from + outChannels), index);
              index += outChannels;
            }
          }
        }
        return;
      }
      // flipped[kh, kw, co, ci] = w[KH−1−kh, KW−1−kw, ci, co]
      let index = offset;
      for (let kh = 0; kh < filterHeight; kh++) {
        for (let kw = 0; kw < filterWidth; kw++) {
          const tap = ((filterHeight - 1 - kh) * filterWidth + (filterWidth - 1 - kw)) * inChannels;
          for (let co = 0; co < outChannels; co++) {
            for (let ci = 0; ci < inChannels; ci++) target[index++] = w[(tap + ci) * outChannels + co];
          }
        }
      }
    },
    bias: null,
    relu: false,
    narrow,
    outHeight: paddedHeight - filterHeight + 1,
    outWidth: paddedWidth - filterWidth + 1,
    strides: [1, 1],
  });
}

/** Why simdConv2DBackpropFilter does not apply, or null when it does. */
export function simdConv2DBackpropFilterMismatch(x: tf.TensorInfo, dy: tf.TensorInfo, filterShape: number[]): string | null {
  if (x.dtype !== "float32" || dy.dtype !== "float32") return "not float32";
  if (filterShape[3] % CHANNEL_BLOCK !== 0) return `output channels ${filterShape[3]} not a multiple of ${CHANNEL_BLOCK}`;
  return null;
}

/** The filter gradient of an NHWC convolution (any stride and padding), or null unless Co is a multiple of 8. */
export function simdConv2DBackpropFilter(
  backend: WasmBackendInternals,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  attrs: tf.Conv2DBackpropFilterAttrs,
): tf.TensorInfo | null {
  const filterShape = attrs.filterShape as Shape4;
  const [filterHeight, filterWidth, inChannels, outChannels] = filterShape;
  if (outChannels % CHANNEL_BLOCK !== 0 || x.dtype !== "float32" || dy.dtype !== "float32") return null;
  const xShape = x.shape as Shape4;
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, "channelsLast");
  const { outHeight, outWidth, strideHeight, strideWidth } = info;
  const paddedHeight = (outHeight - 1) * strideHeight + filterHeight;
  const paddedWidth = (outWidth - 1) * strideWidth + filterWidth;
  const batch = xShape[0];
  const threads = kernelThreads();
  const layout = new Layout();
  const inputAt = layout.place(batch * paddedHeight * paddedWidth * inChannels);
  const gradientAt = layout.place(batch * outHeight * outWidth * outChannels);
  const filterSize = filterHeight * filterWidth * inChannels * outChannels;
  const outAt = layout.place(filterSize);
  threads.reserve(layout.bytes);
  const out = backend.makeOutput(filterShape, "float32");
  const memory = threads.floats();
  copyPadded(heapView(backend, x), xShape, memory, inputAt, paddedHeight, paddedWidth, info.padInfo.top, info.padInfo.left);
  memory.set(heapView(backend, dy), gradientAt);
  memory.fill(0, outAt, outAt + filterSize);
  const blocks = outChannels / CHANNEL_BLOCK;
  const flops = 2 * batch * outHeight * outWidth * filterSize;
  const pieces: KernelArguments[] = splitRange(blocks, threadsFor(threads, flops, blocks)).map(([blockFrom, blockTo]) => [
    inputAt * FLOAT_BYTES, gradientAt * FLOAT_BYTES, outAt * FLOAT_BYTES,
    paddedHeight, paddedWidth, inChannels, filterHeight, filterWidth, outChannels, outHeight, outWidth,
    strideHeight, strideWidth, batch * outHeight, blockFrom, blockTo,
  ]);
  threads.run("conv2dBackpropFilter", pieces);
  heapView(backend, out).set(threads.floats().subarray(outAt, outAt + filterSize));
  return out;
}

/**
 * Why simdMatMul does not apply to a product of these operands (after any transposition: `transposeA/B` say which
 * are transposed first), or null when it does.
 */
export function simdMatMulMismatch(a: tf.TensorInfo, b: tf.TensorInfo, bias: tf.TensorInfo | null, transposeA: boolean, transposeB: boolean): string | null {
  const rank = a.shape.length;
  if (rank < 2 || b.shape.length !== rank || a.dtype !== "float32" || b.dtype !== "float32") return "not float32 operands of equal rank";
  const leading = (info: tf.TensorInfo) => tf.util.sizeFromShape(info.shape.slice(0, -2));
  if (leading(a) !== 1 || leading(b) !== 1) return "batched";
  const [rows, depth] = transposeA ? a.shape.slice(-2).reverse() : a.shape.slice(-2);
  const [depthB, columns] = transposeB ? b.shape.slice(-2).reverse() : b.shape.slice(-2);
  if (depth !== depthB || rows === 0 || depth === 0) return "shapes do not multiply";
  if (columns % CHANNEL_BLOCK !== 0) return `columns ${columns} not a multiple of ${CHANNEL_BLOCK}`;
  if (bias !== null && (bias.dtype !== "float32" || tf.util.sizeFromShape(bias.shape) !== columns)) return "bias shape";
  return null;
}

/**
 * a·b (+ bias, then relu when asked) for a [.., M, K] and b [.., K, N] without batch (leading dimensions of 1), N a
 * multiple of 8: a 1×1 convolution of M pixels with K channels, split into one group of pixels per thread. Null
 * where it does not apply.
 */
export function simdMatMul(
  backend: WasmBackendInternals,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  bias: tf.TensorInfo | null,
  relu: boolean,
): tf.TensorInfo | null {
  if (simdMatMulMismatch(a, b, bias, false, false) !== null) return null;
  const [rows, depth] = a.shape.slice(-2);
  const columns = b.shape[b.shape.length - 1];
  // One group of rows per thread when they divide evenly (the kernel splits by groups).
  const threads = kernelThreads().threads;
  const groups = rows % threads === 0 && rows / threads >= 4 ? threads : 1;
  return runConvolution(backend, {
    inputShape: [groups, 1, rows / groups, depth],
    writeInput: (target, offset) => target.set(heapView(backend, a), offset),
    filterShape: [1, 1, depth, columns],
    writeFilter: (target, offset) => target.set(heapView(backend, b), offset),
    bias,
    relu,
    outHeight: 1,
    outWidth: rows / groups,
    strides: [1, 1],
    resultShape: [...a.shape.slice(0, -2), rows, columns],
  });
}
