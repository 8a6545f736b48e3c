/**
 * Execute one notebook headlessly: a fresh tslab kernel (TypeScript, or JavaScript for `jslab` notebooks; cwd = the
 * notebook's folder, the profile and data settings in its environment), every code cell in order, outputs and
 * execution counts written back as nbformat 4, timing in cell metadata, the execution record in notebook metadata,
 * and `kernelspec` / `language_info` exactly as Jupyter would set them for this kernel (so opening the notebook in
 * Jupyter changes nothing). The first failing cell stops the notebook (unless errors are allowed); the result names
 * the notebook, the cell and the real error text (tslab writes it as stderr, see error-text.ts).
 *
 * Nothing is lost without a word: a notebook that cannot be read, a cell whose iopub "idle" never came (outputs may
 * be missing), or a notebook edited on disk while it ran make the result fail with a message naming the file.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { createConnectionInfo, writeConnectionFile } from "./connection";
import { cleanErrorText, errorOutputFromStderr } from "./error-text";
import { KernelProcess, registerTemporaryFile, releaseTemporaryFile, type KernelExit } from "./kernel-process";
import type { ExecuteInputContent, ExecuteReplyContent, JupyterMessage, StatusContent, StreamContent } from "./messages";
import { decodeNotebookBytes, joinSource, parseNotebook, writeNotebookAtomic, type CodeCell, type Notebook } from "./nbformat";
import { CellOutputCollector, DEFAULT_MAX_STREAM_CHARS, DisplayRegistry } from "./outputs";
import { KernelSession, type ExecutionOutcome } from "./session";
import { EXECUTION_RECORD_KEY, notebookSourceHash, type ExecutionRecord, type RunProfile } from "./source-hash";
import { StreamText, formatChars } from "./stream-text";
import { findProjectRoot, kernelNodeOptions, notebookKernelspec, tslabKernelArgv, tslabKernelFor, type TslabKernelName } from "./tslab";

export const DEFAULT_CELL_TIMEOUT_SECONDS = 1800;
export const DEFAULT_STARTUP_TIMEOUT_SECONDS = 120;
/** After an interrupt, how long the cell may take to stop before the kernel is killed. */
const INTERRUPT_GRACE_MS = 3000;
/** tslab writes error text right before execute_reply; let the pipe deliver what is still in flight. */
const STDERR_SETTLE_MS = 150;
const HEARTBEAT_MS = 30_000;
const BACKEND_LINE = /^Backend: ([\w.+-]+)/m;
const FIRST_LINE_LENGTH = 80;
/**
 * After a failing cell tslab aborts every request that arrives within 200 ms (its execQueue.reset(200)); with errors
 * allowed, the next cell is sent only after this pause.
 */
const TSLAB_ABORT_WINDOW_MS = 250;
/** How much of a failing cell's stderr is kept for its error text (head and tail). */
const MAX_ERROR_TEXT_CHARS = 200_000;
/** Where an executed notebook goes when its file changed on disk during the run. */
export const EXECUTED_BESIDE_SUFFIX = ".executed.ipynb";

export type ProgressEvent =
  | { type: "kernel-ready"; notebook: string; seconds: number; pid: number }
  | { type: "cell-start"; notebook: string; cell: number; cells: number; firstLine: string }
  | { type: "cell-running"; notebook: string; cell: number; cells: number; seconds: number }
  | { type: "cell-done"; notebook: string; cell: number; cells: number; seconds: number; ok: boolean; firstLine: string; trimmed: string | null };

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
  /** The kernel command for a connection file, default the project's `tslab kernel --config-path <file> [--js]`. */
  kernelArgv?: (connectionFile: string, kernel: TslabKernelName) => string[];
  /** Record a failing cell's error and go on with the next cell (nbclient's allow_errors); the notebook still counts as ok. */
  allowErrors?: boolean;
  /** Characters of one stream output a cell may store; past it the head and tail are kept (default 1 M). */
  maxStreamChars?: number;
  onProgress?: (event: ProgressEvent) => void;
}

export interface CellFailure {
  /**
   * error / timeout / kernel-exit: the cell; startup: the kernel; unreadable: the notebook file; refused: a kernel the
   * runner does not run; incomplete-output: iopub never said idle; changed-on-disk: edited while it ran.
   */
  kind: "error" | "timeout" | "kernel-exit" | "startup" | "unreadable" | "refused" | "incomplete-output" | "changed-on-disk";
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
  /** Cell errors recorded and passed over with `allowErrors`. */
  allowedErrors: CellFailure[];
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
  const result = (failure: CellFailure | null, extra: Partial<NotebookResult> = {}): NotebookResult => ({
    notebook: file,
    writtenTo: null,
    ok: failure === null,
    profile,
    cellsRun: 0,
    codeCells: 0,
    seconds: (Date.now() - started) / 1000,
    kernelPid: null,
    failure,
    allowedErrors: [],
    message: failure ? formatFailure(name, extra.codeCells ?? 0, failure) : "",
    ...extra,
  });
  const notebookFailure = (kind: CellFailure["kind"], errorText: string): CellFailure => ({ kind, codeCell: 0, notebookCell: 0, firstLine: "", errorText });

