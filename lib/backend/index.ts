/**
 * Choose the fastest TensorFlow.js backend that loads here — tfjs-node ("tensorflow"), then wasm, then cpu — and
 * report the choice in one line. `CNN_BACKEND=tensorflow|wasm|cpu` overrides the order.
 */
import * as tf from "@tensorflow/tfjs";
import { selectWasmTrainingPath } from "./wasm-training";
import { currentPrecision, type PrecisionPolicy } from "./precision";
import { setTrainingFusion } from "./training-fusions";
import { BACKEND_NAMES, courseSettings, type BackendName } from "../env/settings";

export type { BackendName } from "../env/settings";
export { explainKernels } from "./wasm-training";
export { formatKernelChoices, type KernelChoice, type Implementation } from "./kernel-table";
export { setPrecisionPolicy, currentPrecision, type PrecisionPolicy, type PrecisionReport } from "./precision";
/** The compute path actually used: the backend, plus the native accelerator under wasm when it is active. */
export type BackendPath = "tensorflow" | "wasm+onednn" | "wasm" | "cpu";

export interface BackendReport {
  backend: BackendName;
  path: BackendPath;
  threads: number;
  /** The precision policy in effect: "float32", or "mixed_bfloat16" where oneDNN runs bf16 (see currentPrecision()). */
  precision: PrecisionPolicy;
  versions: { tfjs: string; node: string; backend: string };
  /** One line per backend tried before the chosen one, saying why it was passed over. */
  fallbacks: string[];
  /** The full report in one line: backend, threads, versions and why faster backends were passed over. */
  line: string;
  /** The short line printed at the top of a chapter: `Backend: wasm+onednn (2 threads)`. */
  summary: string;
}

const ORDER: readonly BackendName[] = BACKEND_NAMES;
const NODE_BACKEND_PACKAGE = "@tensorflow/tfjs-node";
const WASM_BACKEND_PACKAGE = "@tensorflow/tfjs-backend-wasm";

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
      if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend did not initialise");
      // The heavy kernels run on oneDNN's threads (wasm+onednn) or the SIMD kernels' (wasm).
      const training = selectWasmTrainingPath();
      return {
        threads: training.threads,
        path: training.accelerator === "onednn" ? "wasm+onednn" : "wasm",
        version: packageVersion(WASM_BACKEND_PACKAGE),
        note: training.acceleratorNote,
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
  // Every setting is validated before any backend is tried: a bad value is an error naming the variable, never a
  // silent fall-back to a slower backend.
  const settings = courseSettings();
  const preferred = options.prefer ?? settings.backend;
  const candidates = preferred === null ? ORDER : [preferred, ...ORDER.filter((name) => name !== preferred)];
  const fallbacks: string[] = [];
  for (const name of candidates) {
    try {
      const result = await tryBackend(name);
      await tf.ready();
      // Conv + bias + relu as one kernel in training as at inference, on every backend (training-fusions.ts).
      setTrainingFusion(true);
      const threads = result.threads > 0 ? `${result.threads} thread${result.threads === 1 ? "" : "s"}` : "native threads";
      const precision = currentPrecision();
      const notes = [...fallbacks, ...(result.note ? [result.note] : []), ...(precision.note ? [precision.note] : [])];
      const line =
        `Backend: ${result.path} (${threads}; tfjs ${tf.version_core}, ${name} ${result.version}, Node ${process.versions.node}; ${precision.active})` +
        (notes.length > 0 ? ` — ${notes.join("; ")}` : "");
      chosen = {
        backend: name,
        path: result.path,
        threads: result.threads,
        precision: precision.active,
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
  // The precision follows setPrecisionPolicy calls made after the setup.
  return chosen === null ? null : { ...chosen, precision: currentPrecision().active };
}
