/**
 * The course's SIMD wasm kernels as a module and a thread pool: what the compiled module may contain (it runs inside
 * the wasm backend's heap), that splitting a call across threads changes nothing, that a failure on a helper thread
 * reaches the caller, and the padding copy. Their numbers against the cpu backend are in wasm-kernels.test.ts.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import {
  KERNEL_WASM_FILE, KernelThreads, SHARED_KERNEL_WASM_FILE, kernelWasmPath, simdKernelsEnabled, splitRange, type KernelName,
} from "../../lib/backend/simd/kernel-threads";
import { copyPadded } from "../../lib/backend/simd/simd-convolutions";
import { seededRandom } from "../../lib/env/random";

const DATA_SECTION = 11;

/** Ids of a wasm binary's sections, in order. */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8; // magic + version
  while (at < bytes.length) {
    ids.push(bytes[at++]);
    let size = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      size |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
    }
    at += size;
  }
  return ids;
}

function fillRandom(view: Float32Array, from: number, count: number, seed: number): void {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) view[from + i] = random() * 2 - 1;
}

describe("SIMD wasm training kernels", function () {
  this.timeout(60_000);
  let single: KernelThreads;
  let pair: KernelThreads;
  before(() => {
    single = new KernelThreads(1);
    pair = new KernelThreads(2);
  });
  after(() => {
    single.close();
    pair.close();
  });

  it("are built, so the wasm path's kernel tests exercise them", () => {
    expect(simdKernelsEnabled(), "npm run build compiles lib/backend/simd/assembly").to.equal(true);
  });

  for (const file of [KERNEL_WASM_FILE, SHARED_KERNEL_WASM_FILE]) {
    it(`${file} imports only a memory and has no data segments (it may run inside another module's heap)`, () => {
      const bytes = fs.readFileSync(kernelWasmPath(file));
      const module = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(module)).to.deep.equal([{ module: "env", name: "memory", kind: "memory" }]);
      const ids = sectionIds(new Uint8Array(bytes));
      expect(ids, "section ids").to.include(10); // code, so the parse above walked real sections
      expect(ids).to.not.include(DATA_SECTION);
    });
  }

  it("starts a helper thread and gives the same bits split across two threads as on one", () => {
    expect(pair.threads).to.equal(2);
    // A convolution 2×9×11×8 → 3×3 → 16 channels, stride 1; and its filter gradient.
    const [batch, height, width, inChannels, kernel, outChannels] = [2, 9, 11, 8, 3, 16];
    const [outHeight, outWidth] = [height - kernel + 1, width - kernel + 1];
    const xAt = 64, wAt = xAt + batch * height * width * inChannels, yAt = wAt + kernel * kernel * inChannels * outChannels;
    const dwAt = yAt + batch * outHeight * outWidth * outChannels;
    const end = dwAt + kernel * kernel * inChannels * outChannels;
    const results: Float32Array[] = [];
    for (const threads of [single, pair]) {
      threads.reserve(end * 4);
      const memory = threads.floats();
      fillRandom(memory, xAt, wAt - xAt, 1);
      fillRandom(memory, wAt, yAt - wAt, 2);
      const geometry = [height, width, inChannels, kernel, kernel, outChannels, outHeight, outWidth, 1, 1];
      const rows = batch * outHeight;
      threads.run("conv2d", splitRange(rows, threads.threads).map(([from, to]) => [xAt * 4, wAt * 4, 0, yAt * 4, ...geometry, 1, from, to]));
      memory.fill(0, dwAt, end);
      const blocks = outChannels / 8;
      threads.run("conv2dBackpropFilter", splitRange(blocks, threads.threads).map(([from, to]) => [xAt * 4, yAt * 4, dwAt * 4, ...geometry, rows, from, to]));
      results.push(threads.floats().slice(yAt, end));
    }
    expect(results[1].some((value) => value !== 0)).to.equal(true);
    expect(Buffer.from(results[1].buffer).equals(Buffer.from(results[0].buffer))).to.equal(true);
  });

  it("reports a kernel that fails on a helper thread to the caller, and keeps working after", () => {
    const beyond = pair.memory.buffer.byteLength + 1024;
    const sum: KernelName = "sumRows";
    expect(() => pair.run(sum, [[64, 128, 256, 1, 4], [beyond, 128, 256, 1, 4]])).to.throw(/helper thread/);
    const memory = pair.floats();
    memory.set([1, 2, 3, 4, 10, 20, 30, 40], 16);
    pair.run(sum, [[64, 256, 512, 2, 4]]);
    expect(Array.from(pair.floats().subarray(64, 68))).to.deep.equal([11, 22, 33, 44]);
  });

  it("copyPadded pads with zeros and crops what does not fit", () => {
    // 1×2×3×1 source [[1,2,3],[4,5,6]] into 1×3×3: one row of zeros on top, one column on the left, last column cropped.
    const target = new Float32Array(12).fill(7);
    copyPadded(Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 2, 3, 1], target, 1, 3, 3, 1, 1);
    expect(Array.from(target)).to.deep.equal([7, 0, 0, 0, 0, 1, 2, 0, 4, 5, 7, 7]);
  });

  it("splitRange covers a range once, in order, as evenly as whole units allow", () => {
    expect(splitRange(10, 3)).to.deep.equal([[0, 3], [3, 6], [6, 10]]);
    expect(splitRange(1, 4)).to.deep.equal([[0, 1]]);
    expect(splitRange(0, 2)).to.deep.equal([[0, 0]]);
  });
});
