/**
 * Training kernels for the wasm backend (filled in by the wasm-training work: Conv2DBackpropFilter and the fast
 * replacements, plus the optional oneDNN accelerator).
 */
export interface WasmTrainingSetup {
  /** "onednn" when the native accelerator is active, otherwise null (pure wasm kernels). */
  accelerator: "onednn" | null;
  /** Threads the heavy kernels use. */
  threads: number;
  /** Why the accelerator is not active, when it is not (one line), else null. */
  acceleratorNote: string | null;
}

export function registerWasmTrainingKernels(): WasmTrainingSetup {
  return { accelerator: null, threads: 1, acceleratorNote: "native accelerator not built" };
}
