/**
 * Execute one notebook headlessly: a fresh tslab kernel (cwd = the notebook's folder, the profile and data settings in
 * its environment), every code cell in order, outputs and execution counts written back as nbformat 4, timing in
 * cell metadata, the execution record in notebook metadata. The first failing cell stops the notebook; the result
 * names the notebook, the cell and the real error text (tslab writes it as stderr, see error-text.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createConnectionInfo, writeConnectionFile } from "./connection";
import { cleanErrorText, errorOutputFromStderr } from "./error-text";
import { KernelProcess, type KernelExit } from "./kernel-process";
import type { ExecuteInputContent, ExecuteReplyContent, JupyterMessage, StatusContent, StreamContent } from "./messages";
import { joinSource, readNotebook, writeNotebookAtomic, type CodeCell, type Notebook } from "./nbformat";
import { CellOutputCollector, DisplayRegistry } from "./outputs";
import { KernelSession } from "./session";
import { EXECUTION_RECORD_KEY, notebookSourceHash, type ExecutionRecord, type RunProfile } from "./source-hash";
import { findProjectRoot, tslabKernelArgv } from "./tslab";

export const DEFAULT_CELL_TIMEOUT_SECONDS = 1800;
const DEFAULT_STARTUP_TIMEOUT_SECONDS = 120;
/** After an interrupt, how long the cell may take to stop before the kernel is killed. */
const INTERRUPT_GRACE_MS = 3000;
/** tslab writes error text right before execute_reply; let the pipe deliver what is still in flight. */
const STDERR_SETTLE_MS = 150;
const HEARTBEAT_MS = 30_000;
const BACKEND_LINE = /^Backend: ([\w.+-]+)/m;
const FIRST_LINE_LENGTH = 80;

export type ProgressEvent =
  | { type: "kernel-ready"; notebook: string; seconds: number; pid: number }
  | { type: "cell-start"; notebook: string; cell: number; cells: number; firstLine: string }
  | { type: "cell-running"; notebook: string; cell: number; cells: number; seconds: number }
  | { type: "cell-done"; notebook: string; cell: number; cells: number; seconds: number; ok: boolean; firstLine: string };

export interface ExecuteOptions {
  /** smoke or full; default: CNN_PROFILE from `env`, else full. Passed to the kernel as CNN_PROFILE. */
  profile?: RunProfile;
  /** Per-cell limit: interrupt (interrupt_request + SIGINT), then kill. */
  cellTimeoutSeconds?: number;
  startupTimeoutSeconds?: number;
  /** Write the executed notebook here instead of in place (a file path). */
  outputPath?: string;
  /** When writing in place, also write a failed execution (default false: stored outputs stay as they were). */
  writeInPlaceOnFailure?: boolean;
  /**
   * The environment the kernel starts from (default process.env): the whole of it is passed, so CNN_DATA_MIRROR,
   * CNN_DATA_DIR, CNN_RUNS_DIR, CNN_BACKEND and CNN_SEED reach the notebook; CNN_PROFILE is set to `profile`.
   */
  env?: NodeJS.ProcessEnv;
  /** The kernel command without the connection file, default the project's `tslab kernel --config-path`. */
  kernelArgv?: (connectionFile: string) => string[];
  onProgress?: (event: ProgressEvent) => void;
}

export interface CellFailure {
  kind: "error" | "timeout" | "kernel-exit" | "startup";
  /** 1-based number among the code cells, and among all cells. */
  codeCell: number;
  notebookCell: number;
  firstLine: string;
  errorText: string;
}

export interface NotebookResult {
  notebook: string;
  writtenTo: string | null;
  ok: boolean;
  profile: RunProfile;
  cellsRun: number;
  codeCells: number;
  seconds: number;
  kernelPid: number | null;
  failure: CellFailure | null;
  /** A readable report of the failure naming notebook, cell, first line and error text ("" when ok). */
  message: string;
}

