/**
 * The confusion matrix: how often each true class was predicted as each class. Counting is plain arithmetic;
 * the figure is a Plotly heatmap with the counts written in the cells.
 */
import type { PlotlyFigure } from "./figure";

/** counts[true][predicted]. */
export function confusionMatrix(trueClasses: ArrayLike<number>, predictedClasses: ArrayLike<number>, classCount: number): number[][] {
  if (trueClasses.length !== predictedClasses.length) {
    throw new Error(`confusionMatrix: ${trueClasses.length} true labels but ${predictedClasses.length} predictions`);
  }
  const counts = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < trueClasses.length; i++) counts[trueClasses[i]][predictedClasses[i]] += 1;
  return counts;
}

/** A heatmap of the matrix, true class down, predicted class across, counts in the cells. */
export function confusionMatrixFigure(counts: number[][], classNames: readonly string[], title = "Confusion matrix (test set)"): PlotlyFigure {
  const names = [...classNames];
  // Colour by log-count so the few mistakes stand out next to the ~1000-count diagonal.
  const shade = counts.map((row) => row.map((n) => Math.log10(1 + n)));
  const annotations = counts.flatMap((row, t) =>
    row.map((n, p) => ({
      x: names[p],
      y: names[t],
      text: String(n),
      showarrow: false,
      font: { size: 11, color: t === p ? "white" : n > 0 ? "black" : "#bbb" },
    })),
  );
  return {
    data: [
      {
        type: "heatmap",
        x: names,
        y: names,
        z: shade,
        customdata: counts,
        colorscale: "Blues",
        reversescale: true, // Plotly's Blues runs dark → light; zero should be light
        showscale: false,
        hovertemplate: "true %{y}, predicted %{x}: %{customdata}<extra></extra>",
      },
    ],
    layout: {
      title: { text: title },
      xaxis: { title: { text: "predicted" }, type: "category", side: "bottom" },
      yaxis: { title: { text: "true" }, type: "category", autorange: "reversed" },
      annotations,
      width: 640,
      height: 600,
      margin: { t: 50, r: 20, b: 60, l: 90 },
    },
  };
}
