/**
 * Faults injected into the headless runner, each with the outcome a learner needs: floods of output stored (capped,
 * saying what was dropped) without hanging, signals that leave no kernel and no connection file (it holds the signing
 * key) behind and write nothing, a notebook edited while it runs kept as edited, broken notebooks named without
 * stopping the batch, kernels that never answer or lose their "idle", other kernels refused, errors allowed.
 * Real tslab kernels where the fault is tslab's; a fake kernel (fixtures/fake-kernel.cjs) for protocol faults.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { executeNotebook, type ProgressEvent } from "../../scripts/jupyter/execute-notebook";
import { descendantPids } from "../../scripts/jupyter/kernel-process";
import { readNotebook } from "../../scripts/jupyter/nbformat";
import { KERNEL_DISPLAY_NAME, JS_KERNEL_DISPLAY_NAME, tslabKernelArgv, findProjectRoot } from "../../scripts/jupyter/tslab";
import {
  PROJECT_ROOT,
  RUNNER,
  codeCells,
  connectionFileOf,
  sleep,
  startProcess,
  startRunner,
  streamText,
  tempDir,
  waitUntilGone,
  writeNotebook,
} from "./helpers";

const FAKE_KERNEL = path.join(__dirname, "fixtures", "fake-kernel.cjs");
const fakeKernel = (mode: "silent" | "no-idle") => (connectionFile: string) => [process.execPath, FAKE_KERNEL, mode, connectionFile];

/** Record every connection file a run uses, so the test can check it is gone afterwards. */
function recordingArgv(seen: string[]) {
  return (connectionFile: string, kernel: "tslab" | "jslab") => {
    seen.push(connectionFile);
    return tslabKernelArgv(connectionFile, findProjectRoot(), kernel);
  };
}

/** Generous limits: a kernel can take minutes to start on a loaded 2-core machine; nothing here waits on them when it works. */
const SLOW_START = { startupTimeoutSeconds: 600 };
const SLOW_START_ARGS = ["--startup-timeout", "600"];

