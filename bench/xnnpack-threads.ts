/**
 * Multi-threaded XNNPACK for the wasm backend under Node — for the bench only (CNN_WASM_THREADS=N npm run bench):
 * measured here it did not speed training up (see `requestedWasmThreads`), so the course does not use it.
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD binary but never uses it under Node: its WASM_HAS_MULTITHREAD_SUPPORT
 * flag returns false when IS_NODE (flags_wasm.js, tfjs issue #3830), and its loader hands emscripten the pthread
 * worker as a Blob URL, which Node's worker_threads cannot start. The emscripten glue itself supports Node
 * (worker_threads), so `enableWasmThreads` replaces the "wasm" backend factory, before the backend first starts, with
 * one that loads the threaded binary directly: the worker script is written to a file, and the wasm's
 * `emscripten_num_logical_cores` import is answered so tfjs' cap (half the logical cores, backend.cc) allows the
 * requested count. Any failure falls back to the stock single-threaded factory and says why in one line.
 * Threads are opt-in (CNN_WASM_THREADS, see `requestedWasmThreads` for why).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import * as tf from "@tensorflow/tfjs";
import * as tfWasm from "@tensorflow/tfjs-backend-wasm";
import { courseSettings } from "../lib/env/settings";

const WASM = "wasm";
const PACKAGE = "@tensorflow/tfjs-backend-wasm";
/** The glue, worker and binary below are tfjs-backend-wasm 4.22.0's; other versions may name things differently. */
const PINNED_VERSION = "4.22.0";
const GLUE_FILE = "tfjs-backend-wasm-threaded-simd.js";
const WORKER_SOURCE_FILE = "tfjs-backend-wasm-threaded-simd.worker.js";
const BINARY_FILE = "tfjs-backend-wasm-threaded-simd.wasm";
/** tfjs registers its wasm backend with this priority (backend_wasm.js, WASM_PRIORITY). */
const WASM_PRIORITY = 2;
/** tfjs caps its thread pool at this (backend.cc max_num_threads; the glue pre-creates 8 workers). */
const MAX_THREADS = 8;
/** Starting the module and its pre-created workers takes ~2 s on a loaded 2-core machine; give up well after. */
const INIT_TIMEOUT_MS = 60_000;
/** A smallest wasm module using a shared memory and an atomic load: validates only where wasm threads exist. */
const THREADS_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11,
]);

export interface WasmThreadsReport {
  /** XNNPACK threads of the running wasm backend (1 = single-threaded). */
  threads: number;
  /** Why it runs on fewer threads than asked, in one line, or null. */
  note: string | null;
}

/** What the emscripten pthread glue exposes on its Module object (only the parts used here). */
interface EmscriptenWorker {
  unref(): void;
  terminate(): unknown;
}
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread: { unusedWorkers: EmscriptenWorker[]; runningWorkers: EmscriptenWorker[]; terminateAllThreads(): void };
  tfjs?: unknown;
}
interface ModuleArguments {
  locateFile(file: string, prefix: string): string;
  instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void): object;
  PThread?: ThreadedModule["PThread"];
}
type ThreadedFactory = (moduleArguments: ModuleArguments) => Promise<ThreadedModule>;
type BackendFactory = () => tf.KernelBackend | Promise<tf.KernelBackend>;

let report: WasmThreadsReport | null = null;

/**
 * Threads asked for with CNN_WASM_THREADS: a count, "auto" (every core) or "off"; unset means 1. Opt-in because on
 * the shared 2-core machine it was measured on, a second XNNPACK thread did not speed up training (MNIST 0.85×,
 * cats/dogs 1.00× of one thread; 0.69× on MNIST's wasm+onednn path): most of a training step is single-threaded
 * code (tfjs' own kernels, XNNPACK operator setup), and pthreadpool's worker spin-waits between operators.
 */
export function requestedWasmThreads(): number {
  const setting = courseSettings().xnnpackThreads;
  return Math.min(setting === "auto" ? os.availableParallelism() : setting, MAX_THREADS);
}

function packageDir(): string {
  return path.dirname(require.resolve(`${PACKAGE}/package.json`));
}

/** Why threads cannot work in this process, or null when they can be tried. */
function threadsUnsupportedReason(): string | null {
  const version = (require(`${PACKAGE}/package.json`) as { version: string }).version;
  if (version !== PINNED_VERSION) return `wasm threads need ${PACKAGE} ${PINNED_VERSION}, found ${version}`;
  if (typeof SharedArrayBuffer !== "function") return "wasm threads need SharedArrayBuffer";
  if (!WebAssembly.validate(THREADS_PROBE)) return "this Node's WebAssembly has no threads";
  for (const file of [GLUE_FILE, WORKER_SOURCE_FILE, BINARY_FILE]) {
    if (!fs.existsSync(path.join(packageDir(), "wasm-out", file))) return `wasm threads need ${PACKAGE}/wasm-out/${file}`;
  }
  return null;
}

/**
 * The pthread worker script as a file: the package ships it only as a string for Blob URLs. Newlines inside its
 * string literals are escaped exactly as tfjs does before making its Blob. Named by content, written atomically.
 */
