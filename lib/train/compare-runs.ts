/**
 * compareRuns: pick runs from the ledger and overlay one metric's curves in a single interactive figure, e.g. the
 * cats/dogs convnet with and without augmentation and dropout. Runs are chosen by notebook, by name (run key or
 * model name) and/or by a filter over the whole record.
 */
import { curvesFigure, type CurveSeries } from "../viz/training-curves";
import { showFigure } from "../viz/display";
import type { PlotlyFigure } from "../viz/figure";
import { listRuns, runLabel, type RunRecord, type StoredRun } from "./ledger";

export interface CompareRunsOptions {
  /** Only this notebook's runs. */
  notebook?: string;
  /** Only runs whose run key (`runName`) or model name is one of these. */
  names?: string[];
  /** Any other choice over the run's record. */
  filter?: (run: RunRecord) => boolean;
  /** The metric to draw: "loss", "accuracy", "val_loss", "val_accuracy"… */
  metric: string;
  /** Keep only the latest run of each name (default true): re-running a cell should not double its curve. */
  latestOnly?: boolean;
  /** Include runs that did not complete (default false). */
  includeUnfinished?: boolean;
  runsDir?: string;
  title?: string;
}

/** The runs `compareRuns` would draw, oldest first. */
export function selectRuns(options: CompareRunsOptions): StoredRun[] {
  const { runs } = listRuns({ notebook: options.notebook, runsDir: options.runsDir });
  let chosen = runs.filter(({ record }) => {
    if (!(options.includeUnfinished ?? false) && record.status !== "complete") return false;
    if (options.names && !options.names.some((name) => name === record.runName || name === record.model.name)) return false;
    if (options.filter && !options.filter(record)) return false;
    return record.history.some((entry) => Number.isFinite(entry.metrics[options.metric]));
  });
  if (options.latestOnly ?? true) {
    const latest = new Map<string, StoredRun>();
    for (const run of chosen) latest.set(run.record.runName ?? run.record.model.name, run);
    chosen = [...latest.values()];
  }
  return chosen;
}

/** The figure of `compareRuns` (exported for tests and the book). */
export function compareRunsFigure(options: CompareRunsOptions): PlotlyFigure {
  const runs = selectRuns(options);
  if (runs.length === 0) {
    throw new Error(
      `compareRuns: no ${options.includeUnfinished ? "" : "completed "}runs with "${options.metric}"` +
        `${options.notebook ? ` in notebook ${options.notebook}` : ""}${options.names ? ` named ${options.names.join(", ")}` : ""}`,
    );
  }
  const series: CurveSeries[] = runs.map((run) => ({
    name: runLabel(run),
    epochs: run.record.history.map((entry) => entry.epoch),
    values: run.record.history.map((entry) => entry.metrics[options.metric]),
    dashed: options.metric.startsWith("val_"),
  }));
  return curvesFigure(series, { title: options.title ?? `${options.metric} by epoch`, yTitle: options.metric });
}

/** Overlay the chosen runs' curves of one metric in one figure. */
export async function compareRuns(options: CompareRunsOptions): Promise<void> {
  await showFigure(compareRunsFigure(options));
}
