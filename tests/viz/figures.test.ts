import { expect } from "chai";
import { cellLabels, heatmapFigure, heatmapRowFigure } from "../../lib/viz/heatmap";
import { stepGridFigure, stepThroughFigure, type Step } from "../../lib/viz/step-through";
import { convolutionSteps, poolingSteps } from "../../lib/viz/operation-steps";

type Dict = Record<string, unknown>;
const layoutOf = (figure: { layout?: Dict }) => figure.layout as Dict;

describe("lib/viz heatmaps and step-through figures", () => {
  it("writes each cell's number, leaves NaN blank and draws row 0 at the top", () => {
    const figure = heatmapFigure({ matrix: [[1, NaN], [3, 4]], title: "m" });
    const trace = figure.data[0];
    expect(trace.z).to.deep.equal([[1, null], [3, 4]]);
    expect(trace.text).to.deep.equal([["1", ""], ["3", "4"]]);
    expect((layoutOf(figure).yaxis as Dict).range).to.deep.equal([1.5, -0.5]);
    expect((layoutOf(figure).title as Dict).text).to.equal("m");
    expect(cellLabels([[0.5, 1]])).to.deep.equal([["0.50", "1.00"]]);
  });

  it("outlines the window and the highlighted cells on the right axes", () => {
    const figure = heatmapRowFigure([
      { matrix: [[0, 0], [0, 0]] },
      { matrix: [[0, 0, 0], [0, 0, 0], [0, 0, 0]], window: { row: 1, col: 0, rows: 2, cols: 3 }, cells: [{ row: 0, col: 2 }] },
    ]);
    const shapes = layoutOf(figure).shapes as Dict[];
    expect(shapes).to.have.lengthOf(2);
    expect(shapes.map((s) => [s.xref, s.x0, s.x1, s.y0, s.y1])).to.deep.equal([
      ["x2", 1.5, 2.5, -0.5, 0.5],
      ["x2", -0.5, 2.5, 0.5, 2.5],
    ]);
    expect(figure.data.map((t) => [t.xaxis, t.yaxis])).to.deep.equal([["x", "y"], ["x2", "y2"]]);
    expect((layoutOf(figure).yaxis2 as Dict).anchor).to.equal("x2");
  });

  it("uses a diverging scale centred on zero for signed values", () => {
    const trace = heatmapFigure({ matrix: [[-1, 2]] }).data[0];
    expect(trace.zmid).to.equal(0);
    expect(heatmapFigure({ matrix: [[1, 2]] }).data[0].zmid).to.equal(undefined);
  });

  it("rejects ragged matrices", () => {
    expect(() => heatmapFigure({ matrix: [[1, 2], [3]] })).to.throw(/row 1 has 1 values, row 0 has 2/);
  });

  const steps: Step[] = [0, 1, 2].map((i) => ({
    label: `s${i}`,
    caption: `step ${i}`,
    panels: [{ matrix: [[i, 10]], window: { row: 0, col: i % 2, rows: 1, cols: 1 } }],
  }));

  it("puts one slider step per step, each updating numbers, outlines and caption", () => {
    const figure = stepThroughFigure(steps, { initialStep: 1 });
    const slider = (layoutOf(figure).sliders as Dict[])[0];
    expect(slider.active).to.equal(1);
    const sliderSteps = slider.steps as Array<{ label: string; method: string; args: [Dict, Dict] }>;
    expect(sliderSteps.map((s) => s.label)).to.deep.equal(["s0", "s1", "s2"]);
    expect(sliderSteps[2].method).to.equal("update");
    expect(sliderSteps[2].args[0].z).to.deep.equal([[[2, 10]]]);
    expect((sliderSteps[2].args[1].shapes as Dict[])[0].x0).to.equal(-0.5);
    expect(sliderSteps[2].args[1]["title.text"]).to.equal("step 2");
    // The static figure is the initial step, with a colour range shared by all steps.
    expect(figure.data[0].z).to.deep.equal([[1, 10]]);
    expect([figure.data[0].zmin, figure.data[0].zmax]).to.deep.equal([0, 10]);
    expect((layoutOf(figure).title as Dict).text).to.equal("step 1");
    expect(() => stepThroughFigure(steps, { initialStep: 3 })).to.throw(/initialStep 3 is not one of 0..2/);
  });

  it("draws a grid of small multiples, one panel per chosen step", () => {
    const figure = stepGridFigure(steps, { stepIndices: [0, 2], columns: 2 });
    expect(figure.data).to.have.lengthOf(2);
    expect(figure.data.map((t) => t.z)).to.deep.equal([[[0, 10]], [[2, 10]]]);
    expect((layoutOf(figure).annotations as Dict[]).map((a) => a.text)).to.deep.equal(["s0", "s2"]);
  });

  it("steps a 3×3 kernel through all 16 windows of a 6×6 image", () => {
    const image = Array.from({ length: 6 }, (_, r) => Array.from({ length: 6 }, (_, c) => r * 6 + c));
    const kernel = [[0, 0, 0], [0, 1, 0], [0, 0, 0]]; // picks the window's centre pixel
    const conv = convolutionSteps(image, kernel);
    expect(conv).to.have.lengthOf(16);
    expect(conv[5].label).to.equal("(1,1)");
    expect(conv[5].summary).to.equal("(1,1) → 14"); // window at (1,1): its centre is pixel (2,2) = 14
    expect(conv[5].panels[0].window).to.deep.equal({ row: 1, col: 1, rows: 3, cols: 3 });
    // Filled in so far: output (1,0) = pixel (2,1) = 13, then this cell; the rest still blank.
    expect(conv[5].panels[3].matrix[1].slice(0, 3).map(String)).to.deep.equal(["13", "14", "NaN"]);
    expect(convolutionSteps(image, kernel, { padding: "same" })).to.have.lengthOf(36);
  });

  it("steps a 2×2 pooling window through a 4×4 map, marking each winner", () => {
    const pool = poolingSteps([[1, 2, 0, 0], [3, 4, 0, 9], [0, 0, 0, 0], [0, 5, 0, 0]]);
    expect(pool.map((s) => s.summary)).to.deep.equal(["(0,0) → 4", "(0,1) → 9", "(1,0) → 5", "(1,1) → 0"]);
    expect(pool[1].panels[0].cells).to.deep.equal([{ row: 1, col: 3 }]);
    expect(pool[1].caption).to.equal("pooled (0,1) = max(0, 0, 0, 9) = 9");
  });
});

describe("lib/viz text-matrix", () => {
  it("aligns numbers in columns and marks uncomputed cells", async () => {
    const { formatMatrix, formatVector } = await import("../../lib/viz/text-matrix");
    expect(formatMatrix([[1, 10], [NaN, 2]])).to.equal(" 1 10\n ·  2");
    expect(formatMatrix([[0.5, -1]])).to.equal(" 0.50 -1.00");
    expect(formatVector([3, 4, 0.25], { decimals: 2 })).to.equal("[3.00, 4.00, 0.25]");
  });
});
