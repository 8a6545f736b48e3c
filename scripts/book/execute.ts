/**
 * Running notebooks for the book goes through the project's one runner (scripts/run-notebooks.ts, a ZeroMQ client
 * of the tslab kernel), started as its own process exactly as `npm run execute` starts it.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { RunProfile } from "../jupyter/source-hash";

/** The runner and the TypeScript loader belong to this repository, whichever project folder the book is in. */
const RUNNER = path.resolve(__dirname, "..", "run-notebooks.ts");
const TSX_LOADER = pathToFileURL(require.resolve("tsx")).href;

export interface ExecuteRequest {
  projectRoot: string;
  /** Notebook paths relative to the project root. */
  notebooks: string[];
  profile: RunProfile;
  /** Write the executed copies here instead of over the stored notebooks (smoke runs must never overwrite them). */
  outputDir?: string;
}

export function executeNotebooks(request: ExecuteRequest): void {
  if (request.notebooks.length === 0) return;
  const args = [
    "--import",
    TSX_LOADER,
    RUNNER,
    ...request.notebooks,
    "--profile",
    request.profile,
    ...(request.outputDir === undefined ? [] : ["--output", request.outputDir]),
  ];
  const result = spawnSync(process.execPath, args, { cwd: request.projectRoot, stdio: "inherit" });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) {
    throw new Error(`the notebook runner failed (exit ${result.status ?? result.signal}); see its output above`);
  }
}