interface CodeCellRef {
  cell: CodeCell;
  codeNumber: number;
  notebookNumber: number;
}

export async function executeNotebook(notebookPath: string, options: ExecuteOptions = {}): Promise<NotebookResult> {
  const started = Date.now();
  const file = path.resolve(notebookPath);
  const name = path.basename(file);
  const env = options.env ?? process.env;
  const profile = options.profile ?? parseRunProfile(env.CNN_PROFILE);
  const cellTimeoutMs = (options.cellTimeoutSeconds ?? DEFAULT_CELL_TIMEOUT_SECONDS) * 1000;
  const progress = options.onProgress ?? (() => undefined);
  const notebook = readNotebook(file);
  const sourceHash = notebookSourceHash(notebook);
  const codeCells = listCodeCells(notebook);
  const displays = new DisplayRegistry();
  // Cells that a failure keeps from running must not show outputs from an earlier run.
  for (const ref of codeCells) {
    ref.cell.outputs = [];
    ref.cell.execution_count = null;
    delete ref.cell.metadata.execution;
    delete ref.cell.metadata[EXECUTION_RECORD_KEY];
  }

  const info = await createConnectionInfo();
  const connectionFile = writeConnectionFile(info);
  const [command, ...args] = (options.kernelArgv ?? ((f: string) => tslabKernelArgv(f, findProjectRoot())))(connectionFile);
  const refused: string[] = [];
  let kernel: KernelProcess | null = null;
  let session: KernelSession | null = null;
  let failure: CellFailure | null = null;
  let cellsRun = 0;

  try {
    kernel = KernelProcess.start({ command, args, cwd: path.dirname(file), env: { ...env, CNN_PROFILE: profile } });
    session = KernelSession.connect(info, { onRefusedMessage: (reason) => refused.push(reason) });
    const startup = await raceKernelExit(kernel, session.waitForReady((options.startupTimeoutSeconds ?? DEFAULT_STARTUP_TIMEOUT_SECONDS) * 1000));
    if (startup.exited) throw new Error(`the kernel exited while starting (${describeExit(startup.exited)})`);
    progress({ type: "kernel-ready", notebook: name, seconds: (Date.now() - started) / 1000, pid: kernel.pid });

    for (const ref of codeCells) {
      const source = joinSource(ref.cell.source);
      if (source.trim() === "") continue; // like nbclient: empty cells are not sent
      const outcome = await runCell(kernel, session, ref, source, displays, cellTimeoutMs, name, codeCells.length, progress);
      cellsRun++;
      if (outcome) {
        failure = outcome;
        break;
      }
    }
  } catch (error) {
    failure ??= {
      kind: "startup",
      codeCell: 0,
      notebookCell: 0,
      firstLine: "",
      errorText: `${(error as Error).message ?? String(error)}${kernel ? "\n" + kernel.stderrSince(0) : ""}`.trim(),
    };
  } finally {
    // No polite shutdown_request first: the kernel could exit on it and orphan its descendants before they are
    // found; tslab holds nothing that needs flushing, so the group and descendants are killed at once.
    session?.close();
    await kernel?.kill();
    fs.rmSync(connectionFile, { force: true });
  }

  if (refused.length > 0 && failure === null) {
    failure = { kind: "error", codeCell: 0, notebookCell: 0, firstLine: "", errorText: `refused ${refused.length} kernel message(s): ${refused[0]}` };
  }
  if (failure === null) {
    const record: ExecutionRecord = { source_hash: sourceHash, profile, executed_at: new Date().toISOString() };
    const backend = findBackend(notebook) ?? env.CNN_BACKEND;
    if (backend) record.backend = backend;
    notebook.metadata[EXECUTION_RECORD_KEY] = record;
  }
  const target = options.outputPath ? path.resolve(options.outputPath) : file;
  const write = failure === null || options.outputPath !== undefined || options.writeInPlaceOnFailure === true;
  if (write) writeNotebookAtomic(target, notebook);
  return {
    notebook: file,
    writtenTo: write ? target : null,
    ok: failure === null,
    profile,
    cellsRun,
    codeCells: codeCells.length,
    seconds: (Date.now() - started) / 1000,
    kernelPid: kernel?.pid ?? null,
    failure,
    message: failure ? formatFailure(name, codeCells.length, failure) : "",
  };
}

