/**
 * Every CNN_* setting that changes how the course computes, read in one place and validated here: a bad value is an
 * error naming the variable, never a silent default. (Data folders, profile and seed are in ./index.ts.)
 */

export const BACKEND_NAMES = ["tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Keras' policy names (keras.mixed_precision.set_global_policy): "float32", or bf16 compute with float32 variables. */
export const PRECISION_POLICIES = ["float32", "mixed_bfloat16"] as const;
export type PrecisionPolicy = (typeof PRECISION_POLICIES)[number];

/** The SIMD kernels' helper threads are capped here (the kernels split work into at most this many pieces). */
export const MAX_KERNEL_THREADS = 8;

export interface CourseSettings {
  /** CNN_BACKEND=tensorflow|wasm|cpu (alias node, tfjs-node): the backend tried first; null = best that loads. */
  backend: BackendName | null;
  /** CNN_WASM_ACCELERATOR=on|off: whether the oneDNN addon may be used under wasm (default on). */
  nativeAccelerator: boolean;
  /**
   * CNN_ONEDNN_BLOCKED_BACKWARD=on|off: wide layers' backward passes on oneDNN's blocked layouts (default off: with
   * the training fusion, NHWC measured as fast or faster, and the blocked copies cost ~110 MB on cats/dogs).
   */
  onednnBlockedBackward: boolean;
  /** CNN_WASM_SIMD_KERNELS=on|off: whether the course's SIMD wasm kernels may be used (default on). */
  simdKernels: boolean;
  /** CNN_WASM_KERNEL_THREADS=N (1–8): threads of the SIMD kernels; null = every core, at most 8. */
  kernelThreads: number | null;
  /** CNN_WASM_THREADS=N|auto|off: XNNPACK threads, for the bench only (bench/xnnpack-threads.ts); 1 = off. */
  xnnpackThreads: number | "auto";
  /** CNN_KERNEL_TRACE=1: print which implementation runs for each op and shape, once per distinct case. */
  kernelTrace: boolean;
  /** CNN_PRECISION=float32|mixed_bfloat16: the precision policy at start (setPrecisionPolicy changes it). */
  precision: PrecisionPolicy;
  /** CNN_PNG=on|off: whether figures also get a PNG (headless chromium). */
  png: boolean;
  /** CNN_NOTEBOOK=<name>: the ledger folder of runs started outside a notebook's own name (lib/train), or null. */
  notebook: string | null;
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function onOff(name: string, value: string | undefined, fallback: boolean): boolean {
  const text = clean(value)?.toLowerCase();
  if (text === undefined) return fallback;
  if (["on", "1", "true", "yes"].includes(text)) return true;
  if (["off", "0", "false", "no"].includes(text)) return false;
  throw new Error(`${name} must be on or off, not "${value}"`);
}

export function parseBackendSetting(value: string | undefined): BackendName | null {
  const text = clean(value)?.toLowerCase();
  if (text === undefined) return null;
  const name = text === "node" || text === "tfjs-node" ? "tensorflow" : text;
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(`CNN_BACKEND must be one of ${BACKEND_NAMES.join(", ")}, not "${value}"`);
}

export function parseKernelThreads(value: string | undefined): number | null {
  const text = clean(value);
  if (text === undefined) return null;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`CNN_WASM_KERNEL_THREADS must be a positive integer (threads of the SIMD kernels), not "${value}"`);
  }
  return Math.min(MAX_KERNEL_THREADS, count);
}

function parseXnnpackThreads(value: string | undefined): number | "auto" {
  const text = clean(value)?.toLowerCase();
  if (text === undefined || text === "off") return 1;
  if (text === "auto") return "auto";
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1) throw new Error(`CNN_WASM_THREADS must be a positive integer, "auto" or "off", not "${value}"`);
  return count;
}

export function parsePrecision(value: string | undefined, name = "CNN_PRECISION"): PrecisionPolicy {
  const text = clean(value)?.toLowerCase();
  if (text === undefined) return "float32";
  if ((PRECISION_POLICIES as readonly string[]).includes(text)) return text as PrecisionPolicy;
  throw new Error(`${name} must be one of ${PRECISION_POLICIES.join(", ")}, not "${value}"`);
}

function parseNotebook(value: string | undefined): string | null {
  const text = clean(value);
  if (text === undefined) return null;
  if (/[\\/]/.test(text) || text === "." || text === "..") throw new Error(`CNN_NOTEBOOK must be a folder name (no path), not "${value}"`);
  return text;
}

/** Parse the settings from a set of variables (pure; tests pass their own). */
export function readSettings(variables: NodeJS.ProcessEnv = process.env): CourseSettings {
  return {
    backend: parseBackendSetting(variables.CNN_BACKEND),
    nativeAccelerator: onOff("CNN_WASM_ACCELERATOR", variables.CNN_WASM_ACCELERATOR, true),
    onednnBlockedBackward: onOff("CNN_ONEDNN_BLOCKED_BACKWARD", variables.CNN_ONEDNN_BLOCKED_BACKWARD, false),
    simdKernels: onOff("CNN_WASM_SIMD_KERNELS", variables.CNN_WASM_SIMD_KERNELS, true),
    kernelThreads: parseKernelThreads(variables.CNN_WASM_KERNEL_THREADS),
    xnnpackThreads: parseXnnpackThreads(variables.CNN_WASM_THREADS),
    kernelTrace: onOff("CNN_KERNEL_TRACE", variables.CNN_KERNEL_TRACE, false),
    precision: parsePrecision(variables.CNN_PRECISION),
    png: onOff("CNN_PNG", variables.CNN_PNG, true),
    notebook: parseNotebook(variables.CNN_NOTEBOOK),
  };
}

const SETTING_NAMES = [
  "CNN_BACKEND", "CNN_WASM_ACCELERATOR", "CNN_ONEDNN_BLOCKED_BACKWARD", "CNN_WASM_SIMD_KERNELS", "CNN_WASM_KERNEL_THREADS", "CNN_WASM_THREADS",
  "CNN_KERNEL_TRACE", "CNN_PRECISION", "CNN_PNG", "CNN_NOTEBOOK",
] as const;

let cached: { key: string; settings: CourseSettings } | null = null;

/**
 * The settings of this process. Parsed once; parsed again only if one of the variables changed since (a notebook
 * cell or a test may set process.env between calls), so a value is always the one validated.
 */
export function courseSettings(): CourseSettings {
  const key = SETTING_NAMES.map((name) => process.env[name] ?? "\u0000").join("\u0001");
  if (cached === null || cached.key !== key) cached = { key, settings: readSettings(process.env) };
  return cached.settings;
}
