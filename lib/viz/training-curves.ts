/**
 * Training curves as Plotly figures: one run's loss and accuracy (training solid, validation dashed), and several
 * runs' curves of one metric overlaid (compareRuns). Pure figure builders; showing is `showFigure`'s job.
 */
import type { PlotlyFigure } from "./figure";

/** One line of a curve figure. */
export interface CurveSeries {
  name: string;
  epochs: number[];
  values: number[];
  dashed?: boolean;
  /** Series sharing a group share a colour (a run's training and validation curves). */
  group?: number;
}

/** A qualitative palette readable on white (Plotly's default order). */
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** Curves of one metric against the epoch. */
export function curvesFigure(series: CurveSeries[], options: { title: string; yTitle: string }): PlotlyFigure {
  return {
    data: series.map((s, i) => ({
      type: "scatter",
      mode: "lines+markers",
      name: s.name,
      x: s.epochs,
      y: s.values,
      line: { color: PALETTE[(s.group ?? i) % PALETTE.length], dash: s.dashed ? "dash" : "solid" },
      hovertemplate: `${s.name}<br>epoch %{x}: %{y:.4f}<extra></extra>`,
    })),
    layout: {
      title: { text: options.title },
      xaxis: { title: { text: "epoch" }, dtick: 1 },
      yaxis: { title: { text: options.yTitle } },
      legend: { orientation: "h", y: -0.2 },
      margin: { t: 50, r: 20, b: 80, l: 60 },
    },
  };
}

/** Keras-style history: metric name → one value per epoch. */
export type MetricHistory = Record<string, number[]>;

/**
 * One run's curves for a metric and its validation twin (`loss` with `val_loss`), as in Chollet's plots.
 */
export function historyFigure(history: MetricHistory, metric: string, epochs?: number[], title?: string): PlotlyFigure {
  const train = history[metric] ?? [];
  const validation = history[`val_${metric}`];
  const x = epochs ?? train.map((_, i) => i + 1);
  const series: CurveSeries[] = [{ name: `training ${metric}`, epochs: x, values: train, group: 0 }];
  if (validation) series.push({ name: `validation ${metric}`, epochs: x, values: validation, dashed: true, group: 1 });
  return curvesFigure(series, { title: title ?? `Training ${validation ? "and validation " : ""}${metric}`, yTitle: metric });
}
