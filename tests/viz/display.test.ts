import { expect } from "chai";
import Module from "node:module";
import { figureSize, describeFigure, type PlotlyFigure } from "../../lib/viz/figure";
import { plotlyMimeData, showFigure, showPng, pngSize } from "../../lib/viz/display";
import { kernelDisplayWriter } from "../../lib/viz/jupyter-channel";
import { closePngRenderer, findChromium } from "../../lib/viz/plotly-png";
import { matrixToPng } from "../../lib/viz/pixels-png";

const FIGURE: PlotlyFigure = { data: [{ type: "heatmap", z: [[1, 2], [3, 4]] }], layout: { title: { text: "tiny" } } };
/** Where the fake kernel module is registered: any path ending like tslab's own jupyter module. */
const FAKE_TSLAB = "/fake-kernel/node_modules/tslab/dist/jupyter.js";

interface Sent {
  /** Strings, except Plotly's MIME type, which is JSON (read it with `as unknown`). */
  data: Record<string, string>;
  update: boolean;
}

/** Pretend to be a tslab kernel: register a module shaped like tslab/dist/jupyter with a recording writer. */
function fakeKernel(): { sent: Sent[]; remove: () => void } {
  const sent: Sent[] = [];
  const module = new Module(FAKE_TSLAB);
  module.exports = { lastWriteDisplayData: (content: { data: Record<string, string> }, update: boolean) => sent.push({ data: content.data, update }) };
  module.loaded = true;
  require.cache[FAKE_TSLAB] = module;
  return { sent, remove: () => delete require.cache[FAKE_TSLAB] };
}

function captureLog(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  return { lines, restore: () => (console.log = original) };
}

describe("lib/viz display", () => {
  const savedPng = process.env.CNN_PNG;
  afterEach(() => {
    if (savedPng === undefined) delete process.env.CNN_PNG;
    else process.env.CNN_PNG = savedPng;
  });
  after(async () => closePngRenderer());

  it("sizes a figure from options, then the layout, then the default", () => {
    expect(figureSize(FIGURE)).to.deep.equal({ width: 700, height: 450 });
    expect(figureSize({ data: [], layout: { width: 500, height: 300 } })).to.deep.equal({ width: 500, height: 300 });
    expect(figureSize({ data: [], layout: { width: 500 } }, { width: 800 })).to.deep.equal({ width: 800, height: 450 });
    expect(describeFigure(FIGURE, { width: 700, height: 450 })).to.equal("[figure: tiny — 1 trace (heatmap), 700×450]");
  });

  it("outside a kernel prints a text description and sends nothing", async () => {
    expect(kernelDisplayWriter()).to.equal(null);
    const log = captureLog();
    try {
      await showFigure(FIGURE, { width: 600 });
      await showPng(await matrixToPng([[0, 1]], { scale: 3 }), { alt: "two pixels" });
    } finally {
      log.restore();
    }
    expect(log.lines).to.have.lengthOf(2);
    expect(log.lines[0]).to.equal("[figure: tiny — 1 trace (heatmap), 600×450]");
    expect(log.lines[1]).to.match(/^\[image: two pixels — 6×3 PNG\]$/);
  });

  it("in a kernel sends ONE display_data with Plotly's MIME type, text/html, image/png and text/plain", async function () {
    if (findChromium() === null) this.skip();
    const kernel = fakeKernel();
    try {
      await showFigure(FIGURE, { width: 640, height: 400 });
    } finally {
      kernel.remove();
    }
    expect(kernel.sent).to.have.lengthOf(1);
    const { data, update } = kernel.sent[0];
    expect(update).to.equal(false);
    expect(Object.keys(data).sort()).to.deep.equal(["application/vnd.plotly.v1+json", "image/png", "text/html", "text/plain"]);
    // Plotly's own MIME type: plain JSON {data, layout, config}, the layout carrying the figure's size.
    const plotly = data["application/vnd.plotly.v1+json"] as unknown;
    expect(plotly).to.deep.equal({
      data: [{ type: "heatmap", z: [[1, 2], [3, 4]] }],
      layout: { title: { text: "tiny" }, width: 640, height: 400 },
      config: { responsive: true, displaylogo: false },
    });
    expect(JSON.parse(JSON.stringify(plotly))).to.deep.equal(plotly);
    expect(data["text/html"]).to.match(/<div id="cnn-figure-[0-9a-f]+" data-plotly-figure role="figure" aria-label="tiny"/);
    expect(data["text/html"].length, "plotly.js must not be embedded").to.be.below(20_000);
    expect(pngSize(new Uint8Array(Buffer.from(data["image/png"], "base64")))).to.deep.equal({ width: 640, height: 400 });
    expect(data["text/plain"]).to.equal("[figure: tiny — 1 trace (heatmap), 640×400]");
  });

  it("with CNN_PNG=off sends html and text, with a note instead of the PNG", async () => {
    process.env.CNN_PNG = "off";
    const kernel = fakeKernel();
    try {
      await showFigure(FIGURE);
    } finally {
      kernel.remove();
    }
    expect(Object.keys(kernel.sent[0].data).sort()).to.deep.equal(["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    expect(kernel.sent[0].data["text/plain"]).to.contain("no static image: PNG rendering is off (CNN_PNG=off)");
  });

  it("showPng sends the PNG with its size in text/plain", async () => {
    const kernel = fakeKernel();
    try {
      await showPng(await matrixToPng([[0, 1], [1, 0]], { scale: 10 }), { alt: "checker" });
    } finally {
      kernel.remove();
    }
    expect(Object.keys(kernel.sent[0].data).sort()).to.deep.equal(["image/png", "text/plain"]);
    expect(kernel.sent[0].data["text/plain"]).to.match(/^\[image: checker — 20×20 PNG\]$/);
  });

  it("Plotly's MIME data turns typed arrays into arrays and NaN into gaps, and keeps animation frames", () => {
    const figure: PlotlyFigure = { data: [{ type: "scatter", y: new Float32Array([1, NaN, 3]) }], frames: [{ name: "f1", data: [] }] };
    expect(plotlyMimeData(figure, { width: 300, height: 200 })).to.deep.equal({
      data: [{ type: "scatter", y: [1, null, 3] }],
      layout: { width: 300, height: 200 },
      config: { responsive: true, displaylogo: false },
      frames: [{ name: "f1", data: [] }],
    });
  });

  it("pngSize reads a PNG header and rejects anything else", () => {
    expect(pngSize(new Uint8Array([1, 2, 3]))).to.equal(null);
  });
});