function writeWorkerScript(): string {
  const { wasmWorkerContents } = require(path.join(packageDir(), "wasm-out", WORKER_SOURCE_FILE)) as { wasmWorkerContents: string };
  const source = wasmWorkerContents.replace(/\n/g, "\\n");
  new vm.Script(source, { filename: WORKER_SOURCE_FILE }); // throws on a syntax error here, not in a worker later
  const digest = crypto.createHash("sha256").update(source).digest("hex").slice(0, 16);
  const file = path.join(os.tmpdir(), `cnn-notebooks-wasm-pthread-${digest}.js`);
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== source) {
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, source);
    fs.renameSync(partial, file);
  }
  return file;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms / 1000} s`)), ms);
    timer.unref();
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

/** Start the threaded binary and wrap it in tfjs' own BackendWasm, with `threads` XNNPACK threads. */
async function startThreadedBackend(threads: number, workerScript: string): Promise<tf.KernelBackend> {
  const outDir = path.join(packageDir(), "wasm-out");
  const factory = require(path.join(outDir, GLUE_FILE)) as ThreadedFactory;
  // The glue's promise never settles when instantiation fails; this one does.
  let rejectStart: (error: unknown) => void = () => undefined;
  const failedInstantiation = new Promise<never>((_, reject) => (rejectStart = reject));
  const moduleArguments: ModuleArguments = {
    locateFile: (file, prefix) => (file.endsWith(".worker.js") ? workerScript : prefix + file),
    // tfjs caps the pool at emscripten_num_logical_cores() / 2 (it assumes hyper-threads); answer so the cap is ours.
    instantiateWasm: (imports, receive) => {
      (imports.env as Record<string, unknown>).emscripten_num_logical_cores = () => 2 * threads;
      WebAssembly.instantiate(fs.readFileSync(path.join(outDir, BINARY_FILE)), imports).then(
        (result) => receive(result.instance, result.module),
        (error: unknown) => rejectStart(error),
      );
      return {};
    },
  };
  let module: ThreadedModule;
  try {
    module = await withTimeout(Promise.race([factory(moduleArguments), failedInstantiation]), INIT_TIMEOUT_MS, "starting the threaded wasm module");
  } catch (error) {
    moduleArguments.PThread?.terminateAllThreads();
    throw error;
  }
  try {
    return wrapInBackend(module, threads);
  } catch (error) {
    module.PThread.terminateAllThreads(); // started workers would otherwise keep Node alive
    throw error;
  }
}

function wrapInBackend(module: ThreadedModule, threads: number): tf.KernelBackend {
  // The same bridge tfjs' init() builds (backend_wasm.js) for BackendWasm.
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
  tfWasm.setThreadsCount(threads);
  const backend = new tfWasm.BackendWasm(module as unknown as ConstructorParameters<typeof tfWasm.BackendWasm>[0]);
  // XNNPACK's pool threads are started now and never end: let them not keep Node alive (a finished script or a test
  // run must exit). The pre-created workers the pool does not use are never needed again (only init creates threads).
  for (const worker of module.PThread.runningWorkers) worker.unref();
  for (const worker of module.PThread.unusedWorkers.splice(0)) void worker.terminate();
  return backend as unknown as tf.KernelBackend;
}

/**
 * Make the next start of the wasm backend multi-threaded (call before `tf.setBackend("wasm")`; a no-op when that
 * backend already started). After the backend starts, `wasmThreadsReport()` says how many threads it got and why not
 * more. Never throws: problems become the report's note and the stock single-threaded backend.
 */
export function enableWasmThreads(asked?: number): void {
  // Not tf.findBackend: it would start the backend it looks for.
  if (tf.engine().registry[WASM] !== undefined || report !== null) return;
  const stockFactory: BackendFactory | null = tf.engine().findBackendFactory(WASM);
  if (stockFactory === null) return;
  let threads: number;
  try {
    threads = asked ?? requestedWasmThreads();
  } catch (error) {
    report = { threads: 1, note: (error as Error).message };
    return;
  }
  if (threads <= 1) {
    report = { threads: 1, note: null };
    return;
  }
  const fallBack = (reason: string): tf.KernelBackend | Promise<tf.KernelBackend> => {
    report = { threads: 1, note: `wasm threads unavailable: ${reason}` };
    return stockFactory();
  };
  const threadedFactory = async (): Promise<tf.KernelBackend> => {
    const unsupported = threadsUnsupportedReason();
    if (unsupported !== null) return fallBack(unsupported);
    try {
      const backend = await startThreadedBackend(threads, writeWorkerScript());
      const actual = tfWasm.getThreadsCount();
      report = { threads: actual, note: actual < threads ? `wasm runs ${actual} of ${threads} threads asked` : null };
      return backend;
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
      return fallBack(message);
    }
  };
  tf.removeBackend(WASM);
  tf.registerBackend(WASM, threadedFactory, WASM_PRIORITY);
}

/** Threads of the wasm backend as started (1 with a reason when threads were not enabled or failed). */
export function wasmThreadsReport(): WasmThreadsReport {
  if (report !== null) return report;
  let asked: number;
  try {
    asked = requestedWasmThreads();
  } catch (error) {
    return { threads: 1, note: (error as Error).message };
  }
  const note = asked > 1 ? "wasm threads unavailable: the wasm backend had started before enableWasmThreads" : null;
  return { threads: 1, note };
}
