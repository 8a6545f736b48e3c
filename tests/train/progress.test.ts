import { expect } from "chai";
import Module from "node:module";
import * as path from "node:path";
import { openLiveBlock, openLiveLine } from "../../lib/train/live-line";
import {
  formatBar, formatDuration, formatLogHeader, formatLogRow, formatMetrics, formatProgress, metricColumns, TrainingLog,
} from "../../lib/train/progress";

/** Stand in for the kernel's own tslab jupyter module (what live lines look for); returns what was sent. */
function withFakeKernel<T>(run: (sent: Array<{ text: string; id: unknown; update: boolean; metadata: unknown }>) => T): T {
  const fakeFile = path.join(path.sep, "fake", "node_modules", "tslab", "dist", "jupyter.js");
  const sent: Array<{ text: string; id: unknown; update: boolean; metadata: unknown }> = [];
  const fake = new Module(fakeFile);
  fake.exports = {
    lastWriteDisplayData: (
      content: { data: Record<string, string>; metadata: unknown; transient: { display_id?: string } },
      update: boolean,
    ) => sent.push({ text: content.data["text/plain"], id: content.transient.display_id, update, metadata: content.metadata }),
  };
  require.cache[fakeFile] = fake;
  try {
    return run(sent);
  } finally {
    delete require.cache[fakeFile];
  }
}

/** Drive a TrainingLog through `epochs` epochs of `steps` batches on a fake clock (one second a batch). */
function train(log: TrainingLog, epochs: number, steps: number): void {
  let clock = 0;
  (log as unknown as { now: () => number }).now = () => clock;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    log.epochBegin(epoch);
    for (let step = 0; step < steps; step++) {
      clock += 1000;
      log.batchEnd(20, { loss: 0.5, acc: 0.75 });
    }
    log.epochEnd({ val_loss: 0.4 + epoch / 100, val_acc: 0.8, loss: 0.5, acc: 0.75 });
  }
  log.close();
}

