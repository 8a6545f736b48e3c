/**
 * Quarto's `freeze: auto`, for notebooks: a notebook needs running when its stored outputs do not belong to its
 * current code. The runner records a SHA-256 of the code cells (`metadata.cnn_notebooks.source_hash`, computed by
 * scripts/jupyter/source-hash.ts); no record (never executed, or outputs missing) or another hash means stale.
 * For the full profile, outputs made by a smoke run are stale too: the book shows full-profile results.
 */
import * as path from "node:path";
import { readNotebook } from "../jupyter/nbformat";
import { notebookSourceHash, readExecutionRecord, type RunProfile } from "../jupyter/source-hash";

export type StaleReason = "never executed" | "code changed" | "smoke-profile outputs";

export interface NotebookFreshness {
  /** Path relative to the project root. */
  notebook: string;
  /** Why it must run, or null when its stored outputs are current. */
  staleReason: StaleReason | null;
}

export function notebookFreshness(projectRoot: string, notebook: string, profile: RunProfile): NotebookFreshness {
  const stored = readNotebook(path.join(projectRoot, notebook));
  const record = readExecutionRecord(stored);
  let staleReason: StaleReason | null = null;
  if (record === null) staleReason = "never executed";
  else if (record.source_hash !== notebookSourceHash(stored)) staleReason = "code changed";
  else if (profile === "full" && record.profile !== "full") staleReason = "smoke-profile outputs";
  return { notebook, staleReason };
}
