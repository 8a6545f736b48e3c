/**
 * Gradient descent on a kernel, drawn: each kept snapshot as a step (the kernel so far, the map it makes, the map it
 * should make) for the step-through view, and the loss against the step on a log scale.
 */
import type { Matrix } from "../ops/arrays";
import { conv2d, type PaddingMode } from "../ops/conv2d";
import type { KernelSnapshot } from "../examples/learn-kernel";
import type { PlotlyFigure } from "./figure";
import type { Step } from "./step-through";

/** One step per snapshot; the kernel shares one colour range over all steps, so the slider shows weights moving. */
export function kernelLearningSteps(image: Matrix, target: Matrix, snapshots: KernelSnapshot[], padding: PaddingMode = "same"): Step[] {
  if (snapshots.length === 0) throw new Error("kernelLearningSteps: no snapshots");
  const weights = snapshots.flatMap((s) => s.kernel.flat());
  const reach = Math.max(...weights.map(Math.abs), 1e-6);
  const mapValues = [...target.flat(), ...snapshots.flatMap((s) => conv2d(image, s.kernel, { padding }).flat())];
  const [low, high] = [Math.min(...mapValues), Math.max(...mapValues)];
  return snapshots.map((s) => ({
    label: String(s.step),
    summary: `step ${s.step}: loss ${s.loss.toExponential(1)}`,
    caption: `step ${s.step}: mean squared error ${s.loss.toExponential(2)}`,
    panels: [
      { matrix: s.kernel, title: `kernel at step ${s.step}`, decimals: 2, zmin: -reach, zmax: reach },
      { matrix: conv2d(image, s.kernel, { padding }), title: "its feature map", decimals: 1, zmin: low, zmax: high },
      { matrix: target, title: "target map", decimals: 1, zmin: low, zmax: high },
    ],
  }));
}

/** The loss at each snapshot, on a log scale (it falls by orders of magnitude). */
export function lossCurveFigure(snapshots: KernelSnapshot[], title = "Loss while learning the kernel"): PlotlyFigure {
  return {
    data: [{
      type: "scatter",
      mode: "lines+markers",
      name: "loss",
      x: snapshots.map((s) => s.step),
      y: snapshots.map((s) => Math.max(s.loss, 1e-12)),
      hovertemplate: "step %{x}: %{y:.2e}<extra></extra>",
    }],
    layout: {
      title: { text: title },
      xaxis: { title: { text: "gradient-descent step" } },
      yaxis: { title: { text: "mean squared error (log scale)" }, type: "log" },
      margin: { t: 50, r: 20, b: 60, l: 70 },
    },
  };
}
