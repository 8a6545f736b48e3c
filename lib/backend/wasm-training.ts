/**
 * Training under the wasm backend: registers one dispatcher per op of the kernel table (training-table.ts) and says
 * which implementations the chosen path enables.
 * - wasm+onednn (when native/ is built and loads): oneDNN first, the rest behind it;
 * - wasm: the course's SIMD kernels (unless CNN_WASM_SIMD_KERNELS=off), then composed, TypeScript and stock kernels.
 */
import * as tf from "@tensorflow/tfjs";
import { checkWasmInternals } from "./wasm-internals";
import { captureStockKernel } from "./stock/stock-kernels";
import { dispatcher, recordKernelChoices, setDisabledImplementations, type Implementation, type KernelChoice } from "./kernel-table";
import { TRAINING_KERNELS } from "./training-table";
import { kernelThreads, simdKernelsUnavailableReason } from "./simd/kernel-threads";
import { loadNativeAccelerator } from "./onednn/addon";
import { setOnednnActive } from "./precision";

export interface WasmTrainingSetup {
  /** "onednn" when the native accelerator is active, otherwise null (pure wasm kernels). */
  accelerator: "onednn" | null;
  /** Threads the heavy kernels use. */
  threads: number;
  /** Why the accelerator (or the SIMD kernels) is not active, when it is not (one line), else null. */
  acceleratorNote: string | null;
}

const WASM = "wasm";

/** Kernels the table's stock and composed candidates call: captured before any dispatcher replaces them. */
const STOCK_KERNELS_USED = [
  "Conv2D", "FusedConv2D", "Transpose", "Reverse", "Slice", "Add", "Relu", "Relu6", "Elu", "Sigmoid", "LeakyRelu", "Prelu",
  "Conv2DBackpropInput", "BatchMatMul", "_FusedMatMul", "Sum", "Cast", "Step", "Multiply", "MaxPool",
];

function registerDispatchers(): void {
  for (const name of STOCK_KERNELS_USED) captureStockKernel(name);
  for (const row of TRAINING_KERNELS) {
    if (tf.getKernel(row.op, WASM) !== undefined) tf.unregisterKernel(row.op, WASM);
    tf.registerKernel({ kernelName: row.op, backendName: WASM, kernelFunc: dispatcher(row) as unknown as tf.KernelFunc });
  }
}

/** The compute paths under the wasm backend: its own kernels only, or with the native oneDNN kernels. */
export type WasmTrainingPath = "wasm" | "wasm+onednn";

/** Paths usable in this process (pure wasm always; oneDNN when the addon loads). */
export function availableWasmTrainingPaths(): WasmTrainingPath[] {
  return loadNativeAccelerator().accelerator === null ? ["wasm"] : ["wasm", "wasm+onednn"];
}

/**
 * Enable the kernels of one path (the best available by default). Switching paths only changes which
 * implementations the dispatchers may pick, so tests and the bench can compare paths in one process.
 */
export function selectWasmTrainingPath(path?: WasmTrainingPath): WasmTrainingSetup {
  const problems = checkWasmInternals(tf.findBackend(WASM));
  if (problems.length > 0) {
    throw new Error(`tfjs-backend-wasm internals changed (${problems.join("; ")}); training kernels need tfjs 4.22.0`);
  }
  registerDispatchers();
  const native = loadNativeAccelerator();
  if (path === "wasm+onednn" && native.accelerator === null) throw new Error(`the wasm+onednn path is unavailable: ${native.note}`);
  const onednn = path !== "wasm" && native.accelerator !== null;
  const off = new Map<Implementation, string>();
  if (!onednn) off.set("onednn", path === "wasm" ? "wasm path chosen" : native.note ?? "native accelerator not loaded");
  const simdOff = simdKernelsUnavailableReason();
  if (simdOff !== null) off.set("simd", simdOff);
  setDisabledImplementations(off);
  setOnednnActive(onednn);
  if (onednn) return { accelerator: "onednn", threads: native.accelerator!.threads(), acceleratorNote: null };
  const notes = [path === "wasm" ? "native accelerator not used" : native.note, simdOff];
  return {
    accelerator: null,
    threads: simdOff === null ? kernelThreads().threads : 1,
    acceleratorNote: notes.filter((text) => text !== null).join("; ") || null,
  };
}

/**
 * Runs `step` (e.g. one `model.trainOnBatch`) on the active path and says, for each kernel it ran, which
 * implementation ran and why the faster ones were skipped.
 */
export function explainKernels(step: () => unknown | Promise<unknown>): Promise<KernelChoice[]> {
  return recordKernelChoices(step, TRAINING_KERNELS);
}
