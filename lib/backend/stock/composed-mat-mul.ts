/**
 * BatchMatMul and _FusedMatMul composed from the wasm backend's own kernels. With transposed operands the stock
 * kernels' transposeA/B path is several times slower than an explicit Transpose followed by the plain product, and
 * Dense-layer gradients use exactly that path (dW = xᵀ·dy, dx = dy·Wᵀ). A batched _FusedMatMul with a bias the stock
 * kernel gets wrong (bias misapplied past the first matrix): that one is composed as BatchMatMul, then Add, then the
 * activation.
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendInternals } from "../wasm-internals";
import { release, runStock, transposeInfo } from "./stock-kernels";

export type MatMulName = "BatchMatMul" | "_FusedMatMul";
export interface MatMulAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, axis) => axis);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** Stock kernels of the activations _FusedMatMul can fuse. */
function applyActivation(
  backend: WasmBackendInternals,
  x: tf.TensorInfo,
  attrs: { activation?: string; leakyreluAlpha?: number },
  preluActivationWeights: tf.TensorInfo | undefined,
): tf.TensorInfo {
  switch (attrs.activation ?? "linear") {
    case "linear":
      return x;
    case "relu":
      return runStock("Relu", backend, { x });
    case "relu6":
      return runStock("Relu6", backend, { x });
    case "elu":
      return runStock("Elu", backend, { x });
    case "sigmoid":
      return runStock("Sigmoid", backend, { x });
    case "leakyrelu":
      return runStock("LeakyRelu", backend, { x }, { alpha: attrs.leakyreluAlpha ?? 0.2 });
    case "prelu":
      if (preluActivationWeights === undefined) throw new Error("prelu activation without weights");
      return runStock("Prelu", backend, { x, alpha: preluActivationWeights });
    default:
      throw new Error(`unknown fused activation ${attrs.activation}`);
  }
}

export function batchedFusedMatMul(
  backend: WasmBackendInternals,
  inputs: tf.NamedTensorInfoMap,
  attrs: { activation?: string; leakyreluAlpha?: number },
): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = inputs as unknown as Record<string, tf.TensorInfo | undefined>;
  const product = runStock("BatchMatMul", backend, { a: a!, b: b! }, { transposeA: false, transposeB: false });
  const biased = runStock("Add", backend, { a: product, b: bias! });
  release(backend, product);
  const activated = applyActivation(backend, biased, attrs, preluActivationWeights);
  if (activated !== biased) release(backend, biased);
  return activated;
}

export function isBatched(info: tf.TensorInfo): boolean {
  return info.shape.slice(0, -2).reduce((product, dim) => product * dim, 1) > 1;
}

/**
 * Runs `plain` on the operands with any transposition done explicitly first (the temporaries are released after),
 * so that `plain` only ever sees untransposed products.
 */
export function withPlainOperands(
  backend: WasmBackendInternals,
  inputs: tf.NamedTensorInfoMap,
  attrs: MatMulAttrs,
  plain: (inputs: tf.NamedTensorInfoMap, attrs: MatMulAttrs) => tf.TensorInfo,
): tf.TensorInfo {
  if (!attrs.transposeA && !attrs.transposeB) return plain(inputs, attrs);
  const { a, b } = inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
  const temporaries: tf.TensorInfo[] = [];
  const untransposed = (operand: tf.TensorInfo, transposed: boolean | undefined): tf.TensorInfo => {
    if (!transposed) return operand;
    const result = transposeInfo(backend, operand, swapLastTwo(operand.shape.length));
    temporaries.push(result);
    return result;
  };
  const out = plain({ ...inputs, a: untransposed(a, attrs.transposeA), b: untransposed(b, attrs.transposeB) }, {
    ...attrs,
    transposeA: false,
    transposeB: false,
  });
  release(backend, ...temporaries);
  return out;
}

/** The composed product: explicit transposes, then the batched-bias composition or the stock kernel. */
export function composedMatMul(
  kernelName: MatMulName,
  backend: WasmBackendInternals,
  inputs: tf.NamedTensorInfoMap,
  attrs: MatMulAttrs,
): tf.TensorInfo {
  return withPlainOperands(backend, inputs, attrs, (plainInputs, plainAttrs) => {
    const { a, b, bias } = plainInputs as unknown as Record<string, tf.TensorInfo | undefined>;
    if (kernelName === "_FusedMatMul" && bias !== undefined && (isBatched(a!) || isBatched(b!))) {
      return batchedFusedMatMul(backend, plainInputs, plainAttrs);
    }
    return runStock(kernelName, backend, plainInputs, plainAttrs as unknown as tf.NamedAttrMap);
  });
}
