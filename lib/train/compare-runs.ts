/**
 * Comparing runs: overlay any set of runs from the ledger (default: every distinct run of a chapter) with the book's
 * run as a reference, each labelled by what differs between them ("dropout 0.5 · augmentation"); a runs table (best
 * validation accuracy and lowest validation loss with their epochs, final gap, time per epoch, backend, precision);
 * runs that differ only in their seed drawn as one band, so an effect can be told from run-to-run noise.
 */
import { runComparisonFigure, type RunCurves } from "../viz/run-comparison";
import { showFigure } from "../viz/display";
import type { PlotlyFigure } from "../viz/figure";
import type { BookRun } from "./book-runs";
import { listRuns, type RunRecord, type StoredRun } from "./ledger";
import { overfittingSummary } from "./overfitting";

export interface CompareRunsOptions {
  /** Only this notebook's runs (its folder in this profile's ledger). */
  notebook?: string;
  /** Only runs whose run name or model name is one of these. */
  names?: string[];
  /** Any other choice over the run's record. */
  filter?: (run: RunRecord) => boolean;
  /** Draw these runs instead of reading the ledger. */
  runs?: StoredRun[];
  /** Published runs drawn beside ours (e.g. `BOOK_CATS_DOGS_CONVNET`). */
  references?: BookRun[];
  /** Metrics to draw, one figure each (default accuracy and loss). */
  metrics?: string[];
  /** Runs that differ only in their seed become one band (min–max) around their mean (default true). */
  bands?: boolean;
  /** Include runs that did not complete (default false). */
  includeUnfinished?: boolean;
  runsDir?: string;
  /** Prefix of the figures' titles. */
  title?: string;
}

/** Settings that never name a difference worth a legend entry (they follow from the others). */
const UNLABELLED = new Set(["parameters", "model", "profile", "images per class"]);

function identityOf(run: StoredRun): string {
  return run.record.identity?.hash ?? run.file;
}

/** The runs to compare, oldest first: one per distinct run (a resumed or re-shown run keeps its latest record). */
export function selectRuns(options: Omit<CompareRunsOptions, "references" | "metrics" | "bands" | "title"> = {}): StoredRun[] {
  const source = options.runs ?? listRuns({ notebook: options.notebook, runsDir: options.runsDir }).runs;
  const chosen = source.filter(({ record }) => {
    if (!(options.includeUnfinished ?? false) && record.status !== "complete") return false;
    if (options.names && !options.names.some((name) => name === record.runName || name === record.model.name)) return false;
    if (options.filter && !options.filter(record)) return false;
    return record.history.length > 0;
  });
  const latest = new Map<string, StoredRun>();
  for (const run of chosen) {
    const previous = latest.get(identityOf(run));
    if (previous === undefined || run.record.history.length >= previous.record.history.length) latest.set(identityOf(run), run);
  }
  return [...latest.values()].sort((a, b) => a.record.startedAt.localeCompare(b.record.startedAt));
}

function settingText(key: string, value: unknown): string {
  if (value === null || value === false) return `no ${key}`;
  if (value === true) return key;
  return `${key} ${value}`;
}

/** The settings whose values differ between the runs (in the order the first run lists them). */
export function differingSettings(records: RunRecord[], ignore: string[] = []): string[] {
  const keys = new Set<string>();
  for (const record of records) Object.keys(record.config).forEach((key) => keys.add(key));
  return [...keys].filter(
    (key) => !UNLABELLED.has(key) && !ignore.includes(key) && new Set(records.map((record) => JSON.stringify(record.config[key] ?? null))).size > 1,
  );
}

/** A run's legend label: what differs from the other runs shown, or its name when nothing does. */
export function runDifferenceLabel(record: RunRecord, keys: string[]): string {
  if (keys.length === 0) return record.runName ?? record.model.name;
  return keys.map((key) => settingText(key, record.config[key] ?? null)).join(" · ");
}

interface RunGroup {
  label: string;
  runs: StoredRun[];
}

/** Group runs that differ only in their seed (when `bands`), labelled by what differs between the groups. */
function groupRuns(runs: StoredRun[], bands: boolean): RunGroup[] {
  const seedOnly = bands ? ["seed"] : [];
  const keys = differingSettings(runs.map((run) => run.record), seedOnly);
  const groups = new Map<string, RunGroup>();
  for (const run of runs) {
    const key = bands
      ? JSON.stringify(Object.entries(run.record.config).filter(([name]) => name !== "seed"))
      : identityOf(run);
    const group = groups.get(key) ?? { label: runDifferenceLabel(run.record, keys), runs: [] };
    group.runs.push(run);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    if (group.runs.length > 1) group.label += ` (${group.runs.length} seeds)`;
  }
  return [...groups.values()];
}

function metricSeries(record: RunRecord, metric: string): number[] {
  return record.history.map((entry) => entry.metrics[metric]);
}

