/**
 * Loads the optional oneDNN addon (native/, built by node-gyp at install when g++ and libdnnl-dev exist). Never
 * required: when it is missing or broken, `loadNativeAccelerator` says why in one line and the pure wasm kernels run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { courseSettings } from "../../env/settings";

/** The addon's functions. Every pointer argument is a Float32Array view of the wasm heap (no copies). */
export interface NativeAccelerator {
  /** oneDNN version string, e.g. "2.6.0". */
  version(): string;
  /** Threads oneDNN's OpenMP runtime uses. */
  threads(): number;
  /** y = act(conv(x, w) + bias); x NHWC, w HWIO, y NHWC. pads [top, bottom, left, right]; act 0 none, 1 relu. */
  convForward(
    x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
    dims: Int32Array, // [N, H, W, Ci, KH, KW, Co, OH, OW, strideH, strideW, padTop, padBottom, padLeft, padRight, act]
    scratch?: Float32Array,
  ): void;
  /** dx from dy and w (same dims layout as convForward). */
  convBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, dims: Int32Array, scratch?: Float32Array): void;
  /** dw from x and dy (same dims layout). */
  convBackwardWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, dims: Int32Array, scratch?: Float32Array): void;
  /**
   * c[i] = op(a[i])·op(b[i]) (+ bias[N]) (relu); a batch of 1 broadcasts.
   * dims [batchA, batchB, M, K, N, transposeA, transposeB, relu, hasBias].
   */
  matmul(a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array, dims: Int32Array, scratch?: Float32Array): void;
  /**
   * Bytes of scratch a call needs for its reordered or bf16 operand copies: kind "f", "d", "w" (a convolution pass,
   * convForward's dims) or "m" (a matmul). Passed as `scratch` (with 64 bytes more for alignment), the copies live
   * there — a block of the wasm heap — instead of in the addon's own arena. Absent in addons built before it.
   */
  scratchBytes?(kind: "f" | "d" | "w" | "m", dims: Int32Array, withBias: boolean): number;
  /**
   * Max pooling, padded positions never winning; dims [N, H, W, C, OH, OW, FH, FW, SH, SW, padTop, padBottom,
   * padLeft, padRight]. Absent in addons built before it.
   */
  maxPoolForward?(x: Float32Array, y: Float32Array, dims: Int32Array): void;
  /** Max-pool gradient, tf's tie rule; dims [N, H, W, C, OH, OW, FH, FW, SH, SW, padTop, padLeft]. */
  maxPoolBackward(x: Float32Array, dy: Float32Array, dx: Float32Array, dims: Int32Array): void;
  /**
   * For a 2×2, stride-2, unpadded max pool over a relu's output y: dz = maxPoolGrad(dy) · step(y) and bias[c] = Σ dz[…, c],
   * in one pass; dims [N, H, W, C, OH, OW]. Absent in addons built before it.
   */
  maxPoolReluBackward?(y: Float32Array, dy: Float32Array, dz: Float32Array, bias: Float32Array, dims: Int32Array): void;
  /** out[c] = Σ_r x[r, c]. */
  sumRows(x: Float32Array, out: Float32Array, rows: number, channels: number): void;
  /** out[r, c] = x[r, c] + bias[c]. */
  addBias(x: Float32Array, bias: Float32Array, out: Float32Array, rows: number, channels: number): void;
  /**
   * out = dy · step(y) and bias[c] = Σ_r out[r, c] in one pass: a relu layer's gradient and its bias gradient. Absent
   * in addons built before it.
   */
  reluBackwardBiasSum?(dy: Float32Array, y: Float32Array, out: Float32Array, bias: Float32Array, rows: number, channels: number): void;
  /** out = ms·rho + g²·(1 − rho) (Keras' RMSprop mean square). Absent in addons built before it. */
  rmspropMeanSquare?(ms: Float32Array, g: Float32Array, out: Float32Array, n: number, rho: number, oneMinusRho: number): void;
  /** out = w − (g·lr)/(√ms + ε) (Keras' RMSprop step). Absent in addons built before it. */
  rmspropStep?(w: Float32Array, g: Float32Array, ms: Float32Array, out: Float32Array, n: number, learningRate: number, epsilon: number): void;
  /** oneDNN's implementation name of every cached convolution primitive ("f:", "d:", "w:" + name). */
  convImplementations(): string[];
  /**
   * Null when convolutions and matmuls can compute in bfloat16 here (the CPU has AVX512-BF16 or AMX and oneDNN
   * builds bf16 primitives for the course's shapes), else why not. Absent in addons built before bf16 support.
   */
  bf16Support?(): string | null;
  /** From now on, compute convolutions and matmuls in bfloat16 (float32 in and out, float32 accumulation) or not. */
  setBf16?(on: boolean): void;
  /** Whether wide layers' backward passes may use oneDNN's blocked layouts (CNN_ONEDNN_BLOCKED_BACKWARD). */
  setBlockedBackward?(on: boolean): void;
}

export type NativeLoadResult = { accelerator: NativeAccelerator; note: null } | { accelerator: null; note: string };

const ADDON_FILE = "onednn_training.node";
/** Rounds an idle OpenMP thread spins before it sleeps (libgomp estimates ~100,000 per ms). */
const OPENMP_SPIN_COUNT = 300_000;
const ENABLE_HINT = "apt-get install g++ libdnnl-dev, then npm install";

/** native/build/Release, found from this file whether it runs from lib/ (tsx) or lib/dist/ (compiled). */
function addonCandidates(): string[] {
  const candidates: string[] = [];
  let dir = __dirname;
  for (let depth = 0; depth < 6; depth++) {
    candidates.push(path.join(dir, "native", "build", "Release", ADDON_FILE));
    dir = path.dirname(dir);
  }
  return candidates;
}

let cached: NativeLoadResult | null = null;

export function loadNativeAccelerator(): NativeLoadResult {
  if (cached !== null) return cached;
  if (!courseSettings().nativeAccelerator) {
    cached = { accelerator: null, note: "native accelerator off (CNN_WASM_ACCELERATOR=off)" };
    return cached;
  }
  const file = addonCandidates().find((candidate) => fs.existsSync(candidate));
  if (file === undefined) {
    cached = { accelerator: null, note: `native accelerator not built (${ENABLE_HINT})` };
    return cached;
  }
  // libgomp reads these when the addon loads it. Asleep at once (passive), an idle OpenMP thread makes each of a
  // step's ~100 kernels pay a wake-up; spinning a while between kernels keeps it ready, on the other core. MNIST's
  // steady step, 6 alternating runs each: passive 13.1 ms, spinning 20,000 rounds 11.5 ms, 300,000 (≈ 3 ms, libgomp's
  // default without a policy) 10.7 ms; cats/dogs unchanged within noise.
  if (process.env.OMP_WAIT_POLICY === undefined) {
    process.env.OMP_WAIT_POLICY = "passive";
    process.env.GOMP_SPINCOUNT ??= String(OPENMP_SPIN_COUNT);
  }
  try {
    const accelerator = require(file) as NativeAccelerator;
    accelerator.setBlockedBackward?.(courseSettings().onednnBlockedBackward);
    cached = { accelerator, note: null };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    cached = { accelerator: null, note: `native accelerator failed to load: ${reason}` };
  }
  return cached;
}