/** Run one cell; returns its failure, or null when it succeeded. */
async function runCell(
  kernel: KernelProcess,
  session: KernelSession,
  ref: CodeCellRef,
  source: string,
  displays: DisplayRegistry,
  timeoutMs: number,
  notebookName: string,
  cellCount: number,
  progress: (event: ProgressEvent) => void,
): Promise<CellFailure | null> {
  const firstLine = firstLineOf(source);
  const collector = new CellOutputCollector(displays);
  const timing: Record<string, string> = {};
  const stderrOffset = kernel.stderrLength;
  let iopubStderr = "";
  const failureOf = (kind: CellFailure["kind"], errorText: string): CellFailure => ({
    kind,
    codeCell: ref.codeNumber,
    notebookCell: ref.notebookNumber,
    firstLine,
    errorText: cleanErrorText(errorText),
  });

  progress({ type: "cell-start", notebook: notebookName, cell: ref.codeNumber, cells: cellCount, firstLine });
  const cellStart = Date.now();
  const heartbeat = setInterval(
    () => progress({ type: "cell-running", notebook: notebookName, cell: ref.codeNumber, cells: cellCount, seconds: (Date.now() - cellStart) / 1000 }),
    HEARTBEAT_MS,
  );
  const execution = session.execute(source, (message: JupyterMessage) => {
    const now = new Date().toISOString();
    switch (message.header.msg_type) {
      case "status": {
        const state = (message.content as unknown as StatusContent).execution_state;
        if (state === "busy") timing["iopub.status.busy"] = now;
        if (state === "idle") timing["iopub.status.idle"] = now;
        return;
      }
      case "execute_input":
        timing["iopub.execute_input"] = now;
        ref.cell.execution_count = (message.content as unknown as ExecuteInputContent).execution_count ?? ref.cell.execution_count;
        return;
      case "stream":
        if ((message.content as unknown as StreamContent).name === "stderr") iopubStderr += (message.content as unknown as StreamContent).text;
        break;
    }
    collector.handle(message);
  });

  let failure: CellFailure | null = null;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  try {
    const first = await Promise.race([execution.done, timedOut, kernel.exited]);
    if (first === "timeout") {
      await session.interrupt().catch(() => undefined);
      kernel.interrupt();
      const stopped = await firstOf([execution.done.then(() => true), kernel.exited.then(() => true)], INTERRUPT_GRACE_MS, false);
      await kernel.kill();
      const seconds = timeoutMs / 1000;
      const text = `Timeout: the cell ran longer than ${seconds} s (--timeout ${seconds}); it was interrupted${stopped ? "" : ", did not stop"} and the kernel was stopped.`;
      const details = (iopubStderr + kernel.stderrSince(stderrOffset)).trim();
      failure = failureOf("timeout", details ? `${text}\n${details}` : text);
    } else if (isKernelExit(first)) {
      await sleep(STDERR_SETTLE_MS);
      const text = `The kernel exited during the cell (${describeExit(first)}).`;
      failure = failureOf("kernel-exit", [text, iopubStderr, kernel.stderrSince(stderrOffset)].join("\n"));
    } else {
      const reply = first as JupyterMessage<ExecuteReplyContent>;
      timing["shell.execute_reply"] = new Date().toISOString();
      if (typeof reply.content.execution_count === "number") ref.cell.execution_count = reply.content.execution_count;
      if (reply.content.status !== "ok") {
        await sleep(STDERR_SETTLE_MS);
        const errorText = [iopubStderr, kernel.stderrSince(stderrOffset)].filter((text) => text.trim() !== "").join("\n");
        const fromReply = reply.content.traceback?.join("\n") ?? reply.content.evalue ?? "";
        failure = failureOf("error", errorText || fromReply || `execute_reply status "${reply.content.status}" without error text`);
      }
    }
  } finally {
    clearTimeout(timer);
    clearInterval(heartbeat);
  }

  const seconds = (Date.now() - cellStart) / 1000;
  const outputs = collector.outputs;
  if (failure) {
    // The stderr text becomes the error output's traceback; keep it once, not also as a red stream above it.
    ref.cell.outputs = outputs.filter((output) => !(output.output_type === "stream" && output.name === "stderr"));
    const iopubError = outputs.find((output) => output.output_type === "error");
    const synthesized = errorOutputFromStderr(failure.errorText);
    if (iopubError && iopubError.output_type === "error") {
      if (iopubError.traceback.length === 0) iopubError.traceback = synthesized.traceback;
    } else {
      ref.cell.outputs.push(synthesized);
    }
  } else {
    ref.cell.outputs = outputs;
  }
  ref.cell.metadata.execution = timing;
  ref.cell.metadata[EXECUTION_RECORD_KEY] = { seconds: Math.round(seconds * 1000) / 1000 };
  progress({ type: "cell-done", notebook: notebookName, cell: ref.codeNumber, cells: cellCount, seconds, ok: failure === null, firstLine });
  return failure;
}