function groupCurves(group: RunGroup, metric: string): RunCurves {
  const shortest = Math.min(...group.runs.map((run) => run.record.history.length));
  const epochs = group.runs[0].record.history.slice(0, shortest).map((entry) => entry.epoch);
  const columns = (name: string) => {
    const series = group.runs.map((run) => metricSeries(run.record, name).slice(0, shortest));
    if (series.some((values) => values.some((value) => !Number.isFinite(value)))) return undefined;
    const mean = epochs.map((_, i) => series.reduce((sum, values) => sum + values[i], 0) / series.length);
    const band = series.length > 1
      ? { lower: epochs.map((_, i) => Math.min(...series.map((values) => values[i]))), upper: epochs.map((_, i) => Math.max(...series.map((values) => values[i]))) }
      : undefined;
    return { mean, band };
  };
  const training = columns(metric);
  const validation = columns(`val_${metric}`);
  return {
    label: group.label,
    epochs,
    training: training?.mean,
    validation: validation?.mean,
    trainingBand: training?.band,
    validationBand: validation?.band,
  };
}

function referenceCurves(reference: BookRun, metric: string): RunCurves {
  return {
    label: reference.label,
    epochs: reference.epochs,
    training: reference.history[metric],
    validation: reference.history[`val_${metric}`],
    reference: true,
  };
}

/** The figures of `compareRuns`, one per metric (exported for tests and the book). */
export function compareRunsFigures(options: CompareRunsOptions): PlotlyFigure[] {
  const runs = selectRuns(options);
  if (runs.length === 0 && !(options.references?.length)) {
    throw new Error(
      `compareRuns: no ${options.includeUnfinished ? "" : "completed "}runs${options.notebook ? ` in notebook ${options.notebook}` : ""}` +
        `${options.names ? ` named ${options.names.join(", ")}` : ""}: train one first`,
    );
  }
  const groups = groupRuns(runs, options.bands ?? true);
  return (options.metrics ?? ["accuracy", "loss"]).map((metric) => {
    const curves = [...groups.map((group) => groupCurves(group, metric)), ...(options.references ?? []).map((reference) => referenceCurves(reference, metric))];
    const label = metric === "acc" ? "accuracy" : metric;
    const title = `${options.title ? `${options.title}: ` : ""}${label} (training dashed, validation solid)`;
    return runComparisonFigure(curves, { metric, title });
  });
}

/** Overlay the chosen runs (and references), one figure per metric (`selectRuns` says which runs it draws). */
export async function compareRuns(options: CompareRunsOptions = {}): Promise<void> {
  for (const figure of compareRunsFigures(options)) await showFigure(figure, { width: 760, height: 440 });
}

export interface RunsTableRow {
  run: string;
  epochs: number;
  bestValidationAccuracy: string;
  lowestValidationLoss: string;
  finalGap: string;
  secondsPerEpoch: string;
  backend: string;
  precision: string;
}

/** The runs table: one row per run, named by what differs between the runs. */
export function runsTableRows(runs: StoredRun[]): RunsTableRow[] {
  const keys = differingSettings(runs.map((run) => run.record));
  return runs.map(({ record }) => {
    const history: Record<string, number[]> = {};
    for (const entry of record.history) for (const [name, value] of Object.entries(entry.metrics)) (history[name] ??= []).push(value);
    const epochs = record.history.map((entry) => entry.epoch);
    const trained = record.history.filter((entry) => entry.seconds > 0);
    const seconds = trained.length > 0 ? trained.reduce((sum, entry) => sum + entry.seconds, 0) / trained.length : NaN;
    let best = "–", lowest = "–", gap = "–";
    if (history.val_accuracy && history.val_loss && history.loss && history.accuracy) {
      const summary = overfittingSummary(history, epochs);
      best = `${summary.bestValidationAccuracy.value.toFixed(3)} @ ${summary.bestValidationAccuracy.epoch}`;
      lowest = `${summary.lowestValidationLoss.value.toFixed(3)} @ ${summary.lowestValidationLoss.epoch}`;
      gap = `${(summary.finalGap * 100).toFixed(1)} pts`;
    }
    return {
      run: runDifferenceLabel(record, keys),
      epochs: epochs.length,
      bestValidationAccuracy: best,
      lowestValidationLoss: lowest,
      finalGap: gap,
      secondsPerEpoch: Number.isFinite(seconds) ? seconds.toFixed(1) : "–",
      backend: record.backend?.path ?? "?",
      precision: String(record.config.precision ?? "float32"),
    };
  });
}

const COLUMNS: Array<[keyof RunsTableRow, string]> = [
  ["run", "run"],
  ["epochs", "epochs"],
  ["bestValidationAccuracy", "best val acc @ epoch"],
  ["lowestValidationLoss", "lowest val loss @ epoch"],
  ["finalGap", "final train−val gap"],
  ["secondsPerEpoch", "s/epoch"],
  ["backend", "backend"],
  ["precision", "precision"],
];

/** The runs table as aligned text. */
export function formatRunsTable(rows: RunsTableRow[]): string {
  const cells = [COLUMNS.map(([, title]) => title), ...rows.map((row) => COLUMNS.map(([key]) => String(row[key])))];
  const widths = COLUMNS.map((_, c) => Math.max(...cells.map((line) => line[c].length)));
  return cells.map((line) => line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")).join("\n");
}

/** Print the runs table of the chosen runs (the same choice as `compareRuns`; `runsTableRows` gives the rows). */
export function showRunsTable(options: Omit<CompareRunsOptions, "references" | "metrics" | "bands" | "title"> = {}): void {
  console.log(formatRunsTable(runsTableRows(selectRuns(options))));
}
