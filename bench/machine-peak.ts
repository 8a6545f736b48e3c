/**
 * The machine's attainable peak, measured: the FLOP rate of a large square matrix product in oneDNN (all threads),
 * in float32 and in bfloat16 (float32 in and out, bf16 products, float32 accumulation — what mixed_bfloat16 asks of
 * it). The bench divides by these for its "share of peak" column, instead of an assumed clock and issue rate.
 */
import { loadNativeAccelerator, type NativeAccelerator } from "../lib/backend/onednn/addon";

/** A product big enough that converting the operands (n² work) is lost in the n³ products. */
const PEAK_MATRIX_SIZE = 2048;
const PEAK_REPEATS = 8;

export interface MachinePeak {
  float32Flops: number;
  /** Null when oneDNN has no optimised bf16 matmul here (the bench then has no bf16 rows). */
  bfloat16Flops: number | null;
  matrixSize: number;
}

function bestFlops(accelerator: NativeAccelerator, size: number, repeats: number): number {
  const a = new Float32Array(size * size).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = new Float32Array(size * size).map((_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(size * size);
  const dims = Int32Array.from([1, 1, size, size, size, 0, 0, 0, 0]);
  let best = Number.POSITIVE_INFINITY;
  for (let repeat = 0; repeat < repeats + 1; repeat++) {
    const start = performance.now();
    accelerator.matmul(a, b, null, c, dims);
    // The first call creates (JIT-compiles) the primitive: not timed.
    if (repeat > 0) best = Math.min(best, performance.now() - start);
  }
  return (2 * size ** 3) / (best / 1000);
}

/** Null when the oneDNN addon is not built (then no path the column describes exists either). */
export function measureMachinePeak(size = PEAK_MATRIX_SIZE, repeats = PEAK_REPEATS): MachinePeak | null {
  const { accelerator } = loadNativeAccelerator();
  if (accelerator === null) return null;
  const float32Flops = bestFlops(accelerator, size, repeats);
  let bfloat16Flops: number | null = null;
  if (accelerator.bf16Support?.() === null && accelerator.setBf16 !== undefined) {
    accelerator.setBf16(true);
    try {
      bfloat16Flops = bestFlops(accelerator, size, repeats);
    } finally {
      accelerator.setBf16(false);
    }
  }
  return { float32Flops, bfloat16Flops, matrixSize: size };
}

if (process.argv[1]?.endsWith("machine-peak.ts")) {
  const peak = measureMachinePeak();
  process.stdout.write(`${JSON.stringify(peak)}\n`);
}