  // A notebook that cannot be read fails alone, named; the other notebooks of a batch still run.
  let notebook: Notebook;
  let readHash: string;
  try {
    const bytes = fs.readFileSync(file);
    readHash = sha256(bytes);
    notebook = parseNotebook(decodeNotebookBytes(bytes, file), file);
  } catch (error) {
    return result(notebookFailure("unreadable", (error as Error).message));
  }
  const kernelChoice = tslabKernelFor(notebook.metadata);
  if ("refused" in kernelChoice) {
    return result(notebookFailure("refused", `${file}: not run: ${kernelChoice.refused}; this runner runs tslab's TypeScript ("tslab") and JavaScript ("jslab") notebooks`));
  }
  const kernelName = kernelChoice.kernel;
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

  const info = await createConnectionInfo(kernelName);
  const connectionFile = writeConnectionFile(info);
  registerTemporaryFile(connectionFile);
  const argvFor = options.kernelArgv ?? ((f: string, k: TslabKernelName) => tslabKernelArgv(f, findProjectRoot(), k));
  const [command, ...args] = argvFor(connectionFile, kernelName);
  const refused: string[] = [];
  const allowedErrors: CellFailure[] = [];
  const incomplete: CodeCellRef[] = [];
  let kernel: KernelProcess | null = null;
  let session: KernelSession | null = null;
  let failure: CellFailure | null = null;
  let cellsRun = 0;

