/**
 * npm run execute -- [notebooks…] [--jobs N] [--profile smoke|lab|full] [--timeout SECONDS] [--output DIR]
 *                    [--allow-errors] [--max-output-chars N]
 *
 * Executes notebooks headlessly on the project's tslab kernel over the Jupyter protocol (no Python, no nbconvert),
 * writing outputs back into each .ipynb (in place, atomically) or into --output DIR. Without notebook arguments it
 * runs every notebooks/*.ipynb. Exits non-zero when any notebook fails. Speaks only Jupyter: no tfjs, no lib/.
 * Stopped by a signal (or by npm going away) it kills its kernels and writes nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_CELL_TIMEOUT_SECONDS, DEFAULT_STARTUP_TIMEOUT_SECONDS, EXECUTED_BESIDE_SUFFIX, executeNotebook, parseRunProfile, type NotebookResult, type ProgressEvent } from "./jupyter/execute-notebook";
import type { RunProfile } from "./jupyter/source-hash";
import { installSignalCleanup, stopNow } from "./jupyter/kernel-process";
import { watchLaunchers } from "./jupyter/launcher-watch";
import { DEFAULT_MAX_STREAM_CHARS } from "./jupyter/outputs";
import { findProjectRoot } from "./jupyter/tslab";

const USAGE = `usage: npm run execute -- [notebooks…] [--jobs N] [--profile smoke|lab|full] [--timeout SECONDS] [--output DIR]
  notebooks        .ipynb files (default: every notebooks/*.ipynb)
  --jobs N         notebooks run in parallel (default 1)
  --profile P      smoke, lab or full (default: CNN_PROFILE, else full); passed to the kernel as CNN_PROFILE
  --timeout S      per-cell limit in seconds (default ${DEFAULT_CELL_TIMEOUT_SECONDS}); then interrupt, then kill
  --startup-timeout S  how long a kernel may take to answer kernel_info (default ${DEFAULT_STARTUP_TIMEOUT_SECONDS})
  --output DIR     write executed copies into DIR instead of in place
  --allow-errors   record a failing cell's error and go on with the next cell (the notebook still counts as ok)
  --max-output-chars N  characters of one stream output a cell stores; past it the first and last halves are kept
                   (default ${DEFAULT_MAX_STREAM_CHARS})
  --smoke-in-place let a smoke or lab run write in place (by default it writes into runs/<profile>/notebooks/:
                   the stored notebooks carry full-profile outputs)
Notebooks whose kernelspec is "jslab" run on tslab's JavaScript kernel; other kernels are refused.`;

interface RunOptions {
  notebooks: string[];
  jobs: number;
  profile: RunProfile;
  timeoutSeconds: number;
  startupTimeoutSeconds: number;
  outputDir: string | null;
  allowErrors: boolean;
  maxOutputChars: number;
}

function parseCommandLine(argv: string[]): RunOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      jobs: { type: "string", short: "j" },
      profile: { type: "string" },
      timeout: { type: "string" },
      "startup-timeout": { type: "string" },
      output: { type: "string", short: "o" },
      "smoke-in-place": { type: "boolean" },
      "allow-errors": { type: "boolean" },
      "max-output-chars": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const jobs = positiveNumber(values.jobs ?? "1", "--jobs");
  const timeoutSeconds = positiveNumber(values.timeout ?? String(DEFAULT_CELL_TIMEOUT_SECONDS), "--timeout");
  if (!Number.isInteger(jobs)) throw new Error(`--jobs must be a whole number, not ${jobs}`);
  const profile = parseRunProfile(values.profile ?? process.env.CNN_PROFILE);
  // The stored notebooks carry full-profile outputs: a smoke or lab run writes its copies beside its own runs
  // (runs/<profile>/notebooks/, git-ignored) unless told otherwise.
  const inPlace = profile === "full" || Boolean(values["smoke-in-place"]);
  const runsRoot = path.resolve(findProjectRoot(), process.env.CNN_RUNS_DIR || "runs");
  const outputDir = values.output ? path.resolve(values.output) : inPlace ? null : path.join(runsRoot, profile, "notebooks");
  const maxOutputChars = positiveNumber(values["max-output-chars"] ?? String(DEFAULT_MAX_STREAM_CHARS), "--max-output-chars");
  return {
    notebooks: positionals.length > 0 ? positionals.map((p) => path.resolve(p)) : defaultNotebooks(),
    jobs,
    profile,
    timeoutSeconds,
    startupTimeoutSeconds: positiveNumber(values["startup-timeout"] ?? String(DEFAULT_STARTUP_TIMEOUT_SECONDS), "--startup-timeout"),
    outputDir,
    allowErrors: values["allow-errors"] === true,
    maxOutputChars,
  };
}

function positiveNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number, not "${text}"`);
  return value;
}

function defaultNotebooks(): string[] {
  const dir = path.join(findProjectRoot(), "notebooks");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.endsWith(EXECUTED_BESIDE_SUFFIX))
    .sort()
    .map((f) => path.join(dir, f));
}

function printProgress(event: ProgressEvent): void {
  switch (event.type) {
    case "kernel-ready":
      console.log(`${event.notebook}: kernel ready (pid ${event.pid}, ${event.seconds.toFixed(1)} s)`);
      break;
    case "cell-start":
      break; // the line comes when the cell ends; long cells report while they run
    case "cell-running":
      console.log(`${event.notebook}: cell ${event.cell}/${event.cells} still running (${event.seconds.toFixed(0)} s)`);
      break;
    case "cell-done":
      console.log(`${event.notebook}: cell ${event.cell}/${event.cells} ${event.ok ? "ok" : "FAILED"} ${event.seconds.toFixed(1)} s  ${event.firstLine}`);
      if (event.trimmed) console.log(`${event.notebook}: cell ${event.cell}/${event.cells}: ${event.trimmed}`);
      break;
  }
}

/** Run `tasks` with at most `limit` at a time, keeping the results in order. */
async function runPool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

