/**
 * THE kernel table of the wasm training paths: for each op the course's training touches, its candidates fastest
 * first — oneDNN (onednn/), the SIMD wasm kernels (simd/), kernels composed from XNNPACK's or written in TypeScript
 * (stock/), and tfjs-backend-wasm's own kernel — each saying in `applies` which operands it takes.
 * kernel-table.ts dispatches; wasm-training.ts says which implementations the active path enables.
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelCandidate, KernelTableRow } from "./kernel-table";
import type { WasmBackendInternals } from "./wasm-internals";
import { onednnCandidates } from "./onednn/onednn-kernels";
import { loadNativeAccelerator, type NativeAccelerator } from "./onednn/addon";
import {
  simdConv2D, simdConv2DBackpropFilter, simdConv2DBackpropFilterMismatch, simdConv2DBackpropInput,
  simdConv2DBackpropInputMismatch, simdConv2DMismatch, simdMatMul, simdMatMulMismatch,
} from "./simd/simd-convolutions";
import { maxPoolGradTiled, sumRowsInHeap, tiledMaxPoolGradMismatch } from "./simd/in-heap-kernels";
import {
  composedConv2DBackpropFilter, composedConv2DBackpropInput, flippedFilterPads, withChannelsLast,
} from "./stock/composed-convolutions";
import { composedMatMul, isBatched, withPlainOperands, type MatMulAttrs, type MatMulName } from "./stock/composed-mat-mul";
import { maxPoolGradLoop, reducesAllButLast, rmspropMeanSquareLoop, rmspropStepLoop, shareData, sumAllButLast } from "./stock/js-kernels";
import { release, runStock } from "./stock/stock-kernels";
import { MAX_POOL_RELU_BIAS_GRADIENT_KERNEL, RELU_BIAS_GRADIENT_KERNEL, RMSPROP_MEAN_SQUARE_KERNEL, RMSPROP_STEP_KERNEL } from "./course-kernels";

type Shape4 = [number, number, number, number];
type Named = Record<string, tf.TensorInfo | undefined>;

function stock(op: string): KernelCandidate {
  return {
    implementation: "stock",
    name: `stock ${op}`,
    applies: () => true,
    run: (backend, inputs, attributes) => runStock(op, backend, inputs, attributes),
  };
}

/** dy · step(y) by the backend's own kernels (XNNPACK): a relu's gradient from its output. */
function reluGradientComposed(backend: WasmBackendInternals, dy: tf.TensorInfo, y: tf.TensorInfo): tf.TensorInfo {
  const mask = runStock("Step", backend, { x: y }, { alpha: 0 });
  try {
    return runStock("Multiply", backend, { a: dy, b: mask }, {});
  } finally {
    release(backend, mask);
  }
}

type RowSum = (backend: WasmBackendInternals, x: tf.TensorInfo, keepDims: boolean) => tf.TensorInfo;

/** [dy · step(y), its sum over every axis but the last]: a relu layer's gradient and bias gradient, from separate kernels. */
function reluBiasComposed(backend: WasmBackendInternals, dy: tf.TensorInfo, y: tf.TensorInfo, rowSum: RowSum): tf.TensorInfo[] {
  const gradient = reluGradientComposed(backend, dy, y);
  return [gradient, rowSum(backend, gradient, false)];
}

type PoolGradient = (backend: WasmBackendInternals, dy: tf.TensorInfo, input: tf.TensorInfo, attrs: tf.MaxPoolGradAttrs) => tf.TensorInfo;
/** The max-pool, relu and bias gradient from separate kernels: the pool's gradient, the relu mask, the row sum. */
function composedPoolReluBias(
  implementation: KernelCandidate["implementation"], name: string, applies: KernelCandidate["applies"], poolGradient: PoolGradient, rowSum: RowSum,
): KernelCandidate {
  return {
    implementation,
    name,
    applies,
    run: (backend, { dy, input }, attributes) => {
      const throughPool = poolGradient(backend, dy, input, attributes as unknown as tf.MaxPoolGradAttrs);
      try {
        return reluBiasComposed(backend, throughPool, input, rowSum);
      } finally {
        release(backend, throughPool);
      }
    },
  };
}

/** A candidate's result when its own test passed but the kernel still declined: the dispatcher moves on. */
function declined<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`${what} declined these operands`);
  return value;
}

/** The stand-in accelerator a test installs, else the addon. */
let acceleratorOverride: NativeAccelerator | null = null;

