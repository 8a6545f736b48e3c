/**
 * The book's training plot: training values as blue dots, validation values as a blue line
 * (`plt.plot(epochs, acc, 'bo')`, `plt.plot(epochs, val_acc, 'b')`), for one metric of one run.
 */
import type { PlotlyFigure } from "./figure";

const BOOK_BLUE = "#1f3fbf";
const METRIC_LABELS: Record<string, string> = { accuracy: "accuracy", acc: "accuracy", loss: "loss" };

export interface TrainingPlotOptions {
  /** The epoch number of each value (default 1, 2, …). */
  epochs?: number[];
  title?: string;
}

/** Whole epochs only, about ten ticks at most. */
function epochTickStep(count: number): number {
  if (count <= 10) return 1;
  return count <= 50 ? 5 : 10;
}

/** Training (dots) and validation (line) curves of `metric` from a Keras-style history. */
export function trainingValidationFigure(
  history: Record<string, number[]>,
  metric: string,
  options: TrainingPlotOptions = {},
): PlotlyFigure {
  const training = history[metric];
  if (training === undefined) throw new Error(`trainingValidationFigure: no "${metric}" in the history (${Object.keys(history).join(", ")})`);
  const validation = history[`val_${metric}`];
  const epochs = options.epochs ?? training.map((_, i) => i + 1);
  const label = METRIC_LABELS[metric] ?? metric;
  const data: Array<Record<string, unknown>> = [
    { type: "scatter", mode: "markers", name: `Training ${label}`, x: epochs, y: training, marker: { color: BOOK_BLUE, size: 7 } },
  ];
  if (validation !== undefined) {
    data.push({ type: "scatter", mode: "lines", name: `Validation ${label}`, x: epochs, y: validation, line: { color: BOOK_BLUE, width: 2 } });
  }
  return {
    data,
    layout: {
      title: { text: options.title ?? `Training${validation ? " and validation" : ""} ${label}` },
      xaxis: { title: { text: "epoch" }, tick0: 0, dtick: epochTickStep(epochs.length) },
      yaxis: { title: { text: label } },
      // Below the plot: inside, it would cover the start of the loss curves or the end of the accuracy ones.
      legend: { orientation: "h", x: 0, y: -0.22 },
      margin: { t: 50, r: 20, b: 90, l: 60 },
    },
  };
}