describe("lib/train: progress formatting", () => {
  it("formats durations as m:ss and h:mm:ss", () => {
    expect(formatDuration(0)).to.equal("0:00");
    expect(formatDuration(75.4)).to.equal("1:15");
    expect(formatDuration(3725)).to.equal("1:02:05");
    expect(formatDuration(NaN)).to.equal("?");
  });

  it("draws a bar proportional to the steps done", () => {
    expect(formatBar(0, 10, 10)).to.equal("[..........]");
    expect(formatBar(5, 10, 10)).to.equal("[=====>....]");
    expect(formatBar(10, 10, 10)).to.equal("[==========]");
    expect(formatBar(3, null, 4)).to.equal("[....]");
  });

  it("shortens accuracy as Keras does and keeps four decimals", () => {
    expect(formatMetrics({ loss: 0.123456, accuracy: 0.9, val_accuracy: 0.95 })).to.equal("loss 0.1235 acc 0.9000 val_acc 0.9500");
  });

  it("shows epoch, step/steps, metrics, throughput and ETA while running, total time when done", () => {
    const running = formatProgress({
      epoch: 2, epochs: 5, step: 469, steps: 938, metrics: { loss: 0.05, accuracy: 0.984 },
      imagesPerSecond: 812.4, seconds: 27, done: false,
    });
    expect(running).to.equal("Epoch 2/5  [============>...........]  469/938  loss 0.0500 acc 0.9840  812 img/s  ETA 0:27");
    const done = formatProgress({
      epoch: 5, epochs: 5, step: 7, steps: null, metrics: { loss: 0.01 }, imagesPerSecond: 100, seconds: 61, done: true,
    });
    expect(done).to.include("7/?").and.include("1:01 total").and.include("[========================]");
  });

  it("updates a terminal line in place with \\r and pads over a longer previous line", () => {
    const written: string[] = [];
    const line = openLiveLine("terminal", (s) => written.push(s));
    line.update("step 10/100 long text");
    line.update("step 20/100");
    line.finish("done");
    expect(written[0]).to.equal("\rstep 10/100 long text");
    expect(written[1]).to.equal(`\r${"step 20/100".padEnd("step 10/100 long text".length)}`);
    expect(written.slice(-1)[0]).to.equal("\n");
  });

  it("prints only final lines to a log (no flood of updates)", () => {
    const written: string[] = [];
    const line = openLiveLine("log", (s) => written.push(s));
    line.update("step 1");
    line.update("step 2");
    line.finish("epoch done");
    expect(written).to.deep.equal(["epoch done\n"]);
  });

  it("in a tslab kernel, shows one display and then updates it in place by display_id", () => {
    // Stand in for the kernel's own tslab jupyter module, which is what the live line looks for.
    const fakeFile = path.join(path.sep, "fake", "node_modules", "tslab", "dist", "jupyter.js");
    const sent: Array<{ text: string; id: unknown; update: boolean }> = [];
    const fake = new Module(fakeFile);
    fake.exports = {
      lastWriteDisplayData: (content: { data: Record<string, string>; transient: { display_id?: string } }, update: boolean) =>
        sent.push({ text: content.data["text/plain"], id: content.transient.display_id, update }),
    };
    require.cache[fakeFile] = fake;
    try {
      const line = openLiveLine("jupyter");
      expect(line.target).to.equal("jupyter");
      line.update("Epoch 1/5 10/938");
      line.update("Epoch 1/5 20/938");
      line.finish("Epoch 1/5 938/938");
      expect(sent.map((m) => m.update)).to.deep.equal([false, true, true]);
      expect(new Set(sent.map((m) => m.id)).size).to.equal(1);
      expect(sent[0].id).to.be.a("string");
      expect(sent[2].text).to.equal("Epoch 1/5 938/938");
      openLiveLine("jupyter").update("Epoch 2/5 1/938"); // the next epoch's line is a display of its own
      expect(sent[3].update).to.equal(false);
      expect(sent[3].id).to.not.equal(sent[0].id);
    } finally {
      delete require.cache[fakeFile];
    }
  });

  it("lays the finished epochs out as a table: training metrics first, then validation, aligned under a header", () => {
    const columns = metricColumns({ val_loss: 0.4, val_acc: 0.8, loss: 0.5, acc: 0.75 });
    expect(columns).to.deep.equal(["loss", "acc", "val_loss", "val_acc"]);
    const header = formatLogHeader(columns, 100);
    const row = formatLogRow({ epoch: 7, epochs: 100, metrics: { loss: 0.5, acc: 0.75, val_loss: 0.4 }, seconds: 133, imagesPerSecond: 24.4 }, columns);
    expect(header).to.equal("  epoch    loss     acc  val_loss  val_acc   time   img/s");
    expect(row).to.equal("  7/100  0.5000  0.7500    0.4000        —   2:13      24");
    expect(row.length).to.equal(header.length);
    expect(header.length, "narrow enough for a phone's output box").to.be.below(60);
  });

  it("in a kernel, a whole fit is ONE display: the live line updates in place, finished epochs become one table", () => {
    withFakeKernel((sent) => {
      train(new TrainingLog(3, 4, "jupyter"), 3, 4);
      expect(new Set(sent.map((m) => m.id)).size, "one display_id for the whole fit").to.equal(1);
      expect(sent[0].update).to.equal(false);
      expect(sent.slice(1).every((m) => m.update)).to.equal(true);
      expect(sent.some((m) => /^Epoch 2\/3 +\[/m.test(m.text)), "a live progress line while an epoch runs").to.equal(true);
      const final = sent[sent.length - 1];
      expect(final.text.split("\n")).to.deep.equal([
        "epoch    loss     acc  val_loss  val_acc   time   img/s",
        "  1/3  0.5000  0.7500    0.4100   0.8000   0:04      20",
        "  2/3  0.5000  0.7500    0.4200   0.8000   0:04      20",
        "  3/3  0.5000  0.7500    0.4300   0.8000   0:04      20",
      ]);
      expect(final.metadata).to.deep.equal({ cnn_notebooks: { output: "training-log" } });
    });
  });

  it("a resumed fit shows the restored epochs as rows (with their original times) before the ones it trains", () => {
    const written: string[] = [];
    const log = new TrainingLog(3, 3, "log", undefined, (s) => written.push(s));
    log.restoredEpoch({ epoch: 1, metrics: { loss: 0.6, acc: 0.7, val_loss: 0.5, val_acc: 0.72 }, seconds: 61, imagesPerSecond: 33 });
    log.restoredEpoch({ epoch: 2, metrics: { loss: 0.55, acc: 0.71, val_loss: 0.49, val_acc: 0.73 }, seconds: 59, imagesPerSecond: 34 });
    let clock = 0;
    (log as unknown as { now: () => number }).now = () => clock;
    log.epochBegin(3);
    for (let step = 0; step < 3; step++) {
      clock += 1000;
      log.batchEnd(20, { loss: 0.5, acc: 0.75 });
    }
    log.epochEnd({ loss: 0.5, acc: 0.75, val_loss: 0.48, val_acc: 0.74 });
    log.close();
    expect(written.join("").split("\n").filter(Boolean)).to.deep.equal([
      "epoch    loss     acc  val_loss  val_acc   time   img/s",
      "  1/3  0.6000  0.7000    0.5000   0.7200   1:01      33",
      "  2/3  0.5500  0.7100    0.4900   0.7300   0:59      34",
      "  3/3  0.5000  0.7500    0.4800   0.7400   0:03      20",
    ]);
  });

  it("in a log prints the header and one row per epoch, no live lines; shows nothing when no epoch runs", () => {
    const written: string[] = [];
    train(new TrainingLog(2, 3, "log", undefined, (s) => written.push(s)), 2, 3);
    expect(written.join("")).to.equal(
      "epoch    loss     acc  val_loss  val_acc   time   img/s\n" +
        "  1/2  0.5000  0.7500    0.4100   0.8000   0:03      20\n" +
        "  2/2  0.5000  0.7500    0.4200   0.8000   0:03      20\n",
    );
    withFakeKernel((sent) => {
      new TrainingLog(5, 3, "jupyter").close();
      expect(sent).to.deep.equal([]);
    });
  });

  it("in a terminal, finished rows scroll up and the live line redraws under them", () => {
    const written: string[] = [];
    const block = openLiveBlock("terminal", {}, (s) => written.push(s));
    block.live("Epoch 1/2 [==>...] 5/10");
    block.commit("  1/2  0.5000");
    block.live("Epoch 2/2 [>....] 1/10");
    block.close();
    expect(written.join("")).to.equal(
      "Epoch 1/2 [==>...] 5/10" + `\r${" ".repeat(23)}\r` + "  1/2  0.5000\n" + "Epoch 2/2 [>....] 1/10" + `\r${" ".repeat(22)}\r`,
    );
  });
});
