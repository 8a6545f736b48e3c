/**
 * Fault: a bad CNN_WASM_KERNEL_THREADS (or any other CNN_* setting). It used to send the course silently to the
 * pure-JS cpu backend (the wasm backend's setup threw, and the error became a "fallback"), or to be ignored on the
 * wasm+onednn path. Now setting up the backend fails with a message naming the variable, whatever the path.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../../lib/backend";

const SETTINGS = ["CNN_WASM_KERNEL_THREADS", "CNN_WASM_ACCELERATOR", "CNN_BACKEND", "CNN_PRECISION", "CNN_KERNEL_TRACE"] as const;

describe("faults: bad settings are errors naming the variable", function () {
  this.timeout(120_000);
  const saved = Object.fromEntries(SETTINGS.map((name) => [name, process.env[name]]));
  let backendBefore: string | null = null;

  before(async () => {
    await setupBackend({ quiet: true });
    backendBefore = tf.getBackend();
  });
  afterEach(() => {
    for (const name of SETTINGS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  for (const value of ["0", "-1", "abc", "1.5"]) {
    for (const accelerator of ["on", "off"]) {
      it(`CNN_WASM_KERNEL_THREADS=${value} (accelerator ${accelerator}): an error naming it, no fall-back to cpu`, async () => {
        process.env.CNN_WASM_KERNEL_THREADS = value;
        process.env.CNN_WASM_ACCELERATOR = accelerator;
        let error: unknown = null;
        try {
          await setupBackend({ force: true, quiet: true, prefer: "wasm" });
        } catch (caught) {
          error = caught;
        }
        expect(error, "setupBackend must reject").to.be.instanceOf(Error);
        expect((error as Error).message).to.match(/CNN_WASM_KERNEL_THREADS/).and.to.include(`"${value}"`);
        expect(tf.getBackend(), "the backend is left as it was, never switched to cpu").to.equal(backendBefore);
      });
    }
  }

  for (const [name, value] of [
    ["CNN_BACKEND", "webgpu"],
    ["CNN_WASM_ACCELERATOR", "maybe"],
    ["CNN_PRECISION", "float16"],
    ["CNN_KERNEL_TRACE", "loud"],
  ] as const) {
    it(`${name}=${value}: an error naming it`, async () => {
      process.env[name] = value;
      let error: unknown = null;
      try {
        await setupBackend({ force: true, quiet: true });
      } catch (caught) {
        error = caught;
      }
      expect(error, "setupBackend must reject").to.be.instanceOf(Error);
      expect((error as Error).message).to.include(name).and.to.include(`"${value}"`);
    });
  }

  it("a good value after a bad one is taken (the settings are read again when the variables change)", async () => {
    process.env.CNN_WASM_KERNEL_THREADS = "0";
    await setupBackend({ force: true, quiet: true }).catch(() => undefined);
    process.env.CNN_WASM_KERNEL_THREADS = "2";
    const report = await setupBackend({ force: true, quiet: true });
    expect(report.backend).to.equal("wasm");
  });
});
