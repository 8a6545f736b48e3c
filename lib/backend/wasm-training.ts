/**
 * Training kernels for the wasm backend, registered for backendName "wasm" whenever wasm is the backend:
 * - the pure wasm path (always): Conv2DBackpropFilter (missing from tfjs-backend-wasm 4.22) and faster replacements
 *   for the kernels that dominate a training step — the convolutions, max-pool gradient and bias gradient on the
 *   course's own SIMD wasm kernels on every core (simd/), falling back to kernels composed from the backend's
 *   XNNPACK ones (kernels/*.ts) for shapes those do not take;
 * - the wasm+onednn path (when native/ is built): the heavy kernels run in oneDNN on views of the wasm heap
 *   (kernels/native-kernels.ts), falling back to the pure kernels for cases the addon does not cover.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2DKernel, fusedConv2DKernel } from "./kernels/conv2d";
import { conv2DBackpropFilterKernel } from "./kernels/conv2d-backprop-filter";
import { conv2DBackpropInputKernel } from "./kernels/conv2d-backprop-input";
import { batchMatMulKernel, fusedMatMulKernel } from "./kernels/batch-mat-mul";
import { maxPoolGradKernel } from "./kernels/max-pool-grad";
import { sumKernel } from "./kernels/sum";
import { castKernel, identityKernel } from "./kernels/identity";
import { captureStockKernel } from "./kernels/stock-kernels";
import { checkWasmInternals, type WasmKernelFunc } from "./kernels/wasm-internals";
import { kernelThreads, simdKernelsEnabled } from "./simd/kernel-threads";
import { loadNativeAccelerator } from "./native";
import { nativeKernels } from "./kernels/native-kernels";

export interface WasmTrainingSetup {
  /** "onednn" when the native accelerator is active, otherwise null (pure wasm kernels). */
  accelerator: "onednn" | null;
  /** Threads the heavy kernels use. */
  threads: number;
  /** Why the accelerator is not active, when it is not (one line), else null. */
  acceleratorNote: string | null;
}

const WASM = "wasm";

/** Our kernels, by kernel name; replaced ones keep the stock version reachable through stock-kernels.ts. */
const PURE_WASM_KERNELS: ReadonlyArray<[string, WasmKernelFunc]> = [
  ["Conv2D", conv2DKernel],
  ["FusedConv2D", fusedConv2DKernel],
  ["Conv2DBackpropFilter", conv2DBackpropFilterKernel],
  ["Conv2DBackpropInput", conv2DBackpropInputKernel],
  ["BatchMatMul", batchMatMulKernel],
  ["_FusedMatMul", fusedMatMulKernel],
  ["MaxPoolGrad", maxPoolGradKernel],
  ["Sum", sumKernel],
  ["Identity", identityKernel],
  ["Cast", castKernel],
];

/** Kernels the composed ones call: captured before anything of ours replaces them. */
const STOCK_KERNELS_USED = [
  "Conv2D", "FusedConv2D", "Transpose", "Reverse", "Slice", "Reshape", "Add", "Relu", "Relu6", "Elu", "Sigmoid", "LeakyRelu", "Prelu",
  "Conv2DBackpropInput", "BatchMatMul", "_FusedMatMul", "Sum", "MaxPoolGrad", "Cast",
];

export function installKernel(kernelName: string, kernelFunc: WasmKernelFunc): void {
  if (tf.getKernel(kernelName, WASM) !== undefined) tf.unregisterKernel(kernelName, WASM);
  tf.registerKernel({ kernelName, backendName: WASM, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** Registers the pure-wasm training kernels (idempotent); kernels only the native path replaces go back to stock. */
export function registerPureWasmKernels(): void {
  for (const name of STOCK_KERNELS_USED) captureStockKernel(name);
  for (const name of ["Add"]) {
    const stockKernel = captureStockKernel(name);
    if (stockKernel !== null) installKernel(name, stockKernel);
  }
  for (const [name, kernelFunc] of PURE_WASM_KERNELS) installKernel(name, kernelFunc);
}

/** The compute paths under the wasm backend: its own kernels only, or with the native oneDNN kernels. */
export type WasmTrainingPath = "wasm" | "wasm+onednn";

/** Paths usable in this process (pure wasm always; oneDNN when the addon loads). */
export function availableWasmTrainingPaths(): WasmTrainingPath[] {
  return loadNativeAccelerator().accelerator === null ? ["wasm"] : ["wasm", "wasm+onednn"];
}

/**
 * Register the kernels of one path (the best available by default). Switching paths re-registers every kernel, so
 * tests and the bench can compare paths in one process.
 */
export function selectWasmTrainingPath(path?: WasmTrainingPath): WasmTrainingSetup {
  const problems = checkWasmInternals(tf.findBackend(WASM));
  if (problems.length > 0) {
    throw new Error(`tfjs-backend-wasm internals changed (${problems.join("; ")}); training kernels need tfjs 4.22.0`);
  }
  registerPureWasmKernels();
  const native = loadNativeAccelerator();
  if (path === "wasm" || native.accelerator === null) {
    if (path === "wasm+onednn") throw new Error(`the wasm+onednn path is unavailable: ${native.note}`);
    const simd = simdKernelsEnabled();
    const notes = [path === "wasm" ? "native accelerator not used" : native.note, simd ? null : "SIMD training kernels off"];
    return {
      accelerator: null,
      threads: simd ? kernelThreads().threads : 1,
      acceleratorNote: notes.filter((note) => note !== null).join("; ") || null,
    };
  }
  for (const [name, kernelFunc] of nativeKernels(native.accelerator)) installKernel(name, kernelFunc);
  return { accelerator: "onednn", threads: native.accelerator.threads(), acceleratorNote: null };
}

export function registerWasmTrainingKernels(): WasmTrainingSetup {
  return selectWasmTrainingPath();
}
