/**
 * The training progress line, Keras-style: `Epoch 2/5 [=========>.....] 469/938 loss 0.1234 acc 0.9611 812 img/s ETA 0:27`.
 * Formatting is pure (tested); `EpochProgress` feeds a live line, throttled so a notebook is not flooded.
 */
import { openLiveLine, type LiveLine, type LiveLineTarget } from "./live-line";

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

/** Tracks one epoch's steps and draws them on a live line. */
export class EpochProgress {
  private readonly line: LiveLine;
  private readonly startedAt: number;
  private images = 0;
  private step = 0;
  private lastDrawn = 0;
  private readonly runningMetrics: Record<string, number> = {};

  constructor(
    private readonly epoch: number,
    private readonly epochs: number,
    private readonly steps: number | null,
    target?: LiveLineTarget,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.line = openLiveLine(target);
    this.startedAt = now();
  }

  /** After each batch: `size` images, and that batch's metrics (averaged over the epoch so far, as Keras shows them). */
  batchEnd(size: number, metrics: Record<string, number>): void {
    this.step += 1;
    this.images += size;
    for (const [name, value] of Object.entries(metrics)) {
      const previous = this.runningMetrics[name] ?? 0;
      this.runningMetrics[name] = previous + (value - previous) / this.step;
    }
    const now = this.now();
    const lastStep = this.steps !== null && this.step >= this.steps;
    if (now - this.lastDrawn >= REDRAW_INTERVAL_MS || lastStep) {
      this.lastDrawn = now;
      this.line.update(formatProgress(this.state(false, now)));
    }
  }

  /** At the epoch's end: the epoch's own metrics (including validation) replace the running means. */
  epochEnd(metrics: Record<string, number>): string {
    const text = formatProgress(this.state(true, this.now(), metrics));
    this.line.finish(text);
    return text;
  }

  private state(done: boolean, now: number, finalMetrics?: Record<string, number>): ProgressState {
    const seconds = (now - this.startedAt) / 1000;
    const perStep = this.step > 0 ? seconds / this.step : NaN;
    return {
      epoch: this.epoch,
      epochs: this.epochs,
      step: this.step,
      steps: this.steps,
      metrics: finalMetrics ?? this.runningMetrics,
      imagesPerSecond: seconds > 0 ? this.images / seconds : 0,
      seconds: done ? seconds : this.steps === null ? NaN : perStep * (this.steps - this.step),
      done,
    };
  }
}
