/**
 * A grid of small grayscale images, each with a caption (e.g. misclassified digits: "true 5 → 3"), as one Plotly
 * figure of heatmap subplots. Captions are what a plain PNG grid cannot carry.
 */
import type { PlotlyFigure } from "./figure";

const CELL_PIXELS = 110;

export function captionedImageGridFigure(images: number[][][], captions: string[], options: { columns?: number; title?: string } = {}): PlotlyFigure {
  if (images.length !== captions.length) throw new Error(`captionedImageGridFigure: ${images.length} images but ${captions.length} captions`);
  const columns = Math.max(1, Math.min(options.columns ?? 8, images.length));
  const rows = Math.ceil(images.length / columns);
  const gap = 0.04;
  const cellW = (1 - gap * (columns - 1)) / columns;
  const cellH = (1 - gap * 1.6 * (rows - 1)) / rows;
  const layout: Record<string, unknown> = {
    title: { text: options.title ?? "" },
    width: Math.max(360, columns * CELL_PIXELS),
    height: 60 + rows * (CELL_PIXELS + 14),
    margin: { t: 50, r: 10, b: 10, l: 10 },
    showlegend: false,
  };
  const annotations: Array<Record<string, unknown>> = [];
  const data = images.map((image, i) => {
    const axis = i === 0 ? "" : String(i + 1);
    const column = i % columns;
    const row = Math.floor(i / columns);
    const x0 = column * (cellW + gap);
    const y1 = 1 - row * (cellH + gap * 1.6);
    layout[`xaxis${axis}`] = { domain: [x0, x0 + cellW], visible: false, anchor: `y${axis}` };
    layout[`yaxis${axis}`] = { domain: [y1 - cellH, y1], visible: false, autorange: "reversed", scaleanchor: `x${axis}`, anchor: `x${axis}` };
    annotations.push({ text: captions[i], x: x0 + cellW / 2, y: y1, xref: "paper", yref: "paper", yanchor: "bottom", showarrow: false, font: { size: 11 } });
    return { type: "heatmap", z: image, colorscale: "Greys", reversescale: true, showscale: false, xaxis: `x${axis}`, yaxis: `y${axis}`, hoverinfo: "skip" };
  });
  layout.annotations = annotations;
  return { data, layout };
}
