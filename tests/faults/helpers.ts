/** Shared by the fault suite: notebooks written on the fly, the runner as a child process, process checks. */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { processExists } from "../../scripts/jupyter/kernel-process";
import { readNotebook, serializeNotebook, type CodeCell, type Notebook } from "../../scripts/jupyter/nbformat";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const RUNNER = path.join(PROJECT_ROOT, "scripts", "run-notebooks.ts");

/** A tslab notebook of these code cells (ids fixed, so the file's bytes are stable). */
export function makeNotebook(cells: string[], kernel: { name: string; display_name: string; language: string } = { name: "tslab", display_name: "TypeScript", language: "typescript" }): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: kernel },
    cells: cells.map((source, i) => ({ cell_type: "code", id: `cell-${i}`, metadata: {}, source, outputs: [], execution_count: null })),
  };
}

export function writeNotebook(dir: string, name: string, cells: string[], kernel?: Parameters<typeof makeNotebook>[1]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, serializeNotebook(makeNotebook(cells, kernel)));
  return file;
}

export function codeCells(file: string): CodeCell[] {
  return readNotebook(file).cells.filter((cell): cell is CodeCell => cell.cell_type === "code");
}

export function streamText(cell: CodeCell, name: "stdout" | "stderr" = "stdout"): string {
  return cell.outputs.map((output) => (output.output_type === "stream" && output.name === name ? [output.text].flat().join("") : "")).join("");
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `faults-${prefix}-`));
}

/** Wait until `pid` is gone (a zombie counts as gone). */
export async function waitUntilGone(pid: number, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!processExists(pid)) return true;
    await sleep(50);
  }
  return !processExists(pid);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The connection file a running tslab kernel was started with (its --config-path argument). */
export function connectionFileOf(kernelPid: number): string | null {
  try {
    const argv = fs.readFileSync(`/proc/${kernelPid}/cmdline`, "utf8").split("\0");
    const at = argv.indexOf("--config-path");
    return at >= 0 ? argv[at + 1] : null;
  } catch {
    return null;
  }
}

export interface Cli {
  child: ChildProcess;
  finished: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  waitForOutput(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  output(): string;
}

/** Start a command with piped output; `waitForOutput` polls its stdout+stderr. */
export function startProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Cli {
  const child = spawn(command, args, { cwd: options.cwd ?? PROJECT_ROOT, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const finished = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    finished,
    output: () => stdout + stderr,
    async waitForOutput(pattern: RegExp, ms = 90_000) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const match = (stdout + stderr).match(pattern);
        if (match) return match;
        await sleep(50);
      }
      throw new Error(`no ${pattern} in the output:\n${stdout}\n${stderr}`);
    },
  };
}

/** The runner as its own node process (signals reach it directly). */
export function startRunner(args: string[]): Cli {
  return startProcess(process.execPath, ["--import", "tsx", RUNNER, ...args]);
}

/** Connection files of ours in TMPDIR. */
export function connectionFiles(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((name) => /^cnn-notebooks-kernel-[0-9a-f]+\.json$/.test(name)).map((name) => path.join(os.tmpdir(), name));
}
