/**
 * mixed_bfloat16: convolutions (forward and both gradients) and matrix products computed in bfloat16 by oneDNN,
 * compared with the float32 result of the cpu backend, and the fall-back to float32 where bf16 cannot run.
 *
 * Tolerance: bfloat16 keeps 8 significant bits, so each operand is rounded by up to 2⁻⁹ relative; over sums of a
 * few hundred products of random signs the error relative to the result's largest magnitude stays below 1e-2
 * (measured ≈ 2–4e-3 here). The test also checks the result is NOT float32's to 1e-6, so a silent float32 path fails.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { currentPrecision, setPrecisionPolicy } from "../../lib/backend/precision";
import { loadNativeAccelerator } from "../../lib/backend/onednn/addon";
import { selectWasmTrainingPath } from "../../lib/backend/wasm-training";
import { useAcceleratorForTests } from "../../lib/backend/training-table";
import { resultOn, restoreBackendAfter, runKernel, scaledMaxDifference, seeded, wasmPaths } from "./compare";

const BF16_TOLERANCE = 1e-2;
const NOT_FLOAT32 = 1e-6;

/** A 3×3 valid, stride-1 convolution's filter gradient, from seeded x (seed) and dy (seed + 1). */
function validFilterGradient(x: number[], dy: number[], seed: number): tf.Tensor {
  return runKernel("Conv2DBackpropFilter", { x: seeded(x, seed), dy: seeded(dy, seed + 1) }, {
    filterShape: [3, 3, x[3], dy[3]], strides: [1, 1], pad: "valid", dataFormat: "NHWC", dimRoundingMode: undefined,
  });
}

const CASES: Array<{ label: string; compute: () => tf.Tensor; precision?: "float32" }> = [
  {
    label: "Conv2D 2×12×12×16 ⊛ 3×3×16→32, same",
    compute: () => tf.conv2d(seeded([2, 12, 12, 16], 1) as tf.Tensor4D, seeded([3, 3, 16, 32], 2) as tf.Tensor4D, 1, "same"),
  },
  // Where bf16 does not pay (conv.cc's bf16Pays: under 16 input channels or 64 output positions), float32.
  {
    label: "FusedConv2D with bias and relu, first layer (3 channels in)",
    compute: () =>
      tf.fused.conv2d({ x: seeded([2, 15, 15, 3], 3) as tf.Tensor4D, filter: seeded([3, 3, 3, 32], 4) as tf.Tensor4D, strides: 1, pad: "valid", bias: seeded([32], 5), activation: "relu" }),
    precision: "float32",
  },
  {
    label: "Conv2DBackpropFilter of a 3×3 output map (MNIST's last convolution)",
    compute: () =>
      validFilterGradient([2, 5, 5, 64], [2, 3, 3, 64], 17),
    precision: "float32",
  },
  {
    label: "Conv2DBackpropFilter of a first layer (3 channels in)",
    compute: () =>
      validFilterGradient([2, 15, 15, 3], [2, 13, 13, 32], 19),
    precision: "float32",
  },
  {
    label: "Conv2DBackpropInput (32→64 channels)",
    compute: () =>
      runKernel("Conv2DBackpropInput", { dy: seeded([2, 10, 10, 64], 6), filter: seeded([3, 3, 32, 64], 7) }, {
        inputShape: [2, 12, 12, 32], strides: [1, 1], pad: "valid", dataFormat: "NHWC", dimRoundingMode: undefined,
      }),
  },
  {
    label: "Conv2DBackpropFilter (32→64 channels)",
    compute: () =>
      validFilterGradient([2, 12, 12, 32], [2, 10, 10, 64], 8),
  },
  {
    label: "FusedConv2D with bias and relu (a layer's forward under the training fusion)",
    compute: () => tf.fused.conv2d({ x: seeded([2, 12, 12, 32], 14) as tf.Tensor4D, filter: seeded([3, 3, 32, 64], 15) as tf.Tensor4D, bias: seeded([64], 16), strides: 1, pad: "valid", activation: "relu" }),
  },
  { label: "MatMul 20×576 · 576×64", compute: () => tf.matMul(seeded([20, 576], 10), seeded([576, 64], 11)) },
  { label: "MatMul with both transposed (a Dense layer's gradients)", compute: () => tf.matMul(seeded([64, 20], 12), seeded([48, 64], 13), true, true) },
];

function bf16Available(): string | null {
  const native = loadNativeAccelerator().accelerator;
  if (native === null) return "no oneDNN addon";
  return native.bf16Support?.() ?? null;
}

