import { expect } from "chai";
import Module from "node:module";
import * as path from "node:path";
import { openLiveLine } from "../../lib/train/live-line";
import { formatBar, formatDuration, formatMetrics, formatProgress } from "../../lib/train/progress";

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
});
