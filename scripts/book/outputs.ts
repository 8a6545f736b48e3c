/**
 * A code cell's stored outputs to HTML. The richest representation the page can show wins, in Quarto's order for
 * HTML (text/html first, then images, then text), with two exceptions made for reading:
 * - a Plotly figure (Plotly's MIME type, or the course's figure HTML, which carries the same JSON) becomes the book's
 *   own figure: its PNG at once, scaled to the column, and the figure's JSON for book/figures.js, which draws it
 *   with plotly.js once that has loaded (never blocking the text; the PNG stays if it never loads);
 * - a training log (one output per fit, or the older one-output-per-epoch lines) is one collapsed block.
 */
import { stripVTControlCharacters } from "node:util";
import { joinSource, type CellOutput, type MimeBundle } from "../jupyter/nbformat";
import { escapeHtml } from "./highlight";

export type ImageExtension = "png" | "jpeg" | "gif" | "svg";

/** What rendering outputs needs from the page being built. */
export interface OutputContext {
  /** Store an image file beside the page; returns its URL relative to the page. */
  writeImage(bytes: Buffer, extension: ImageExtension): string;
  /** Render markdown (a text/markdown output) with the page's markdown setup. */
  renderMarkdown(source: string): string;
  /** A page-unique element id. */
  newElementId(): string;
}

export interface RenderedOutputs {
  html: string;
  /** Whether any output draws with Plotly, so the page must load book/figures.js (and, through it, plotly.js). */
  usesPlotly: boolean;
}

/** Text outputs longer than this many lines are shown in a box of capped height that scrolls. */
export const LONG_OUTPUT_LINES = 25;

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const BITMAP_MIMES: Record<string, ImageExtension> = { "image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif" };
/** Recognises the course's figure HTML (lib/viz marks figures with data-plotly-figure) and other Plotly outputs. */
const PLOTLY_HTML = /data-plotly-figure|Plotly\.(newPlot|react)/;

function text(value: unknown): string {
  if (typeof value === "string" || Array.isArray(value)) return joinSource(value as string | string[]);
  return value === undefined || value === null ? "" : JSON.stringify(value, null, 2);
}

/**
 * Progress lines redraw themselves with carriage returns; a terminal shows only the last state of each line,
 * and so does the page.
 */
export function resolveCarriageReturns(value: string): string {
  return value
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      const trimmed = line.replace(/\r+$/, "");
      return trimmed.slice(trimmed.lastIndexOf("\r") + 1);
    })
    .join("\n");
}

/** Terminal colour codes (tslab and Node colour errors and warnings) mean nothing in a page: drop them. */
export function plainTerminalText(value: string): string {
  return resolveCarriageReturns(stripVTControlCharacters(value));
}

function preBlock(kind: string, content: string): string {
  const body = content.replace(/\n$/, "");
  const long = body.split("\n").length > LONG_OUTPUT_LINES ? ' class="long-output" tabindex="0"' : "";
  return `<div class="cell-output cell-output-${kind}"><pre${long}>${escapeHtml(body)}</pre></div>`;
}

/**
 * Alt text from an output's text/plain, without the machinery: the course writes `[image: WHAT — 612×304 PNG]`
 * (older outputs add `, 124981 bytes`) and `[figure: TITLE — 2 traces (scatter), 700×400]`; a reader (or a
 * screen reader) needs WHAT and TITLE only.
 */
export function altText(plain: string, fallback = "Output image"): string {
  const value = plain.trim();
  const course = /^\[(image|figure)(?:: (.*?))? — [^\]]*\]$/s.exec(value);
  if (course !== null) {
    const what = (course[2] ?? "").trim();
    if (course[1] === "figure") return what === "" ? "Figure" : `Figure: ${what}`;
    return what === "" ? fallback : what;
  }
  return value.replace(/,?\s*\d+ bytes\b/g, "") || fallback;
}

function imageTag(data: MimeBundle, mime: string, context: OutputContext, extra = ""): string {
  const extension = BITMAP_MIMES[mime];
  const bytes = Buffer.from(text(data[mime]).replace(/\s+/g, ""), "base64");
  const url = context.writeImage(bytes, extension);
  const size = extension === "png" ? pngSize(bytes) : null;
  const dimensions = size === null ? "" : ` width="${size.width}" height="${size.height}"`;
  return `<img src="${escapeHtml(url)}"${dimensions} alt="${escapeHtml(altText(text(data["text/plain"])))}"${extra}>`;
}

/** Width and height from a PNG's header, or null. */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 24 || bytes.readUInt32BE(0) !== 0x89504e47) return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

interface FigureJson {
  data: unknown[];
  layout: Record<string, unknown>;
  frames?: unknown[];
  config?: Record<string, unknown>;
}

