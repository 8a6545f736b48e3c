/**
 * Several runs' curves of one metric in one figure: one colour per run, training dashed, validation solid, a seed
 * band (min–max over runs that differ only in their seed) drawn as a shaded area, the book's run in black.
 * A pure figure builder: lib/train/compare-runs.ts chooses and labels the runs, `showFigure` shows it.
 */
import type { PlotlyFigure } from "./figure";

export interface RunCurves {
  /** What the legend calls the run: what differs from the others ("dropout 0.5 · augmentation"). */
  label: string;
  epochs: number[];
  training?: number[];
  validation?: number[];
  /** Lowest and highest validation value per epoch over a group of seeds (the line is then their mean). */
  validationBand?: { lower: number[]; upper: number[] };
  trainingBand?: { lower: number[]; upper: number[] };
  /** A published reference (the book's run): drawn in black, thinner. */
  reference?: boolean;
}

export interface RunComparisonOptions {
  /** "accuracy" or "loss" (validation uses `val_<metric>`). */
  metric: string;
  title?: string;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
const REFERENCE_COLOUR = "#222222";

/** Whole epochs, about ten ticks at most, so 100 epochs stay readable. */
export function epochTickStep(lastEpoch: number): number {
  if (lastEpoch <= 12) return 1;
  if (lastEpoch <= 30) return 5;
  if (lastEpoch <= 60) return 10;
  return Math.ceil(lastEpoch / 10 / 10) * 10;
}

/** Turn "#1f77b4" into a translucent fill. */
function translucent(hex: string, alpha: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}

function bandTrace(epochs: number[], band: { lower: number[]; upper: number[] }, colour: string, group: string, name: string): Record<string, unknown> {
  return {
    type: "scatter",
    mode: "lines",
    x: [...epochs, ...[...epochs].reverse()],
    y: [...band.upper, ...[...band.lower].reverse()],
    fill: "toself",
    fillcolor: translucent(colour, 0.18),
    line: { width: 0, color: colour },
    hoverinfo: "skip",
    legendgroup: group,
    showlegend: false,
    name,
  };
}

export function runComparisonFigure(runs: RunCurves[], options: RunComparisonOptions): PlotlyFigure {
  const data: Array<Record<string, unknown>> = [];
  let colourIndex = 0;
  let lastEpoch = 1;
  runs.forEach((run, index) => {
    const colour = run.reference ? REFERENCE_COLOUR : PALETTE[colourIndex++ % PALETTE.length];
    const group = `run-${index}`;
    lastEpoch = Math.max(lastEpoch, ...run.epochs);
    if (run.trainingBand) data.push(bandTrace(run.epochs, run.trainingBand, colour, group, `${run.label} training range`));
    if (run.validationBand) data.push(bandTrace(run.epochs, run.validationBand, colour, group, `${run.label} validation range`));
    const width = run.reference ? 1.5 : 2;
    if (run.training) {
      data.push({
        type: "scatter", mode: "lines", name: `${run.label} · training`, x: run.epochs, y: run.training,
        line: { color: colour, dash: "dash", width }, legendgroup: group,
        hovertemplate: `${run.label}<br>training, epoch %{x}: %{y:.3f}<extra></extra>`,
      });
    }
    if (run.validation) {
      data.push({
        type: "scatter", mode: "lines", name: `${run.label} · validation`, x: run.epochs, y: run.validation,
        line: { color: colour, width }, legendgroup: group,
        hovertemplate: `${run.label}<br>validation, epoch %{x}: %{y:.3f}<extra></extra>`,
      });
    }
  });
  const label = options.metric === "acc" ? "accuracy" : options.metric;
  return {
    data,
    layout: {
      title: { text: options.title ?? `${label[0].toUpperCase()}${label.slice(1)}: training (dashed) and validation (solid)` },
      xaxis: { title: { text: "epoch" }, tick0: 0, dtick: epochTickStep(lastEpoch) },
      yaxis: { title: { text: label } },
      legend: { orientation: "h", x: 0, y: -0.2 },
      margin: { t: 50, r: 20, b: 90, l: 60 },
    },
  };
}
