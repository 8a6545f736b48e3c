/**
 * The one way the course shows things in a notebook. A figure becomes ONE display_data carrying text/html (drawn by
 * Plotly in the page), image/png (the same figure rendered by Plotly in headless Chromium: what the stored notebook
 * and the static book show) and text/plain. Outside a kernel (plain Node, tests) a short description is printed.
 */
import { courseEnv } from "../env";
import { describeFigure, figureSize, type FigureSize, type PlotlyFigure } from "./figure";
import { writeDisplayData, inKernel, type MimeBundle } from "./jupyter-channel";
import { installPlotlyAsset } from "./plotly-asset";
import { figureHtml } from "./plotly-html";
import { renderPlotlyPng } from "./plotly-png";

export interface ShowFigureOptions {
  width?: number;
  height?: number;
}

export interface ShowPngOptions {
  /** What the image shows, for text/plain (and anyone reading the notebook as text). */
  alt?: string;
}

let assetChecked = false;

/** Make sure the notebook server can serve plotly.js (once per process; a failure only costs the HTML view). */
function ensurePlotlyAsset(): string | null {
  if (assetChecked) return null;
  assetChecked = true;
  try {
    installPlotlyAsset(courseEnv().projectRoot);
    return null;
  } catch (error) {
    return `note: could not install notebooks/assets/plotly.min.js (${error instanceof Error ? error.message : error})`;
  }
}

/** The MIME bundle of a figure (exported for tests and scripts; notebooks call showFigure). */
export async function figureBundle(figure: PlotlyFigure, size: FigureSize): Promise<MimeBundle> {
  const description = describeFigure(figure, size);
  const rendered = await renderPlotlyPng(figure, size);
  const bundle: MimeBundle = { "text/html": figureHtml(figure, size) };
  if ("png" in rendered) {
    bundle["image/png"] = Buffer.from(rendered.png).toString("base64");
    bundle["text/plain"] = description;
  } else {
    bundle["text/plain"] = `${description}\n(no static image: ${rendered.skipped})`;
  }
  return bundle;
}

/** Show a Plotly figure: interactive in the notebook, a PNG in the stored file and the book. */
export async function showFigure(figure: PlotlyFigure, options: ShowFigureOptions = {}): Promise<void> {
  const size = figureSize(figure, options);
  if (!inKernel()) {
    console.log(describeFigure(figure, size));
    return;
  }
  const assetNote = ensurePlotlyAsset();
  if (assetNote) console.log(assetNote);
  writeDisplayData(await figureBundle(figure, size));
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
/** Width and height from a PNG's IHDR chunk (bytes 16–23), or null if this is not a PNG. */
export function pngSize(png: Uint8Array): FigureSize | null {
  if (png.byteLength < 24 || PNG_SIGNATURE.some((byte, i) => png[i] !== byte)) return null;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Show a PNG made from pixels (see pixelsToPng / imageGridPng). */
export async function showPng(png: Uint8Array, options: ShowPngOptions = {}): Promise<void> {
  const size = pngSize(png);
  const dimensions = size ? `${size.width}×${size.height} ` : "";
  const text = `[image${options.alt ? `: ${options.alt}` : ""} — ${dimensions}PNG, ${png.byteLength} bytes]`;
  if (!writeDisplayData({ "image/png": Buffer.from(png).toString("base64"), "text/plain": text })) console.log(text);
}
