/**
 * Absolute machine paths in a notebook's stored outputs (`/work/main/data`, `/home/ann/…`, `C:\Users\…`): they leak
 * the machine the book was executed on and mean nothing to a reader, who should see paths relative to the project
 * (`data/mnist`) or a data mirror's name. The book's test scans every stored notebook with this.
 */
import { joinSource, type CellOutput, type Notebook } from "../jupyter/nbformat";

export interface PathLeak {
  /** Index of the cell in the notebook. */
  cell: number;
  /** Where in the output: `stream stdout`, `display_data text/plain`, `error traceback`… */
  where: string;
  /** The absolute path found. */
  path: string;
}

/**
 * A POSIX path from the root with at least two segments, not part of a URL or a relative path (`runs/a/b`), a
 * fraction (`100/100`) or a regular expression (`\/lab\/tree`); or a Windows path from a drive letter.
 */
const POSIX_ABSOLUTE = /(?<![\w.:/\\~\]})<-])\/(?:[\w.-]+\/)+[\w.-]*/g;
const WINDOWS_ABSOLUTE = /(?<![\w])[A-Za-z]:\\(?:[\w .-]+\\)+[\w .-]*/g;
/** Binary outputs are base64, whose alphabet includes "/": not text a reader sees. */
const BINARY_MIME = /^(image\/(?!svg)|application\/(?:pdf|octet-stream))/;

/** Absolute paths in one piece of text. */
export function absolutePathsIn(text: string): string[] {
  return [...text.matchAll(POSIX_ABSOLUTE), ...text.matchAll(WINDOWS_ABSOLUTE)].map((match) => match[0]);
}

function textOf(value: unknown): string {
  if (typeof value === "string" || Array.isArray(value)) return joinSource(value as string | string[]);
  return value === undefined || value === null ? "" : JSON.stringify(value);
}

function outputTexts(output: CellOutput): Array<{ where: string; text: string }> {
  switch (output.output_type) {
    case "stream":
      return [{ where: `stream ${output.name}`, text: textOf(output.text) }];
    case "error":
      return [{ where: "error", text: [output.ename, output.evalue, ...output.traceback].join("\n") }];
    case "display_data":
    case "execute_result":
      return Object.entries(output.data)
        .filter(([mime]) => !BINARY_MIME.test(mime))
        .map(([mime, value]) => ({ where: `${output.output_type} ${mime}`, text: textOf(value) }));
    default:
      return [];
  }
}

/** Every absolute path in a notebook's stored outputs (sources are the author's text and are not scanned). */
export function pathLeaks(notebook: Pick<Notebook, "cells">): PathLeak[] {
  const leaks: PathLeak[] = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    for (const output of cell.outputs) {
      for (const { where, text } of outputTexts(output)) {
        for (const path of absolutePathsIn(text)) leaks.push({ cell: index, where, path });
      }
    }
  });
  return leaks;
}