describe("faults: the headless runner", function () {
  this.timeout(900_000);
  let dir: string;
  beforeEach(() => (dir = tempDir("runner")));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("stores a 20 MB cell capped (head, tail, what was dropped), a 350 KB line whole and 20,000 short lines all", async () => {
    const notebook = writeNotebook(dir, "floods.ipynb", [
      // 20,480 lines of 1 KB = 20 MB, as separate writes (each one iopub message).
      "const kilo = 'y'.repeat(1000);\nfor (let i = 0; i < 20480; i++) process.stdout.write(`${String(i).padStart(6, '0')} ${kilo}\\n`);",
      "console.log('x'.repeat(350_000));",
      "for (let i = 0; i < 20000; i++) console.log(`line ${i}`);",
    ]);
    const seconds: number[] = [];
    const seen: string[] = [];
    const onProgress = (event: ProgressEvent) => { if (event.type === "cell-done") seconds.push(event.seconds); };
    const result = await executeNotebook(notebook, { outputPath: path.join(dir, "out.ipynb"), profile: "smoke", onProgress, kernelArgv: recordingArgv(seen), ...SLOW_START });
    console.log(`      (cells took ${seconds.map((s) => s.toFixed(1)).join(" s, ")} s)`);
    expect(result.ok, result.message).to.equal(true);
    const [flood, long, lines] = codeCells(result.writtenTo as string).map((cell) => streamText(cell));

    expect(flood.length).to.be.below(1_100_000, "the 20 MB cell is capped near 1 M characters");
    expect(flood.startsWith(`000000 y`)).to.equal(true, "the head is kept");
    expect(flood.endsWith(`020479 ${"y".repeat(1000)}\n`)).to.equal(true, "the tail is kept");
    const note = /\[… ([\d.]+) M characters \(([\d,]+) lines\) of stdout dropped here/.exec(flood);
    expect(note, "a note says what was dropped").to.not.equal(null);
    const keptLines = flood.split("\n").filter((line) => /^\d{6} y/.test(line)).length;
    expect(keptLines + Number(note![2].replace(/,/g, ""))).to.equal(20480, "kept + dropped lines = lines written");

    expect(long).to.equal("x".repeat(350_000) + "\n");
    const printed = lines.split("\n").slice(0, -1);
    expect(printed).to.have.length(20000);
    expect(printed.every((line, i) => line === `line ${i}`)).to.equal(true, "every line, in order");
    expect(fs.existsSync(seen[0])).to.equal(false, "the connection file is removed");
  });

  it("stays responsive to SIGTERM during an endless flood: stops at once, kills the kernel, removes the connection file, writes nothing", async () => {
    const notebook = writeNotebook(dir, "endless.ipynb", [
      "const line = 'z'.repeat(1000) + '\\n';\nfor (let i = 0; ; i++) { process.stdout.write(line); if (i % 500 === 0) await new Promise((r) => setImmediate(r)); }",
    ]);
    const before = fs.readFileSync(notebook);
    const cli = startRunner([notebook, "--timeout", "600", ...SLOW_START_ARGS]); // full profile, in place: the run must not write
    const kernelPid = Number((await cli.waitForOutput(/kernel ready \(pid (\d+)/, 600_000))[1]);
    const connectionFile = connectionFileOf(kernelPid);
    expect(connectionFile).to.be.a("string");
    await sleep(3000); // the flood is running
    const signalled = Date.now();
    cli.child.kill("SIGTERM");
    const { code } = await cli.finished;
    const stopSeconds = (Date.now() - signalled) / 1000;
    console.log(`      (runner exited ${stopSeconds.toFixed(2)} s after SIGTERM)`);
    expect(code).to.equal(143);
    expect(stopSeconds).to.be.below(10);
    expect(await waitUntilGone(kernelPid)).to.equal(true, "the kernel outlived the runner");
    expect(fs.existsSync(connectionFile as string)).to.equal(false, "the connection file (signing key) was left in TMPDIR");
    expect(fs.readFileSync(notebook).equals(before)).to.equal(true, "the notebook was written after the signal");
  });

  it("stops runner and kernel when `npm run execute` gets SIGTERM (npm's sh does not pass it on), and leaves the notebook as it was", async () => {
    const notebook = writeNotebook(dir, "waits.ipynb", ["console.log('started');", "await new Promise((resolve) => setTimeout(resolve, 600_000));"]);
    const before = fs.readFileSync(notebook);
    const npm = startProcess("npm", ["run", "execute", "--", notebook, "--timeout", "900", ...SLOW_START_ARGS], { env: { ...process.env, CNN_PROFILE: "full" } });
    const kernelPid = Number((await npm.waitForOutput(/kernel ready \(pid (\d+)/, 600_000))[1]);
    await npm.waitForOutput(/cell 1\/2 ok/);
    const connectionFile = connectionFileOf(kernelPid);
    const everyone = descendantPids(npm.child.pid as number);
    expect(everyone).to.include(kernelPid);
    npm.child.kill("SIGTERM");
    await npm.finished;
    for (const pid of everyone) expect(await waitUntilGone(pid), `process ${pid} outlived npm`).to.equal(true);
    expect(fs.existsSync(connectionFile as string)).to.equal(false, "the connection file was left in TMPDIR");
    expect(fs.readFileSync(notebook).equals(before)).to.equal(true);
  });

  it("removes the connection file on Ctrl-C (SIGINT to the runner)", async () => {
    const notebook = writeNotebook(dir, "waits.ipynb", ["await new Promise((resolve) => setTimeout(resolve, 600_000));"]);
    const cli = startRunner([notebook, "--timeout", "600", "--output", path.join(dir, "out"), ...SLOW_START_ARGS]);
    const kernelPid = Number((await cli.waitForOutput(/kernel ready \(pid (\d+)/, 600_000))[1]);
    const connectionFile = connectionFileOf(kernelPid) as string;
    expect(fs.existsSync(connectionFile)).to.equal(true);
    cli.child.kill("SIGINT");
    const { code, stderr } = await cli.finished;
    expect(code).to.equal(130);
    expect(stderr).to.include("SIGINT: stopping 1 kernel(s)");
    expect(await waitUntilGone(kernelPid)).to.equal(true);
    expect(fs.existsSync(connectionFile)).to.equal(false);
    expect(fs.existsSync(path.join(dir, "out", "waits.ipynb"))).to.equal(false, "nothing is written after a signal");
  });

  it("keeps an edit saved while an in-place run is under way, and writes the run beside it", async () => {
    const notebook = writeNotebook(dir, "edited.ipynb", ["await new Promise((resolve) => setTimeout(resolve, 4000));\nconsole.log('ran');"]);
    let edited: Buffer | null = null;
    const result = await executeNotebook(notebook, {
      profile: "full",
      ...SLOW_START,
      onProgress: (event) => {
        if (event.type !== "kernel-ready") return;
        // The learner saves in Jupyter while the runner works.
        const changed = readNotebook(notebook);
        changed.cells.push({ cell_type: "markdown", id: "note", metadata: {}, source: "My note" });
        fs.writeFileSync(notebook, JSON.stringify(changed, null, 1));
        edited = fs.readFileSync(notebook);
      },
    });
    expect(edited).to.not.equal(null);
    expect(fs.readFileSync(notebook).equals(edited as unknown as Buffer)).to.equal(true, "the learner's edit was overwritten");
    expect(result.ok).to.equal(false);
    expect(result.failure?.kind).to.equal("changed-on-disk");
    expect(result.message).to.include(notebook).and.include("changed on disk while it ran");
    expect(result.writtenTo).to.equal(path.join(dir, "edited.executed.ipynb"));
    expect(streamText(codeCells(result.writtenTo as string)[0])).to.equal("ran\n");
  });

  it("names an invalid-JSON and a non-UTF-8 notebook and still runs the rest of the batch", async () => {
    const good = writeNotebook(dir, "good.ipynb", ["console.log('fine');"]);
    const broken = path.join(dir, "broken.ipynb");
    fs.writeFileSync(broken, '{"cells": [ {"cell_type": "code", ');
    const latin1 = path.join(dir, "latin1.ipynb");
    const latin1Bytes = Buffer.concat([Buffer.from(fs.readFileSync(good, "utf8").replace("fine", "caf")), Buffer.alloc(0)]);
    // "café" saved as Latin-1 by some editor: the é is the single byte 0xE9, invalid UTF-8.
    const at = latin1Bytes.indexOf("caf") + 3;
    const bytes = Buffer.concat([latin1Bytes.subarray(0, at), Buffer.from([0xe9]), latin1Bytes.subarray(at)]);
    fs.writeFileSync(latin1, bytes);
    const cli = startRunner([broken, latin1, good, "--profile", "smoke", "--output", path.join(dir, "out"), ...SLOW_START_ARGS]);
    const { code, stdout, stderr } = await cli.finished;
    expect(code).to.equal(1);
    expect(stdout).to.include("good.ipynb: done").and.include("1/3 notebook(s) ok");
    expect(stderr).to.include(`${broken}: not valid JSON`);
    expect(stderr).to.match(new RegExp(`${latin1.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: not valid UTF-8 \\(byte ${at} of ${bytes.length} is 0xe9\\)`));
    expect(fs.readFileSync(latin1).equals(bytes)).to.equal(true, "the non-UTF-8 notebook was rewritten");
    expect(fs.existsSync(path.join(dir, "out", "broken.ipynb"))).to.equal(false);
  });

  it("gives up on a kernel that never answers kernel_info, naming it, with nothing left behind", async () => {
    const notebook = writeNotebook(dir, "silent.ipynb", ["console.log(1);"]);
    const before = fs.readFileSync(notebook);
    const seen: string[] = [];
    const result = await executeNotebook(notebook, {
      profile: "full",
      startupTimeoutSeconds: 3,
      kernelArgv: (file) => { seen.push(file); return fakeKernel("silent")(file); },
    });
    expect(result.ok).to.equal(false);
    expect(result.failure?.kind).to.equal("startup");
    expect(result.message).to.include("silent.ipynb: could not run").and.include("did not answer kernel_info_request within 3 s");
    expect(await waitUntilGone(result.kernelPid as number)).to.equal(true);
    expect(fs.existsSync(seen[0])).to.equal(false);
    expect(fs.readFileSync(notebook).equals(before)).to.equal(true);
  });

  it("fails loudly (and does not write in place) when a cell's iopub idle never arrives", async () => {
    const notebook = writeNotebook(dir, "lossy.ipynb", ["console.log(1);", "console.log(2);"]);
    const before = fs.readFileSync(notebook);
    const result = await executeNotebook(notebook, { profile: "full", kernelArgv: fakeKernel("no-idle") });
    expect(result.ok).to.equal(false);
    expect(result.failure?.kind).to.equal("incomplete-output");
    expect(result.cellsRun).to.equal(2, "the other cells still run");
    expect(result.message).to.include("lossy.ipynb").and.include("outputs may be incomplete").and.include("code cell 1").and.include("code cell 2");
    expect(result.writtenTo).to.equal(null);
    expect(fs.readFileSync(notebook).equals(before)).to.equal(true);
  });

  it("runs a jslab notebook as JavaScript, refuses a Python one by name, and goes on after errors with --allow-errors", async () => {
    const js = writeNotebook(dir, "js.ipynb", ["const answer = 6 * 7;\nconsole.log(`answer ${answer}`);"], { name: "jslab", display_name: "JavaScript", language: "javascript" });
    const python = writeNotebook(dir, "python.ipynb", ["print(1)"], { name: "python3", display_name: "Python 3", language: "python" });
    const ts = writeNotebook(dir, "errors.ipynb", ["throw new Error('first cell fails');", "const n: number = 2;\nconsole.log(`second cell ran, n=${n}`);"]);
    const out = path.join(dir, "out");
    const cli = startRunner([js, python, ts, "--allow-errors", "--profile", "smoke", "--output", out, ...SLOW_START_ARGS]);
    const { code, stdout, stderr } = await cli.finished;
    expect(code).to.equal(1, "the refused notebook fails the batch");
    expect(stderr).to.include(`${python}: not run: it asks for the kernel "python3" (Python 3)`);
    expect(fs.existsSync(path.join(out, "python.ipynb"))).to.equal(false);

    const jsRun = readNotebook(path.join(out, "js.ipynb"));
    expect(jsRun.metadata.kernelspec).to.deep.equal({ name: "jslab", display_name: JS_KERNEL_DISPLAY_NAME, language: "javascript" });
    expect((jsRun.metadata.language_info as { name: string }).name).to.equal("javascript", "the JavaScript kernel answered");
    expect(streamText(codeCells(path.join(out, "js.ipynb"))[0])).to.equal("answer 42\n");

    expect(stdout).to.include("errors.ipynb: done, 2 cells").and.include("(1 cell error(s) recorded)");
    expect(stderr).to.include("code cell 1/2").and.include("Error: first cell fails").and.include("errors allowed");
    const [first, second] = codeCells(path.join(out, "errors.ipynb"));
    expect(first.outputs.find((output) => output.output_type === "error")).to.deep.include({ ename: "Error", evalue: "first cell fails" });
    expect(streamText(second)).to.equal("second cell ran, n=2\n", "the cell after the error ran (not aborted by tslab)");
    const record = readNotebook(path.join(out, "errors.ipynb")).metadata.cnn_notebooks as { errors?: number };
    expect(record.errors).to.equal(1);
  });

  it("stores kernelspec and language_info exactly as Jupyter sets them from the kernelspec and kernel_info", async () => {
    const notebook = writeNotebook(dir, "meta.ipynb", ["console.log(1);"]);
    const result = await executeNotebook(notebook, { outputPath: path.join(dir, "out.ipynb"), profile: "smoke", ...SLOW_START });
    expect(result.ok, result.message).to.equal(true);
    const metadata = readNotebook(result.writtenTo as string).metadata;
    // What tslab's kernel_info_reply carries (its own handler, asked directly) and what our kernelspec says.
    const { JupyterHandlerImpl } = require(path.join(PROJECT_ROOT, "node_modules", "tslab", "dist", "jupyter.js")) as {
      JupyterHandlerImpl: new (executor: unknown, isJs: boolean) => { handleKernel(): { language_info: unknown } };
    };
    expect(metadata.language_info).to.deep.equal(new JupyterHandlerImpl(null, false).handleKernel().language_info);
    expect((metadata.language_info as { version?: string }).version).to.be.a("string").and.not.equal("");
    expect(metadata.kernelspec).to.deep.equal({ name: "tslab", display_name: KERNEL_DISPLAY_NAME, language: "typescript" });
    expect(RUNNER).to.be.a("string");
  });
});
