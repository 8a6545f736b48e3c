/**
 * The kernel table's oneDNN candidates (the native addon, see ./addon.ts). Tensors stay in the wasm backend's heap:
 * each kernel allocates its output first, then hands the addon Float32Array views of the heap (no copies). Each
 * `applies` names what the addon does not cover (NCHW, dilations, other activations, odd broadcasts); the table's
 * next candidate takes those.
 */
import * as tf from "@tensorflow/tfjs";
import type { NativeAccelerator } from "./addon";
import { heapView, type WasmBackendInternals } from "../wasm-internals";
import type { KernelCandidate } from "../kernel-table";
import { channelSumShape, poolInfo, reducesAllButLast, windowsTile } from "../stock/js-kernels";

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

/** Convolution geometry when the addon can run it (NHWC, no dilation, non-negative padding), else why not. */
function nativeConvInfo(
  xShape: Shape4,
  filterShape: Shape4,
  attrs: { strides: [number, number] | number; pad: tf.Conv2DAttrs["pad"]; dataFormat: string; dimRoundingMode?: "floor" | "round" | "ceil"; dilations?: [number, number] | number },
): tf.backend_util.Conv2DInfo | string {
  if (attrs.dataFormat === "NCHW") return "NCHW";
  const dilations = attrs.dilations ?? 1;
  if (!(dilations === 1 || (Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1))) return "dilated";
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, "channelsLast");
  const { top, bottom, left, right } = info.padInfo;
  if (Math.min(top, bottom, left, right) < 0) return "negative padding";
  // Windows must end exactly at the padded edge: where a stride leaves trailing rows or columns no window reads,
  // oneDNN 2.6's backward kernels corrupted memory (seen with stride 3 over 5 and 9 columns); the wasm kernels
  // handle those shapes.
  const spanHeight = (info.outHeight - 1) * info.strideHeight + info.filterHeight;
  const spanWidth = (info.outWidth - 1) * info.strideWidth + info.filterWidth;
  if (spanHeight !== info.inHeight + top + bottom || spanWidth !== info.inWidth + left + right) return "trailing rows or columns no window reads";
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


type Named = Record<string, tf.TensorInfo | undefined>;

function convCandidate(
  name: string,
  check: (inputs: Named, attributes: tf.NamedAttrMap) => tf.backend_util.Conv2DInfo | string,
  run: (backend: WasmBackendInternals, inputs: Named, attributes: tf.NamedAttrMap, info: tf.backend_util.Conv2DInfo) => tf.TensorInfo,
): KernelCandidate {
  return {
    implementation: "onednn",
    name,
    applies: (inputs, attributes) => {
      const info = check(inputs as unknown as Named, attributes);
      return typeof info === "string" ? info : true;
    },
    run: (backend, inputs, attributes) => {
      const info = check(inputs as unknown as Named, attributes);
      if (typeof info === "string") throw new Error(`does not apply: ${info}`);
      return run(backend, inputs as unknown as Named, attributes, info);
    },
  };
}

/** The (tensor, bias) pair when an Add is a bias broadcast over rows, else null. */
export function biasAddOperands(a: tf.TensorInfo, b: tf.TensorInfo): { x: tf.TensorInfo; bias: tf.TensorInfo } | null {
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  for (const [x, bias] of [[a, b], [b, a]]) {
    const channels = x.shape[x.shape.length - 1];
    if (x.shape.length >= 2 && bias.shape.length === 1 && bias.shape[0] === channels) return { x, bias };
  }
  return null;
}

interface MatMulGeometry {
  rank: number;
  dims: Int32Array;
  outShape: number[];
}

function matMulGeometry(inputs: Named, attributes: tf.NamedAttrMap, fused: boolean): MatMulGeometry | string {
  const { a, b, bias, preluActivationWeights } = inputs;
  const attrs = attributes as { transposeA?: boolean; transposeB?: boolean; activation?: string };
  const activation = fused ? activationCode(attrs.activation) : ACTIVATION_NONE;
  if (activation === null) return `activation ${attrs.activation}`;
  if (preluActivationWeights !== undefined) return "prelu";
  if (!isFloat(a, b, bias)) return "not float32";
  const rank = a!.shape.length;
  if (rank < 2 || rank > 3 || b!.shape.length !== rank) return `rank ${rank}`;
  const batchA = rank === 3 ? a!.shape[0] : 1;
  const batchB = rank === 3 ? b!.shape[0] : 1;
  const [m, k] = attrs.transposeA ? [a!.shape[rank - 1], a!.shape[rank - 2]] : [a!.shape[rank - 2], a!.shape[rank - 1]];
  const [kB, n] = attrs.transposeB ? [b!.shape[rank - 1], b!.shape[rank - 2]] : [b!.shape[rank - 2], b!.shape[rank - 1]];
  const batch = Math.max(batchA, batchB);
  const biasFits = bias === undefined || (bias.shape.reduce((p, d) => p * d, 1) === n && bias.shape[bias.shape.length - 1] === n);
  if (k !== kB) return "shapes do not multiply";
  if (!biasFits) return "bias shape";
  if (batchA !== batchB && Math.min(batchA, batchB) !== 1) return "batches do not broadcast";
  const dims = Int32Array.from([batchA, batchB, m, k, n, attrs.transposeA ? 1 : 0, attrs.transposeB ? 1 : 0, activation, bias === undefined ? 0 : 1]);
  return { rank, dims, outShape: rank === 3 ? [batch, m, n] : [m, n] };
}