  try {
    kernel = KernelProcess.start({
      command,
      args,
      cwd: path.dirname(file),
      env: { ...env, CNN_PROFILE: profile, NODE_OPTIONS: kernelNodeOptions(env.NODE_OPTIONS) },
      temporaryFiles: [connectionFile],
    });
    session = KernelSession.connect(info, { onRefusedMessage: (reason) => refused.push(reason) });
    const startup = await raceKernelExit(kernel, session.waitForReady((options.startupTimeoutSeconds ?? DEFAULT_STARTUP_TIMEOUT_SECONDS) * 1000));
    if (startup.exited) throw new Error(`the kernel exited while starting (${describeExit(startup.exited)})`);
    // What Jupyter itself would store when this notebook is opened with this kernel (see tslab.ts).
    notebook.metadata.kernelspec = notebookKernelspec(kernelName);
    const languageInfo = (startup.value?.content as { language_info?: unknown } | undefined)?.language_info;
    if (languageInfo !== undefined) notebook.metadata.language_info = languageInfo;
    progress({ type: "kernel-ready", notebook: name, seconds: (Date.now() - started) / 1000, pid: kernel.pid });

    let previousFailed = false;
    for (const ref of codeCells) {
      const source = joinSource(ref.cell.source);
      if (source.trim() === "") continue; // like nbclient: empty cells are not sent
      if (previousFailed) await sleep(TSLAB_ABORT_WINDOW_MS);
      const cellRun = await runCell(kernel, session, ref, source, displays, cellTimeoutMs, name, codeCells.length, progress, options.maxStreamChars ?? DEFAULT_MAX_STREAM_CHARS);
      cellsRun++;
      if (!cellRun.idleSeen) incomplete.push(ref);
      previousFailed = cellRun.failure !== null;
      if (cellRun.failure === null) continue;
      if (options.allowErrors && cellRun.failure.kind === "error") {
        allowedErrors.push(cellRun.failure);
        continue;
      }
      failure = cellRun.failure;
      break;
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
    releaseTemporaryFile(connectionFile);
  }

  if (refused.length > 0 && failure === null) {
    failure = notebookFailure("error", `refused ${refused.length} kernel message(s): ${refused[0]}`);
  }
  if (incomplete.length > 0 && failure === null) {
    const cells = incomplete.map((ref) => `code cell ${ref.codeNumber} (notebook cell ${ref.notebookNumber})`).join(", ");
    failure = notebookFailure(
      "incomplete-output",
      `outputs may be incomplete: the kernel's "idle" status after ${cells} never arrived on iopub ` +
        "(messages were lost or the kernel kept writing after its reply). Re-run it; if it recurs, write less output per cell.",
    );
  }
  if (failure === null) {
    const record: ExecutionRecord = { source_hash: sourceHash, profile, executed_at: new Date().toISOString() };
    const backend = findBackend(notebook) ?? env.CNN_BACKEND;
    if (backend) record.backend = backend;
    if (allowedErrors.length > 0) record.errors = allowedErrors.length;
    notebook.metadata[EXECUTION_RECORD_KEY] = record;
  }
  const inPlace = options.outputPath === undefined;
  let target = inPlace ? file : path.resolve(options.outputPath as string);
  const write = failure === null || !inPlace || options.writeInPlaceOnFailure === true;
  if (write && inPlace && changedSince(file, readHash)) {
    // Someone saved the notebook (in Jupyter, an editor) while it ran: their edit wins; the run goes beside it.
    target = file.replace(/\.ipynb$/, "") + EXECUTED_BESIDE_SUFFIX;
    failure ??= notebookFailure(
      "changed-on-disk",
      `${file} changed on disk while it ran, so it was left as saved; the executed notebook was written to ${target}`,
    );
  }
  if (write) writeNotebookAtomic(target, notebook);
  return result(failure, {
    writtenTo: write ? target : null,
    cellsRun,
    codeCells: codeCells.length,
    kernelPid: kernel?.pid ?? null,
    allowedErrors,
    message: failure ? formatFailure(name, codeCells.length, failure) : allowedErrors.map((f) => formatFailure(name, codeCells.length, f)).join("\n"),
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** True when `file` no longer holds the bytes read at the start (or is gone). */
function changedSince(file: string, hash: string): boolean {
  try {
    return sha256(fs.readFileSync(file)) !== hash;
  } catch {
    return true;
  }
}

interface CellRun {
  failure: CellFailure | null;
  /** False when iopub never said idle for this cell. */
  idleSeen: boolean;
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
  maxStreamChars: number,
): Promise<CellRun> {
  const firstLine = firstLineOf(source);
  const collector = new CellOutputCollector(displays, maxStreamChars);
  const timing: Record<string, string> = {};
  const stderrOffset = kernel.stderrLength;
  const iopubStderr = new StreamText("stderr", MAX_ERROR_TEXT_CHARS);
  let idleSeen = true;
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
        if ((message.content as unknown as StreamContent).name === "stderr") iopubStderr.append((message.content as unknown as StreamContent).text);
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
      const details = (iopubStderr.text + kernel.stderrSince(stderrOffset)).trim();
      failure = failureOf("timeout", details ? `${text}\n${details}` : text);
    } else if (isKernelExit(first)) {
      await sleep(STDERR_SETTLE_MS);
      const text = `The kernel exited during the cell (${describeExit(first)}).`;
      failure = failureOf("kernel-exit", [text, iopubStderr.text, kernel.stderrSince(stderrOffset)].join("\n"));
    } else {
      const reply = (first as ExecutionOutcome).reply as JupyterMessage<ExecuteReplyContent>;
      idleSeen = (first as ExecutionOutcome).idleSeen;
      timing["shell.execute_reply"] = new Date().toISOString();
      if (typeof reply.content.execution_count === "number") ref.cell.execution_count = reply.content.execution_count;
      if (reply.content.status !== "ok") {
        await sleep(STDERR_SETTLE_MS);
        const errorText = [iopubStderr.text, kernel.stderrSince(stderrOffset)].filter((text) => text.trim() !== "").join("\n");
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
  const trimmed = collector.streamStats
    .filter((stats) => stats.droppedChars > 0)
    .map((stats) => `${stats.name} trimmed to its first and last ${formatChars(maxStreamChars / 2)} of ${formatChars(stats.chars)}`)
    .join("; ");
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
  progress({ type: "cell-done", notebook: notebookName, cell: ref.codeNumber, cells: cellCount, seconds, ok: failure === null, firstLine, trimmed: trimmed || null });
  return { failure, idleSeen };
}

export function formatFailure(notebookName: string, cellCount: number, failure: CellFailure): string {
  if (failure.kind === "startup") return `${notebookName}: could not run: ${failure.errorText}`;
  if (failure.kind === "unreadable" || failure.kind === "refused" || failure.kind === "changed-on-disk") return failure.errorText;
  if (failure.kind === "incomplete-output") return `${notebookName}: ${failure.errorText}`;
  const where = failure.codeCell > 0 ? `code cell ${failure.codeCell}/${cellCount} (notebook cell ${failure.notebookCell}) "${failure.firstLine}"` : "";
  const what = { error: "failed", timeout: "timed out", "kernel-exit": "killed the kernel" }[failure.kind];
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
