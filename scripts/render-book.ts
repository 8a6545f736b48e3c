/**
 * `npm run render`: turn `_quarto.yml` + the notebooks' stored outputs into the book in `_book/`.
 * With Quarto on PATH this is `quarto render`; without it, the project's own renderer (scripts/book/) reads the
 * same `_quarto.yml` and writes the same layout. Nothing is executed either way (see `npm run book` for that).
 *
 *   npm run render                          # Quarto if installed, else the own renderer
 *   npm run render -- --renderer own        # force one (also CNN_BOOK_RENDERER=own|quarto)
 *   npm run render -- --output-dir /tmp/b   # somewhere else than project.output-dir
 *   npm run render -- --project DIR         # another book project (the renderer's tests use a fixture book)
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { findProjectRoot } from "../lib/env";
import { buildBook } from "./book/build";
import { readBookConfig } from "./book/config";
import { quartoRender, quartoVersion } from "./book/quarto";

export type RendererChoice = "auto" | "quarto" | "own";

export interface RenderBookOptions {
  projectRoot: string;
  renderer?: RendererChoice;
  outputDir?: string;
  log?: (line: string) => void;
}

export interface RenderBookResult {
  renderer: "quarto" | "own";
  outputDir: string;
  /** Pages written (the own renderer counts them; for Quarto, the book's entries). */
  pages: number;
  seconds: number;
}

function parseRenderer(value: string | undefined): RendererChoice {
  const choice = (value ?? "auto").trim().toLowerCase();
  if (choice === "auto" || choice === "quarto" || choice === "own") return choice;
  throw new Error(`renderer must be auto, quarto or own, not "${value}"`);
}

export function renderBook(options: RenderBookOptions): RenderBookResult {
  const log = options.log ?? console.log;
  const started = performance.now();
  const choice = options.renderer ?? "auto";
  const version = choice === "own" ? null : quartoVersion();
  if (choice === "quarto" && version === null) throw new Error("--renderer quarto: no working `quarto` on PATH");

  if (version !== null) {
    log(`Rendering the book with Quarto ${version}`);
    quartoRender(options.projectRoot, options.outputDir);
    const config = readBookConfig(options.projectRoot);
    return {
      renderer: "quarto",
      outputDir: path.resolve(options.projectRoot, options.outputDir ?? config.outputDir),
      pages: config.entries.length,
      seconds: (performance.now() - started) / 1000,
    };
  }
  log(choice === "own" ? "Rendering the book with the own renderer" : "Quarto is not on PATH: rendering the book with the own renderer");
  const result = buildBook({ projectRoot: options.projectRoot, outputDir: options.outputDir, log });
  return { renderer: "own", outputDir: result.outputDir, pages: result.pages.length, seconds: (performance.now() - started) / 1000 };
}

function main(): void {
  const { values } = parseArgs({
    options: { renderer: { type: "string" }, "output-dir": { type: "string" }, project: { type: "string" } },
  });
  const projectRoot = values.project === undefined ? findProjectRoot(process.cwd()) : path.resolve(values.project);
  const result = renderBook({
    projectRoot,
    renderer: parseRenderer(values.renderer ?? process.env.CNN_BOOK_RENDERER),
    outputDir: values["output-dir"] === undefined ? undefined : path.resolve(values["output-dir"]),
  });
  const where = path.relative(process.cwd(), result.outputDir) || ".";
  console.log(`Book: ${result.pages} pages in ${where}/ (${result.renderer} renderer, ${result.seconds.toFixed(1)} s)`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(`render-book: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