export function formatFailure(notebookName: string, cellCount: number, failure: CellFailure): string {
  if (failure.kind === "startup") return `${notebookName}: could not run: ${failure.errorText}`;
  const where = failure.codeCell > 0 ? `code cell ${failure.codeCell}/${cellCount} (notebook cell ${failure.notebookCell}) "${failure.firstLine}"` : "";
  const what = { error: "failed", timeout: "timed out", "kernel-exit": "killed the kernel", startup: "" }[failure.kind];
  const indented = failure.errorText.split("\n").map((line) => `    ${line}`).join("\n");
  return `${notebookName}: ${where} ${what}:\n${indented}`;
}

export function parseRunProfile(value: string | undefined): RunProfile {
  if (value === undefined || value === "") return "full";
  const profile = value.trim().toLowerCase();
  if (profile === "smoke" || profile === "lab" || profile === "full") return profile;
  throw new Error(`profile must be smoke, lab or full, not "${value}"`);
}

function listCodeCells(notebook: Notebook): CodeCellRef[] {
  const refs: CodeCellRef[] = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type === "code") refs.push({ cell, codeNumber: refs.length + 1, notebookNumber: index + 1 });
  });
  return refs;
}

function firstLineOf(source: string): string {
  const line = source.split("\n").find((text) => text.trim() !== "")?.trim() ?? "";
  return line.length > FIRST_LINE_LENGTH ? line.slice(0, FIRST_LINE_LENGTH - 1) + "…" : line;
}

/** The backend a notebook reported ("Backend: wasm (…)", printed by setupBackend), if any. */
function findBackend(notebook: Notebook): string | undefined {
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "code") continue;
    for (const output of cell.outputs) {
      if (output.output_type !== "stream") continue;
      const match = BACKEND_LINE.exec(joinSource(output.text));
      if (match) return match[1];
    }
  }
  return undefined;
}

async function raceKernelExit<T>(kernel: KernelProcess, work: Promise<T>): Promise<{ value?: T; exited?: KernelExit }> {
  return Promise.race([work.then((value) => ({ value })), kernel.exited.then((exited) => ({ exited }))]);
}

function isKernelExit(value: unknown): value is KernelExit {
  return typeof value === "object" && value !== null && "signal" in value && "code" in value && !("header" in value);
}

function describeExit(exit: KernelExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** The first of `promises` to settle, or `fallback` after `ms`; the timer is cleared either way. */
async function firstOf<T>(promises: Array<Promise<T>>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([...promises, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
