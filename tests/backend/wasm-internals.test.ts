/**
 * The training kernels read the wasm backend's heap and tensor table, which tfjs does not promise to keep. This test
 * fails loudly when an upgrade changes them, before any kernel computes garbage.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import {
  asWasmBackend, checkWasmInternals, heapAddress, heapMemory, heapView, PINNED_TFJS_WASM_VERSION,
} from "../../lib/backend/wasm-internals";

describe("tfjs-backend-wasm internals the training kernels rely on", () => {
  before(async () => {
    await tf.setBackend("wasm");
  });

  it(`runs against the pinned tfjs ${PINNED_TFJS_WASM_VERSION} (package.json pins it exactly)`, () => {
    const wasmVersion = (require("@tensorflow/tfjs-backend-wasm/package.json") as { version: string }).version;
    expect(wasmVersion).to.equal(PINNED_TFJS_WASM_VERSION);
    expect(tf.version_core).to.equal(PINNED_TFJS_WASM_VERSION);
    const manifest = require("../../package.json") as { dependencies: Record<string, string> };
    expect(manifest.dependencies["@tensorflow/tfjs-backend-wasm"]).to.equal(PINNED_TFJS_WASM_VERSION);
    expect(manifest.dependencies["@tensorflow/tfjs"]).to.equal(PINNED_TFJS_WASM_VERSION);
  });

  it("exposes the heap, the tensor table and the allocator with the expected shapes", () => {
    expect(checkWasmInternals(tf.backend())).to.deep.equal([]);
  });

  it("reports what is missing from a backend without those internals", () => {
    expect(checkWasmInternals({ wasm: {} })).to.include.members(["backend.wasm.HEAPU8 is not a Uint8Array", "backend.dataIdMap has no get/has"]);
  });

  it("a heap view reads and writes the tensor's own data", async () => {
    const backend = asWasmBackend(tf.backend());
    const tensor = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const view = heapView(backend, tensor);
    expect(Array.from(view)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    view[4] = 50;
    expect(Array.from(await tensor.data())).to.deep.equal([1, 2, 3, 4, 50, 6]);
    tensor.dispose();
  });

  it("exposes its heap as a WebAssembly.Memory (the in-heap SIMD kernels instantiate on it) at the tensors' addresses", () => {
    const backend = asWasmBackend(tf.backend());
    const memory = heapMemory(backend);
    expect(memory, "backend.wasm.asm.memory").to.be.instanceOf(WebAssembly.Memory);
    const tensor = tf.tensor1d([3.5, -1]);
    expect(Array.from(new Float32Array(memory!.buffer, heapAddress(backend, tensor), 2))).to.deep.equal([3.5, -1]);
    tensor.dispose();
  });

  it("makeOutput allocates a tensor the engine can adopt and dispose", async () => {
    const backend = asWasmBackend(tf.backend());
    const before = tf.memory().numBytes;
    const info = backend.makeOutput([4], "float32");
    heapView(backend, info).set([9, 8, 7, 6]);
    const tensor = tf.engine().makeTensorFromTensorInfo(info);
    expect(Array.from(await tensor.data())).to.deep.equal([9, 8, 7, 6]);
    tensor.dispose();
    expect(tf.memory().numBytes).to.equal(before);
  });
});
