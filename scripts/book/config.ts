/**
 * Reads the book's shape from `_quarto.yml` the way Quarto does for a `type: book` project: the title, the chapters
 * (plain entries and `part:` groups), the appendices, and the output folder. Quarto's rules kept here: the home page
 * is the entry whose path starts with `index.` (so it sits beside `_quarto.yml`), and every listed file must exist.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

export const CONFIG_FILE = "_quarto.yml";
const DEFAULT_OUTPUT_DIR = "_book";
/** Quarto's heading for the appendix group (its English `section-title-appendices`). */
export const APPENDICES_TITLE = "Appendices";
const HOME_PAGE_PREFIX = "index.";

export type EntryKind = "home" | "chapter" | "appendix";

/** One page of the book, in reading order. */
export interface BookEntry {
  /** Path of the source (.ipynb, .qmd, .md) relative to the project root, with forward slashes. */
  source: string;
  kind: EntryKind;
  /** The part it belongs to (`part:` in _quarto.yml, or "Appendices"), or null for top-level chapters. */
  part: string | null;
}

export interface BookConfig {
  projectRoot: string;
  title: string;
  /** Absolute path of the output folder (`project.output-dir`, default `_book`). */
  outputDir: string;
  /** Every page in reading order, the home page first. */
  entries: BookEntry[];
  /** Quarto's `book.repo-url` (+ `repo-branch`, `repo-subdir`): where "View source" links go, when set. */
  repo?: { url: string; branch: string; subdir: string };
}

type ChapterItem = string | { part?: unknown; chapters?: unknown; href?: unknown; file?: unknown };

function fail(configFile: string, message: string): never {
  throw new Error(`${configFile}: ${message}`);
}

function asRecord(value: unknown, configFile: string, where: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(configFile, `${where} must be a mapping`);
  return value as Record<string, unknown>;
}

/** A chapter entry is a path, or `{ href | file: path }` (Quarto accepts sidebar-item objects too). */
function chapterPath(item: ChapterItem, configFile: string): string {
  if (typeof item === "string") return item;
  const target = item.href ?? item.file;
  if (typeof target !== "string") fail(configFile, `cannot read chapter entry ${JSON.stringify(item)}`);
  return target;
}

function collectChapters(items: unknown, kind: EntryKind, part: string | null, configFile: string): BookEntry[] {
  if (!Array.isArray(items)) fail(configFile, `expected a list of chapters${part ? ` in part "${part}"` : ""}`);
  const entries: BookEntry[] = [];
  for (const item of items as ChapterItem[]) {
    if (typeof item === "object" && item !== null && "part" in item) {
      if (typeof item.part !== "string") fail(configFile, `a part needs a title: ${JSON.stringify(item)}`);
      entries.push(...collectChapters(item.chapters ?? [], kind, item.part, configFile));
    } else {
      const source = chapterPath(item, configFile).replace(/\\/g, "/");
      const isHome = kind === "chapter" && source.startsWith(HOME_PAGE_PREFIX);
      entries.push({ source, kind: isHome ? "home" : kind, part: isHome ? null : part });
    }
  }
  return entries;
}

/** Parse `_quarto.yml` text (no file checks); exported so tests can feed configurations directly. */
export function parseBookConfig(text: string, projectRoot: string, configFile = CONFIG_FILE): BookConfig {
  const document = yaml.load(text) ?? {};
  const root = asRecord(document, configFile, "the file");
  const project = root.project === undefined ? {} : asRecord(root.project, configFile, "project");
  if (project.type !== "book") fail(configFile, `project.type must be "book" (found ${JSON.stringify(project.type)})`);
  const book = asRecord(root.book, configFile, "book");
  if (typeof book.title !== "string" || book.title.trim() === "") fail(configFile, "book.title is missing");

  const chapters = collectChapters(book.chapters, "chapter", null, configFile);
  const appendices = book.appendices === undefined ? [] : collectChapters(book.appendices, "appendix", APPENDICES_TITLE, configFile);
  const homes = chapters.filter((entry) => entry.kind === "home");
  if (homes.length !== 1) {
    fail(configFile, `book.chapters must list exactly one home page (index.qmd, index.md or index.ipynb beside ${CONFIG_FILE}); found ${homes.length}`);
  }
  const outputDir = typeof project["output-dir"] === "string" ? project["output-dir"] : DEFAULT_OUTPUT_DIR;
  return {
    projectRoot,
    title: book.title.trim(),
    outputDir: path.resolve(projectRoot, outputDir),
    // Quarto moves the home page to the front whatever its position in the list.
    entries: [...homes, ...chapters.filter((entry) => entry.kind !== "home"), ...appendices],
    ...(typeof book["repo-url"] === "string" && book["repo-url"].trim() !== ""
      ? {
          repo: {
            url: book["repo-url"].trim().replace(/\/+$/, ""),
            branch: typeof book["repo-branch"] === "string" ? book["repo-branch"] : "main",
            subdir: typeof book["repo-subdir"] === "string" ? book["repo-subdir"].replace(/^\/+|\/+$/g, "") : "",
          },
        }
      : {}),
  };
}

/** Read and check the project's `_quarto.yml`: every listed page must exist, and the error names the missing ones. */
export function readBookConfig(projectRoot: string): BookConfig {
  const configFile = path.join(projectRoot, CONFIG_FILE);
  if (!fs.existsSync(configFile)) throw new Error(`no ${CONFIG_FILE} in ${projectRoot}`);
  const config = parseBookConfig(fs.readFileSync(configFile, "utf8"), projectRoot, configFile);
  const missing = config.entries.filter((entry) => !fs.existsSync(path.join(projectRoot, entry.source)));
  if (missing.length > 0) {
    const names = missing.map((entry) => entry.source).join(", ");
    throw new Error(`${configFile} lists book page(s) that do not exist: ${names}`);
  }
  return config;
}

/** The page an entry becomes: the source path with `.html` for its extension (Quarto's layout of `_book/`). */
export function outputPathFor(source: string): string {
  return source.replace(/\.[^./]+$/, "") + ".html";
}
