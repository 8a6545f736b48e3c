/**
 * BatchMatMul and _FusedMatMul for the wasm backend with transposed operands: the stock kernels' transposeA/B path
 * is several times slower than an explicit Transpose followed by the plain product, and Dense-layer gradients use
 * exactly that path (dW = xᵀ·dy, dx = dy·Wᵀ). Untransposed calls go straight to the stock kernels — except a
 * batched _FusedMatMul with a bias, which the stock kernel gets wrong (bias misapplied past the first matrix): that
 * one is composed as BatchMatMul, then Add, then the activation.
 */
import * as tf from "@tensorflow/tfjs";
import { asWasmBackend, type WasmBackendInternals, type WasmKernelArgs } from "./wasm-internals";
import { release, runStock, transposeInfo } from "./stock-kernels";
import { simdMatMul } from "./simd-convolutions";
import { whenSimdKernels } from "../simd/kernel-threads";

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

function batchedFusedMatMul(
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

function isBatched(info: tf.TensorInfo): boolean {
  return info.shape.slice(0, -2).reduce((product, dim) => product * dim, 1) > 1;
}

function matMulWithExplicitTransposes(kernelName: "BatchMatMul" | "_FusedMatMul") {
  return (args: WasmKernelArgs): tf.TensorInfo => {
    const backend = asWasmBackend(args.backend);
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const runPlain = (wasmBackend: WasmBackendInternals, inputs: tf.NamedTensorInfoMap, plainAttrs: tf.NamedAttrMap): tf.TensorInfo => {
      const { a, b, bias, preluActivationWeights } = inputs as unknown as Record<string, tf.TensorInfo | undefined>;
      const activation = (plainAttrs as { activation?: string }).activation ?? "linear";
      const fused = kernelName === "_FusedMatMul";
      const simd = whenSimdKernels(() =>
        preluActivationWeights === undefined && (activation === "linear" || activation === "relu")
          ? simdMatMul(wasmBackend, a!, b!, fused ? bias ?? null : null, fused && activation === "relu")
          : null,
      );
      if (simd !== null) return simd;
      if (kernelName === "_FusedMatMul" && bias !== undefined && (isBatched(a!) || isBatched(b!))) {
        return batchedFusedMatMul(wasmBackend, inputs, plainAttrs as { activation?: string; leakyreluAlpha?: number });
      }
      return runStock(kernelName, wasmBackend, inputs, plainAttrs);
    };
    if (!attrs.transposeA && !attrs.transposeB) return runPlain(backend, args.inputs, args.attrs ?? {});
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const temporaries: tf.TensorInfo[] = [];
    const plain = (operand: tf.TensorInfo, transposed: boolean | undefined): tf.TensorInfo => {
      if (!transposed) return operand;
      const result = transposeInfo(backend, operand, swapLastTwo(operand.shape.length));
      temporaries.push(result);
      return result;
    };
    const inputs = { ...args.inputs, a: plain(a, attrs.transposeA), b: plain(b, attrs.transposeB) };
    const out = runPlain(backend, inputs, { ...args.attrs, transposeA: false, transposeB: false });
    release(backend, ...temporaries);
    return out;
  };
}

export const batchMatMulKernel = matMulWithExplicitTransposes("BatchMatMul");
export const fusedMatMulKernel = matMulWithExplicitTransposes("_FusedMatMul");
