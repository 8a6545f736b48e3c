/**
 * The precision policy, named as Keras names it (keras.mixed_precision.set_global_policy): "float32", or
 * "mixed_bfloat16" — variables and the optimizer stay float32, while convolutions (forward and both gradients) and
 * dense products compute in bfloat16 with float32 accumulation in oneDNN, converting from the wasm heap's float32 on
 * the fly. Where that cannot run (no wasm+onednn path, a CPU without AVX512-BF16/AMX, a oneDNN without bf16 kernels)
 * the policy falls back to float32 and one line says why.
 */
import * as tf from "@tensorflow/tfjs";
import { courseSettings, parsePrecision, type PrecisionPolicy } from "../env/settings";
import { loadNativeAccelerator } from "./onednn/addon";

export type { PrecisionPolicy } from "../env/settings";

export interface PrecisionReport {
  /** The policy asked for (setPrecisionPolicy, else CNN_PRECISION, else float32). */
  requested: PrecisionPolicy;
  /** The policy in effect: mixed_bfloat16 only where oneDNN runs bf16 here, else float32. */
  active: PrecisionPolicy;
  /** Why the active policy differs from the requested one (one line), else null. */
  note: string | null;
}

let requested: PrecisionPolicy | null = null;
/** Whether the oneDNN kernels are the ones running (set by wasm-training.ts when it selects a path). */
let onednnActive = false;
let warnedNote: string | null = null;

/** Called when a wasm path is selected: whether oneDNN runs, then applies the policy to the addon. */
export function setOnednnActive(active: boolean): void {
  onednnActive = active;
  applyPrecision();
}

function applyPrecision(): void {
  const accelerator = loadNativeAccelerator().accelerator;
  accelerator?.setBf16?.(currentPrecision().active === "mixed_bfloat16");
}

function bf16Unavailable(): string | null {
  if (!onednnActive || tf.getBackend() !== "wasm") return "mixed_bfloat16 needs the wasm+onednn path";
  const native = loadNativeAccelerator();
  if (native.accelerator === null) return `mixed_bfloat16 needs the oneDNN addon (${native.note})`;
  if (typeof native.accelerator.bf16Support !== "function") return "the oneDNN addon was built without bf16 support (npm run build)";
  return native.accelerator.bf16Support();
}

/** The precision in effect now, and why it differs from the one asked for. */
export function currentPrecision(): PrecisionReport {
  const asked = requested ?? courseSettings().precision;
  if (asked === "float32") return { requested: asked, active: "float32", note: null };
  const reason = bf16Unavailable();
  return reason === null
    ? { requested: asked, active: "mixed_bfloat16", note: null }
    : { requested: asked, active: "float32", note: `${reason}; computing in float32` };
}

/**
 * Set the precision policy for everything trained from now on ("float32" or "mixed_bfloat16"); returns what is in
 * effect and prints one line when it falls back to float32.
 */
export function setPrecisionPolicy(policy: PrecisionPolicy | string): PrecisionReport {
  requested = parsePrecision(policy, "setPrecisionPolicy's policy");
  applyPrecision();
  const report = currentPrecision();
  if (report.note !== null && report.note !== warnedNote) {
    warnedNote = report.note;
    console.log(`Precision: ${report.note}`);
  }
  return report;
}
