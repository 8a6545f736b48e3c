/**
 * The course's own SIMD training kernels (assembly/training-kernels.ts, compiled to wasm at install) and the threads
 * that run them. The stock wasm backend is single-threaded under Node and its memory cannot be shared, so the
 * convolution kernels work in a memory of their own: a shared WebAssembly.Memory that helper threads (worker_threads)
 * instantiate the same module on. A call copies its operands in, splits its outer loop between this thread and the
 * helpers, waits for them with Atomics, and copies the result out. The copies cost O(tensor size) against the
 * kernels' O(tensor size × filter size) arithmetic.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { courseSettings, MAX_KERNEL_THREADS } from "../../env/settings";

export const KERNEL_WASM_FILE = "training-kernels.wasm";
export const SHARED_KERNEL_WASM_FILE = "training-kernels-shared.wasm";

/** The kernels' exports, byte addresses in the memory the module was instantiated with. */
export interface TrainingKernelExports {
  conv2d(...args: number[]): void;
  conv2dNarrow(...args: number[]): void;
  conv2dBackpropFilter(...args: number[]): void;
  maxPoolGradTiled(...args: number[]): void;
  sumRows(...args: number[]): void;
}
export type KernelName = keyof TrainingKernelExports;
const KERNEL_NAMES: KernelName[] = ["conv2d", "conv2dNarrow", "conv2dBackpropFilter", "maxPoolGradTiled", "sumRows"];

const PAGE_BYTES = 65536;
/** Shared memories need a maximum; 4 GiB is wasm32's whole address space (reserved, not committed). */
const MAXIMUM_PAGES = 65536;
/** Control block per helper: state, kernel index, argument count, then the arguments. */
const CONTROL_INTS = 32;
const STATE_IDLE = 0;
const STATE_RUN = 1;
const STATE_DONE = 2;
const STATE_FAILED = 3;
const STATE_STOP = 4;
/** Helpers start in ~20 ms; waiting longer means they could not start at all. */
const HELPER_START_TIMEOUT_MS = 30_000;

let root: string | null = null;

/** The folder holding lib's package.json (source or dist, whichever this file was loaded from). */
function libraryRoot(): string {
  root ??= findLibraryRoot();
  return root;
}

function findLibraryRoot(): string {
  let folder = __dirname;
  for (;;) {
    const manifest = path.join(folder, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "cnn-notebooks") return folder;
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error(`cannot find the cnn-notebooks package above ${__dirname}`);
    folder = parent;
  }
}

/** Where scripts/build-wasm-kernels.mjs writes the compiled kernels. */
export function kernelWasmPath(file: string): string {
  return path.join(libraryRoot(), "backend", "simd", "build", file);
}

export function loadKernelModule(file: string): WebAssembly.Module {
  const location = kernelWasmPath(file);
  if (!fs.existsSync(location)) throw new Error(`${location} is missing (npm install builds it; or run npm run build)`);
  return new WebAssembly.Module(fs.readFileSync(location));
}

const inMemory = new WeakMap<WebAssembly.Memory, TrainingKernelExports>();

/**
 * An instance of the kernels running directly in another module's memory (the wasm backend's heap, shared or not),
 * for the kernels that touch each element a few times only and would spend longer copying than computing. Null when
 * there is no memory to run in. (Whether the SIMD kernels are used at all is the kernel table's choice.)
 */
export function kernelsInMemory(memory: WebAssembly.Memory | null): TrainingKernelExports | null {
  if (memory === null) return null;
  let kernels = inMemory.get(memory);
  if (kernels === undefined) {
    const file = memory.buffer instanceof SharedArrayBuffer ? SHARED_KERNEL_WASM_FILE : KERNEL_WASM_FILE;
    kernels = new WebAssembly.Instance(loadKernelModule(file), { env: { memory } }).exports as unknown as TrainingKernelExports;
    inMemory.set(memory, kernels);
  }
  return kernels;
}

