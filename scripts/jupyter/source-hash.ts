/**
 * Which notebooks are stale: `metadata.cnn_notebooks.source_hash` records a SHA-256 over the code cells' sources at
 * the time the notebook was executed; when the sources change, the hash no longer matches.
 * Only code matters: editing prose does not make stored outputs stale.
 */
import { createHash } from "node:crypto";
import { joinSource, readNotebook, type Notebook } from "./nbformat";

export type RunProfile = "smoke" | "lab" | "full";

/** What the runner stores in `metadata.cnn_notebooks` after executing a notebook. */
export interface ExecutionRecord {
  source_hash: string;
  profile: RunProfile;
  executed_at: string;
  backend?: string;
  /** Cells whose errors were recorded and passed over (`--allow-errors`). */
  errors?: number;
}

export const EXECUTION_RECORD_KEY = "cnn_notebooks";

/** SHA-256 (hex) of the JSON array of the code cells' sources, in order (JSON keeps cell boundaries unambiguous). */
export function notebookSourceHash(notebook: Notebook): string {
  const sources = notebook.cells.filter((cell) => cell.cell_type === "code").map((cell) => joinSource(cell.source));
  return createHash("sha256").update(JSON.stringify(sources), "utf8").digest("hex");
}

export function readExecutionRecord(notebook: Notebook): ExecutionRecord | null {
  const record = notebook.metadata[EXECUTION_RECORD_KEY] as Partial<ExecutionRecord> | undefined;
  return record && typeof record.source_hash === "string" ? (record as ExecutionRecord) : null;
}

/**
 * True when the notebook file needs executing for `profile`: never executed, executed with other code, or (when a
 * profile is given) executed in another profile.
 */
export function isNotebookStale(file: string, profile?: RunProfile): boolean {
  const notebook = readNotebook(file);
  const record = readExecutionRecord(notebook);
  if (record === null || record.source_hash !== notebookSourceHash(notebook)) return true;
  return profile !== undefined && record.profile !== profile;
}