export function useAcceleratorForTests(accelerator: NativeAccelerator | null): void {
  acceleratorOverride = accelerator;
}

function accelerator(): NativeAccelerator {
  if (acceleratorOverride !== null) return acceleratorOverride;
  const loaded = loadNativeAccelerator();
  if (loaded.accelerator === null) throw new Error(loaded.note);
  return loaded.accelerator;
}

/** Stride-1 padding for the flipped-filter form of the input gradient (NHWC geometry), or why not. */
function inputGradientPads(inputs: Named, attributes: tf.NamedAttrMap): [number, number, number, number] | string {
  const attrs = attributes as unknown as tf.Conv2DBackpropInputAttrs;
  const [n, a, b, c] = attrs.inputShape;
  const inputShape: Shape4 = attrs.dataFormat === "NCHW" ? [n, b, c, a] : [n, a, b, c];
  return flippedFilterPads(inputShape, inputs.filter!.shape as Shape4, attrs) ?? "stride not 1 (or padding wider than the filter)";
}

function matMulRow(op: MatMulName): KernelTableRow {
  const fused = op === "_FusedMatMul";
  return {
    op,
    candidates: [
      onednn[op],
      {
        implementation: "simd",
        name: "SIMD 1×1 convolution",
        applies: (inputs, attributes) => {
          const { a, b, bias, preluActivationWeights } = inputs as unknown as Named;
          const attrs = attributes as MatMulAttrs;
          const activation = attrs.activation ?? "linear";
          if (preluActivationWeights !== undefined || (activation !== "linear" && activation !== "relu")) return `activation ${activation}`;
          return simdMatMulMismatch(a!, b!, fused ? bias ?? null : null, attrs.transposeA === true, attrs.transposeB === true) ?? true;
        },
        run: (backend, inputs, attributes) =>
          withPlainOperands(backend, inputs, attributes as MatMulAttrs, (plain, plainAttrs) => {
            const { a, b, bias } = plain as unknown as Named;
            const relu = fused && plainAttrs.activation === "relu";
            return declined(simdMatMul(backend, a!, b!, fused ? bias ?? null : null, relu), "simdMatMul");
          }),
      },
      {
        implementation: "composed",
        name: "explicit transposes + stock product",
        applies: (inputs, attributes) => {
          const { a, b, bias } = inputs as unknown as Named;
          const attrs = attributes as MatMulAttrs;
          if (attrs.transposeA || attrs.transposeB) return true;
          return fused && bias !== undefined && (isBatched(a!) || isBatched(b!)) ? true : "nothing to compose";
        },
        run: (backend, inputs, attributes) => composedMatMul(op, backend, inputs, attributes as MatMulAttrs),
      },
      stock(op),
    ],
  };
}

const onednn = onednnCandidates(accelerator);

