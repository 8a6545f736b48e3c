/**
 * The HTML half of a figure: a div plus a small script that draws it with Plotly. plotly.js itself (4.6 MB) is never
 * embedded: the script uses `window.Plotly` when the page has it (the book puts plotly.js in every page's head), and
 * otherwise loads it ONCE per page from the copy the notebook server serves (`notebooks/assets/plotly.min.js`, see
 * plotly-asset.ts). plotly.js 3 is a plain script that sets `window.Plotly` (no AMD `define`), so a script tag works
 * in classic Jupyter even though the page has requirejs.
 */
import { randomBytes } from "node:crypto";
import type { FigureSize, PlotlyFigure } from "./figure";

/** The attribute the book's browser test looks for to find every figure on a page. */
export const FIGURE_ATTRIBUTE = "data-plotly-figure";
/** Where the notebook server's copy of plotly.js lives, relative to the folder holding the notebooks. */
export const PLOTLY_ASSET_PATH = "assets/plotly.min.js";

const PLOTLY_CONFIG = { responsive: true, displaylogo: false };
/** Shown where scripts cannot run (an untrusted notebook); the image/png of the same output is the static view. */
const PLACEHOLDER = "Interactive figure: run the cell (or trust the notebook) to draw it.";

/** JSON that is safe inside a <script> element; typed arrays become plain arrays, NaN/Infinity become null (gaps). */
export function scriptSafeJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) =>
    ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v,
  );
  return json.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** A page-unique element id (several figures can share a page). */
export function newFigureId(): string {
  return `cnn-figure-${randomBytes(6).toString("hex")}`;
}

/**
 * The browser-side loader, as source text. It finds plotly.js relative to the notebook server: classic Jupyter
 * (6.x) serves notebooks at `<base>notebooks/<path>` and files at `<base>files/<path>`, and its page body carries
 * `data-base-url` and `data-notebook-path`. The promise is kept on `window`, so plotly.js loads once per page.
 */
const LOADER_SOURCE = `function cnnLoadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (window.__cnnPlotlyLoading) return window.__cnnPlotlyLoading;
  var body = document.body, url;
  var base = body && body.getAttribute("data-base-url");
  var notebookPath = body && body.getAttribute("data-notebook-path");
  if (base !== null && base !== undefined && notebookPath !== null && notebookPath !== undefined) {
    var slash = notebookPath.lastIndexOf("/");
    var dir = slash >= 0 ? notebookPath.slice(0, slash + 1) : "";
    url = base.replace(/\\/?$/, "/") + "files/" + dir + ${JSON.stringify(PLOTLY_ASSET_PATH)};
  } else if (/\\/notebooks\\//.test(window.location.pathname)) {
    url = "../files/" + ${JSON.stringify(PLOTLY_ASSET_PATH)};
  } else {
    url = ${JSON.stringify(PLOTLY_ASSET_PATH)};
  }
  window.__cnnPlotlyLoading = new Promise(function (resolve, reject) {
    var script = document.createElement("script");
    script.src = url;
    script.onload = function () { window.Plotly ? resolve(window.Plotly) : reject(new Error("no window.Plotly")); };
    script.onerror = function () { window.__cnnPlotlyLoading = null; reject(new Error("could not load " + url)); };
    document.head.appendChild(script);
  });
  return window.__cnnPlotlyLoading;
}`;

/** The div + script for one figure. */
export function figureHtml(figure: PlotlyFigure, size: FigureSize, id: string = newFigureId()): string {
  // The page decides the width (responsive, up to the figure's width); the height is fixed so the layout is stable.
  const layout = { ...(figure.layout ?? {}), autosize: true };
  delete (layout as Record<string, unknown>).width;
  delete (layout as Record<string, unknown>).height;
  const payload = scriptSafeJson({ data: figure.data, layout, frames: figure.frames ?? [], config: PLOTLY_CONFIG });
  return [
    `<div id="${id}" ${FIGURE_ATTRIBUTE} style="width:100%;max-width:${size.width}px;height:${size.height}px;">`,
    `<p style="color:#888;font-size:small">${PLACEHOLDER}</p></div>`,
    `<script type="text/javascript">`,
    `(function () {`,
    `  ${LOADER_SOURCE.replace(/\n/g, "\n  ")}`,
    `  var element = document.getElementById(${JSON.stringify(id)});`,
    `  if (!element) return;`,
    `  var figure = ${payload};`,
    `  cnnLoadPlotly().then(function (Plotly) {`,
    `    element.innerHTML = "";`,
    `    return Plotly.newPlot(element, figure);`,
    `  }).catch(function (error) {`,
    `    var note = document.createElement("p");`,
    `    note.style.color = "#a00";`,
    `    note.textContent = "Plotly could not draw this figure (" + String(error && error.message || error) + "); the static image is in this output's image/png.";`,
    `    element.innerHTML = "";`,
    `    element.appendChild(note);`,
    `  });`,
    `})();`,
    `</script>`,
  ].join("\n");
}