// The helper thread: instantiate the shared module on the shared memory, then run whatever the control block says.
const HELPER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const names = ${JSON.stringify(KERNEL_NAMES)};
const state = new Int32Array(control);
Atomics.store(state, 0, ${STATE_IDLE});
Atomics.notify(state, 0);
for (;;) {
  Atomics.wait(state, 0, ${STATE_IDLE});
  const value = Atomics.load(state, 0);
  if (value === ${STATE_STOP}) break;
  if (value !== ${STATE_RUN}) continue;
  try {
    const count = state[2];
    const args = Array.from(state.subarray(3, 3 + count), (v) => v >>> 0);
    kernels[names[state[1]]](...args);
    Atomics.store(state, 0, ${STATE_DONE});
  } catch (error) {
    Atomics.store(state, 0, ${STATE_FAILED});
  }
  Atomics.notify(state, 0);
}
`;

interface Helper {
  worker: Worker;
  state: Int32Array;
}

/** One piece of a split call: the kernel's arguments for this thread's share. */
export type KernelArguments = number[];

/**
 * The shared memory, this thread's instance on it, and the helpers. `run` takes one argument list per thread (the
 * caller splits the work) and returns when all are done.
 */
export class KernelThreads {
  readonly memory: WebAssembly.Memory;
  readonly threads: number;
  private readonly kernels: TrainingKernelExports;
  private readonly helpers: Helper[];

  constructor(threads: number) {
    const module = loadKernelModule(SHARED_KERNEL_WASM_FILE);
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: MAXIMUM_PAGES, shared: true } as WebAssembly.MemoryDescriptor);
    this.kernels = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as TrainingKernelExports;
    this.helpers = [];
    for (let index = 1; index < threads; index++) {
      const control = new SharedArrayBuffer(CONTROL_INTS * 4);
      const state = new Int32Array(control);
      state[0] = -1;
      const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory: this.memory, control } });
      // Helpers never keep a notebook or script alive.
      worker.unref();
      if (Atomics.wait(state, 0, -1, HELPER_START_TIMEOUT_MS) === "timed-out") {
        void worker.terminate();
        break;
      }
      this.helpers.push({ worker, state });
    }
    this.threads = this.helpers.length + 1;
  }

  /** Float32 view of the whole memory (take it after `reserve`: growing replaces the buffer). */
  floats(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  /** Make the memory at least `bytes` long. */
  reserve(bytes: number): void {
    const current = this.memory.buffer.byteLength;
    if (bytes > current) this.memory.grow(Math.ceil((bytes - current) / PAGE_BYTES));
  }

  /** Runs `name` once per argument list: the first on this thread, the rest on helpers, in parallel. */
  run(name: KernelName, pieces: KernelArguments[]): void {
    const started: Helper[] = [];
    for (let index = 1; index < pieces.length; index++) {
      const helper = this.helpers[index - 1];
      if (helper === undefined) throw new Error(`${pieces.length} pieces for ${this.threads} threads`);
      const args = pieces[index];
      helper.state[1] = KERNEL_NAMES.indexOf(name);
      helper.state[2] = args.length;
      for (let a = 0; a < args.length; a++) helper.state[3 + a] = args[a] | 0;
      Atomics.store(helper.state, 0, STATE_RUN);
      Atomics.notify(helper.state, 0);
      started.push(helper);
    }
    let failure: unknown = null;
    try {
      this.kernels[name](...pieces[0]);
    } catch (error) {
      failure = error;
    }
    for (const helper of started) {
      while (Atomics.load(helper.state, 0) === STATE_RUN) Atomics.wait(helper.state, 0, STATE_RUN);
      if (Atomics.load(helper.state, 0) === STATE_FAILED) failure ??= new Error(`the ${name} kernel failed on a helper thread`);
      Atomics.store(helper.state, 0, STATE_IDLE);
    }
    if (failure !== null) throw failure;
  }

  close(): void {
    for (const helper of this.helpers) {
      Atomics.store(helper.state, 0, STATE_STOP);
      Atomics.notify(helper.state, 0);
    }
    this.helpers.length = 0;
  }
}

let shared: KernelThreads | null = null;
let moduleBuilt: boolean | null = null;

/** Why the SIMD kernels are not used (CNN_WASM_SIMD_KERNELS=off, or the compiled module is missing), or null. */
export function simdKernelsUnavailableReason(): string | null {
  if (!courseSettings().simdKernels) return "SIMD kernels off (CNN_WASM_SIMD_KERNELS=off)";
  moduleBuilt ??= fs.existsSync(kernelWasmPath(SHARED_KERNEL_WASM_FILE));
  return moduleBuilt ? null : "SIMD kernels not built (npm run build)";
}

export function simdKernelsEnabled(): boolean {
  return simdKernelsUnavailableReason() === null;
}

/**
 * Threads for the convolution kernels: CNN_WASM_KERNEL_THREADS, else every core (os.availableParallelism), at most 8.
 * Unlike XNNPACK's pool, these helpers sleep in Atomics.wait between calls instead of spinning.
 */
export function requestedKernelThreads(): number {
  return courseSettings().kernelThreads ?? Math.min(MAX_KERNEL_THREADS, os.availableParallelism());
}

export function kernelThreads(): KernelThreads {
  shared ??= new KernelThreads(requestedKernelThreads());
  return shared;
}

/** Splits [0, total) into `parts` contiguous ranges, as even as whole units allow. */
export function splitRange(total: number, parts: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const count = Math.max(1, Math.min(parts, total));
  for (let index = 0; index < count; index++) {
    ranges.push([Math.floor((total * index) / count), Math.floor((total * (index + 1)) / count)]);
  }
  return ranges;
}
