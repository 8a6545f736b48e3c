/**
 * The bench's multi-threaded XNNPACK (bench/xnnpack-threads.ts): each case runs wasm-threads-child.ts in a fresh Node
 * process, because threads can only be enabled before the wasm backend first starts, and because the child must exit
 * by itself (XNNPACK's pool threads are workers that must not keep Node alive).
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { loadNativeAccelerator } from "../../lib/backend/onednn/addon";

const CHILD = path.join(__dirname, "xnnpack-threads-child.ts");
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
/** Generous: a busy 2-core machine starts the module and its workers in ~2 s and trains the tiny model in ~1 s. */
const CHILD_TIMEOUT_MS = 120_000;
const WEIGHT_TOLERANCE = 1e-4;
const THREADS_ASKED = 2;

interface ChildResult {
  threads: number;
  note: string | null;
  path: string;
  line: string;
  maxWeightDifference: number;
}

function runChild(env: Record<string, string>): ChildResult {
  const child = spawnSync(process.execPath, ["--import", "tsx", CHILD], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    timeout: CHILD_TIMEOUT_MS,
    env: { ...process.env, ...env },
  });
  expect(child.signal, `child did not exit by itself: ${child.stderr}`).to.equal(null);
  expect(child.status, child.stderr).to.equal(0);
  const line = child.stdout.split("\n").filter((text) => text.startsWith("{")).pop();
  expect(line, child.stdout).to.be.a("string");
  return JSON.parse(line as string) as ChildResult;
}

describe("bench: multi-threaded XNNPACK", function () {
  this.timeout(2 * CHILD_TIMEOUT_MS);

  it("runs the pure wasm path on the threads asked, trains to the cpu's weights, and exits", () => {
    const result = runChild({ CNN_WASM_ACCELERATOR: "off", CNN_WASM_THREADS: String(THREADS_ASKED) });
    expect(result.path).to.equal("wasm");
    expect(result.threads).to.equal(THREADS_ASKED);
    expect(result.note).to.equal(null);
    expect(result.maxWeightDifference).to.be.below(WEIGHT_TOLERANCE);
  });

  it("stays single-threaded, without a note, unless CNN_WASM_THREADS asks for threads", () => {
    const result = runChild({ CNN_WASM_ACCELERATOR: "off", CNN_WASM_THREADS: "", CNN_WASM_KERNEL_THREADS: "1" });
    expect(result.threads).to.equal(1);
    expect(result.note).to.equal(null);
    expect(result.maxWeightDifference).to.be.below(WEIGHT_TOLERANCE);
  });

  it("keeps the oneDNN path training correctly on the threaded (shared-memory) heap", function () {
    if (loadNativeAccelerator().accelerator === null) this.skip();
    const result = runChild({ CNN_WASM_THREADS: String(THREADS_ASKED) });
    expect(result.path).to.equal("wasm+onednn");
    expect(result.maxWeightDifference).to.be.below(WEIGHT_TOLERANCE);
  });
});
