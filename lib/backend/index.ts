/**
 * Choose the fastest TensorFlow.js backend that loads here — tfjs-node ("tensorflow"), then wasm, then cpu — and
 * report the choice in one line. `CNN_BACKEND=tensorflow|wasm|cpu` overrides the order.
 */
import * as tf from "@tensorflow/tfjs";
import { registerWasmTrainingKernels } from "./wasm-training";
import { enableWasmThreads, wasmThreadsReport } from "./wasm-threads";

export type BackendName = "tensorflow" | "wasm" | "cpu";
/** The compute path actually used: the backend, plus the native accelerator under wasm when it is active. */
export type BackendPath = "tensorflow" | "wasm+onednn" | "wasm" | "cpu";

export interface BackendReport {
  backend: BackendName;
  path: BackendPath;
  threads: number;
  versions: { tfjs: string; node: string; backend: string };
  /** One line per backend tried before the chosen one, saying why it was passed over. */
  fallbacks: string[];
  /** The full report in one line: backend, threads, versions and why faster backends were passed over. */
  line: string;
  /** The short line printed at the top of a chapter: `Backend: wasm+onednn (2 threads)`. */
  summary: string;
}

const ORDER: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];
const NODE_BACKEND_PACKAGE = "@tensorflow/tfjs-node";
const WASM_BACKEND_PACKAGE = "@tensorflow/tfjs-backend-wasm";

export function parseBackendName(value: string | undefined): BackendName | null {
  if (value === undefined || value.trim() === "") return null;
  const lowered = value.trim().toLowerCase();
  const alias = lowered === "node" || lowered === "tfjs-node" ? "tensorflow" : lowered;
  if ((ORDER as readonly string[]).includes(alias)) return alias as BackendName;
  throw new Error(`CNN_BACKEND must be one of ${ORDER.join(", ")}, not "${value}"`);
}

function firstLine(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === "MODULE_NOT_FOUND" && String((error as Error).message).includes(NODE_BACKEND_PACKAGE)) {
    return `${NODE_BACKEND_PACKAGE} is not installed (optional: its install downloads libtensorflow)`;
  }
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").find((line) => line.trim() !== "")?.trim() ?? "unknown error";
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return "absent";
  }
}

/** tfjs-core warns "install the node backend" on the cpu backend's first write; our report line replaces it. */
function silenceNodeBackendBanner(): void {
  const cpu = tf.findBackend("cpu") as unknown as { firstUse?: boolean } | null;
  if (cpu !== null && "firstUse" in cpu) cpu.firstUse = false;
}

async function tryBackend(name: BackendName): Promise<{ threads: number; path: BackendPath; version: string; note: string | null }> {
  switch (name) {
    case "tensorflow": {
      // The require itself fails when the package or its native library is missing.
      require(NODE_BACKEND_PACKAGE);
      if (!(await tf.setBackend("tensorflow"))) throw new Error("tfjs-node loaded but its backend did not initialise");
      return { threads: 0, path: "tensorflow", version: packageVersion(NODE_BACKEND_PACKAGE), note: null };
    }
    case "wasm": {
      require(WASM_BACKEND_PACKAGE);
      enableWasmThreads(); // must precede the backend's start
      if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend did not initialise");
      const training = registerWasmTrainingKernels();
      // On the pure wasm path the heavy kernels run on the SIMD kernels' threads (XNNPACK's, if more, for the rest);
      // on wasm+onednn on oneDNN's threads.
      const onednn = training.accelerator === "onednn";
      const wasmThreads = wasmThreadsReport();
      const notes = [training.acceleratorNote, onednn ? null : wasmThreads.note].filter((note): note is string => note !== null);
      return {
        threads: onednn ? training.threads : Math.max(training.threads, wasmThreads.threads),
        path: onednn ? "wasm+onednn" : "wasm",
        version: packageVersion(WASM_BACKEND_PACKAGE),
        note: notes.length > 0 ? notes.join("; ") : null,
      };
    }
    case "cpu": {
      if (!(await tf.setBackend("cpu"))) throw new Error("the cpu backend did not initialise");
      silenceNodeBackendBanner();
      return { threads: 1, path: "cpu", version: packageVersion("@tensorflow/tfjs-backend-cpu"), note: null };
    }
  }
}

let chosen: BackendReport | null = null;

/** The short report line: the compute path and its threads (a fallback is not a warning, so none is named here). */
export function backendSummary(path: BackendPath, threads: string): string {
  return `Backend: ${path} (${threads})`;
}

export interface SetupBackendOptions {
  /** Force a backend (otherwise CNN_BACKEND, otherwise the best that loads). */
  prefer?: BackendName;
  /** Do not print anything. */
  quiet?: boolean;
  /**
   * What to print: "short" (default: one line naming the compute path, what every chapter needs) or "full" (versions
   * and why faster backends were passed over: the setup chapter's report, where such notes belong).
   */
  report?: "short" | "full";
  /** Choose again even if a backend was already set up in this process. */
  force?: boolean;
}

/** Set up the best backend that loads and print one line saying which. Safe to call from every notebook cell. */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<BackendReport> {
  if (chosen !== null && !options.force && (options.prefer === undefined || options.prefer === chosen.backend)) {
    return chosen;
  }
  const preferred = options.prefer ?? parseBackendName(process.env.CNN_BACKEND);
  const candidates = preferred === null ? ORDER : [preferred, ...ORDER.filter((name) => name !== preferred)];
  const fallbacks: string[] = [];
  for (const name of candidates) {
    try {
      const result = await tryBackend(name);
      await tf.ready();
      const threads = result.threads > 0 ? `${result.threads} thread${result.threads === 1 ? "" : "s"}` : "native threads";
      const notes = [...fallbacks, ...(result.note ? [result.note] : [])];
      const line =
        `Backend: ${result.path} (${threads}; tfjs ${tf.version_core}, ${name} ${result.version}, Node ${process.versions.node})` +
        (notes.length > 0 ? ` — ${notes.join("; ")}` : "");
      chosen = {
        backend: name,
        path: result.path,
        threads: result.threads,
        versions: { tfjs: tf.version_core, node: process.versions.node, backend: result.version },
        fallbacks,
        line,
        summary: backendSummary(result.path, threads),
      };
      if (!options.quiet) console.log(options.report === "full" ? line : chosen.summary);
      return chosen;
    } catch (error) {
      fallbacks.push(`${name} unavailable: ${firstLine(error)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be set up:\n${fallbacks.join("\n")}`);
}

/** The report of the backend set up in this process, or null before `setupBackend`. */
export function currentBackend(): BackendReport | null {
  return chosen;
}
