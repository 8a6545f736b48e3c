/**
 * The kernel's process lifecycle. The kernel runs in its own process group (so a terminal's Ctrl-C reaches the runner,
 * which decides) and never outlives the runner: on finish, error, timeout, SIGINT/SIGTERM of the runner or its exit,
 * the whole group and any descendant that left it are killed. A tiny watchdog process holds a pipe from the runner
 * and kills the group when that pipe closes, which covers a runner killed with SIGKILL too.
 * The kernel's stderr is captured, because tslab writes a failing cell's error text there, not on iopub.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import type * as net from "node:net";

export interface KernelLaunch {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Files that must not outlive the kernel (its connection file holds the signing key): removed when it is killed. */
  temporaryFiles?: string[];
}

/** How much of the kernel's own stderr/stdout is kept (the end matters: error text comes last). */
const KEPT_PROCESS_OUTPUT_CHARS = 1_000_000;

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs detached with the kernel's pid (= its group id) as argument; when its stdin (the runner's pipe) ends, it kills
 * the kernel's descendants (read from /proc, as descendantPids below does) and the kernel's group. Plain JavaScript:
 * it runs in a bare `node -e`.
 */
const WATCHDOG_SOURCE = `
const fs = require("fs");
const kernel = Number(process.argv[1]);
const files = process.argv.slice(2);
function descendants(root) {
  const childrenOf = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\\d+$/.test(entry)) continue;
    let stat;
    try { stat = fs.readFileSync("/proc/" + entry + "/stat", "utf8"); } catch { continue; }
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!childrenOf.has(parent)) childrenOf.set(parent, []);
    childrenOf.get(parent).push(Number(entry));
  }
  const found = [], queue = [root];
  while (queue.length) for (const child of childrenOf.get(queue.shift()) || []) { found.push(child); queue.push(child); }
  return found;
}
const kill = (pid) => { try { process.kill(pid, "SIGKILL"); } catch {} };
const killAll = () => {
  let found = [];
  try { found = descendants(kernel); } catch {}
  kill(-kernel);
  found.forEach(kill);
  for (const file of files) { try { fs.rmSync(file, { force: true }); } catch {} }
  process.exit(0);
};
for (const signal of ["SIGINT", "SIGHUP", "SIGTERM"]) process.on(signal, killAll);
process.stdin.on("end", killAll);
process.stdin.on("close", killAll);
process.stdin.on("error", killAll);
process.stdin.resume();
`;

const liveKernels = new Set<KernelProcess>();
let exitHookInstalled = false;

/** Temporary files of live kernels and of kernels being started; removed on exit and on signals. */
const temporaryFiles = new Set<string>();

/** Remove `file` when the runner exits or is stopped by a signal (until `releaseTemporaryFile`). */
export function registerTemporaryFile(file: string): void {
  installExitHook();
  temporaryFiles.add(file);
}

/** Remove a registered temporary file now. */
export function releaseTemporaryFile(file: string): void {
  temporaryFiles.delete(file);
  fs.rmSync(file, { force: true });
}

function removeTemporaryFilesNow(): void {
  for (const file of temporaryFiles) {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // best effort while exiting
    }
  }
  temporaryFiles.clear();
}

/** Text kept up to a limit: past it, the oldest part goes (offsets stay counted from the very start). */
class KeptText {
  private kept = "";
  private dropped = 0;
  constructor(private readonly limit: number) {}
  append(text: string): void {
    this.kept += text;
    if (this.kept.length > this.limit * 2) {
      const cut = this.kept.length - this.limit;
      this.dropped += cut;
      this.kept = this.kept.slice(cut);
    }
  }
  get length(): number {
    return this.dropped + this.kept.length;
  }
  since(offset: number): string {
    if (offset >= this.dropped) return this.kept.slice(offset - this.dropped);
    return `[… ${this.dropped - offset} earlier characters dropped …]\n${this.kept}`;
  }
}

