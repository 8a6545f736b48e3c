import { expect } from "chai";
import sharp from "sharp";
import { closePngRenderer, findChromium, pngRendererLaunchCount, pngUnavailableReason, renderPlotlyPng } from "../../lib/viz/plotly-png";

describe("lib/viz plotly-png (Plotly in headless Chromium)", () => {
  after(async () => closePngRenderer());

  it("finds no Chromium at a path that does not exist, and says why", () => {
    const env = { CHROMIUM_PATH: "/nonexistent/chromium" };
    expect(findChromium(env)).to.equal(null);
    expect(pngUnavailableReason(env)).to.match(/no Chromium found/);
    expect(pngUnavailableReason({ CNN_PNG: "off" })).to.match(/CNN_PNG=off/);
  });

  it("renders a figure at exactly the requested size, with the figure's colours", async function () {
    if (findChromium() === null) this.skip();
    const figure = {
      data: [{ type: "heatmap", z: [[0, 1]], colorscale: [[0, "#ff0000"], [1, "#0000ff"]], showscale: false }],
      layout: { margin: { l: 0, r: 0, t: 0, b: 0 }, xaxis: { visible: false }, yaxis: { visible: false } },
    };
    const result = await renderPlotlyPng(figure, { width: 200, height: 100 });
    if (!("png" in result)) throw new Error(result.skipped);
    const { data, info } = await sharp(Buffer.from(result.png)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).to.deep.equal([200, 100]);
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    expect(pixel(50, 50)).to.deep.equal([255, 0, 0]); // left cell: z = 0 → red
    expect(pixel(150, 50)).to.deep.equal([0, 0, 255]); // right cell: z = 1 → blue
  });

  it("shares one browser between figures until it is closed", async function () {
    if (findChromium() === null) this.skip();
    await closePngRenderer();
    const before = pngRendererLaunchCount();
    const first = await renderPlotlyPng({ data: [{ type: "bar", y: [1, 2] }] }, { width: 300, height: 200 });
    const second = await renderPlotlyPng({ data: [{ type: "bar", y: [2, 1] }] }, { width: 300, height: 200 });
    expect("png" in first && "png" in second).to.equal(true);
    expect(pngRendererLaunchCount() - before).to.equal(1);
    await closePngRenderer();
    await renderPlotlyPng({ data: [{ type: "bar", y: [1] }] }, { width: 300, height: 200 });
    expect(pngRendererLaunchCount() - before).to.equal(2);
  });
});
