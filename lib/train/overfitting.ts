/**
 * Reading a run's curves the way the chapters teach: where validation loss turns up, the best epoch, the gap between
 * training and validation accuracy. `describeOverfitting` says it in a few sentences under each training cell.
 */
import type { MetricHistory } from "../viz/training-curves";

export interface AtEpoch {
  value: number;
  epoch: number;
}

export interface OverfittingSummary {
  epochs: number;
  bestValidationAccuracy: AtEpoch;
  lowestValidationLoss: AtEpoch;
  final: { loss: number; accuracy: number; validationLoss: number; validationAccuracy: number; epoch: number };
  /** Final training accuracy minus final validation accuracy. */
  finalGap: number;
  /** Final validation loss minus its lowest value. */
  validationLossRise: number;
  /** Whether validation loss has turned up: its lowest point lies before the last fifth and it rose clearly since. */
  validationLossTurnedUp: boolean;
}

/** A rise of validation loss smaller than this (relative to its lowest value) is read as noise, not a turn. */
const RISE_THRESHOLD = 0.1;
/** The lowest point must come before this share of the epochs to count as "turned up". */
const TURN_BEFORE = 0.8;

function extreme(values: number[], epochs: number[], pick: (a: number, b: number) => boolean): AtEpoch {
  let index = 0;
  values.forEach((value, i) => {
    if (pick(value, values[index])) index = i;
  });
  return { value: values[index], epoch: epochs[index] };
}

/** The summary of a Keras-style history with validation metrics. */
export function overfittingSummary(history: MetricHistory, epochs?: number[]): OverfittingSummary {
  for (const metric of ["loss", "accuracy", "val_loss", "val_accuracy"]) {
    if (!history[metric]?.length) throw new Error(`overfittingSummary: the history has no "${metric}" values`);
  }
  const count = history.loss.length;
  const epochNumbers = epochs ?? history.loss.map((_, i) => i + 1);
  const last = count - 1;
  const lowestValidationLoss = extreme(history.val_loss, epochNumbers, (a, b) => a < b);
  const final = {
    loss: history.loss[last],
    accuracy: history.accuracy[last],
    validationLoss: history.val_loss[last],
    validationAccuracy: history.val_accuracy[last],
    epoch: epochNumbers[last],
  };
  const validationLossRise = final.validationLoss - lowestValidationLoss.value;
  const lowestIndex = epochNumbers.indexOf(lowestValidationLoss.epoch);
  return {
    epochs: count,
    bestValidationAccuracy: extreme(history.val_accuracy, epochNumbers, (a, b) => a > b),
    lowestValidationLoss,
    final,
    finalGap: final.accuracy - final.validationAccuracy,
    validationLossRise,
    validationLossTurnedUp: lowestIndex < TURN_BEFORE * (count - 1) && validationLossRise > RISE_THRESHOLD * lowestValidationLoss.value,
  };
}

const points = (difference: number) => `${Math.round(difference * 100)} point${Math.round(Math.abs(difference) * 100) === 1 ? "" : "s"}`;

export interface DescribeOverfittingOptions {
  /**
   * What the lesson expects this run to show; adds a ✓ or ✗ line (never an error: a learner's experiment may
   * rightly differ). "overfitting": validation loss turned up and training accuracy ended ≥ 10 points ahead;
   * "no overfitting": validation loss did not turn up and the final gap is at most 5 points.
   */
  expect?: "overfitting" | "no overfitting";
}

/** The gap (training minus validation accuracy) the chapters call clear overfitting, and a close fit. */
export const OVERFITTING_GAP = 0.1;
export const CLOSE_FIT_GAP = 0.05;

/** The ✓/✗ line for an expectation. */
export function overfittingVerdict(s: OverfittingSummary, expectation: "overfitting" | "no overfitting"): string {
  if (expectation === "overfitting") {
    const ok = s.validationLossTurnedUp && s.finalGap >= OVERFITTING_GAP;
    return ok
      ? `✓ Overfitting, as the chapter describes: validation loss turned up after epoch ${s.lowestValidationLoss.epoch} and training accuracy ended ${points(s.finalGap)} ahead.`
      : `✗ This run does not (yet) show clear overfitting (validation loss ${s.validationLossTurnedUp ? "turned up" : "did not turn up"}, ` +
          `final gap ${points(s.finalGap)}; the chapter expects a turn and ≥ ${points(OVERFITTING_GAP)}): more epochs, or fewer pictures, would show it.`;
  }
  const ok = !s.validationLossTurnedUp && Math.abs(s.finalGap) <= CLOSE_FIT_GAP;
  return ok
    ? `✓ No overfitting: training and validation accuracy end within ${points(Math.abs(s.finalGap))} of each other and validation loss did not turn up.`
    : `✗ Not the close fit the chapter expects (final gap ${points(s.finalGap)}, validation loss ${s.validationLossTurnedUp ? "turned up" : "still falling"}; expected ≤ ${points(CLOSE_FIT_GAP)} and no turn).`;
}

/** A few sentences on a run's curves: where validation loss turns up, the best epoch, the final gap. */
export function describeOverfitting(history: MetricHistory, epochs?: number[], options: DescribeOverfittingOptions = {}): string {
  const s = overfittingSummary(history, epochs);
  const lines: string[] = [];
  const low = s.lowestValidationLoss;
  if (s.validationLossTurnedUp) {
    lines.push(
      `Validation loss was lowest at epoch ${low.epoch} (${low.value.toFixed(3)}) and then rose to ${s.final.validationLoss.toFixed(3)} ` +
        `by epoch ${s.final.epoch}, while training loss kept falling (to ${s.final.loss.toFixed(3)}): after epoch ${low.epoch} ` +
        `the network fits its training pictures better and new ones worse — overfitting.`,
    );
  } else {
    lines.push(
      `Validation loss was lowest at epoch ${low.epoch} of ${s.final.epoch} (${low.value.toFixed(3)}; final ${s.final.validationLoss.toFixed(3)}): ` +
        `it has not turned upward — no clear sign of overfitting in these ${s.epochs} epochs.`,
    );
  }
  const best = s.bestValidationAccuracy;
  lines.push(`Best validation accuracy: ${best.value.toFixed(3)} at epoch ${best.epoch}.`);
  lines.push(
    `At the end, training accuracy ${s.final.accuracy.toFixed(3)} vs validation ${s.final.validationAccuracy.toFixed(3)}: ` +
      `${s.finalGap >= 0 ? "a gap of" : "validation ahead by"} ${points(Math.abs(s.finalGap))}.`,
  );
  if (options.expect !== undefined) lines.push(overfittingVerdict(s, options.expect));
  return lines.join("\n");
}