export const TRAINING_KERNELS: readonly KernelTableRow[] = [
  {
    op: "Conv2D",
    candidates: [
      onednn.Conv2D,
      {
        implementation: "simd",
        name: "SIMD convolution",
        applies: ({ x, filter }, attributes) => simdConv2DMismatch(x, filter, null, attributes as unknown as tf.Conv2DAttrs) ?? true,
        run: (backend, { x, filter }, attributes) =>
          declined(simdConv2D(backend, x, filter, null, attributes as unknown as tf.Conv2DAttrs), "simdConv2D"),
      },
      stock("Conv2D"),
    ],
  },
  {
    op: "FusedConv2D",
    candidates: [
      onednn.FusedConv2D,
      {
        implementation: "simd",
        name: "SIMD convolution",
        applies: (inputs, attributes) => {
          const { x, filter, bias, preluActivationWeights } = inputs as unknown as Named;
          if (preluActivationWeights !== undefined) return "prelu";
          return simdConv2DMismatch(x!, filter!, bias ?? null, attributes as unknown as tf.FusedConv2DAttrs) ?? true;
        },
        run: (backend, inputs, attributes) => {
          const { x, filter, bias } = inputs as unknown as Named;
          return declined(simdConv2D(backend, x!, filter!, bias ?? null, attributes as unknown as tf.FusedConv2DAttrs), "simdConv2D");
        },
      },
      stock("FusedConv2D"),
    ],
  },
  {
    op: "Conv2DBackpropInput",
    candidates: [
      onednn.Conv2DBackpropInput,
      {
        implementation: "simd",
        name: "SIMD flipped-filter convolution",
        applies: (inputs, attributes) => {
          const pads = inputGradientPads(inputs as unknown as Named, attributes);
          if (typeof pads === "string") return pads;
          return simdConv2DBackpropInputMismatch(inputs.dy, inputs.filter) ?? true;
        },
        run: (backend, inputs, attributes) => {
          const pads = inputGradientPads(inputs as unknown as Named, attributes) as [number, number, number, number];
          const attrs = attributes as unknown as tf.Conv2DBackpropInputAttrs;
          return withChannelsLast(backend, attrs.dataFormat, [inputs.dy], ([dy]) =>
            declined(simdConv2DBackpropInput(backend, dy, inputs.filter, pads), "simdConv2DBackpropInput"), true);
        },
      },
      {
        implementation: "composed",
        name: "XNNPACK flipped-filter convolution",
        applies: (inputs, attributes) => {
          const pads = inputGradientPads(inputs as unknown as Named, attributes);
          return typeof pads === "string" ? pads : true;
        },
        run: (backend, inputs, attributes) => {
          const pads = inputGradientPads(inputs as unknown as Named, attributes) as [number, number, number, number];
          const attrs = attributes as unknown as tf.Conv2DBackpropInputAttrs;
          return withChannelsLast(backend, attrs.dataFormat, [inputs.dy], ([dy]) => composedConv2DBackpropInput(backend, dy, inputs.filter, pads), true);
        },
      },
      stock("Conv2DBackpropInput"),
    ],
  },
  {
    // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter: the composed one is the last resort and covers every case.
    op: "Conv2DBackpropFilter",
    candidates: [
      onednn.Conv2DBackpropFilter,
      {
        implementation: "simd",
        name: "SIMD filter-gradient kernel",
        applies: ({ x, dy }, attributes) =>
          simdConv2DBackpropFilterMismatch(x, dy, (attributes as unknown as tf.Conv2DBackpropFilterAttrs).filterShape) ?? true,
        run: (backend, { x, dy }, attributes) => {
          const attrs = attributes as unknown as tf.Conv2DBackpropFilterAttrs;
          const nhwcAttrs = { ...attrs, dataFormat: "NHWC" as const };
          // The filter gradient has no batch/channel layout of its own, so only the inputs are converted.
          return withChannelsLast(backend, attrs.dataFormat, [x, dy], ([xNhwc, dyNhwc]) =>
            declined(simdConv2DBackpropFilter(backend, xNhwc, dyNhwc, nhwcAttrs), "simdConv2DBackpropFilter"), false);
        },
      },
      {
        implementation: "composed",
        name: "XNNPACK convolution over the batch",
        applies: () => true,
        run: (backend, { x, dy }, attributes) => {
          const attrs = attributes as unknown as tf.Conv2DBackpropFilterAttrs;
          const nhwcAttrs = { ...attrs, dataFormat: "NHWC" as const };
          return withChannelsLast(backend, attrs.dataFormat, [x, dy], ([xNhwc, dyNhwc]) =>
            composedConv2DBackpropFilter(backend, xNhwc, dyNhwc, nhwcAttrs), false);
        },
      },
    ],
  },
  matMulRow("BatchMatMul"),
  matMulRow("_FusedMatMul"),
  { op: "MaxPool", candidates: [onednn.MaxPool, stock("MaxPool")] },
  {
    op: "MaxPoolGrad",
    candidates: [
      onednn.MaxPoolGrad,
      {
        implementation: "simd",
        name: "SIMD tiled max-pool gradient (in the heap)",
        applies: ({ dy, input }, attributes) => tiledMaxPoolGradMismatch(input, dy, attributes as unknown as tf.MaxPoolGradAttrs) ?? true,
        run: (backend, { dy, input }, attributes) => maxPoolGradTiled(backend, dy, input, attributes as unknown as tf.MaxPoolGradAttrs),
      },
      {
        implementation: "typescript",
        name: "TypeScript max-pool gradient loop",
        applies: () => true,
        run: (backend, { dy, input }, attributes) => maxPoolGradLoop(backend, dy, input, attributes as unknown as tf.MaxPoolGradAttrs),
      },
    ],
  },
  {
    op: "Sum",
    candidates: [
      onednn.Sum,
      {
        implementation: "simd",
        name: "SIMD row sum (in the heap)",
        applies: ({ x }, attributes) => {
          if (x.dtype !== "float32" || !reducesAllButLast((attributes as unknown as tf.SumAttrs).axis, x.shape.length)) {
            return "not a float32 sum over all axes but the last";
          }
          return x.shape[x.shape.length - 1] % 4 === 0 ? true : "channels not a multiple of 4";
        },
        run: (backend, { x }, attributes) => sumRowsInHeap(backend, x, (attributes as unknown as tf.SumAttrs).keepDims),
      },
      {
        implementation: "typescript",
        name: "TypeScript row sum",
        applies: ({ x }, attributes) =>
          x.dtype === "float32" && reducesAllButLast((attributes as unknown as tf.SumAttrs).axis, x.shape.length)
            ? true
            : "not a float32 sum over all axes but the last",
        run: (backend, { x }, attributes) => sumAllButLast(backend, x, (attributes as unknown as tf.SumAttrs).keepDims),
      },
      stock("Sum"),
    ],
  },
  { op: "Add", candidates: [onednn.Add, stock("Add")] },
  {
    // The course's own op (training-fusions.ts): a fused convolution's relu gradient dy · step(y) and its bias
    // gradient, the sum of that over every axis but the last.
    op: RELU_BIAS_GRADIENT_KERNEL,
    candidates: [
      onednn.ReluBiasGradient,
      {
        implementation: "simd",
        name: "stock Step and Multiply, then SIMD row sum",
        applies: ({ dy }) => (dy.shape[dy.shape.length - 1] % 4 === 0 ? true : "channels not a multiple of 4"),
        run: (backend, { dy, y }) => reluBiasComposed(backend, dy, y, sumRowsInHeap),
      },
      {
        implementation: "composed",
        name: "stock Step and Multiply, then TypeScript row sum",
        applies: () => true,
        run: (backend, { dy, y }) => reluBiasComposed(backend, dy, y, sumAllButLast),
      },
    ],
  },
  {
    // The course's own op (training-fusions.ts): the gradient reaching a relu layer's input through the max pool
    // after it, and the layer's bias gradient. Elsewhere than the addon, the pool gradient, then the row above.
    op: MAX_POOL_RELU_BIAS_GRADIENT_KERNEL,
    candidates: [
      onednn.MaxPoolReluBiasGradient,
      composedPoolReluBias(
        "simd", "SIMD max-pool gradient, stock Step and Multiply, SIMD row sum",
        ({ dy, input }, attributes) => tiledMaxPoolGradMismatch(input, dy, attributes as unknown as tf.MaxPoolGradAttrs) ?? true,
        maxPoolGradTiled, sumRowsInHeap,
      ),
      composedPoolReluBias("typescript", "TypeScript max-pool gradient, stock Step and Multiply, TypeScript row sum", () => true, maxPoolGradLoop, sumAllButLast),
    ],
  },
  {
    // The course's own ops for Keras' RMSprop (lib/train/rmsprop.ts): two passes instead of nine kernels.
    op: RMSPROP_MEAN_SQUARE_KERNEL,
    candidates: [
      onednn.RmspropMeanSquare,
      {
        implementation: "typescript",
        name: "TypeScript RMSprop mean square",
        applies: () => true,
        run: (backend, { meanSquare, gradient }, attributes) => {
          const { rho, oneMinusRho } = attributes as unknown as { rho: number; oneMinusRho: number };
          return rmspropMeanSquareLoop(backend, meanSquare, gradient, rho, oneMinusRho);
        },
      },
    ],
  },
  {
    op: RMSPROP_STEP_KERNEL,
    candidates: [
      onednn.RmspropStep,
      {
        implementation: "typescript",
        name: "TypeScript RMSprop step",
        applies: () => true,
        run: (backend, { variable, gradient, meanSquare }, attributes) => {
          const { learningRate, epsilon } = attributes as unknown as { learningRate: number; epsilon: number };
          return rmspropStepLoop(backend, variable, gradient, meanSquare, learningRate, epsilon);
        },
      },
    ],
  },
  {
    op: "Identity",
    candidates: [{ implementation: "typescript", name: "shared data", applies: () => true, run: (backend, { x }) => shareData(backend, x) }],
  },
  {
    op: "Cast",
    candidates: [
      {
        implementation: "typescript",
        name: "shared data",
        applies: ({ x }, attributes) => ((attributes as unknown as tf.CastAttrs).dtype === x.dtype ? true : "changes the dtype"),
        run: (backend, { x }) => shareData(backend, x),
      },
      stock("Cast"),
    ],
  },
];