describe("mixed_bfloat16 on oneDNN", function () {
  this.timeout(120_000);
  restoreBackendAfter();
  afterEach(() => {
    setPrecisionPolicy("float32");
  });

  for (const { label, compute, precision } of CASES) {
    const expected = precision === "float32" ? "float32 under the policy (bf16 would be slower)" : `within ${BF16_TOLERANCE} of float32, and not float32`;
    it(`${label}: ${expected}`, async function () {
      if (!wasmPaths().includes("wasm+onednn") || bf16Available() !== null) this.skip();
      const reference = await resultOn("cpu", compute);
      await tf.setBackend("wasm");
      selectWasmTrainingPath("wasm+onednn");
      expect(setPrecisionPolicy("mixed_bfloat16").active).to.equal("mixed_bfloat16");
      const bf16 = await resultOn("wasm+onednn", compute);
      setPrecisionPolicy("float32");
      const float32 = await resultOn("wasm+onednn", compute);
      expect(bf16.shape).to.deep.equal(reference.shape);
      const difference = scaledMaxDifference(reference, bf16);
      if (precision === "float32") {
        expect(difference, "float32 kept under mixed_bfloat16").to.be.below(2e-5);
      } else {
        expect(difference, "bf16 vs float32").to.be.below(BF16_TOLERANCE);
        expect(difference, "bf16 actually used").to.be.above(NOT_FLOAT32);
      }
      expect(scaledMaxDifference(reference, float32), "float32 path unchanged").to.be.below(2e-5);
    });
  }

  it("puts a call's bf16 operand copies in the scratch the caller passes, with the same result as the addon's own arena", function () {
    const native = loadNativeAccelerator().accelerator;
    if (native === null || bf16Available() !== null || native.scratchBytes === undefined) this.skip();
    // A layer-2-like convolution pass and a dense product, computed in bf16 into the addon's arena, then into scratch.
    const convDims = Int32Array.from([2, 12, 12, 32, 3, 3, 64, 10, 10, 1, 1, 0, 0, 0, 0, 0]);
    const matmulDims = Int32Array.from([1, 1, 20, 576, 64, 0, 0, 0, 0]);
    const values = (length: number, seed: number) => Float32Array.from({ length }, (_, i) => Math.sin(i * 0.37 + seed));
    const x = values(2 * 12 * 12 * 32, 1);
    const w = values(3 * 3 * 32 * 64, 2);
    const a = values(20 * 576, 3);
    const b = values(576 * 64, 4);
    native.setBf16!(true);
    try {
      const convBytes = native.scratchBytes!("f", convDims, false);
      const matmulBytes = native.scratchBytes!("m", matmulDims, false);
      expect(convBytes, "a bf16 convolution needs copies").to.be.at.least(2 * x.length);
      expect(matmulBytes, "a bf16 matmul needs copies").to.be.at.least(2 * (a.length + b.length));
      const ownArena = new Float32Array(2 * 10 * 10 * 64);
      native.convForward(x, w, null, ownArena, convDims);
      const convScratch = new Float32Array((convBytes + 64) / 4 + 1).fill(Number.NaN);
      const inScratch = new Float32Array(ownArena.length);
      native.convForward(x, w, null, inScratch, convDims, convScratch);
      expect(Array.from(inScratch)).to.deep.equal(Array.from(ownArena));
      expect(convScratch.some((value) => !Number.isNaN(value)), "the scratch was written").to.equal(true);
      const product = new Float32Array(20 * 64);
      native.matmul(a, b, null, product, matmulDims);
      const matmulScratch = new Float32Array((matmulBytes + 64) / 4 + 1).fill(Number.NaN);
      const productInScratch = new Float32Array(product.length);
      native.matmul(a, b, null, productInScratch, matmulDims, matmulScratch);
      expect(Array.from(productInScratch)).to.deep.equal(Array.from(product));
      expect(matmulScratch.some((value) => !Number.isNaN(value)), "the scratch was written").to.equal(true);
    } finally {
      native.setBf16!(false);
    }
  });

  it("falls back to float32 with one line saying why: the pure wasm path", async () => {
    const lines: string[] = [];
    const originalLog = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      await tf.setBackend("wasm");
      selectWasmTrainingPath("wasm");
      const report = setPrecisionPolicy("mixed_bfloat16");
      expect(report).to.deep.include({ requested: "mixed_bfloat16", active: "float32" });
      expect(report.note).to.match(/needs the wasm\+onednn path; computing in float32/);
      setPrecisionPolicy("mixed_bfloat16");
    } finally {
      console.log = originalLog;
    }
    expect(lines).to.deep.equal([`Precision: ${currentPrecision().note}`]);
  });

  it("falls back to float32 where oneDNN has no bf16 kernels (a stand-in addon saying so)", async () => {
    const native = loadNativeAccelerator().accelerator;
    if (native === null) return; // covered by the pure-path case: no addon, no bf16
    await tf.setBackend("wasm");
    selectWasmTrainingPath("wasm+onednn");
    const calls: boolean[] = [];
    const standIn = Object.create(native) as typeof native;
    standIn.bf16Support = () => "oneDNN has only a reference bf16 convolution forward kernel here";
    standIn.setBf16 = (on: boolean) => calls.push(on);
    const original = { bf16Support: native.bf16Support, setBf16: native.setBf16 };
    Object.assign(native, { bf16Support: standIn.bf16Support, setBf16: standIn.setBf16 });
    try {
      const report = setPrecisionPolicy("mixed_bfloat16");
      expect(report.active).to.equal("float32");
      expect(report.note).to.match(/only a reference bf16 .*; computing in float32/);
      expect(calls).to.deep.equal([false]);
    } finally {
      Object.assign(native, original);
      useAcceleratorForTests(null);
    }
  });

  it("rejects an unknown policy, naming it", () => {
    expect(() => setPrecisionPolicy("float16")).to.throw(/must be one of float32, mixed_bfloat16, not "float16"/);
  });
});
