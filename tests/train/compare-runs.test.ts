import { expect } from "chai";
import type { RunRecord, StoredRun } from "../../lib/train/ledger";
import { compareRunsFigures, differingSettings, formatRunsTable, runsTableRows, selectRuns } from "../../lib/train/compare-runs";
import { describeOverfitting, overfittingSummary } from "../../lib/train/overfitting";
import { BOOK_CATS_DOGS_CONVNET, BOOK_CATS_DOGS_DROPOUT_AUGMENTED, BOOK_MNIST_CONVNET } from "../../lib/train/book-runs";
import { epochTickStep } from "../../lib/viz/run-comparison";

/** An overfitting run: validation loss lowest at `turn`, then rising; training keeps improving. */
function overfittingHistory(epochs: number, turn: number): Record<string, number[]> {
  const e = Array.from({ length: epochs }, (_, i) => i + 1);
  return {
    loss: e.map((n) => 0.7 * Math.exp(-n / 8)),
    accuracy: e.map((n) => Math.min(0.99, 0.5 + n * 0.02)),
    val_loss: e.map((n) => 0.55 + 0.01 * (n - turn) ** 2 / turn),
    val_accuracy: e.map((n) => 0.6 + 0.12 * Math.min(n, turn) / turn),
  };
}

function storedRun(name: string, config: Record<string, unknown>, history: Record<string, number[]>, hash: string, startedAt: string, status: RunRecord["status"] = "complete"): StoredRun {
  const count = history.loss.length;
  const record: RunRecord = {
    format: 1, notebook: "08-dropout", runName: name, model: { name, parameters: 10 }, config,
    identity: { hash, description: {} }, backend: { name: "wasm", path: "wasm+onednn", threads: 2, versions: {} },
    status, startedAt, endedAt: startedAt, initialEpoch: 0, epochs: count, resumedFrom: null,
    history: Array.from({ length: count }, (_, i) => ({
      epoch: i + 1, seconds: 10 + i, imagesPerSecond: 100,
      metrics: Object.fromEntries(Object.entries(history).map(([metric, values]) => [metric, values[i]])),
    })),
  };
  return { file: `/runs/${hash}.json`, record };
}

const BASE = { model: "cats_dogs_convnet", dropout: null, augmentation: false, batch: 32, "learning rate": 1e-4, seed: 42, profile: "lab", precision: "float32" };

