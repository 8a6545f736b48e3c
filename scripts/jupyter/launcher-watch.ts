/**
 * `npm run execute` starts the runner as npm → sh → tsx → node. A SIGTERM to npm reaches `sh`, which dies without
 * passing it on, and the runner (re-parented) would go on and later write notebooks in place. So the runner watches
 * the processes that launched it, up to npm, and stops as if it got SIGTERM when one of them is gone.
 */
import * as fs from "node:fs";
import { processExists } from "./kernel-process";

const POLL_MS = 500;
/** npm, sh, tsx: how far up the chain the npm process can be. */
const MAX_LAUNCHER_DEPTH = 4;

function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** npm's own process: it renames itself "npm run …" (or runs npm-cli.js). */
function isNpm(command: string): boolean {
  return /^npm(\s|$)/.test(command) || /npm-cli\.js/.test(command) || /(^|\/)npm\s+(run|run-script|exec)\b/.test(command);
}

/**
 * The launching processes to watch: the ancestors up to and including npm when npm started us; otherwise only the
 * direct parent when it is tsx's wrapper (a shell that started `tsx …` may legitimately go away, e.g. nohup).
 */
export function launcherPids(pid: number = process.pid): number[] {
  const chain: number[] = [];
  let current = pid;
  for (let depth = 0; depth < MAX_LAUNCHER_DEPTH; depth++) {
    const parent = parentOf(current);
    if (parent === null || parent <= 1) break;
    chain.push(parent);
    if (isNpm(commandLine(parent))) return chain;
    current = parent;
  }
  return chain.length > 0 && /\btsx\b/.test(commandLine(chain[0])) ? [chain[0]] : [];
}

/** Call `onGone` once when a launching process has exited; the timer never keeps the runner alive. */
export function watchLaunchers(onGone: (pid: number) => void, pids: number[] = launcherPids()): () => void {
  if (pids.length === 0) return () => undefined;
  const originalParent = process.ppid;
  const timer = setInterval(() => {
    const gone = pids.find((pid) => !processExists(pid)) ?? (process.ppid !== originalParent ? originalParent : undefined);
    if (gone !== undefined) {
      clearInterval(timer);
      onGone(gone);
    }
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