/** The figure's JSON: Plotly's MIME type, else the payload of the course's figure HTML (lib/viz/plotly-html.ts). */
export function figureJson(data: MimeBundle): FigureJson | null {
  const parse = (value: unknown): FigureJson | null => {
    const figure = (typeof value === "string" ? JSON.parse(value) : value) as Partial<FigureJson> | null;
    if (figure === null || typeof figure !== "object" || !Array.isArray(figure.data)) return null;
    return { data: figure.data, layout: { ...(figure.layout ?? {}) }, frames: figure.frames, config: figure.config };
  };
  if (data[PLOTLY_MIME] !== undefined) return parse(data[PLOTLY_MIME]);
  const html = data["text/html"] === undefined ? "" : text(data["text/html"]);
  if (!/data-plotly-figure/.test(html)) return null;
  const payload = /^\s*var figure = (\{.*\});\s*$/m.exec(html);
  if (payload === null) return null;
  try {
    return parse(payload[1]);
  } catch {
    return null;
  }
}

/** The figure's size as drawn: the layout's, else the course HTML's inline style, else the PNG's. */
function figureSizeOf(figure: FigureJson, data: MimeBundle, png: Buffer | null): { width: number; height: number } {
  const html = data["text/html"] === undefined ? "" : text(data["text/html"]);
  const style = /max-width:(\d+)px;height:(\d+)px/.exec(html);
  const fromPng = png === null ? null : pngSize(png);
  const width = typeof figure.layout.width === "number" ? figure.layout.width : style ? Number(style[1]) : fromPng?.width ?? 700;
  const height = typeof figure.layout.height === "number" ? figure.layout.height : style ? Number(style[2]) : fromPng?.height ?? 450;
  return { width, height };
}

function figureTitleOf(figure: FigureJson): string {
  const title = figure.layout.title;
  if (typeof title === "string") return title;
  if (title !== null && typeof title === "object" && typeof (title as { text?: unknown }).text === "string") return (title as { text: string }).text;
  return "";
}

/**
 * The book's figure: a <figure> sized by CSS to the column (aspect ratio kept), showing the PNG at once; the JSON
 * rides along for book/figures.js, which draws the interactive figure over it at the figure's own size, scaled to fit.
 */
function figureOutput(figure: FigureJson, data: MimeBundle, context: OutputContext): string {
  const pngText = data["image/png"] === undefined ? null : text(data["image/png"]).replace(/\s+/g, "");
  const png = pngText === null ? null : Buffer.from(pngText, "base64");
  const size = figureSizeOf(figure, data, png);
  const plainTitle = figureTitleOf(figure).replace(/<[^>]*>/g, "");
  const label = plainTitle !== "" ? `Figure: ${plainTitle}` : altText(text(data["text/plain"]), "Figure");
  const layout = { ...figure.layout, width: size.width, height: size.height, autosize: false };
  const payload = JSON.stringify({ data: figure.data, layout, frames: figure.frames ?? [] }).replace(/</g, "\\u003c");
  const image =
    png === null
      ? `<div class="plotly-static plotly-placeholder">${escapeHtml(label)}</div>`
      : `<img class="plotly-static" src="${escapeHtml(context.writeImage(png, "png"))}" width="${size.width}" height="${size.height}" alt="${escapeHtml(label)}">`;
  return (
    `<figure class="plotly-figure" id="${context.newElementId()}" data-plotly-figure data-width="${size.width}" data-height="${size.height}" ` +
    `role="figure" aria-label="${escapeHtml(label)}" style="max-width:${size.width}px">` +
    `<div class="plotly-frame" style="aspect-ratio:${size.width} / ${size.height}">${image}</div>` +
    `<script type="application/json" class="plotly-data">${payload}</script></figure>`
  );
}

/** One display_data / execute_result: pick the representation to show. */
function richOutput(data: MimeBundle, context: OutputContext): { html: string; usesPlotly: boolean } {
  const wrap = (kind: string, inner: string) => `<div class="cell-output cell-output-${kind}">${inner}</div>`;
  const figure = figureJson(data);
  if (figure !== null) return { html: wrap("display", figureOutput(figure, data, context)), usesPlotly: true };
  if (data["text/html"] !== undefined) {
    const html = text(data["text/html"]);
    const fallbackMime = Object.keys(BITMAP_MIMES).find((mime) => data[mime] !== undefined);
    const fallback = fallbackMime ? `<noscript>${imageTag(data, fallbackMime, context)}</noscript>` : "";
    return { html: wrap("display", html + fallback), usesPlotly: PLOTLY_HTML.test(html) };
  }
  if (data["image/svg+xml"] !== undefined) {
    const url = context.writeImage(Buffer.from(text(data["image/svg+xml"]), "utf8"), "svg");
    return { html: wrap("display", `<img src="${escapeHtml(url)}" alt="${escapeHtml(text(data["text/plain"]).trim() || "Output image")}">`), usesPlotly: false };
  }
  const bitmap = Object.keys(BITMAP_MIMES).find((mime) => data[mime] !== undefined);
  if (bitmap !== undefined) return { html: wrap("display", imageTag(data, bitmap, context)), usesPlotly: false };
  if (data["text/markdown"] !== undefined) {
    return { html: wrap("markdown", context.renderMarkdown(text(data["text/markdown"]))), usesPlotly: false };
  }
  if (data["text/plain"] !== undefined) return { html: preBlock("text", plainTerminalText(text(data["text/plain"]))), usesPlotly: false };
  return { html: "", usesPlotly: false };
}