describe("lib/train: reading and comparing runs", () => {
  it("describeOverfitting finds where validation loss turns up, the best epoch and the final gap", () => {
    const history = overfittingHistory(30, 9);
    const summary = overfittingSummary(history);
    expect(summary.lowestValidationLoss.epoch).to.equal(9);
    expect(summary.validationLossTurnedUp).to.equal(true);
    expect(summary.finalGap).to.be.closeTo(0.99 - 0.72, 1e-9);
    const text = describeOverfitting(history, undefined, { expect: "overfitting" });
    expect(text).to.match(/lowest at epoch 9 \(0\.550\)/);
    expect(text).to.match(/^✓ Overfitting/m);
    expect(describeOverfitting(history, undefined, { expect: "no overfitting" })).to.match(/^✗ Not the close fit/m);
  });

  it("a run whose validation loss still falls is not called overfitting, and never throws", () => {
    const e = Array.from({ length: 20 }, (_, i) => i + 1);
    const history = { loss: e.map((n) => 0.7 - n * 0.01), accuracy: e.map((n) => 0.5 + n * 0.01), val_loss: e.map((n) => 0.7 - n * 0.01), val_accuracy: e.map((n) => 0.49 + n * 0.01) };
    const summary = overfittingSummary(history);
    expect(summary.validationLossTurnedUp).to.equal(false);
    expect(describeOverfitting(history, undefined, { expect: "overfitting" })).to.match(/^✗ This run does not \(yet\) show clear overfitting/m);
    expect(describeOverfitting(history, undefined, { expect: "no overfitting" })).to.match(/^✓ No overfitting/m);
  });

  it("keeps one record per distinct run (the most complete), drops unfinished ones, oldest first", () => {
    const h = overfittingHistory(5, 3);
    const short = overfittingHistory(3, 2);
    const runs = [
      storedRun("a", BASE, h, "aaaa", "2026-01-02T00:00:00Z"),
      storedRun("a", BASE, short, "aaaa", "2026-01-03T00:00:00Z"), // a partial re-run of the same identity
      storedRun("b", { ...BASE, dropout: 0.5 }, h, "bbbb", "2026-01-01T00:00:00Z"),
      storedRun("c", { ...BASE, augmentation: true }, h, "cccc", "2026-01-04T00:00:00Z", "interrupted"),
    ];
    const chosen = selectRuns({ runs });
    expect(chosen.map((run) => run.record.identity?.hash)).to.deep.equal(["bbbb", "aaaa"]);
    expect(chosen[1].record.history).to.have.length(5);
  });

  it("names runs by what differs, draws seeds as one band, and adds the book's run in black", () => {
    const h = overfittingHistory(6, 3);
    const runs = [
      storedRun("base", BASE, h, "1", "2026-01-01T00:00:00Z"),
      storedRun("base", { ...BASE, seed: 43 }, { ...h, val_accuracy: h.val_accuracy.map((v) => v + 0.02) }, "2", "2026-01-01T00:01:00Z"),
      storedRun("both", { ...BASE, dropout: 0.5, augmentation: true }, h, "3", "2026-01-01T00:02:00Z"),
    ];
    expect(differingSettings(runs.map((run) => run.record))).to.deep.equal(["dropout", "augmentation", "seed"]);
    const [accuracy, loss] = compareRunsFigures({ runs, references: [BOOK_CATS_DOGS_CONVNET] });
    const names = (accuracy.data as Array<{ name: string; fill?: string; line?: { color?: string; dash?: string } }>).map((trace) => trace.name);
    expect(names).to.include("no dropout · no augmentation (2 seeds) · validation");
    expect(names).to.include("dropout 0.5 · augmentation · training");
    expect(names).to.include("the book's run (Keras) · validation");
    const traces = accuracy.data as Array<{ name: string; fill?: string; y: number[]; line: { color: string; dash?: string } }>;
    const band = traces.find((trace) => trace.fill === "toself" && trace.name.includes("validation range"));
    expect(band, "a min–max band over the two seeds").to.not.equal(undefined);
    const mean = traces.find((trace) => trace.name === "no dropout · no augmentation (2 seeds) · validation")!;
    expect(mean.y[0]).to.be.closeTo(h.val_accuracy[0] + 0.01, 1e-9);
    expect(traces.find((trace) => trace.name.startsWith("the book's run"))!.line.color).to.equal("#222222");
    expect(traces.find((trace) => trace.name.endsWith("· training"))!.line.dash).to.equal("dash");
    expect(loss.layout?.title).to.deep.equal({ text: "loss (training dashed, validation solid)" });
  });

  it("the runs table gives best validation accuracy and lowest validation loss with their epochs, the gap, s/epoch", () => {
    const runs = [storedRun("x", BASE, overfittingHistory(10, 4), "x", "2026-01-01T00:00:00Z"), storedRun("y", { ...BASE, batch: 20 }, overfittingHistory(10, 4), "y", "2026-01-01T00:00:01Z")];
    const rows = runsTableRows(runs);
    expect(rows.map((row) => row.run)).to.deep.equal(["batch 32", "batch 20"]);
    expect(rows[0].lowestValidationLoss).to.equal("0.550 @ 4");
    expect(rows[0].bestValidationAccuracy).to.equal("0.720 @ 4");
    expect(rows[0].secondsPerEpoch).to.equal("14.5");
    expect(formatRunsTable(rows).split("\n")[0]).to.match(/^run\s+epochs\s+best val acc @ epoch/);
  });

  it("keeps epoch ticks readable up to 100 epochs", () => {
    expect(epochTickStep(5)).to.equal(1);
    expect(epochTickStep(30)).to.equal(5);
    expect(100 / epochTickStep(100)).to.be.at.most(10);
  });

  it("holds the book's logs as published: 5.1 five epochs, 5.2 thirty and a hundred, four metrics each", () => {
    expect(BOOK_MNIST_CONVNET.history.accuracy).to.have.length(5);
    expect(BOOK_MNIST_CONVNET.history.accuracy[4]).to.equal(0.9943);
    expect(BOOK_CATS_DOGS_CONVNET.epochs).to.have.length(30);
    expect(BOOK_CATS_DOGS_DROPOUT_AUGMENTED.epochs).to.have.length(100);
    for (const run of [BOOK_CATS_DOGS_CONVNET, BOOK_CATS_DOGS_DROPOUT_AUGMENTED]) {
      for (const metric of ["loss", "accuracy", "val_loss", "val_accuracy"]) {
        expect(run.history[metric], `${run.source} ${metric}`).to.have.length(run.epochs.length);
        run.history[metric].forEach((value) => expect(value).to.be.within(0, 2));
      }
    }
    // Spot checks against the notebook's printed log (epoch 3 and 30 of the first run, 100 of the second).
    expect(BOOK_CATS_DOGS_CONVNET.history.loss[2]).to.equal(0.6143);
    expect(BOOK_CATS_DOGS_CONVNET.history.val_loss[29]).to.equal(1.0139);
    expect(BOOK_CATS_DOGS_DROPOUT_AUGMENTED.history.val_accuracy[99]).to.equal(0.8439);
  });
});
