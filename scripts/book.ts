/**
 * `npm run book`: bring the notebooks up to date, then render the book (Quarto's `freeze: auto`, for a kernel
 * Quarto cannot run). Only notebooks whose stored outputs are missing or belong to older code are executed, by the
 * project's runner; the rest keep their stored outputs.
 *
 *   npm run book                        # full profile: stale notebooks run and are stored in place, then render
 *   npm run book -- --execute           # run every notebook, stale or not
 *   npm run book -- --profile smoke     # a quick book: stale notebooks run in smoke into a scratch copy (the stored
 *                                       # notebooks keep their full-profile outputs), rendered by the own renderer
 *   npm run book -- --renderer own      # as for `npm run render`
 *   npm run book -- --project DIR       # another book project (default: the one holding the current folder)
 *   npm run book -- --dry-run           # only say which notebooks would run, and why
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { findProjectRoot } from "../lib/env";
import { CONFIG_FILE, readBookConfig } from "./book/config";
import { executeNotebooks } from "./book/execute";
import { notebookFreshness } from "./book/staleness";
import type { RunProfile } from "./jupyter/source-hash";
import { renderBook, type RendererChoice } from "./render-book";

const NOTEBOOK_EXTENSION = ".ipynb";

function parseProfile(value: string | undefined): RunProfile {
  if (value === undefined || value === "full") return "full";
  if (value === "smoke" || value === "lab") return value;
  throw new Error(`--profile must be smoke, lab or full, not "${value}"`);
}

function parseRenderer(value: string | undefined): RendererChoice {
  if (value === undefined) return "auto";
  if (value === "auto" || value === "quarto" || value === "own") return value;
  throw new Error(`--renderer must be auto, quarto or own, not "${value}"`);
}

/** A scratch copy of the book's inputs, so a smoke run never writes over the stored notebooks. */
function stageProject(projectRoot: string, sources: string[]): string {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-book-smoke-"));
  fs.copyFileSync(path.join(projectRoot, CONFIG_FILE), path.join(staging, CONFIG_FILE));
  // Whole folders, so images that markdown cells link to come along.
  for (const folder of new Set(sources.map((source) => source.split("/")[0]))) {
    const from = path.join(projectRoot, folder);
    if (fs.statSync(from).isDirectory()) fs.cpSync(from, path.join(staging, folder), { recursive: true });
    else fs.copyFileSync(from, path.join(staging, folder));
  }
  return staging;
}

function main(): void {
  const { values } = parseArgs({
    options: { execute: { type: "boolean" }, "dry-run": { type: "boolean" }, profile: { type: "string" }, renderer: { type: "string" }, project: { type: "string" } },
  });
  const profile = parseProfile(values.profile);
  const projectRoot = values.project === undefined ? findProjectRoot(process.cwd()) : path.resolve(values.project);
  const config = readBookConfig(projectRoot);
  const notebooks = config.entries.map((entry) => entry.source).filter((source) => source.endsWith(NOTEBOOK_EXTENSION));

  const freshness = notebooks.map((notebook) => notebookFreshness(projectRoot, notebook, profile));
  for (const { notebook, staleReason } of freshness) {
    const status = values.execute ? "run (--execute)" : staleReason === null ? "stored outputs are current" : `run (${staleReason})`;
    console.log(`  ${notebook}: ${status}`);
  }
  const toRun = values.execute ? notebooks : freshness.filter((item) => item.staleReason !== null).map((item) => item.notebook);
  console.log(`${toRun.length} of ${notebooks.length} notebook(s) to execute, profile ${profile}`);
  if (values["dry-run"]) return;

  const started = performance.now();
  if (profile === "full") {
    executeNotebooks({ projectRoot, notebooks: toRun, profile });
    const result = renderBook({ projectRoot, renderer: parseRenderer(values.renderer) });
    console.log(`Book: ${result.pages} pages in ${path.relative(projectRoot, result.outputDir)}/ (${result.renderer} renderer)`);
  } else {
    const staging = stageProject(projectRoot, config.entries.map((entry) => entry.source));
    try {
      // The runner writes executed copies into one folder per call: one call per folder of notebooks.
      const byFolder = new Map<string, string[]>();
      for (const notebook of toRun) byFolder.set(path.dirname(notebook), [...(byFolder.get(path.dirname(notebook)) ?? []), notebook]);
      for (const [folder, batch] of byFolder) {
        executeNotebooks({ projectRoot, notebooks: batch, profile, outputDir: path.join(staging, folder) });
      }
      // Quarto's post-render step runs project scripts, which the scratch copy does not hold: the own renderer.
      const result = renderBook({ projectRoot: staging, renderer: "own", outputDir: config.outputDir });
      console.log(`Smoke book: ${result.pages} pages in ${path.relative(projectRoot, result.outputDir)}/ (stored notebooks untouched)`);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  main();
} catch (error) {
  console.error(`book: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
