/**
 * The HTML half of a figure (classic Notebook 6, and any page that runs an output's scripts): a div plus a small script that draws it with Plotly. plotly.js itself (4.6 MB) is never
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

/** Plotly's config for every course figure (also the `config` of the application/vnd.plotly.v1+json output). */
export const PLOTLY_CONFIG = { responsive: true, displaylogo: false };
/** Shown where scripts cannot run (an untrusted notebook); the image/png of the same output is the static view. */
const PLACEHOLDER = "Interactive figure: run the cell (or trust the notebook) to draw it.";

/** JSON that is safe inside a <script> element; typed arrays become plain arrays, NaN/Infinity become null (gaps). */
export function scriptSafeJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) =>
    ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v,
  );
  return json.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A page-unique element id (several figures can share a page). */
export function newFigureId(): string {
  return `cnn-figure-${randomBytes(6).toString("hex")}`;
}

/**
 * Where plotly.js is, from where the page is: the browser-side resolver, as source text (unit-tested by evaluating
 * it). It returns candidate URLs, tried in order:
 * - classic Notebook 6: the body carries `data-base-url` and `data-notebook-path`; files are `<base>files/<path>`;
 * - JupyterLab / Notebook 7: the page is `<base>lab/tree/<path>.ipynb` (or `lab/workspaces/<name>/tree/`, `doc/tree/`,
 *   `notebooks/`, `tree/`), and files are again `<base>files/<path>`; when Lab's URL names no notebook
 *   (`<base>lab`) the notebooks folder under the server's root is the best guess;
 * - a plain page (an exported HTML file beside the notebooks): `assets/plotly.min.js` relative to the page.
 */
export const PLOTLY_URL_RESOLVER_SOURCE = String.raw`function cnnPlotlyUrls(pathname, baseUrl, notebookPath) {
  var asset = ${JSON.stringify(PLOTLY_ASSET_PATH)};
  function folderOf(file) { var slash = file.lastIndexOf("/"); return slash >= 0 ? file.slice(0, slash + 1) : ""; }
  function withSlash(base) { return base.charAt(base.length - 1) === "/" ? base : base + "/"; }
  if (typeof baseUrl === "string" && typeof notebookPath === "string") {
    return [withSlash(baseUrl) + "files/" + folderOf(notebookPath) + asset];
  }
  var page = /^(.*?\/)(?:(?:lab|doc)(?:\/workspaces\/[^\/]+)?\/tree|notebooks|tree)\/(.+\.ipynb)$/.exec(pathname);
  if (page) return [page[1] + "files/" + folderOf(page[2]) + asset];
  var lab = /^(.*?\/)(?:lab|doc)(?:\/.*)?$/.exec(pathname);
  if (lab) return [lab[1] + "files/notebooks/" + asset, lab[1] + "files/" + asset];
  return [asset];
}`;

/**
 * The browser-side loader, as source text. The promise is kept on `window`, so plotly.js loads once per page; each
 * candidate URL is tried in turn.
 */
const LOADER_SOURCE = `function cnnLoadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (window.__cnnPlotlyLoading) return window.__cnnPlotlyLoading;
  ${PLOTLY_URL_RESOLVER_SOURCE.replace(/\n/g, "\n  ")}
  var body = document.body;
  var urls = cnnPlotlyUrls(window.location.pathname, body && body.getAttribute("data-base-url"), body && body.getAttribute("data-notebook-path"));
  function load(index) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = urls[index];
      script.onload = function () { window.Plotly ? resolve(window.Plotly) : reject(new Error("no window.Plotly")); };
      script.onerror = function () { reject(new Error("could not load " + urls[index])); };
      document.head.appendChild(script);
    }).catch(function (error) {
      if (index + 1 < urls.length) return load(index + 1);
      window.__cnnPlotlyLoading = null;
      throw error;
    });
  }
  window.__cnnPlotlyLoading = load(0);
  return window.__cnnPlotlyLoading;
}`;

/** The div + script for one figure. */
export function figureHtml(figure: PlotlyFigure, size: FigureSize, id: string = newFigureId(), label = ""): string {
  // The page decides the width (responsive, up to the figure's width); the height is fixed so the layout is stable.
  const layout = { ...(figure.layout ?? {}), autosize: true };
  delete (layout as Record<string, unknown>).width;
  delete (layout as Record<string, unknown>).height;
  const payload = scriptSafeJson({ data: figure.data, layout, frames: figure.frames ?? [], config: PLOTLY_CONFIG });
  return [
    `<div id="${id}" ${FIGURE_ATTRIBUTE} role="figure"${label === "" ? "" : ` aria-label="${escapeAttribute(label)}"`} style="width:100%;max-width:${size.width}px;height:${size.height}px;">`,
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
    `    note.style.color = "#59636e";`,
    `    note.style.fontSize = "small";`,
    `    note.textContent = "The interactive view is not available here (" + String(error && error.message || error) + "); the static image is in this output's image/png.";`,
    `    element.innerHTML = "";`,
    `    element.appendChild(note);`,
    `  });`,
    `})();`,
    `</script>`,
  ].join("\n");
}
