import { expect } from "chai";
import { courseSettings, readSettings } from "../../lib/env/settings";

describe("lib/env/settings: every CNN_* setting, read and validated in one place", () => {
  it("defaults when nothing is set", () => {
    expect(readSettings({})).to.deep.equal({
      backend: null,
      nativeAccelerator: true,
      onednnBlockedBackward: false,
      simdKernels: true,
      kernelThreads: null,
      xnnpackThreads: 1,
      kernelTrace: false,
      precision: "float32",
      png: true,
      notebook: null,
    });
  });

  it("parses good values (case and spaces forgiven; thread counts capped at 8)", () => {
    const settings = readSettings({
      CNN_BACKEND: " Node ",
      CNN_WASM_ACCELERATOR: "OFF",
      CNN_ONEDNN_BLOCKED_BACKWARD: "1",
      CNN_WASM_SIMD_KERNELS: "off",
      CNN_WASM_KERNEL_THREADS: "64",
      CNN_WASM_THREADS: "auto",
      CNN_KERNEL_TRACE: "1",
      CNN_PRECISION: "Mixed_BFloat16",
      CNN_PNG: "off",
      CNN_NOTEBOOK: " 05-mnist-convnet ",
    });
    expect(settings).to.deep.equal({
      backend: "tensorflow",
      nativeAccelerator: false,
      onednnBlockedBackward: true,
      simdKernels: false,
      kernelThreads: 8,
      xnnpackThreads: "auto",
      kernelTrace: true,
      precision: "mixed_bfloat16",
      png: false,
      notebook: "05-mnist-convnet",
    });
  });

  const bad: Array<[string, string]> = [
    ["CNN_BACKEND", "webgl"],
    ["CNN_WASM_ACCELERATOR", "sometimes"],
    ["CNN_WASM_SIMD_KERNELS", "2"],
    ["CNN_WASM_KERNEL_THREADS", "0"],
    ["CNN_WASM_KERNEL_THREADS", "-1"],
    ["CNN_WASM_KERNEL_THREADS", "abc"],
    ["CNN_WASM_THREADS", "many"],
    ["CNN_KERNEL_TRACE", "verbose"],
    ["CNN_PRECISION", "bfloat16"],
    ["CNN_PNG", "maybe"],
    ["CNN_NOTEBOOK", "../runs"],
  ];
  for (const [name, value] of bad) {
    it(`${name}=${value} is an error naming the variable and the value`, () => {
      expect(() => readSettings({ [name]: value })).to.throw(new RegExp(`^${name} must .*"${value}"`));
    });
  }

  it("courseSettings() follows process.env when a variable changes", () => {
    const saved = process.env.CNN_KERNEL_TRACE;
    try {
      process.env.CNN_KERNEL_TRACE = "1";
      expect(courseSettings().kernelTrace).to.equal(true);
      process.env.CNN_KERNEL_TRACE = "0";
      expect(courseSettings().kernelTrace).to.equal(false);
    } finally {
      if (saved === undefined) delete process.env.CNN_KERNEL_TRACE;
      else process.env.CNN_KERNEL_TRACE = saved;
    }
  });
});