/** A training log's output: marked by lib/train/progress.ts, or (older notebooks) a progress line of its own. */
const EPOCH_LINE = /^Epoch \d+\/\d+ /;
function trainingLogText(output: CellOutput): string | null {
  if (output.output_type !== "display_data" && output.output_type !== "execute_result") return null;
  const plain = output.data["text/plain"];
  if (plain === undefined || Object.keys(output.data).some((mime) => mime !== "text/plain")) return null;
  const value = text(plain);
  const marked = (output.metadata as { cnn_notebooks?: { output?: unknown } } | undefined)?.cnn_notebooks?.output === "training-log";
  return marked || EPOCH_LINE.test(value) ? value : null;
}

/** Older logs drew a full progress bar on every finished epoch: `[=====] 100/100` says nothing once it is done. */
function compactEpochLine(line: string): string {
  return line.replace(/ {2}\[[=>.]+\] {2}\d+\/\d+ {2}/, "  ");
}

/** A training log: collapsed, its last epoch in the summary; the curves figure below it is the thing to look at. */
function trainingLogBlock(value: string): string {
  const lines = value.replace(/\n$/, "").split("\n").map(compactEpochLine);
  const epochs = lines.filter((line) => /^\s*(Epoch )?\d+\/\d+ /.test(line));
  const last = epochs[epochs.length - 1]?.trim() ?? "";
  const summary = `Training log: ${epochs.length} epoch${epochs.length === 1 ? "" : "s"}`;
  return (
    `<details class="cell-output training-log"><summary>${summary}${last === "" ? "" : ` <span class="training-log-last">(last: <code>${escapeHtml(last.replace(/\s{2,}/g, "  "))}</code>)</span>`}</summary>` +
    `<pre class="long-output" tabindex="0">${escapeHtml(lines.join("\n"))}</pre></details>`
  );
}

/** Consecutive writes to the same stream read as one block (Jupyter shows them that way too); so do training logs. */
function mergeStreams(outputs: CellOutput[]): CellOutput[] {
  const merged: CellOutput[] = [];
  for (const output of outputs) {
    const previous = merged[merged.length - 1];
    const log = trainingLogText(output);
    const previousLog = previous === undefined ? null : trainingLogText(previous);
    if (log !== null && previousLog !== null && previous !== undefined && (previous.output_type === "display_data" || previous.output_type === "execute_result")) {
      merged[merged.length - 1] = { ...previous, data: { "text/plain": `${previousLog.replace(/\n$/, "")}\n${log}` } };
      continue;
    }
    if (output.output_type === "stream" && previous?.output_type === "stream" && previous.name === output.name) {
      merged[merged.length - 1] = { ...previous, text: text(previous.text) + text(output.text) };
    } else {
      merged.push(output);
    }
  }
  return merged;
}

export function renderOutputs(outputs: CellOutput[], context: OutputContext): RenderedOutputs {
  const parts: string[] = [];
  let usesPlotly = false;
  for (const output of mergeStreams(outputs)) {
    switch (output.output_type) {
      case "stream":
        parts.push(preBlock(output.name === "stderr" ? "stderr" : "stdout", plainTerminalText(text(output.text))));
        break;
      case "error": {
        const traceback = output.traceback.map(stripVTControlCharacters).join("\n").trim();
        const headline = `${output.ename}: ${output.evalue}`;
        parts.push(preBlock("error", traceback.includes(output.evalue) && traceback !== "" ? traceback : `${headline}\n${traceback}`.trim()));
        break;
      }
      case "display_data":
      case "execute_result": {
        const log = trainingLogText(output);
        if (log !== null) {
          parts.push(trainingLogBlock(log));
          break;
        }
        const rendered = richOutput(output.data, context);
        parts.push(rendered.html);
        usesPlotly ||= rendered.usesPlotly;
        break;
      }
    }
  }
  return { html: parts.join("\n"), usesPlotly };
}
