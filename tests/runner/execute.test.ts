/**
 * The runner against a real tslab kernel, on the small notebooks in fixtures/. Each test starts a kernel (2–4 s).
 * Executed copies go to a temporary folder; the fixtures themselves must stay byte for byte unchanged.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { executeNotebook, type NotebookResult } from "../../scripts/jupyter/execute-notebook";
import { descendantPids, processExists } from "../../scripts/jupyter/kernel-process";
import { readNotebook, type CodeCell, type CellOutput } from "../../scripts/jupyter/nbformat";
import { notebookSourceHash } from "../../scripts/jupyter/source-hash";

const FIXTURES = path.join(__dirname, "fixtures");
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const RUNNER = path.join(PROJECT_ROOT, "scripts", "run-notebooks.ts");
const fixture = (name: string) => path.join(FIXTURES, `${name}.ipynb`);

function codeCells(file: string): CodeCell[] {
  return readNotebook(file).cells.filter((cell): cell is CodeCell => cell.cell_type === "code");
}

function streamText(outputs: CellOutput[], name: "stdout" | "stderr"): string {
  return outputs
    .map((output) => (output.output_type === "stream" && output.name === name ? [output.text].flat().join("") : ""))
    .join("");
}

/** Wait until `pid` is gone (the kill is asynchronous for processes we are not the parent of). */
async function waitUntilGone(pid: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!processExists(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !processExists(pid);
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the runner as its own node process (no tsx wrapper process, so signals reach the runner itself). */
function startCli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, ["--import", "tsx", RUNNER, ...args], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const finished = new Promise<CliRun>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  const waitForOutput = async (pattern: RegExp, ms = 60_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const match = stdout.match(pattern);
      if (match) return match;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no ${pattern} in the runner's output:\n${stdout}\n${stderr}`);
  };
  return { child, finished, waitForOutput };
}

describe("runner: executing notebooks on a real tslab kernel", function () {
  this.timeout(90_000);
  let outputDir: string;
  const fixtureBytes = new Map<string, Buffer>();

  before(() => {
    outputDir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-test-"));
    for (const file of fs.readdirSync(FIXTURES)) fixtureBytes.set(file, fs.readFileSync(path.join(FIXTURES, file)));
  });

  after(() => {
    fs.rmSync(outputDir, { recursive: true, force: true });
    for (const [file, bytes] of fixtureBytes) {
      expect(fs.readFileSync(path.join(FIXTURES, file)).equals(bytes), `${file} was modified`).to.equal(true);
    }
  });

  const run = (name: string, options: Parameters<typeof executeNotebook>[1] = {}): Promise<NotebookResult> =>
    executeNotebook(fixture(name), { outputPath: path.join(outputDir, `${name}.ipynb`), profile: "smoke", ...options });

  it("writes outputs, execution counts, timing and the execution record to the output dir, leaving the source alone", async () => {
    const before = fs.readFileSync(fixture("good"));
    const result = await run("good", { env: { ...process.env, CNN_DATA_MIRROR: "/mirror/for/test" } });
    expect(result.message).to.equal("");
    expect(result.ok).to.equal(true);
    expect(fs.readFileSync(fixture("good")).equals(before)).to.equal(true);
    expect(result.writtenTo).to.equal(path.join(outputDir, "good.ipynb"));

    const cells = codeCells(result.writtenTo as string);
    expect(cells.map((cell) => cell.execution_count)).to.deep.equal([1, 2, null, 3, 4]);
    expect(streamText(cells[0].outputs, "stdout")).to.equal("hello\nworld\nprofile=smoke\n");
    expect(cells[0].outputs).to.have.length(1, "consecutive stdout chunks merge into one output");
    expect(streamText(cells[1].outputs, "stdout")).to.equal("42\n");
    expect(cells[2].outputs).to.deep.equal([]);
    const displays = cells[3].outputs.map((output) => (output.output_type === "display_data" ? output.data : null));
    expect(displays).to.deep.equal([{ "text/html": ["<b>bold</b>"] }, { "image/png": "iVBORw==" }, { "text/plain": ["step 2"] }]);
    expect(streamText(cells[4].outputs, "stdout")).to.equal("cwd=fixtures\nanswer=42\n");

    const timing = cells[0].metadata.execution as Record<string, string>;
    expect(Date.parse(timing["iopub.status.busy"])).to.be.at.most(Date.parse(timing["shell.execute_reply"]));
    expect((cells[0].metadata.cnn_notebooks as { seconds: number }).seconds).to.be.a("number").and.at.least(0);

    const written = readNotebook(result.writtenTo as string);
    const record = written.metadata.cnn_notebooks as Record<string, string>;
    expect(record.profile).to.equal("smoke");
    expect(record.source_hash).to.equal(notebookSourceHash(readNotebook(fixture("good"))));
    expect(Date.parse(record.executed_at)).to.be.closeTo(Date.now(), 60_000);
    expect(await waitUntilGone(result.kernelPid as number)).to.equal(true, "the kernel outlived its notebook");
  });

  it("stops at a cell that throws and reports notebook, cell, first line and the error text", async () => {
    const result = await run("throws");
    expect(result.ok).to.equal(false);
    expect(result.failure?.kind).to.equal("error");
    expect(result.cellsRun).to.equal(2);
    expect(result.message).to.include("throws.ipynb").and.include("code cell 2/3").and.include('"const divisor = 0;"');
    expect(result.message).to.include("Error: boom from cell two (divisor 0)");
    const cells = codeCells(result.writtenTo as string);
    const error = cells[1].outputs.find((output) => output.output_type === "error");
    expect(error).to.deep.include({ output_type: "error", ename: "Error", evalue: "boom from cell two (divisor 0)" });
    expect(error && error.output_type === "error" ? error.traceback.join("\n") : "").to.include("boom from cell two");
    expect(cells[2].execution_count).to.equal(null, "cells after the failure do not run");
    expect(readNotebook(result.writtenTo as string).metadata).to.not.have.property("cnn_notebooks");
    expect(await waitUntilGone(result.kernelPid as number)).to.equal(true);
  });

  it("reports a TypeScript type error with tslab's diagnostic", async () => {
    const result = await run("type-error");
    expect(result.ok).to.equal(false);
    expect(result.message).to.include("code cell 1/1").and.include(`"const x: number = "a";"`);
    expect(result.message).to.include("Type 'string' is not assignable to type 'number'");
    const error = codeCells(result.writtenTo as string)[0].outputs.find((output) => output.output_type === "error");
    expect(error).to.deep.include({ ename: "TypeScriptError" });
  });

  it("reports a rejected promise, with what the cell wrote to the kernel's own stderr", async () => {
    const result = await run("rejects");
    expect(result.ok).to.equal(false);
    expect(result.message).to.include("Error: rejected on purpose");
    expect(result.message).to.include("written straight to the kernel's stderr");
    const outputs = codeCells(result.writtenTo as string)[0].outputs;
    expect(streamText(outputs, "stdout")).to.equal("waiting\n");
  });

  it("interrupts a cell that never ends at the timeout and kills the kernel with its children", async () => {
    const started = Date.now();
    const result = await run("never-ends", { cellTimeoutSeconds: 2 });
    expect(result.ok).to.equal(false);
    expect(result.failure?.kind).to.equal("timeout");
    expect(result.message).to.include("code cell 2/2").and.include("longer than 2 s");
    expect(Date.now() - started).to.be.below(30_000);
    expect(await waitUntilGone(result.kernelPid as number)).to.equal(true, "the kernel is still running");
    const printed = streamText(codeCells(result.writtenTo as string)[0].outputs, "stdout");
    const childPid = Number(/child pid (\d+)/.exec(printed)?.[1]);
    expect(childPid).to.be.greaterThan(0);
    expect(await waitUntilGone(childPid)).to.equal(true, "the kernel's detached child is still running");
  });

  it("writes in place atomically on success, and leaves a stored notebook untouched on failure", async () => {
    const inPlace = fs.mkdtempSync(path.join(outputDir, "in-place-"));
    for (const name of ["good", "throws"]) fs.copyFileSync(fixture(name), path.join(inPlace, `${name}.ipynb`));
    const storedThrows = fs.readFileSync(path.join(inPlace, "throws.ipynb"));

    const failed = await executeNotebook(path.join(inPlace, "throws.ipynb"), { profile: "smoke" });
    expect(failed.ok).to.equal(false);
    expect(failed.writtenTo).to.equal(null);
    expect(fs.readFileSync(path.join(inPlace, "throws.ipynb")).equals(storedThrows)).to.equal(true);

    const good = await executeNotebook(path.join(inPlace, "good.ipynb"), { profile: "smoke" });
    expect(good.ok, good.message).to.equal(true);
    expect(good.writtenTo).to.equal(path.join(inPlace, "good.ipynb"));
    expect(codeCells(path.join(inPlace, "good.ipynb")).map((cell) => cell.execution_count)).to.deep.equal([1, 2, null, 3, 4]);
    expect(fs.readdirSync(inPlace).sort()).to.deep.equal(["good.ipynb", "throws.ipynb"], "no temporary file left behind");
  });

  it("reports a kernel that cannot start or exits while starting, naming the notebook", async () => {
    const missing = await run("good", { kernelArgv: () => [path.join(outputDir, "no-such-kernel")] });
    expect(missing.ok).to.equal(false);
    expect(missing.failure?.kind).to.equal("startup");
    expect(missing.message).to.include("good.ipynb").and.include("no-such-kernel");
    const exits = await run("good", { kernelArgv: () => [process.execPath, "-e", "console.error('kernel says no'); process.exit(3)"] });
    expect(exits.failure?.kind).to.equal("startup");
    expect(exits.message).to.include("exit code 3").and.include("kernel says no");
  });

  it("runs notebooks in parallel from the command line and exits non-zero when one fails", async () => {
    const cli = startCli([fixture("good"), fixture("throws"), "--jobs", "2", "--profile", "smoke", "--output", outputDir]);
    const { code, stdout, stderr } = await cli.finished;
    expect(code).to.equal(1);
    expect(stdout).to.include("good.ipynb: done").and.include("1/2 notebook(s) ok; failed: throws.ipynb");
    expect(stderr).to.include("code cell 2/3").and.include("Error: boom from cell two (divisor 0)");
    const readyLines = stdout.match(/kernel ready/g) ?? [];
    expect(readyLines).to.have.length(2);
  });

  it("never writes a smoke run over the stored notebook: without --output its copy goes to <runs>/smoke/notebooks/", async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-runs-"));
    try {
      const stored = fs.readFileSync(fixture("good"));
      const { code, stdout } = await startCli([fixture("good"), "--profile", "smoke"], { ...process.env, CNN_RUNS_DIR: runsDir }).finished;
      expect(code).to.equal(0);
      expect(stdout).to.include(path.join(runsDir, "smoke", "notebooks"));
      expect(fs.readFileSync(fixture("good")).equals(stored), "the stored notebook is untouched").to.equal(true);
      expect(fs.existsSync(path.join(runsDir, "smoke", "notebooks", path.basename(fixture("good"))))).to.equal(true);
    } finally {
      fs.rmSync(runsDir, { recursive: true, force: true });
    }
  });

  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`leaves no kernel (nor its children) behind when the runner gets ${signal}`, async () => {
      const cli = startCli([fixture("never-ends"), "--timeout", "600", "--output", outputDir]);
      const kernelPid = Number((await cli.waitForOutput(/kernel ready \(pid (\d+)/))[1]);
      await cli.waitForOutput(/cell 1\/2 ok/);
      const children = descendantPids(kernelPid);
      expect(children, "the fixture's sleeper").to.have.length.at.least(1);
      cli.child.kill(signal);
      const { code } = await cli.finished;
      expect(code).to.not.equal(0);
      expect(await waitUntilGone(kernelPid)).to.equal(true, `kernel ${kernelPid} outlived the runner`);
      for (const child of children) expect(await waitUntilGone(child)).to.equal(true, `child ${child} outlived the runner`);
    });
  }
});
