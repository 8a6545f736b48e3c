/**
 * The project's own book renderer, for machines without Quarto: reads `_quarto.yml`, renders every page from its
 * stored cells and outputs (nothing is executed), and writes `_book/` in Quarto's layout (`notebooks/x.ipynb` →
 * `notebooks/x.html`), with images as files beside their page, shared assets, and a search index.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { joinSource, type CodeCell, type MimeBundle, type NotebookCell, type TextCell } from "../jupyter/nbformat";
import { copyBookAssets } from "./assets";
import { outputPathFor, readBookConfig, type BookConfig, type BookEntry } from "./config";
import { readBookDocument, type BookDocument } from "./document";
import { codeBlock, NOTEBOOK_LANGUAGE } from "./highlight";
import { renderPage, SEARCH_INDEX_FILE, type PageLink, type SidebarGroup } from "./layout";
import { firstHeading, newMarkdownEnvironment, renderMarkdown, textHtml, type MarkdownEnvironment } from "./markdown";
import { renderOutputs, type ImageExtension, type OutputContext } from "./outputs";
import { PageSearchText, type SearchEntry } from "./search-index";

/** Written into every output folder this renderer owns, so a rebuild never wipes a folder it did not make. */
const OUTPUT_MARKER = ".rendered-by-cnn-notebooks";
/** Jupyter's and Quarto's cell tags for leaving parts of a cell out of the page. */
const REMOVE_CELL = "remove-cell";
const REMOVE_INPUT = "remove-input";
const REMOVE_OUTPUT = "remove-output";

export interface BuildOptions {
  projectRoot: string;
  /** Defaults to `project.output-dir` from `_quarto.yml`. */
  outputDir?: string;
  log?: (line: string) => void;
}

export interface RenderedPage {
  source: string;
  /** The page's path relative to the output folder. */
  output: string;
  title: string;
  images: number;
  usesPlotly: boolean;
}

export interface BuildResult {
  outputDir: string;
  pages: RenderedPage[];
}

interface LoadedPage {
  entry: BookEntry;
  document: BookDocument;
  output: string;
  title: string;
  /** "1" for notebooks/01-…, "A" for the first appendix; null for the home page and the preface. */
  number: string | null;
}

/**
 * Chapter numbers as the course names its files: `01-feature-extraction.ipynb` is chapter 1 (Quarto's own numbering
 * would count the preface and disagree with the file names); appendices are lettered A, B, … in their order.
 */
export function chapterNumbers(entries: BookEntry[]): Array<string | null> {
  let appendix = 0;
  return entries.map((entry) => {
    if (entry.kind === "appendix") return String.fromCharCode("A".charCodeAt(0) + appendix++);
    const prefix = /^(\d+)-/.exec(path.posix.basename(entry.source));
    return entry.kind === "chapter" && prefix !== null ? String(Number(prefix[1])) : null;
  });
}

function toPosix(file: string): string {
  return file.split(path.sep).join("/");
}

/** URL of `target` seen from `from` (both relative to the output root). */
function relativeUrl(from: string, target: string): string {
  const relative = path.posix.relative(path.posix.dirname(from), target);
  return relative === "" ? path.posix.basename(target) : relative;
}

function rootPrefixFor(page: string): string {
  const relative = path.posix.relative(path.posix.dirname(page), ".");
  return relative === "" ? "" : `${relative}/`;
}

function tagsOf(cell: NotebookCell): string[] {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [];
}

/** Quarto's books carry their JavaScript and CSS in this folder: a book Quarto rendered may be replaced too. */
const QUARTO_LIBRARY_DIR = "site_libs";

/** Empty the output folder, refusing to touch a non-empty folder that neither this renderer nor Quarto made. */
function prepareOutputDir(outputDir: string): void {
  if (fs.existsSync(outputDir) && fs.readdirSync(outputDir).length > 0) {
    const renderedBook = [OUTPUT_MARKER, QUARTO_LIBRARY_DIR].some((name) => fs.existsSync(path.join(outputDir, name)));
    if (!renderedBook) {
      throw new Error(`${outputDir} exists and was not made by this renderer or Quarto (no ${OUTPUT_MARKER}, no ${QUARTO_LIBRARY_DIR}/); remove it or choose another output folder`);
    }
    fs.rmSync(outputDir, { recursive: true, force: true });
  }
  fs.mkdirSync(outputDir, { recursive: true });
  fs.writeFileSync(path.join(outputDir, OUTPUT_MARKER), "This folder is rebuilt by `npm run render`; edits here are lost.\n");
}