/** Alignment slack the addon needs on top of a call's scratch bytes. */
const SCRATCH_ALIGNMENT_BYTES = 64;

/**
 * Runs `call` with a block of the wasm heap as its scratch (the operand copies the addon reports it needs), freed
 * after. The copies then take room the heap has between its peaks, instead of adding ~20 MB of the addon's own to
 * the process in bf16 (cats/dogs). `call` takes its heap views itself: allocating may grow (and detach) the heap.
 */
function withScratch(backend: WasmBackendInternals, bytes: number, call: (scratch: Float32Array | undefined) => void): void {
  if (bytes === 0) {
    call(undefined);
    return;
  }
  const scratch = backend.makeOutput([Math.ceil((bytes + SCRATCH_ALIGNMENT_BYTES) / 4)], "float32");
  try {
    call(heapView(backend, scratch));
  } finally {
    backend.disposeData(scratch.dataId);
  }
}

/** The oneDNN candidate of each op it covers; `accelerator` is asked at run time (tests hand in a stand-in). */
export function onednnCandidates(accelerator: () => NativeAccelerator): Record<string, KernelCandidate> {
  const scratchBytes = (kind: "f" | "d" | "w" | "m", dims: Int32Array, withBias = false) => accelerator().scratchBytes?.(kind, dims, withBias) ?? 0;
  const convForward = (backend: WasmBackendInternals, x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | undefined, info: tf.backend_util.Conv2DInfo, activation: number) => {
    const out = backend.makeOutput(info.outShape, "float32");
    const dims = convDims(info, activation);
    withScratch(backend, scratchBytes("f", dims, bias !== undefined), (scratch) =>
      accelerator().convForward(
        heapView(backend, x), heapView(backend, filter), bias === undefined ? null : heapView(backend, bias), heapView(backend, out), dims, scratch,
      ),
    );
    return out;
  };

  const matMul = (fused: boolean): KernelCandidate => ({
    implementation: "onednn",
    name: "oneDNN matmul",
    applies: (inputs, attributes) => {
      const geometry = matMulGeometry(inputs as unknown as Named, attributes, fused);
      return typeof geometry === "string" ? geometry : true;
    },
    run: (backend, inputs, attributes) => {
      const geometry = matMulGeometry(inputs as unknown as Named, attributes, fused);
      if (typeof geometry === "string") throw new Error(`does not apply: ${geometry}`);
      const { a, b, bias } = inputs as unknown as Named;
      const out = backend.makeOutput(geometry.outShape, "float32");
      withScratch(backend, scratchBytes("m", geometry.dims), (scratch) =>
        accelerator().matmul(heapView(backend, a!), heapView(backend, b!), bias === undefined ? null : heapView(backend, bias), heapView(backend, out), geometry.dims, scratch),
      );
      return out;
    },
  });

  return {
    Conv2D: convCandidate(
      "oneDNN convolution",
      ({ x, filter }, attributes) => (isFloat(x, filter) ? nativeConvInfo(x!.shape as Shape4, filter!.shape as Shape4, attributes as unknown as tf.Conv2DAttrs) : "not float32"),
      (backend, { x, filter }, _attributes, info) => convForward(backend, x!, filter!, undefined, info, ACTIVATION_NONE),
    ),
    FusedConv2D: convCandidate(
      "oneDNN convolution",
      ({ x, filter, bias, preluActivationWeights }, attributes) => {
        const attrs = attributes as unknown as tf.FusedConv2DAttrs;
        if (activationCode(attrs.activation) === null) return `activation ${attrs.activation}`;
        if (preluActivationWeights !== undefined) return "prelu";
        if (!isFloat(x, filter, bias)) return "not float32";
        if (bias !== undefined && bias.shape.reduce((p, d) => p * d, 1) !== filter!.shape[3]) return "bias shape";
        return nativeConvInfo(x!.shape as Shape4, filter!.shape as Shape4, attrs);
      },
      (backend, { x, filter, bias }, attributes, info) =>
        convForward(backend, x!, filter!, bias, info, activationCode((attributes as unknown as tf.FusedConv2DAttrs).activation)!),
    ),
    Conv2DBackpropInput: convCandidate(
      "oneDNN convolution backward-data",
      ({ dy, filter }, attributes) => {
        const attrs = attributes as unknown as tf.Conv2DBackpropInputAttrs;
        return isFloat(dy, filter) ? nativeConvInfo(attrs.inputShape as Shape4, filter!.shape as Shape4, attrs) : "not float32";
      },
      (backend, { dy, filter }, _attributes, info) => {
        const dx = backend.makeOutput(info.inShape, "float32");
        const dims = convDims(info, ACTIVATION_NONE);
        withScratch(backend, scratchBytes("d", dims), (scratch) =>
          accelerator().convBackwardData(heapView(backend, dy!), heapView(backend, filter!), heapView(backend, dx), dims, scratch),
        );
        return dx;
      },
    ),
    Conv2DBackpropFilter: convCandidate(
      "oneDNN convolution backward-weights",
      ({ x, dy }, attributes) => {
        const attrs = attributes as unknown as tf.Conv2DBackpropFilterAttrs;
        return isFloat(x, dy) ? nativeConvInfo(x!.shape as Shape4, attrs.filterShape, attrs) : "not float32";
      },
      (backend, { x, dy }, attributes, info) => {
        const filterShape = (attributes as unknown as tf.Conv2DBackpropFilterAttrs).filterShape;
        const dw = backend.makeOutput(filterShape, "float32");
        const dims = convDims(info, ACTIVATION_NONE);
        withScratch(backend, scratchBytes("w", dims), (scratch) =>
          accelerator().convBackwardWeights(heapView(backend, x!), heapView(backend, dy!), heapView(backend, dw), dims, scratch),
        );
        return dw;
      },
    ),
    BatchMatMul: matMul(false),
    _FusedMatMul: matMul(true),
    MaxPool: {
      implementation: "onednn",
      name: "oneDNN max pooling",
      applies: ({ x }) => {
        if (!isFloat(x)) return "not float32";
        if (x.shape.length !== 4) return `rank ${x.shape.length}`;
        return accelerator().maxPoolForward === undefined ? "addon built before maxPoolForward (npm install rebuilds it)" : true;
      },
      run: (backend, inputs, attributes) => {
        const { x } = inputs as unknown as { x: tf.TensorInfo };
        const attrs = attributes as unknown as tf.MaxPoolAttrs;
        const info = tf.backend_util.computePool2DInfo(x.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
        const y = backend.makeOutput(info.outShape, "float32");
        const { top, bottom, left, right } = info.padInfo;
        const dims = Int32Array.from([
          info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
          info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, top, bottom, left, right,
        ]);
        accelerator().maxPoolForward!(heapView(backend, x), heapView(backend, y), dims);
        return y;
      },
    },
    MaxPoolGrad: {
      implementation: "onednn",
      name: "oneDNN max-pool backward loop",
      applies: ({ dy, input }) => (isFloat(dy, input) ? true : "not float32"),
      run: (backend, inputs, attributes) => {
        const { dy, input } = inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
        const attrs = attributes as unknown as tf.MaxPoolGradAttrs;
        const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
        const dx = backend.makeOutput(input.shape, "float32");
        const dims = Int32Array.from([
          info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
          info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
        ]);
        accelerator().maxPoolBackward(heapView(backend, input), heapView(backend, dy), heapView(backend, dx), dims);
        return dx;
      },
    },
    MaxPoolReluBiasGradient: {
      implementation: "onednn",
      name: "oneDNN addon max-pool, relu and bias gradient",
      applies: ({ dy, input }, attributes) => {
        if (!isFloat(dy, input)) return "not float32";
        const info = poolInfo(input, attributes as unknown as tf.MaxPoolGradAttrs);
        if (info.filterHeight !== 2 || info.filterWidth !== 2 || !windowsTile(info)) return "not a 2×2, stride-2 pool without padding";
        return accelerator().maxPoolReluBackward === undefined ? "addon built before maxPoolReluBackward (npm install rebuilds it)" : true;
      },
      run: (backend, inputs, attributes) => {
        const { dy, input } = inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
        const info = poolInfo(input, attributes as unknown as tf.MaxPoolGradAttrs);
        const dz = backend.makeOutput(input.shape, "float32");
        const bias = backend.makeOutput([info.inChannels], "float32");
        const dims = Int32Array.from([info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth]);
        accelerator().maxPoolReluBackward!(heapView(backend, input), heapView(backend, dy), heapView(backend, dz), heapView(backend, bias), dims);
        return [dz, bias];
      },
    },
    Sum: {
      implementation: "onednn",
      name: "oneDNN addon row sum",
      applies: ({ x }, attributes) => {
        if (x.dtype !== "float32") return "not float32";
        return reducesAllButLast((attributes as unknown as tf.SumAttrs).axis, x.shape.length) ? true : "not a sum over all axes but the last";
      },
      run: (backend, inputs, attributes) => {
        const { x } = inputs as unknown as { x: tf.TensorInfo };
        const channels = x.shape[x.shape.length - 1];
        const out = backend.makeOutput(channelSumShape(x, (attributes as unknown as tf.SumAttrs).keepDims), "float32");
        const values = heapView(backend, x);
        accelerator().sumRows(values, heapView(backend, out), values.length / channels, channels);
        return out;
      },
    },
    RmspropMeanSquare: {
      implementation: "onednn",
      name: "oneDNN addon RMSprop mean square",
      applies: ({ meanSquare, gradient }) => {
        if (!isFloat(meanSquare, gradient)) return "not float32";
        return accelerator().rmspropMeanSquare === undefined ? "addon built before rmspropMeanSquare (npm install rebuilds it)" : true;
      },
      run: (backend, inputs, attributes) => {
        const { meanSquare, gradient } = inputs as unknown as { meanSquare: tf.TensorInfo; gradient: tf.TensorInfo };
        const { rho, oneMinusRho } = attributes as unknown as { rho: number; oneMinusRho: number };
        const out = backend.makeOutput(meanSquare.shape, "float32");
        const result = heapView(backend, out);
        accelerator().rmspropMeanSquare!(heapView(backend, meanSquare), heapView(backend, gradient), result, result.length, rho, oneMinusRho);
        return out;
      },
    },
    RmspropStep: {
      implementation: "onednn",
      name: "oneDNN addon RMSprop step",
      applies: ({ variable, gradient, meanSquare }) => {
        if (!isFloat(variable, gradient, meanSquare)) return "not float32";
        return accelerator().rmspropStep === undefined ? "addon built before rmspropStep (npm install rebuilds it)" : true;
      },
      run: (backend, inputs, attributes) => {
        const { variable, gradient, meanSquare } = inputs as unknown as { variable: tf.TensorInfo; gradient: tf.TensorInfo; meanSquare: tf.TensorInfo };
        const { learningRate, epsilon } = attributes as unknown as { learningRate: number; epsilon: number };
        const out = backend.makeOutput(variable.shape, "float32");
        const result = heapView(backend, out);
        accelerator().rmspropStep!(heapView(backend, variable), heapView(backend, gradient), heapView(backend, meanSquare), result, result.length, learningRate, epsilon);
        return out;
      },
    },
    ReluBiasGradient: {
      implementation: "onednn",
      name: "oneDNN addon relu and bias gradient",
      applies: ({ dy, y }) => {
        if (!isFloat(dy, y)) return "not float32";
        if (!tf.util.arraysEqual(dy.shape, y.shape)) return "shapes differ";
        return accelerator().reluBackwardBiasSum === undefined ? "addon built before reluBackwardBiasSum (npm install rebuilds it)" : true;
      },
      run: (backend, inputs) => {
        const { dy, y } = inputs as unknown as { dy: tf.TensorInfo; y: tf.TensorInfo };
        const channels = dy.shape[dy.shape.length - 1];
        const out = backend.makeOutput(dy.shape, "float32");
        const bias = backend.makeOutput([channels], "float32");
        const gradient = heapView(backend, dy);
        accelerator().reluBackwardBiasSum!(gradient, heapView(backend, y), heapView(backend, out), heapView(backend, bias), gradient.length / channels, channels);
        return [out, bias];
      },
    },
    // A layer's bias broadcast over every row (x[..., C] + b[C]), which layers do after each convolution while
    // gradients are recorded (tfjs un-fuses conv+bias+relu then): about twice as fast as the stock kernel in the
    // addon's threaded loop. (A JS loop was slower than the stock kernel, so the pure wasm path keeps the stock Add.)
    Add: {
      implementation: "onednn",
      name: "oneDNN addon bias add",
      applies: ({ a, b }) => (biasAddOperands(a, b) === null ? "not a bias broadcast over rows" : true),
      run: (backend, inputs) => {
        const { a, b } = inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
        const operands = biasAddOperands(a, b)!;
        const channels = operands.bias.shape[0];
        const out = backend.makeOutput(operands.x.shape, "float32");
        const values = heapView(backend, operands.x);
        accelerator().addBias(values, heapView(backend, operands.bias), heapView(backend, out), values.length / channels, channels);
        return out;
      },
    },
  };
}