export class KernelProcess {
  private readonly stderrText = new KeptText(KEPT_PROCESS_OUTPUT_CHARS);
  private readonly stdoutText = new KeptText(KEPT_PROCESS_OUTPUT_CHARS);
  private exitInfo: KernelExit | null = null;
  private readonly watchdog: ChildProcess | null;
  /** Resolves when the kernel process has exited. */
  readonly exited: Promise<KernelExit>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly files: string[],
  ) {
    if (child.pid === undefined) throw new Error("the kernel process did not start");
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => this.stderrText.append(text));
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (text: string) => this.stdoutText.append(text));
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        liveKernels.delete(this);
        for (const file of this.files) releaseTemporaryFile(file);
        if (this.watchdog?.pid !== undefined) sendSignal(this.watchdog.pid, "SIGKILL");
        resolve(this.exitInfo);
      });
    });
    this.watchdog = startWatchdog(child.pid, files);
  }

  /** Start `launch` in a new process group with piped stdout/stderr. */
  static start(launch: KernelLaunch): KernelProcess {
    installExitHook();
    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: launch.env,
      detached: true, // its own process group (and session), see the file comment
      stdio: ["ignore", "pipe", "pipe"],
    });
    let spawnError: Error | null = null;
    child.on("error", (error) => (spawnError = error));
    if (child.pid === undefined) {
      const reason = spawnError ? `: ${String(spawnError)}` : "";
      throw new Error(`could not start the kernel (${launch.command} ${launch.args.join(" ")})${reason}`);
    }
    const files = launch.temporaryFiles ?? [];
    for (const file of files) registerTemporaryFile(file);
    const kernel = new KernelProcess(child, files);
    liveKernels.add(kernel);
    return kernel;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get isAlive(): boolean {
    return this.exitInfo === null;
  }

  get exitStatus(): KernelExit | null {
    return this.exitInfo;
  }

  /** How many characters of stderr have arrived; pass it to `stderrSince` to get what one cell wrote. */
  get stderrLength(): number {
    return this.stderrText.length;
  }

  stderrSince(offset: number): string {
    return this.stderrText.since(offset);
  }

  get stdout(): string {
    return this.stdoutText.since(0);
  }

  /** SIGINT to the kernel: tslab interrupts the running cell (vm breakOnSigint, or the awaited promise). */
  interrupt(): void {
    if (this.isAlive) sendSignal(this.pid, "SIGINT");
  }

  /** Kill the kernel's group and every descendant, then wait until the kernel has exited. */
  async kill(): Promise<KernelExit> {
    this.killNow();
    return this.exited;
  }

  /** Synchronous part of `kill`, usable from an exit handler. */
  killNow(): void {
    if (this.watchdog?.pid !== undefined) sendSignal(this.watchdog.pid, "SIGKILL");
    const descendants = descendantPids(this.pid);
    sendSignal(-this.pid, "SIGKILL");
    for (const pid of descendants) sendSignal(pid, "SIGKILL");
    for (const file of this.files) releaseTemporaryFile(file);
  }
}

/** Kill every kernel this process started and that still runs (synchronous; for exit and signal handlers). */
export function killAllKernelsNow(): void {
  for (const kernel of liveKernels) kernel.killNow();
  removeTemporaryFilesNow();
}

/**
 * For command-line entry points: on SIGINT/SIGTERM/SIGHUP kill the kernels, remove their connection files, then exit
 * with 128 + signal number. Nothing is written after that: a stopped run never writes notebooks.
 */
export function installSignalCleanup(): void {
  const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const name of Object.keys(exitCodes)) {
    process.once(name as NodeJS.Signals, () => stopNow(`${name}`, exitCodes[name]));
  }
}

/** Kill every kernel, remove temporary files and exit at once (signal handlers, a launcher that went away). */
export function stopNow(reason: string, exitCode: number): never {
  try {
    process.stderr.write(`\n${reason}: stopping ${liveKernels.size} kernel(s); no notebook is written\n`);
  } catch {
    // stderr may be a closed pipe when the launcher is gone
  }
  killAllKernelsNow();
  process.exit(exitCode);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killAllKernelsNow);
}

function startWatchdog(kernelPid: number, files: string[]): ChildProcess | null {
  try {
    const watchdog = spawn(process.execPath, ["-e", WATCHDOG_SOURCE, String(kernelPid), ...files], {
      detached: true, // outside the runner's group, so a Ctrl-C at the terminal does not end it before the runner acts
      stdio: ["pipe", "ignore", "ignore"],
    });
    watchdog.on("error", () => undefined);
    // Neither the watchdog nor its pipe may keep the runner's event loop alive.
    watchdog.unref();
    (watchdog.stdin as net.Socket | null)?.unref();
    return watchdog;
  } catch {
    return null; // the group is still killed by the runner's own handlers
  }
}

function sendSignal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Every live descendant of `rootPid`, read from /proc (empty where /proc does not exist). */
export function descendantPids(rootPid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
    const afterComm = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const parent = Number(afterComm[1]);
    const list = childrenOf.get(parent) ?? [];
    list.push(Number(entry));
    childrenOf.set(parent, list);
  }
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of childrenOf.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** True when a live process has this pid: signal 0 probes; a zombie (killed, not yet reaped by init) counts as gone. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc: trust the signal probe
  }
}
