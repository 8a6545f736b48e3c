import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { fitWithLedger } from "../../lib/train/fit";
import { checkpointDir, readCheckpoint } from "../../lib/train/checkpoint";
import { listRuns } from "../../lib/train/ledger";
import { tinyData, tinyModel, TINY_SAMPLES } from "./tiny-training";



function maxDifference(a: tf.Tensor[], b: tf.Tensor[]): number {
  expect(a.length).to.equal(b.length);
  return Math.max(...a.map((t, i) => tf.tidy(() => t.sub(b[i]).abs().max().dataSync()[0])));
}

describe("lib/train: checkpoints and resume", function () {
  let runsDir: string;
  const quiet = { progress: false as const, log: () => undefined, shuffle: false, batchSize: 16 };
  before(async () => {
    await tf.setBackend("cpu");
  });
  beforeEach(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "ckpt-"));
  });
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it("continues an interrupted run at epoch 3 with the optimizer state it had, matching an uninterrupted run", async () => {
    const data = tinyData();
    const first = tinyModel();
    const initial = first.getWeights().map((w) => w.clone());

    // The "interruption": the process dies when epoch 3 starts (after epoch 2's checkpoint was written).
    const dying: tf.CustomCallbackArgs = {
      onEpochBegin: async (epoch) => {
        if (epoch === 2) throw new Error("kernel died");
      },
    };
    let failure: Error | null = null;
    try {
      await fitWithLedger(first, data, { ...quiet, epochs: 3, runName: "tiny", notebook: "t", runsDir, callbacks: dying });
    } catch (error) {
      failure = error as Error;
    }
    expect(failure?.message).to.equal("kernel died");
    const [dir] = fs.readdirSync(path.join(runsDir, "checkpoints")).map((name) => path.join(runsDir, "checkpoints", name));
    expect(readCheckpoint(dir)?.epoch).to.equal(2);
    const optimizerAfterTwo = (await first.optimizer.getWeights()).map((w) => w.tensor.clone());

    // The same cell run again: a fresh model, same run key.
    const messages: string[] = [];
    const resumed = tinyModel();
    let optimizerAtResume: tf.Tensor[] = [];
    const peek: tf.CustomCallbackArgs = {
      onEpochBegin: async () => {
        optimizerAtResume = (await resumed.optimizer.getWeights()).map((w) => w.tensor.clone());
      },
    };
    const result = await fitWithLedger(resumed, data, {
      ...quiet, epochs: 3, runName: "tiny", notebook: "t", runsDir, callbacks: peek, log: (m) => messages.push(m),
    });
    expect(messages.join("\n")).to.match(/Resuming run "tiny" \([0-9a-f]{8}\) at epoch 3\/3: epochs 1–2 restored/);
    expect(dir).to.equal(checkpointDir(result.identity.hash, runsDir));
    expect(result.resumedAtEpoch).to.equal(2);
    expect(result.epochs).to.deep.equal([1, 2, 3]);
    expect(result.history.loss).to.have.length(3);
    expect(result.run.initialEpoch).to.equal(2);
    expect(optimizerAtResume.length).to.equal(optimizerAfterTwo.length);
    expect(maxDifference(optimizerAtResume, optimizerAfterTwo)).to.equal(0);

    // Reference: the same training without interruption.
    const straight = tinyModel(initial);
    await fitWithLedger(straight, data, { ...quiet, epochs: 3, runName: "straight", notebook: "t", runsDir, checkpoints: false });
    expect(maxDifference(resumed.getWeights(), straight.getWeights())).to.be.below(1e-6);

    // The ledger: the dead run marked interrupted, the resumed one complete and pointing back at it.
    const runs = listRuns({ runsDir, notebook: "t", warn: () => undefined }).runs.map((r) => r.record);
    const statuses = runs.filter((r) => r.runName === "tiny").map((r) => r.status);
    expect(statuses).to.deep.equal(["interrupted", "complete"]);
    expect(runs.find((r) => r.status === "complete" && r.runName === "tiny")?.resumedFrom).to.be.a("string");
  });

  it("says so and trains nothing when the checkpoint already has every epoch; resume: false starts over", async () => {
    const data = tinyData();
    const first = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 2, runName: "done", notebook: "t", runsDir });
    const messages: string[] = [];
    const again = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 2, runName: "done", notebook: "t", runsDir, log: (m) => messages.push(m) });
    expect(messages.join("\n")).to.match(/already trained 2\/2 epochs/);
    expect(again.history.loss).to.have.length(2);
    expect(Number.isNaN(again.secondsPerEpoch)).to.equal(true);
    // Shown again, the finished run is its own ledger record: no second file.
    expect(again.runFile).to.equal(first.runFile);
    expect(again.history.loss).to.deep.equal(first.history.loss);
    expect(listRuns({ runsDir, notebook: "t", warn: () => undefined }).runs).to.have.length(1);
    // From another notebook's cell the same run is recorded in that notebook's ledger.
    const elsewhere = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 2, runName: "done", notebook: "t2", runsDir, log: () => undefined });
    expect(elsewhere.runFile).to.not.equal(first.runFile);
    expect(listRuns({ runsDir, notebook: "t2", warn: () => undefined }).runs).to.have.length(1);
    const fresh = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 2, runName: "done", notebook: "t", runsDir, resume: false });
    expect(fresh.resumedAtEpoch).to.equal(0);
    expect(listRuns({ runsDir, notebook: "t", warn: () => undefined }).runs).to.have.length(2);
  });

  it("reads a complete run back from the ledger when asked and no checkpoint holds it; trains it otherwise", async () => {
    const data = tinyData();
    const first = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 2, runName: "ledger-only", notebook: "rb", runsDir });
    fs.rmSync(checkpointDir(first.identity.hash, runsDir), { recursive: true, force: true });
    const messages: string[] = [];
    const readBack = await fitWithLedger(tinyModel(), data, {
      ...quiet, epochs: 2, runName: "ledger-only", notebook: "rb", runsDir, readBackCompleteRun: true, log: (m) => messages.push(m),
    });
    expect(messages.join("\n")).to.match(/is complete in the ledger .*: read back, not trained again/);
    expect(readBack.runFile).to.equal(first.runFile);
    expect(readBack.history.loss).to.deep.equal(first.history.loss);
    expect(listRuns({ runsDir, notebook: "rb", warn: () => undefined }).runs).to.have.length(1);
    // A different run (3 epochs) is not the stored one: it trains.
    const longer = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 3, runName: "ledger-only", notebook: "rb", runsDir, readBackCompleteRun: true, log: () => undefined });
    expect(longer.runFile).to.not.equal(first.runFile);
    expect(longer.secondsPerEpoch).to.be.above(0);
    // Without the option, the same run trains again.
    fs.rmSync(checkpointDir(first.identity.hash, runsDir), { recursive: true, force: true });
    const retrained = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 2, runName: "ledger-only", notebook: "rb", runsDir, log: () => undefined });
    expect(retrained.runFile).to.not.equal(first.runFile);
    expect(retrained.resumedAtEpoch).to.equal(0);
  });

  it("trains from a batch generator and records Keras metric names, backend and timing", async () => {
    const { x, y } = tinyData();
    const generator = function* () {
      for (let start = 0; start < TINY_SAMPLES; start += 16) {
        yield { xs: x.slice(start, 16), ys: y.slice(start, 16) };
      }
    };
    const result = await fitWithLedger(tinyModel(), generator, { ...quiet, epochs: 2, notebook: "gen", runsDir, labels: { augmentation: "none" } });
    expect(Object.keys(result.history)).to.include.members(["loss", "accuracy"]);
    const record = result.run;
    expect(record.status).to.equal("complete");
    expect(record.config.augmentation).to.equal("none");
    expect(record.history.map((e) => e.epoch)).to.deep.equal([1, 2]);
    expect(record.history[0].imagesPerSecond).to.be.above(0);
    expect(record.backend?.name).to.equal("cpu");
    expect(path.dirname(result.runFile)).to.equal(path.join(runsDir, "gen"));
  });
});
