/**
 * Step-through figures: the same row of heatmaps at successive moments (a kernel sliding to each window position,
 * a pooling window moving). Two views of the same steps:
 * - `stepThroughFigure`: one figure with a Plotly slider; moving it swaps the numbers, outlines and caption. It is
 *   still an ordinary static figure: its PNG shows the step the slider starts on.
 * - `stepGridFigure`: small multiples, one panel per step in a grid, for the static book and the stored notebook.
 */
import type { PlotlyFigure } from "./figure";
import { axisSuffix, cellLabels, heatmapGridFigure, highlightShapes, type HeatmapGridOptions, type HeatmapPanel } from "./heatmap";

export interface Step {
  /** Short name on the slider / under the grid panel, e.g. "(0,1)". */
  label: string;
  /** A sentence shown as the figure title at this step, e.g. "window at row 0, col 1: 0+1+0+0+0+0+0+1+0 = 2". */
  caption?: string;
  /** A short result for the small-multiples grid, e.g. "(0,1) → 2". Default: the label. */
  summary?: string;
  /** The panels at this step; every step has the same number of panels with the same shapes. */
  panels: HeatmapPanel[];
}

export interface StepThroughOptions {
  /** The step the slider starts on (and the PNG shows). Default 0. */
  initialStep?: number;
  width?: number;
  height?: number;
  /** Prefix of the slider's current-value label. Default "step: ". */
  sliderPrefix?: string;
}

const SLIDER_MARGIN_BOTTOM = 110;

function checkSteps(steps: Step[]): void {
  if (steps.length === 0) throw new Error("step-through: no steps");
  const shapeOf = (step: Step) => step.panels.map((p) => `${p.matrix.length}×${p.matrix[0]?.length ?? 0}`).join(",");
  const first = shapeOf(steps[0]);
  steps.forEach((step, i) => {
    if (shapeOf(step) !== first) throw new Error(`step-through: step ${i} has panels ${shapeOf(step)}, step 0 has ${first}`);
  });
}

/**
 * Fix each panel's colour range over all steps (unless the panel sets one), so a value keeps its colour while the
 * slider moves.
 */
function withSharedColourRanges(steps: Step[]): Step[] {
  const panelCount = steps[0].panels.length;
  const ranges = [...Array(panelCount).keys()].map((p) => {
    const values = steps.flatMap((s) => s.panels[p].matrix.flat()).filter((v) => Number.isFinite(v));
    return values.length > 0 ? [Math.min(...values), Math.max(...values)] : [0, 1];
  });
  return steps.map((step) => ({
    ...step,
    panels: step.panels.map((panel, p) => ({ zmin: ranges[p][0], zmax: ranges[p][1], ...panel })),
  }));
}

/** A row of heatmaps with a slider over the steps. */
export function stepThroughFigure(steps: Step[], options: StepThroughOptions = {}): PlotlyFigure {
  checkSteps(steps);
  const shared = withSharedColourRanges(steps);
  const initial = options.initialStep ?? 0;
  if (!Number.isInteger(initial) || initial < 0 || initial >= steps.length) {
    throw new Error(`step-through: initialStep ${initial} is not one of 0..${steps.length - 1}`);
  }
  const base = heatmapGridFigure(shared[initial].panels, { width: options.width, height: options.height, colorbar: false });
  const layout = base.layout as Record<string, unknown>;
  const panelTitles = layout.annotations;
  const captionOf = (step: Step) => step.caption ?? step.label;
  layout.title = { text: captionOf(shared[initial]), x: 0.5 };
  layout.height = (layout.height as number) + SLIDER_MARGIN_BOTTOM - 20;
  layout.margin = { ...(layout.margin as Record<string, unknown>), b: SLIDER_MARGIN_BOTTOM };
  layout.sliders = [
    {
      active: initial,
      currentvalue: { prefix: options.sliderPrefix ?? "step: ", font: { size: 13 } },
      pad: { t: 40 },
      steps: shared.map((step) => ({
        label: step.label,
        method: "update",
        args: [
          {
            // One entry per trace (restyle's convention): the new numbers and labels of each panel.
            z: step.panels.map((p) => p.matrix.map((row) => row.map((v) => (Number.isFinite(v) ? v : null)))),
            text: step.panels.map((p) => cellLabels(p.matrix, p.decimals)),
          },
          {
            shapes: step.panels.flatMap((p, i) => highlightShapes(p, axisSuffix(i))),
            annotations: panelTitles,
            "title.text": captionOf(step),
          },
        ],
      })),
    },
  ];
  return base;
}

export interface StepGridOptions extends HeatmapGridOptions {
  /** Which of each step's panels to draw. Default 0. */
  panelIndex?: number;
  /** Draw only these steps (indices). Default: all. */
  stepIndices?: number[];
}

/** Small multiples: one panel per step, labelled with the step's summary (or label), in a grid. */
export function stepGridFigure(steps: Step[], options: StepGridOptions = {}): PlotlyFigure {
  checkSteps(steps);
  const panelIndex = options.panelIndex ?? 0;
  if (steps[0].panels[panelIndex] === undefined) throw new Error(`step grid: the steps have no panel ${panelIndex}`);
  const chosen = (options.stepIndices ?? [...steps.keys()]).map((i) => {
    if (steps[i] === undefined) throw new Error(`step grid: there is no step ${i}`);
    return steps[i];
  });
  const panels = withSharedColourRanges(chosen).map((step) => ({ ...step.panels[panelIndex], title: step.summary ?? step.label }));
  const columns = options.columns ?? Math.ceil(Math.sqrt(panels.length));
  return heatmapGridFigure(panels, { fontSize: 10, ...options, columns, colorbar: false });
}
