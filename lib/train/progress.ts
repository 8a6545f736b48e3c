/**
 * Training progress, Keras-style. While an epoch runs, a live line
 * `Epoch 2/5 [=========>.....] 469/938 loss 0.1234 acc 0.9611 812 img/s ETA 0:27`; each finished epoch becomes one
 * row of a small table, all of them in ONE output (`TrainingLog`):
 *
 *     epoch    loss     acc  val_loss  val_acc  time  img/s
 *       1/5  0.2301  0.9312    0.0712   0.9781  0:31    1935
 *
 * Formatting is pure (tested); the live line is throttled so a notebook is not flooded.
 */
import { openLiveBlock, type LiveBlock, type LiveLineTarget } from "./live-line";

/** Stored with the training log's output, so the book can show it collapsed (scripts/book/outputs.ts). */
export const TRAINING_LOG_METADATA = { cnn_notebooks: { output: "training-log" } } as const;

const BAR_WIDTH = 24;
/** At most this often (ms) a running bar is redrawn; the last step of an epoch is always drawn. */
const REDRAW_INTERVAL_MS = 250;
/** Metric names shortened on the progress line, as Keras prints them. */
const SHORT_NAMES: Record<string, string> = { accuracy: "acc", val_accuracy: "val_acc" };

/** `m:ss`, or `h:mm:ss` from an hour on; "?" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

/** A text bar `[=====>....]`; an unknown total shows a bar of dots. */
export function formatBar(done: number, total: number | null, width: number = BAR_WIDTH): string {
  if (total === null || total <= 0) return `[${".".repeat(width)}]`;
  const filled = Math.min(width, Math.floor((done / total) * width));
  if (filled >= width) return `[${"=".repeat(width)}]`;
  if (done <= 0) return `[${".".repeat(width)}]`;
  return `[${"=".repeat(filled)}>${".".repeat(width - filled - 1)}]`;
}

/** Metrics as `loss 0.1234 acc 0.9611`, in the order given. */
export function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .filter(([, value]) => Number.isFinite(value))
    .map(([name, value]) => `${SHORT_NAMES[name] ?? name} ${value.toFixed(4)}`)
    .join(" ");
}

export interface ProgressState {
  epoch: number; // 1-based
  epochs: number;
  step: number; // steps done in this epoch
  steps: number | null; // null when the dataset's length is not known yet
  metrics: Record<string, number>;
  imagesPerSecond: number;
  /** Seconds left in this epoch, or the epoch's duration once it is done. */
  seconds: number;
  done: boolean;
}

/** The whole progress line for one state. */
export function formatProgress(state: ProgressState): string {
  const steps = state.steps === null ? "?" : String(state.steps);
  const stepText = `${String(state.step).padStart(steps.length)}/${steps}`;
  const parts = [
    `Epoch ${state.epoch}/${state.epochs}`,
    formatBar(state.step, state.done ? state.step : state.steps),
    stepText,
    formatMetrics(state.metrics),
    `${Math.round(state.imagesPerSecond)} img/s`,
    state.done ? `${formatDuration(state.seconds)} total` : `ETA ${formatDuration(state.seconds)}`,
  ];
  return parts.filter((part) => part !== "").join("  ");
}

/** Training metrics first, validation ones after, each group in the order given. */
export function metricColumns(metrics: Record<string, number>): string[] {
  const names = Object.keys(metrics);
  return [...names.filter((name) => !name.startsWith("val_")), ...names.filter((name) => name.startsWith("val_"))];
}

/** One finished epoch of the log table. */
export interface EpochRow {
  epoch: number;
  epochs: number;
  metrics: Record<string, number>;
  seconds: number;
  imagesPerSecond: number;
}

function columnWidth(name: string): number {
  return Math.max((SHORT_NAMES[name] ?? name).length, 6);
}

/** The table's header for these metric columns. */
export function formatLogHeader(columns: string[], epochs: number): string {
  const epochWidth = Math.max("epoch".length, 2 * String(epochs).length + 1);
  return [
    "epoch".padStart(epochWidth),
    ...columns.map((name) => (SHORT_NAMES[name] ?? name).padStart(columnWidth(name))),
    "time".padStart(5),
    "img/s".padStart(6),
  ].join("  ");
}

