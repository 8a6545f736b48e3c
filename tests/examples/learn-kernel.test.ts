import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { learnKernel } from "../../lib/examples/learn-kernel";
import { SEVEN_IMAGE, STROKE_KERNEL, VERTICAL_LINE_KERNEL } from "../../lib/examples/worked-example";
import { conv2d } from "../../lib/ops";

describe("learning a kernel by gradient descent on the \"7\"", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  it("walks from random weights back to the chapter 1 kernel", () => {
    const target = conv2d(SEVEN_IMAGE, STROKE_KERNEL, { padding: "same" });
    const learned = learnKernel(SEVEN_IMAGE, target, { steps: 200, seed: 1 });
    const start = learned.snapshots[0];
    expect(start.step).to.equal(0);
    expect(start.kernel.flat().some((w, i) => Math.abs(w - STROKE_KERNEL.flat()[i]) > 0.3), "starts far from the answer").to.equal(true);
    learned.kernel.flat().forEach((w, i) => expect(w).to.be.closeTo(STROKE_KERNEL.flat()[i], 0.01));
    expect(learned.finalLoss).to.be.below(1e-4);
    expect(learned.snapshots[learned.snapshots.length - 1].step).to.equal(200);
    // Gradient descent on a least-squares problem with a stable step: the loss never goes up.
    const losses = learned.snapshots.map((s) => s.loss);
    losses.slice(1).forEach((loss, i) => expect(loss).to.be.at.most(losses[i] + 1e-9));
  });

  it("learns a kernel with negative weights just as well, and is reproducible from its seed", () => {
    const target = conv2d(SEVEN_IMAGE, VERTICAL_LINE_KERNEL, { padding: "same" });
    const a = learnKernel(SEVEN_IMAGE, target, { steps: 300, seed: 3 });
    const b = learnKernel(SEVEN_IMAGE, target, { steps: 300, seed: 3 });
    expect(a.kernel).to.deep.equal(b.kernel);
    a.kernel.flat().forEach((w, i) => expect(w).to.be.closeTo(VERTICAL_LINE_KERNEL.flat()[i], 0.01));
  });

  it("says when the target cannot be the map of this image", () => {
    expect(() => learnKernel(SEVEN_IMAGE, [[1, 2], [3, 4]])).to.throw(/target is 2×2 but the kernel makes a 6×6 map/);
    expect(() => learnKernel(SEVEN_IMAGE, SEVEN_IMAGE, { steps: 0 })).to.throw(/steps/);
  });
});

describe("learning a kernel, drawn", () => {
  it("one step per snapshot with the kernel, its map and the target; the loss on a log scale", async () => {
    const { kernelLearningSteps, lossCurveFigure } = await import("../../lib/viz/learning-steps");
    const target = conv2d(SEVEN_IMAGE, STROKE_KERNEL, { padding: "same" });
    const learned = learnKernel(SEVEN_IMAGE, target, { steps: 20, snapshotEvery: 10 });
    const steps = kernelLearningSteps(SEVEN_IMAGE, target, learned.snapshots);
    expect(steps.map((s) => s.label)).to.deep.equal(["0", "10", "20"]);
    expect(steps[2].panels[1].matrix).to.deep.equal(conv2d(SEVEN_IMAGE, learned.kernel, { padding: "same" }));
    expect(steps[0].panels[2].matrix).to.deep.equal(target);
    const figure = lossCurveFigure(learned.snapshots);
    expect(figure.data[0].x).to.deep.equal([0, 10, 20]);
    expect(((figure.layout as Record<string, Record<string, unknown>>).yaxis).type).to.equal("log");
  });
});
