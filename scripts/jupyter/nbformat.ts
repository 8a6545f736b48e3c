/**
 * nbformat 4 notebooks on disk: the types the runner needs, reading with a shape check, and writing byte for byte the
 * way Jupyter's nbformat does (Python's json.dumps: indent 1, sorted keys, raw non-ASCII, Python's float format; text
 * split with Python's str.splitlines; a trailing newline), so a notebook saved again by Jupyter does not change;
 * atomically (temp file + rename).
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
/** The mime types nbformat splits into lines when writing (rwbase._split_mimebundle); all others stay as they are. */
const SPLIT_MIME = (mime: string) => mime.startsWith("text/") || mime === "application/javascript" || mime === "image/svg+xml";
/** Python's str.splitlines boundaries: \n, \r, \r\n, \v, \f, \x1c–\x1e, \x85, U+2028, U+2029. */
const PYTHON_LINE = /[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])|[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+$/gy;

export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Split text into lines that keep their line ends, exactly as Python's str.splitlines(keepends=True). */
export function splitLines(text: string): string[] {
  return text.match(PYTHON_LINE) ?? [];
}

export function isJsonMime(mime: string): boolean {
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

export function parseNotebook(json: string, origin = "notebook"): Notebook {
  let notebook: Partial<Notebook>;
  try {
    notebook = JSON.parse(json) as Partial<Notebook>;
  } catch (error) {
    throw new Error(`${origin}: not valid JSON (${(error as Error).message}); fix it in an editor or restore it with git checkout`);
  }
  if (typeof notebook !== "object" || notebook === null || notebook.nbformat !== 4 || !Array.isArray(notebook.cells)) {
    throw new Error(`${origin}: not an nbformat 4 notebook (nbformat=${String(notebook?.nbformat)})`);
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

/**
 * Decode a notebook's bytes as UTF-8 (Jupyter's encoding), refusing invalid bytes: decoding them leniently would put
 * U+FFFD in their place, and writing the notebook back would destroy them.
 */
export function decodeNotebookBytes(bytes: Uint8Array, origin = "notebook"): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    let at = 0;
    // Find the first bad byte for the message: decode growing prefixes would be quadratic, so check sequences.
    for (; at < bytes.length; at++) {
      const length = utf8SequenceLength(bytes, at);
      if (length === 0) break;
      at += length - 1;
    }
    throw new Error(`${origin}: not valid UTF-8 (byte ${at} of ${bytes.length} is 0x${(bytes[at] ?? 0).toString(16).padStart(2, "0")}); ` +
      "Jupyter notebooks are UTF-8 JSON: re-save it as UTF-8 or restore it with git checkout");
  }
}

/** Length of the valid UTF-8 sequence starting at `at`, or 0 when it is not valid. */
function utf8SequenceLength(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  const continuation = (i: number) => at + i < bytes.length && (bytes[at + i] & 0xc0) === 0x80;
  if (first < 0x80) return 1;
  if (first >= 0xc2 && first <= 0xdf) return continuation(1) ? 2 : 0;
  if (first >= 0xe0 && first <= 0xef) {
    const second = bytes[at + 1];
    if (first === 0xe0 && second < 0xa0) return 0;
    if (first === 0xed && second > 0x9f) return 0; // surrogates
    return continuation(1) && continuation(2) ? 3 : 0;
  }
  if (first >= 0xf0 && first <= 0xf4) {
    const second = bytes[at + 1];
    if (first === 0xf0 && second < 0x90) return 0;
    if (first === 0xf4 && second > 0x8f) return 0;
    return continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

export function readNotebook(file: string): Notebook {
  return parseNotebook(decodeNotebookBytes(fs.readFileSync(file), file), file);
}

/** The notebook as Jupyter writes it: text in lines, keys sorted, indent 1, a final newline. */
export function serializeNotebook(notebook: Notebook): string {
  if (notebook.nbformat_minor >= MINOR_WITH_CELL_IDS) {
    for (const cell of notebook.cells) cell.id ??= randomBytes(CELL_ID_BYTES).toString("hex");
  }
  // As nbformat does: every text joined, then split with Python's splitlines (sources, attachments, outputs).
  const cells = notebook.cells.map((cell) => {
    const source = splitLines(joinSource(cell.source));
    if (cell.cell_type === "code") return { ...cell, source, outputs: cell.outputs.map(outputForDisk) };
    const attachments = cell.attachments
      ? Object.fromEntries(Object.entries(cell.attachments).map(([name, bundle]) => [name, mimeBundleForDisk(bundle)]))
      : undefined;
    return { ...cell, source, ...(attachments ? { attachments } : {}) };
  });
  return pythonJson({ ...notebook, cells }, "") + "\n";
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
  for (const [mime, raw] of Object.entries(data)) {
    // nbformat joins every list of strings of a non-JSON mime type when reading (rwbase._rejoin_mimebundle).
    const value = !isJsonMime(mime) && Array.isArray(raw) && raw.every((line) => typeof line === "string") ? raw.join("") : raw;
    result[mime] = typeof value === "string" && SPLIT_MIME(mime) ? splitLines(value) : value;
  }
  return result;
}

/**
 * `json.dumps(value, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)` as Python writes it.
 * Keys sort by code point (Python's order, not JavaScript's UTF-16 order, which differs only above U+FFFF).
 */
export function pythonJson(value: unknown, indent: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  const inner = indent + " ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((item) => inner + pythonJson(item, inner)).join(",\n")}\n${indent}]`;
  }
  if (typeof value === "object") {
    const keys = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined);
    if (keys.length === 0) return "{}";
    keys.sort((a, b) => {
      const x = [...a].map((c) => c.codePointAt(0) as number);
      const y = [...b].map((c) => c.codePointAt(0) as number);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    });
    const entries = keys.map((key) => `${inner}${JSON.stringify(key)}: ${pythonJson((value as Record<string, unknown>)[key], inner)}`);
    return `{\n${entries.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * A number as Python's json writes the float it reads back: whole numbers stay integers (JSON "2" reads as int 2),
 * others use repr, which switches to an exponent (two digits at least) below 1e-4 where JavaScript waits until 1e-7.
 */
export function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value === 0 ? 0 : value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e16) return String(value);
  const [mantissa, exponent] = value.toExponential().split("e");
  const sign = exponent.startsWith("-") ? "-" : "+";
  const digits = exponent.replace(/^[+-]/, "").padStart(2, "0");
  const python = `${mantissa}e${sign}${digits}`;
  // An integer-valued float this large is what JavaScript wrote as a plain integer below 1e21: Python reads that back
  // as an int, so the plain digits are what it writes.
  return Number.isInteger(value) && magnitude < 1e21 ? BigInt(value).toString() : python;
}