async function main(): Promise<number> {
  const options = parseCommandLine(process.argv.slice(2));
  installSignalCleanup();
  watchLaunchers((pid) => stopNow(`the process that started the runner (pid ${pid}) is gone`, 143));
  const missing = options.notebooks.filter((notebook) => !fs.existsSync(notebook));
  if (missing.length > 0) throw new Error(`no such notebook: ${missing.join(", ")}`);
  if (options.outputDir) fs.mkdirSync(options.outputDir, { recursive: true });
  console.log(`Executing ${options.notebooks.length} notebook(s), profile ${options.profile}, ${options.jobs} at a time` +
    (options.outputDir ? `, into ${options.outputDir}` : ", in place"));
  const results: NotebookResult[] = await runPool(
    options.notebooks.map((notebook) => () =>
      executeNotebook(notebook, {
        profile: options.profile,
        cellTimeoutSeconds: options.timeoutSeconds,
        startupTimeoutSeconds: options.startupTimeoutSeconds,
        allowErrors: options.allowErrors,
        maxStreamChars: options.maxOutputChars,
        outputPath: options.outputDir ? path.join(options.outputDir, path.basename(notebook)) : undefined,
        onProgress: printProgress,
      }).then((result) => {
        const name = path.basename(notebook);
        if (result.ok && result.allowedErrors.length > 0) console.error(`\n${result.message}\n(errors allowed: the notebook went on)\n`);
        if (result.ok) console.log(`${name}: done, ${result.cellsRun} cells in ${result.seconds.toFixed(1)} s → ${result.writtenTo}` +
          (result.allowedErrors.length > 0 ? ` (${result.allowedErrors.length} cell error(s) recorded)` : ""));
        else console.error(`\n${result.message}\n` + (result.writtenTo ? `(the failed run was written to ${result.writtenTo})\n` : "(the stored notebook was left unchanged)\n"));
        return result;
      }),
    ),
    options.jobs,
  );
  const failed = results.filter((result) => !result.ok);
  console.log(`\n${results.length - failed.length}/${results.length} notebook(s) ok` +
    (failed.length ? `; failed: ${failed.map((r) => path.basename(r.notebook)).join(", ")}` : ""));
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error(USAGE);
    process.exit(2);
  },
);