/** A page's title: declared (front matter / metadata), else its first `# heading`, else its file name. */
function titleOf(document: BookDocument, source: string): string {
  if (document.declaredTitle !== null) return document.declaredTitle;
  for (const cell of document.cells) {
    if (cell.cell_type !== "markdown") continue;
    const heading = firstHeading(renderMarkdown(joinSource(cell.source), newMarkdownEnvironment()).tokens);
    if (heading !== null) return heading;
  }
  return path.posix.basename(source).replace(/\.[^.]+$/, "");
}

function sidebarFor(pages: LoadedPage[], current: LoadedPage): SidebarGroup[] {
  const groups: SidebarGroup[] = [];
  for (const page of pages) {
    let group = groups[groups.length - 1];
    if (group === undefined || group.part !== page.entry.part) {
      group = { part: page.entry.part, pages: [] };
      groups.push(group);
    }
    group.pages.push({ title: page.title, href: relativeUrl(current.output, page.output), current: page === current, number: page.number });
  }
  return groups;
}

/** Writes a page's images into `<stem>_files/` beside it (Quarto keeps a page's figures in `<stem>_files/` too). */
class PageFiles {
  private count = 0;
  readonly folder: string;

  constructor(
    private readonly outputDir: string,
    private readonly page: string,
  ) {
    this.folder = `${path.posix.basename(page, ".html")}_files`;
  }

  get written(): number {
    return this.count;
  }

  write(bytes: Buffer, extension: ImageExtension, stem = "output"): string {
    this.count++;
    const name = `${this.folder}/${stem}-${this.count}.${extension}`;
    const target = path.join(this.outputDir, path.posix.dirname(this.page), name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bytes);
    return name;
  }
}

const ATTACHMENT_EXTENSIONS: Record<string, ImageExtension> = { "image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif", "image/svg+xml": "svg" };

/** Markdown cell attachments (pasted images) become files; `attachment:NAME` in the cell then points at them. */
function writeAttachments(cell: TextCell, files: PageFiles, env: MarkdownEnvironment): void {
  for (const [name, bundle] of Object.entries(cell.attachments ?? {}) as Array<[string, MimeBundle]>) {
    const mime = Object.keys(bundle).find((candidate) => ATTACHMENT_EXTENSIONS[candidate] !== undefined);
    if (mime === undefined) continue;
    const value = joinSource(bundle[mime] as string | string[]);
    const bytes = mime === "image/svg+xml" ? Buffer.from(value, "utf8") : Buffer.from(value, "base64");
    env.attachments.set(name, files.write(bytes, ATTACHMENT_EXTENSIONS[mime], "attachment"));
  }
}

function renderCodeCell(cell: CodeCell, context: OutputContext, search: PageSearchText): { html: string; usesPlotly: boolean } {
  const tags = tagsOf(cell);
  const source = joinSource(cell.source);
  const showInput = !tags.includes(REMOVE_INPUT) && source.trim() !== "";
  const outputs = tags.includes(REMOVE_OUTPUT) ? { html: "", usesPlotly: false } : renderOutputs(cell.outputs, context);
  if (!showInput && outputs.html === "") return { html: "", usesPlotly: false };
  if (showInput) search.addCode(source);
  const input = showInput ? codeBlock(source, NOTEBOOK_LANGUAGE) : "";
  return { html: `<div class="cell">\n${input}\n${outputs.html}\n</div>`, usesPlotly: outputs.usesPlotly };
}

