/**
 * The files every page shares, copied into `<output>/assets/`: KaTeX's stylesheet and fonts (formulas are rendered
 * at build time but drawn with KaTeX's fonts), plotly.js (served by the site itself, never a CDN; loaded by
 * figures.js on pages with figures only) and the book's own stylesheets (layout, syntax colours) and scripts from `book/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ASSETS_DIR } from "./layout";

/** The book's own static files live in `book/` at the repository root, whichever project is being rendered. */
const BOOK_STATIC_DIR = path.resolve(__dirname, "..", "..", "book");
const BOOK_STATIC_FILES = ["book.css", "highlight.css", "search.js", "book.js", "figures.js"];
export const PLOTLY_BUNDLE = "plotly.js-dist-min/plotly.min.js";

/** Copy plotly.js into `<outputDir>/assets/` (also used after a Quarto render). */
export function copyPlotly(outputDir: string): void {
  const target = path.join(outputDir, ASSETS_DIR, "plotly.min.js");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(require.resolve(PLOTLY_BUNDLE), target);
}

export function copyBookAssets(outputDir: string): void {
  const assets = path.join(outputDir, ASSETS_DIR);
  fs.mkdirSync(assets, { recursive: true });

  const katexDist = path.dirname(require.resolve("katex/dist/katex.min.css"));
  fs.mkdirSync(path.join(assets, "katex"), { recursive: true });
  fs.copyFileSync(path.join(katexDist, "katex.min.css"), path.join(assets, "katex", "katex.min.css"));
  // katex.min.css refers to fonts/KaTeX_*.woff2 (with .woff and .ttf fallbacks) relative to itself.
  fs.cpSync(path.join(katexDist, "fonts"), path.join(assets, "katex", "fonts"), { recursive: true });

  copyPlotly(outputDir);
  for (const file of BOOK_STATIC_FILES) fs.copyFileSync(path.join(BOOK_STATIC_DIR, file), path.join(assets, file));
}
