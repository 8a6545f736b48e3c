/**
 * A code cell's stored outputs to HTML. The richest representation the page can show wins, in Quarto's order for
 * HTML (text/html first, then images, then text): so a course figure (text/html + image/png + text/plain) is drawn
 * interactively by Plotly. Its PNG is kept as a <noscript> fallback: free for readers with scripts on (a noscript
 * image is never fetched), and the same static view the stored notebook shows for readers without them.
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
  /** Whether any output draws with Plotly, so the page must load plotly.js in its head. */
  usesPlotly: boolean;
}

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
  return `<div class="cell-output cell-output-${kind}"><pre>${escapeHtml(content.replace(/\n$/, ""))}</pre></div>`;
}

function imageTag(data: MimeBundle, mime: string, context: OutputContext): string {
  const extension = BITMAP_MIMES[mime];
  const url = context.writeImage(Buffer.from(text(data[mime]).replace(/\s+/g, ""), "base64"), extension);
  const alt = text(data["text/plain"]).trim() || "Output image";
  return `<img src="${escapeHtml(url)}" alt="${escapeHtml(alt)}">`;
}

function plotlyJsonOutput(value: unknown, context: OutputContext): string {
  const figure = (typeof value === "string" ? JSON.parse(value) : value) as { data?: unknown; layout?: unknown };
  const id = context.newElementId();
  const payload = JSON.stringify({ data: figure.data ?? [], layout: figure.layout ?? {} }).replace(/</g, "\\u003c");
  return (
    `<div id="${id}" data-plotly-figure></div>` +
    `<script>(function () { var f = ${payload}; Plotly.newPlot(${JSON.stringify(id)}, f.data, f.layout, { responsive: true }); })();</script>`
  );
}

/** One display_data / execute_result: pick the representation to show. */
function richOutput(data: MimeBundle, context: OutputContext): { html: string; usesPlotly: boolean } {
  const wrap = (kind: string, inner: string) => `<div class="cell-output cell-output-${kind}">${inner}</div>`;
  if (data["text/html"] !== undefined) {
    const html = text(data["text/html"]);
    const fallbackMime = Object.keys(BITMAP_MIMES).find((mime) => data[mime] !== undefined);
    const fallback = fallbackMime ? `<noscript>${imageTag(data, fallbackMime, context)}</noscript>` : "";
    return { html: wrap("display", html + fallback), usesPlotly: PLOTLY_HTML.test(html) };
  }
  if (data[PLOTLY_MIME] !== undefined) {
    return { html: wrap("display", plotlyJsonOutput(data[PLOTLY_MIME], context)), usesPlotly: true };
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

/** Consecutive writes to the same stream read as one block (Jupyter shows them that way too). */
function mergeStreams(outputs: CellOutput[]): CellOutput[] {
  const merged: CellOutput[] = [];
  for (const output of outputs) {
    const previous = merged[merged.length - 1];
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
        const rendered = richOutput(output.data, context);
        parts.push(rendered.html);
        usesPlotly ||= rendered.usesPlotly;
        break;
      }
    }
  }
  return { html: parts.join("\n"), usesPlotly };
}
