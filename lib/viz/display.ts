/**
 * The one way the course shows things in a notebook. A figure becomes ONE display_data carrying
 * - `application/vnd.plotly.v1+json` ({data, layout, config}): Plotly's own MIME type, which JupyterLab, VS Code,
 *   nteract and Colab-style front ends draw natively;
 * - `text/html` (a div and a loader script: classic Notebook 6, and the book reads the figure from it);
 * - `image/png` (the same figure rendered by Plotly in headless Chromium: static viewers, GitHub, the book's
 *   placeholder until plotly.js has loaded);
 * - `text/plain` (a one-line description).
 * Outside a kernel (plain Node, tests) the description is printed.
 */
import { courseEnv } from "../env";
import { describeFigure, figureSize, figureTitle, type FigureSize, type PlotlyFigure } from "./figure";
import { writeDisplayData, inKernel, type MimeBundle } from "./jupyter-channel";
import { installPlotlyAsset } from "./plotly-asset";
import { figureHtml, newFigureId, PLOTLY_CONFIG, scriptSafeJson } from "./plotly-html";
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

/** Plotly's own MIME type (the ecosystem's convention for a Plotly figure in a notebook output). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/**
 * The figure as Plotly's MIME type wants it: plain JSON (typed arrays become arrays, NaN becomes null), the layout
 * carrying the figure's size, and the course's Plotly config.
 */
export function plotlyMimeData(figure: PlotlyFigure, size: FigureSize): object {
  const layout = { ...(figure.layout ?? {}), width: size.width, height: size.height };
  const frames = figure.frames && figure.frames.length > 0 ? { frames: figure.frames } : {};
  return JSON.parse(scriptSafeJson({ data: figure.data, layout, config: PLOTLY_CONFIG, ...frames })) as object;
}

/** The MIME bundle of a figure (exported for tests and scripts; notebooks call showFigure). */
export async function figureBundle(figure: PlotlyFigure, size: FigureSize): Promise<MimeBundle> {
  const description = describeFigure(figure, size);
  const rendered = await renderPlotlyPng(figure, size);
  const label = figureTitle(figure) || description;
  const bundle: MimeBundle = {
    [PLOTLY_MIME]: plotlyMimeData(figure, size),
    "text/html": figureHtml(figure, size, newFigureId(), label),
  };
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
  // What the image shows and its size in pixels; its size in bytes is noise to a reader (and to a screen reader).
  const text = `[image${options.alt ? `: ${options.alt}` : ""} — ${dimensions}PNG]`;
  if (!writeDisplayData({ "image/png": Buffer.from(png).toString("base64"), "text/plain": text })) console.log(text);
}
