import { expect } from "chai";
import type { CellOutput } from "../../scripts/jupyter/nbformat";
import {
  altText, LONG_OUTPUT_LINES, plainTerminalText, renderOutputs, resolveCarriageReturns, type ImageExtension, type OutputContext,
} from "../../scripts/book/outputs";

/** A page context that records the images it is asked to write. */
function recordingContext() {
  const images: Array<{ bytes: Buffer; extension: ImageExtension }> = [];
  let ids = 0;
  const context: OutputContext = {
    writeImage: (bytes, extension) => {
      images.push({ bytes, extension });
      return `page_files/image-${images.length}.${extension}`;
    },
    renderMarkdown: (source) => `<p data-markdown>${source}</p>`,
    newElementId: () => `element-${++ids}`,
  };
  return { images, context };
}

const PNG_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG_BYTES = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9]);

describe("book outputs", function () {
  it("shows stdout and stderr as text, merging consecutive writes, without colour codes, with progress lines settled", function () {
    const { context } = recordingContext();
    const outputs: CellOutput[] = [
      { output_type: "stream", name: "stdout", text: ["epoch 1 10%\repoch 1 100%\n"] },
      { output_type: "stream", name: "stdout", text: "done <ok>\n" },
      { output_type: "stream", name: "stderr", text: "\u001b[33mwarning\u001b[39m\n" },
    ];
    const { html, usesPlotly } = renderOutputs(outputs, context);
    expect(html).to.equal(
      '<div class="cell-output cell-output-stdout"><pre>epoch 1 100%\ndone &lt;ok&gt;</pre></div>\n' +
        '<div class="cell-output cell-output-stderr"><pre>warning</pre></div>',
    );
    expect(usesPlotly).to.equal(false);
  });

  it("shows an error's traceback without ANSI codes, and its name and message when there is no traceback", function () {
    const { context } = recordingContext();
    const withTraceback = renderOutputs(
      [{ output_type: "error", ename: "TypeError", evalue: "x is undefined", traceback: ["\u001b[31mTypeError: x is undefined\u001b[0m", "    at cell:2"] }],
      context,
    ).html;
    expect(withTraceback).to.equal('<div class="cell-output cell-output-error"><pre>TypeError: x is undefined\n    at cell:2</pre></div>');
    const bare = renderOutputs([{ output_type: "error", ename: "Error", evalue: "boom", traceback: [] }], context).html;
    expect(bare).to.contain("<pre>Error: boom</pre>");
  });

  it("writes PNG and JPEG outputs as files (not data URIs) and uses text/plain as the alt text", function () {
    const { images, context } = recordingContext();
    const { html } = renderOutputs(
      [
        { output_type: "display_data", data: { "image/png": PNG_BYTES.toString("base64"), "text/plain": 'a "grid"' }, metadata: {} },
        { output_type: "execute_result", execution_count: 3, data: { "image/jpeg": JPEG_BYTES.toString("base64") }, metadata: {} },
      ],
      context,
    );
    expect(images.map((image) => image.extension)).to.deep.equal(["png", "jpeg"]);
    expect(images[0].bytes.equals(PNG_BYTES)).to.equal(true);
    expect(images[1].bytes.equals(JPEG_BYTES)).to.equal(true);
    expect(html).to.contain('<img src="page_files/image-1.png" alt="a &quot;grid&quot;">');
    expect(html).to.contain('<img src="page_files/image-2.jpeg" alt="Output image">');
    expect(html).not.to.contain("data:image");
  });

  it("shows a figure's HTML as is, keeps its PNG only as a <noscript> fallback, and notes that the page needs Plotly", function () {
    const { images, context } = recordingContext();
    const figureHtml = '<div id="f1" data-plotly-figure></div><script>cnnLoadPlotly()</script>';
    const { html, usesPlotly } = renderOutputs(
      [{ output_type: "display_data", data: { "text/html": [figureHtml], "image/png": PNG_BYTES.toString("base64"), "text/plain": "Figure" }, metadata: {} }],
      context,
    );
    expect(html).to.equal(`<div class="cell-output cell-output-display">${figureHtml}<noscript><img src="page_files/image-1.png" alt="Figure"></noscript></div>`);
    expect(images).to.have.length(1);
    expect(usesPlotly).to.equal(true);
  });

  it("does not load Plotly for HTML that is not a figure", function () {
    const { context } = recordingContext();
    const { html, usesPlotly } = renderOutputs([{ output_type: "display_data", data: { "text/html": "<table><tr><td>1</td></tr></table>" }, metadata: {} }], context);
    expect(html).to.contain("<table>");
    expect(usesPlotly).to.equal(false);
  });

  it("makes a figure of Plotly's own MIME type: its PNG at once, its JSON for figures.js, a role and a label", function () {
    const { images, context } = recordingContext();
    const figure = { data: [{ type: "bar", y: [1, 2] }], layout: { title: { text: "</script>Loss" }, width: 640, height: 320 } };
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]), Buffer.from([0, 0, 2, 128, 0, 0, 1, 64])]);
    const { html, usesPlotly } = renderOutputs(
      [{ output_type: "display_data", data: { "application/vnd.plotly.v1+json": figure, "image/png": png.toString("base64"), "text/html": "<div>ignored</div>", "text/plain": "[figure: x — 1 trace (bar), 640×320]" }, metadata: {} }],
      context,
    );
    expect(usesPlotly).to.equal(true);
    expect(html).to.contain('<figure class="plotly-figure" id="element-1" data-plotly-figure data-width="640" data-height="320" role="figure" aria-label="Figure: Loss"');
    expect(html).to.contain('<img class="plotly-static" src="page_files/image-1.png" width="640" height="320" alt="Figure: Loss">');
    expect(html).to.contain('style="aspect-ratio:640 / 320"');
    expect(html).not.to.contain("ignored");
    expect(html.match(/<\/script>/g), "the title cannot close the JSON's script element").to.have.length(1);
    const json = JSON.parse(/<script type="application\/json" class="plotly-data">(.*)<\/script>/.exec(html)![1]);
    expect(json.data).to.deep.equal(figure.data);
    expect(json.layout).to.include({ width: 640, height: 320, autosize: false });
    expect(images).to.have.length(1);
  });

  it("reads the figure JSON out of the course's figure HTML (notebooks stored before Plotly's MIME type)", function () {
    const { context } = recordingContext();
    const courseHtml = [
      '<div id="cnn-figure-1" data-plotly-figure style="width:100%;max-width:450px;height:300px;">',
      "<script>",
      '  var figure = {"data":[{"type":"heatmap","z":[[1,2]]}],"layout":{"title":{"text":"A 6×6 \\u003cb>7\\u003c/b>"},"autosize":true},"frames":[],"config":{}};',
      "</script>",
    ].join("\n");
    const { html } = renderOutputs([{ output_type: "display_data", data: { "text/html": courseHtml, "text/plain": "[figure: …]" }, metadata: {} }], context);
    expect(html).to.contain('data-width="450" data-height="300"');
    expect(html).to.contain('aria-label="Figure: A 6×6 7"');
    expect(html).to.contain('<div class="plotly-static plotly-placeholder">Figure: A 6×6 7</div>');
  });

  it("writes alt text without the machinery: no byte counts, no sizes, no brackets", function () {
    expect(altText("[image: the first four cats (top) and dogs (bottom), 150×150 — 612×304 PNG, 124981 bytes]")).to.equal("the first four cats (top) and dogs (bottom), 150×150");
    expect(altText("[image: a digit — 28×28 PNG]")).to.equal("a digit");
    expect(altText("[figure: Training loss — 2 traces (scatter), 700×400]")).to.equal("Figure: Training loss");
    expect(altText("a chart, 2048 bytes")).to.equal("a chart");
    expect(altText("  ")).to.equal("Output image");
  });

  it("gathers a training log into ONE collapsed block, old one-output-per-epoch logs included", function () {
    const { context } = recordingContext();
    const epochs = [1, 2, 3].map((epoch): CellOutput => ({
      output_type: "display_data",
      metadata: {},
      data: { "text/plain": `Epoch ${epoch}/3  [========================]  100/100  val_loss 0.6897 val_acc 0.5810 loss 0.6928 acc 0.5085  26 img/s  1:18 total` },
    }));
    const old = renderOutputs([...epochs, { output_type: "stream", name: "stdout", text: "saved\n" }], context).html;
    expect(old.match(/<details class="cell-output training-log">/g)).to.have.length(1);
    expect(old).to.contain("<summary>Training log: 3 epochs");
    expect(old).to.contain("Epoch 3/3  val_loss 0.6897");
    expect(old).not.to.contain("[====");
    expect(old).to.contain('<div class="cell-output cell-output-stdout"><pre>saved</pre></div>');

    const table = "epoch    loss\n  1/2  0.5000\n  2/2  0.4000";
    const marked = renderOutputs([{ output_type: "display_data", metadata: { cnn_notebooks: { output: "training-log" } }, data: { "text/plain": table } }], context).html;
    expect(marked).to.contain("<summary>Training log: 2 epochs <span class=\"training-log-last\">(last: <code>2/2  0.4000</code>)</span></summary>");
    expect(marked).to.contain('<pre class="long-output" tabindex="0">epoch    loss\n  1/2  0.5000\n  2/2  0.4000</pre>');
  });

  it("caps long text outputs in a scrolling box, leaves short ones alone", function () {
    const { context } = recordingContext();
    const long = Array.from({ length: LONG_OUTPUT_LINES + 1 }, (_, i) => `line ${i}`).join("\n");
    expect(renderOutputs([{ output_type: "stream", name: "stdout", text: long }], context).html).to.contain('<pre class="long-output" tabindex="0">line 0');
    expect(renderOutputs([{ output_type: "stream", name: "stdout", text: "short" }], context).html).to.contain("<pre>short</pre>");
  });

  it("renders text/markdown through the page's markdown, SVG as an image file, and escapes text/plain", function () {
    const { images, context } = recordingContext();
    const markdown = renderOutputs([{ output_type: "display_data", data: { "text/markdown": "**x**", "text/plain": "x" }, metadata: {} }], context).html;
    expect(markdown).to.contain("<p data-markdown>**x**</p>");
    const svg = renderOutputs([{ output_type: "display_data", data: { "image/svg+xml": "<svg></svg>" }, metadata: {} }], context).html;
    expect(svg).to.contain('<img src="page_files/image-1.svg"');
    expect(images[0].bytes.toString("utf8")).to.equal("<svg></svg>");
    const plain = renderOutputs([{ output_type: "execute_result", execution_count: 1, data: { "text/plain": "Tensor<float32>" }, metadata: {} }], context).html;
    expect(plain).to.equal('<div class="cell-output cell-output-text"><pre>Tensor&lt;float32&gt;</pre></div>');
  });

  it("settles carriage returns line by line, as a terminal shows them", function () {
    expect(resolveCarriageReturns("a\rb\nc\r\nd\re\r")).to.equal("b\nc\ne");
    expect(plainTerminalText("\u001b[1mbold\u001b[22m\r")).to.equal("bold");
  });
});