/** One row of the table, aligned under `formatLogHeader(columns, row.epochs)`. */
export function formatLogRow(row: EpochRow, columns: string[]): string {
  const epochWidth = Math.max("epoch".length, 2 * String(row.epochs).length + 1);
  return [
    `${row.epoch}/${row.epochs}`.padStart(epochWidth),
    ...columns.map((name) => {
      const value = row.metrics[name];
      return (value !== undefined && Number.isFinite(value) ? value.toFixed(4) : "—").padStart(columnWidth(name));
    }),
    formatDuration(row.seconds).padStart(5),
    String(Math.round(row.imagesPerSecond)).padStart(6),
  ].join("  ");
}

/**
 * The progress of a whole `fit`: the finished epochs as one table and the running epoch as a live line under it,
 * in ONE output (a kernel display updated in place; a terminal; or, in a log, the table's rows only). Nothing is
 * shown until an epoch starts (a fit with nothing left to train leaves no empty output).
 */
export class TrainingLog {
  private block: LiveBlock | null = null;
  private columns: string[] | null = null;
  private epoch = 0;
  private startedAt = 0;
  private images = 0;
  private step = 0;
  private lastDrawn = -Infinity;
  private runningMetrics: Record<string, number> = {};

  constructor(
    private readonly epochs: number,
    private readonly steps: number | null,
    private readonly target?: LiveLineTarget,
    private readonly now: () => number = () => performance.now(),
    private readonly write?: (s: string) => void,
  ) {}

  /** At an epoch's start (1-based). */
  epochBegin(epoch: number): void {
    this.block ??= openLiveBlock(this.target, { metadata: TRAINING_LOG_METADATA }, this.write);
    this.epoch = epoch;
    this.startedAt = this.now();
    this.images = 0;
    this.step = 0;
    this.lastDrawn = -Infinity;
    this.runningMetrics = {};
  }

  /** After each batch: `size` images, and that batch's metrics (averaged over the epoch so far, as Keras shows them). */
  batchEnd(size: number, metrics: Record<string, number>): void {
    if (this.block === null) return;
    this.step += 1;
    this.images += size;
    for (const [name, value] of Object.entries(metrics)) {
      const previous = this.runningMetrics[name] ?? 0;
      this.runningMetrics[name] = previous + (value - previous) / this.step;
    }
    const now = this.now();
    if (now - this.lastDrawn >= REDRAW_INTERVAL_MS) {
      this.lastDrawn = now;
      const seconds = (now - this.startedAt) / 1000;
      const perStep = seconds / this.step;
      this.block.live(
        formatProgress({
          epoch: this.epoch,
          epochs: this.epochs,
          step: this.step,
          steps: this.steps,
          metrics: this.runningMetrics,
          imagesPerSecond: seconds > 0 ? this.images / seconds : 0,
          seconds: this.steps === null ? NaN : perStep * Math.max(0, this.steps - this.step),
          done: false,
        }),
      );
    }
  }

  /** At the epoch's end: its own metrics (including validation) become a row of the table; returns the row. */
  epochEnd(metrics: Record<string, number>): string {
    if (this.block === null) this.epochBegin(this.epoch + 1);
    const block = this.block as LiveBlock;
    const seconds = (this.now() - this.startedAt) / 1000;
    if (this.columns === null) {
      this.columns = metricColumns(metrics);
      block.commit(formatLogHeader(this.columns, this.epochs));
    }
    const row = formatLogRow(
      { epoch: this.epoch, epochs: this.epochs, metrics, seconds, imagesPerSecond: seconds > 0 ? this.images / seconds : 0 },
      this.columns,
    );
    block.live("");
    block.commit(row);
    return row;
  }

  /** An epoch restored from a checkpoint, shown as a row with its original time: a resumed run's table is whole. */
  restoredEpoch(row: { epoch: number; metrics: Record<string, number>; seconds: number; imagesPerSecond: number }): string {
    this.block ??= openLiveBlock(this.target, { metadata: TRAINING_LOG_METADATA }, this.write);
    if (this.columns === null) {
      this.columns = metricColumns(row.metrics);
      this.block.commit(formatLogHeader(this.columns, this.epochs));
    }
    const line = formatLogRow({ ...row, epochs: this.epochs }, this.columns);
    this.block.commit(line);
    this.epoch = row.epoch;
    return line;
  }

  /** After training (also after an error or an interrupt): drop the live line, keep the table. */
  close(): void {
    this.block?.close();
  }
}
