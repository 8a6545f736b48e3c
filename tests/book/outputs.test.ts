import { expect } from "chai";
import type { CellOutput } from "../../scripts/jupyter/nbformat";
import { plainTerminalText, renderOutputs, resolveCarriageReturns, type ImageExtension, type OutputContext } from "../../scripts/book/outputs";

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

  it("draws Plotly's own JSON mime type with the page's plotly.js", function () {
    const { context } = recordingContext();
    const figure = { data: [{ type: "bar", y: [1, 2] }], layout: { title: "</script>" } };
    const { html, usesPlotly } = renderOutputs([{ output_type: "display_data", data: { "application/vnd.plotly.v1+json": figure }, metadata: {} }], context);
    expect(usesPlotly).to.equal(true);
    expect(html).to.contain('<div id="element-1" data-plotly-figure></div>');
    expect(html).to.contain('Plotly.newPlot("element-1"');
    expect(html).not.to.contain("</script>\"");
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
