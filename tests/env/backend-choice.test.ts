import { expect } from "chai";
import Module from "node:module";
import { setupBackend } from "../../lib/backend";
import { parseBackendSetting as parseBackendName } from "../../lib/env/settings";

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: Loader };

describe("lib/backend: choosing the backend", () => {
  const savedOverride = process.env.CNN_BACKEND;
  afterEach(() => {
    if (savedOverride === undefined) delete process.env.CNN_BACKEND;
    else process.env.CNN_BACKEND = savedOverride;
  });

  it("parses the override, with aliases, and rejects unknown names", () => {
    expect(parseBackendName("WASM")).to.equal("wasm");
    expect(parseBackendName("tfjs-node")).to.equal("tensorflow");
    expect(parseBackendName("")).to.equal(null);
    expect(() => parseBackendName("webgpu")).to.throw(/CNN_BACKEND must be one of tensorflow, wasm, cpu/);
  });

  it("honours CNN_BACKEND=cpu", async () => {
    process.env.CNN_BACKEND = "cpu";
    const report = await setupBackend({ force: true, quiet: true });
    expect(report.backend).to.equal("cpu");
    expect(report.line).to.match(/^Backend: cpu \(/);
  });

  it("prints one short line by default and the full report on request", async () => {
    process.env.CNN_BACKEND = "cpu";
    const printed: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => printed.push(args.join(" "));
    try {
      const report = await setupBackend({ force: true });
      await setupBackend({ force: true, report: "full" });
      expect(printed).to.deep.equal([report.summary, report.line]);
      expect(report.summary).to.equal("Backend: cpu (1 thread)");
      expect(report.line.startsWith("Backend: cpu (1 thread; tfjs ")).to.equal(true);
    } finally {
      console.log = original;
    }
  });

  it("falls back from a broken tfjs-node with a one-line reason, never a crash", async () => {
    const original = moduleInternals._load;
    moduleInternals._load = function (request, parent, isMain) {
      if (request === "@tensorflow/tfjs-node") {
        throw new Error("libtensorflow.so.2: cannot open shared object file\n  at dlopen (native)");
      }
      return original.call(this, request, parent, isMain);
    };
    try {
      process.env.CNN_BACKEND = "tensorflow";
      const report = await setupBackend({ force: true, quiet: true });
      expect(report.backend).to.equal("wasm");
      expect(report.fallbacks).to.have.length(1);
      expect(report.fallbacks[0]).to.equal("tensorflow unavailable: libtensorflow.so.2: cannot open shared object file");
      expect(report.line.split("\n")).to.have.length(1);
    } finally {
      moduleInternals._load = original;
    }
  });

  it("names wasm here when tfjs-node is absent, with thread count and versions", async function () {
    let nodeBackendInstalled = true;
    try {
      require.resolve("@tensorflow/tfjs-node");
    } catch {
      nodeBackendInstalled = false;
    }
    if (nodeBackendInstalled) this.skip();
    delete process.env.CNN_BACKEND;
    const report = await setupBackend({ force: true, quiet: true });
    expect(report.backend).to.equal("wasm");
    expect(report.line).to.match(/^Backend: wasm(\+onednn)? \(\d+ threads?; tfjs 4\.22\.0, wasm 4\.22\.0, Node \d+/);
    expect(report.fallbacks[0]).to.match(/^tensorflow unavailable: /);
  });
});
