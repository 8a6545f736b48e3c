/**
 * A book page's source as cells: notebooks as they are on disk (nbformat 4, read with the runner's reader), and
 * Quarto markdown pages (`.qmd`, `.md`: YAML front matter + markdown, no executable cells here) as one markdown cell.
 */
import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { readNotebook, type NotebookCell } from "../jupyter/nbformat";

export interface BookDocument {
  /** The title from front matter or notebook metadata, if the source names one; else the first `# heading` is used. */
  declaredTitle: string | null;
  cells: NotebookCell[];
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

function titleFrom(metadata: unknown): string | null {
  if (metadata === null || typeof metadata !== "object") return null;
  const title = (metadata as Record<string, unknown>).title;
  return typeof title === "string" && title.trim() !== "" ? title.trim() : null;
}

/** A `.qmd`/`.md` page: the front matter's title, and the rest as one markdown cell. */
export function parseMarkdownPage(text: string): BookDocument {
  const match = FRONT_MATTER.exec(text);
  const frontMatter = match ? yaml.load(match[1]) : null;
  const body = match ? text.slice(match[0].length) : text;
  return {
    declaredTitle: titleFrom(frontMatter),
    cells: [{ cell_type: "markdown", metadata: {}, source: body }],
  };
}

export function readBookDocument(file: string): BookDocument {
  if (file.endsWith(".ipynb")) {
    const notebook = readNotebook(file);
    return { declaredTitle: titleFrom(notebook.metadata), cells: notebook.cells };
  }
  if (file.endsWith(".qmd") || file.endsWith(".md")) return parseMarkdownPage(fs.readFileSync(file, "utf8"));
  throw new Error(`${file}: the book renders .ipynb, .qmd and .md pages only`);
}