function renderBody(config: BookConfig, outputDir: string, page: LoadedPage, search: PageSearchText) {
  const env = newMarkdownEnvironment();
  const files = new PageFiles(outputDir, page.output);
  let elementCount = 0;
  const context: OutputContext = {
    writeImage: (bytes, extension) => files.write(bytes, extension),
    renderMarkdown: (source) => renderMarkdown(source, env).html,
    newElementId: () => `output-element-${++elementCount}`,
  };
  const parts: string[] = [];
  let usesPlotly = false;
  let hasHeading = false;
  for (const cell of page.document.cells) {
    if (tagsOf(cell).includes(REMOVE_CELL)) continue;
    if (cell.cell_type === "markdown") {
      writeAttachments(cell, files, env);
      const rendered = renderMarkdown(joinSource(cell.source), env);
      search.addMarkdown(rendered.tokens);
      hasHeading ||= firstHeading(rendered.tokens) !== null;
      parts.push(`<section class="cell cell-markdown">\n${rendered.html}</section>`);
    } else if (cell.cell_type === "code") {
      const rendered = renderCodeCell(cell, context, search);
      if (rendered.html !== "") parts.push(rendered.html);
      usesPlotly ||= rendered.usesPlotly;
    }
    // Raw cells are for other converters (nbconvert's LaTeX, say); the book leaves them out, as Quarto's HTML does.
  }
  copyLocalImages(config, outputDir, page, env.localImages);
  // A title given in front matter (Quarto's title block) heads the page when the text has no `# heading` of its own.
  if (!hasHeading) parts.unshift(`<h1 class="title">${textHtml(page.title)}</h1>`);
  let html = parts.join("\n");
  if (page.number !== null) html = html.replace(/<h1([^>]*)>/, `<h1$1><span class="chapter-number">${page.number}</span> `);
  return { html, usesPlotly, images: files.written, sections: env.headings };
}

/** Images the markdown links by relative path are copied to the same place relative to the page. */
function copyLocalImages(config: BookConfig, outputDir: string, page: LoadedPage, images: string[]): void {
  const sourceDir = path.dirname(path.join(config.projectRoot, page.entry.source));
  const pageDir = path.join(outputDir, path.posix.dirname(page.output));
  for (const image of new Set(images)) {
    const from = path.resolve(sourceDir, image);
    if (!fs.existsSync(from)) throw new Error(`${page.entry.source}: image "${image}" not found (looked for ${from})`);
    const to = path.resolve(pageDir, image);
    if (!to.startsWith(path.resolve(outputDir) + path.sep)) throw new Error(`${page.entry.source}: image "${image}" lies outside the book`);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
  }
}

export function buildBook(options: BuildOptions): BuildResult {
  const log = options.log ?? (() => undefined);
  const config = readBookConfig(options.projectRoot);
  const outputDir = path.resolve(options.outputDir ?? config.outputDir);

  const numbers = chapterNumbers(config.entries);
  const pages: LoadedPage[] = config.entries.map((entry, index) => {
    const document = readBookDocument(path.join(config.projectRoot, entry.source));
    return { entry, document, output: toPosix(outputPathFor(entry.source)), title: titleOf(document, entry.source), number: numbers[index] };
  });

  prepareOutputDir(outputDir);
  const searchEntries: SearchEntry[] = [];
  const rendered: RenderedPage[] = [];
  pages.forEach((page, index) => {
    const search = new PageSearchText(page.title, page.output);
    const body = renderBody(config, outputDir, page, search);
    const link = (target: LoadedPage | undefined): PageLink | null =>
      target === undefined ? null : { title: target.title, href: relativeUrl(page.output, target.output) };
    // The source beside its page (Quarto's "download notebook"): the notebook as stored, outputs included.
    fs.mkdirSync(path.dirname(path.join(outputDir, page.entry.source)), { recursive: true });
    fs.copyFileSync(path.join(config.projectRoot, page.entry.source), path.join(outputDir, page.entry.source));
    const sourceUrl = relativeUrl(page.output, page.entry.source);
    const repo = config.repo;
    const html = renderPage({
      bookTitle: config.title,
      pageTitle: page.title,
      rootPrefix: rootPrefixFor(page.output),
      bodyHtml: body.html,
      sidebar: sidebarFor(pages, page),
      previous: link(pages[index - 1]),
      next: link(pages[index + 1]),
      usesPlotly: body.usesPlotly,
      sections: body.sections,
      download: page.entry.source.endsWith(".ipynb") ? sourceUrl : null,
      source: repo === undefined ? sourceUrl : `${repo.url}/blob/${repo.branch}/${repo.subdir === "" ? "" : `${repo.subdir}/`}${page.entry.source}`,
    });
    const target = path.join(outputDir, page.output);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, html);
    searchEntries.push(...search.entries());
    rendered.push({ source: page.entry.source, output: page.output, title: page.title, images: body.images, usesPlotly: body.usesPlotly });
    log(`  ${page.entry.source} → ${page.output}${body.images > 0 ? ` (${body.images} image${body.images === 1 ? "" : "s"})` : ""}`);
  });

  fs.writeFileSync(path.join(outputDir, SEARCH_INDEX_FILE), JSON.stringify(searchEntries));
  copyBookAssets(outputDir);
  return { outputDir, pages: rendered };
}
