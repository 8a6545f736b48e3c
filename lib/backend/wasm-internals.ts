/**
 * The wasm backend's internals the training kernels rely on: its heap, its tensor table and its allocator.
 * tfjs does not export these as API, so they are typed here once, checked by `checkWasmInternals` (and by
 * tests/backend/wasm-internals.test.ts), and tfjs is pinned to an exact version in package.json.
 */
import * as tf from "@tensorflow/tfjs";

export const PINNED_TFJS_WASM_VERSION = "4.22.0";

/** What tfjs passes a kernel function, and the functions our wasm kernels are. */
export type WasmKernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
export type WasmKernelFunc = (args: WasmKernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** One row of the backend's tensor table (`dataIdMap`). */
export interface WasmTensorRecord {
  id: number;
  /** Byte offset of the tensor's data in the wasm heap. */
  memoryOffset: number;
  shape: number[];
  dtype: tf.DataType;
  refCount: number;
}

export interface WasmModuleInternals {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  /** The emscripten module's exports; `memory` is the heap itself. */
  asm?: { memory?: unknown };
}

export interface WasmBackendInternals {
  wasm: WasmModuleInternals;
  dataIdMap: { get(dataId: object): WasmTensorRecord | undefined; has(dataId: object): boolean };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** Reasons the running wasm backend does not look like the one these kernels were written for ([] = fine). */
export function checkWasmInternals(backend: unknown): string[] {
  const problems: string[] = [];
  const candidate = backend as Partial<Record<keyof WasmBackendInternals, unknown>> | null;
  if (candidate === null || typeof candidate !== "object") return ["backend is not an object"];
  const wasm = candidate.wasm as Partial<WasmModuleInternals> | undefined;
  if (wasm === undefined) problems.push("backend.wasm is missing");
  else {
    if (!(wasm.HEAPU8 instanceof Uint8Array)) problems.push("backend.wasm.HEAPU8 is not a Uint8Array");
    if (!(wasm.HEAPF32 instanceof Float32Array)) problems.push("backend.wasm.HEAPF32 is not a Float32Array");
  }
  const table = candidate.dataIdMap as { get?: unknown; has?: unknown } | undefined;
  if (table === undefined || typeof table.get !== "function" || typeof table.has !== "function") {
    problems.push("backend.dataIdMap has no get/has");
  }
  for (const method of ["makeOutput", "disposeData", "incRef"] as const) {
    if (typeof candidate[method] !== "function") problems.push(`backend.${method} is not a function`);
  }
  return problems;
}

export function asWasmBackend(backend: unknown): WasmBackendInternals {
  return backend as WasmBackendInternals;
}

export function tensorRecord(backend: WasmBackendInternals, info: tf.TensorInfo): WasmTensorRecord {
  const record = backend.dataIdMap.get(info.dataId);
  if (record === undefined) throw new Error("tensor is not in the wasm backend's table");
  return record;
}

/** The heap as a WebAssembly.Memory (so other wasm modules can work in it), or null if it is not reachable. */
export function heapMemory(backend: WasmBackendInternals): WebAssembly.Memory | null {
  const memory = backend.wasm.asm?.memory;
  return memory instanceof WebAssembly.Memory && memory.buffer === backend.wasm.HEAPU8.buffer ? memory : null;
}

/** Byte address of a tensor's data in the heap. */
export function heapAddress(backend: WasmBackendInternals, info: tf.TensorInfo): number {
  return tensorRecord(backend, info).memoryOffset;
}

/**
 * A Float32Array view of a tensor's data in the wasm heap. Views die when the heap grows (any allocation may grow
 * it): allocate every output first, then take views, and never keep them across allocations.
 */
export function heapView(backend: WasmBackendInternals, info: tf.TensorInfo): Float32Array {
  const { memoryOffset } = tensorRecord(backend, info);
  const size = info.shape.reduce((product, dim) => product * dim, 1);
  return new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset, size);
}
