/**
 * nbformat 4 notebooks on disk: the types the runner needs, reading with a shape check, and writing the way Jupyter
 * does (indent 1, sorted keys, text split into lines, trailing newline), atomically (temp file + rename).
 * https://nbformat.readthedocs.io/en/latest/format_description.html
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** nbformat's multiline_string: one string, or a list of lines each keeping its "\n". */
export type MultilineString = string | string[];
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}

export interface DisplayDataOutput {
  output_type: "display_data";
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

export type CellOutput = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  outputs: CellOutput[];
  execution_count: number | null;
}

export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  attachments?: Record<string, MimeBundle>;
}

export type NotebookCell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Cell ids are required from nbformat 4.5 on. */
const MINOR_WITH_CELL_IDS = 5;
const CELL_ID_BYTES = 4;
/** Mime types whose value is base64 (kept as one string) rather than text (split into lines). */
const BASE64_MIME = /^image\/(png|jpeg|gif|webp|bmp)$/;

export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Split text into lines that keep their "\n" (Python's splitlines(keepends=True) for "\n" endings). */
export function splitLines(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g);
  return lines ?? [];
}

export function isJsonMime(mime: string): boolean {
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

export function parseNotebook(json: string, origin = "notebook"): Notebook {
  const notebook = JSON.parse(json) as Partial<Notebook>;
  if (notebook.nbformat !== 4 || !Array.isArray(notebook.cells)) {
    throw new Error(`${origin}: not an nbformat 4 notebook (nbformat=${String(notebook.nbformat)})`);
  }
  notebook.metadata ??= {};
  notebook.nbformat_minor ??= 0;
  for (const cell of notebook.cells) {
    cell.metadata ??= {};
    cell.source ??= "";
    if (cell.cell_type === "code") {
      cell.outputs ??= [];
      cell.execution_count ??= null;
    }
  }
  return notebook as Notebook;
}

export function readNotebook(file: string): Notebook {
  return parseNotebook(fs.readFileSync(file, "utf8"), file);
}

/** The notebook as Jupyter writes it: text in lines, keys sorted, indent 1, a final newline. */
export function serializeNotebook(notebook: Notebook): string {
  if (notebook.nbformat_minor >= MINOR_WITH_CELL_IDS) {
    for (const cell of notebook.cells) cell.id ??= randomBytes(CELL_ID_BYTES).toString("hex");
  }
  const cells = notebook.cells.map((cell) =>
    cell.cell_type === "code" ? { ...cell, outputs: cell.outputs.map(outputForDisk) } : cell,
  );
  return JSON.stringify(sortKeys({ ...notebook, cells }), null, 1) + "\n";
}

/** Write through a temporary file in the same folder and rename it over the target, so readers never see half a file. */
export function writeNotebookAtomic(file: string, notebook: Notebook): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    fs.writeFileSync(temporary, serializeNotebook(notebook));
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** Split an output's text (stream text, textual mime data) into lines; base64 images and JSON data stay as they are. */
export function outputForDisk(output: CellOutput): CellOutput {
  switch (output.output_type) {
    case "stream":
      return { ...output, text: splitLines(joinSource(output.text)) };
    case "display_data":
    case "execute_result":
      return { ...output, data: mimeBundleForDisk(output.data) };
    case "error":
      return output;
  }
}

function mimeBundleForDisk(data: MimeBundle): MimeBundle {
  const result: MimeBundle = {};
  for (const [mime, value] of Object.entries(data)) {
    const textual = typeof value === "string" && !isJsonMime(mime) && !BASE64_MIME.test(mime);
    result[mime] = textual ? splitLines(value) : value;
  }
  return result;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}
