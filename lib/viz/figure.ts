/**
 * The shape of a figure as Plotly takes it. Kept loose on purpose: Plotly's own typings are large and the course
 * only needs to pass figures through to Plotly (in the page and in headless Chromium).
 */
export interface PlotlyFigure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
  /** Animation frames (used by step-through figures with a slider); Plotly ignores them in a static image. */
  frames?: Array<Record<string, unknown>>;
}

export interface FigureSize {
  width: number;
  height: number;
}

/** A size that reads well in a notebook and in the book (the PNG is rendered at exactly this size, scale 1). */
export const DEFAULT_FIGURE_SIZE: FigureSize = { width: 700, height: 450 };

/** The figure's size: explicit options, else the layout's width/height, else the default. */
export function figureSize(figure: PlotlyFigure, options: Partial<FigureSize> = {}): FigureSize {
  const layout = figure.layout ?? {};
  const fromLayout = (key: "width" | "height"): number | undefined =>
    typeof layout[key] === "number" ? (layout[key] as number) : undefined;
  return {
    width: options.width ?? fromLayout("width") ?? DEFAULT_FIGURE_SIZE.width,
    height: options.height ?? fromLayout("height") ?? DEFAULT_FIGURE_SIZE.height,
  };
}

/** A one-line description of a figure, for text/plain and for runs outside a notebook. */
export function describeFigure(figure: PlotlyFigure, size: FigureSize): string {
  const title = figureTitle(figure);
  const kinds = [...new Set(figure.data.map((trace) => String(trace.type ?? "scatter")))];
  const traces = `${figure.data.length} trace${figure.data.length === 1 ? "" : "s"} (${kinds.join(", ")})`;
  const frames = figure.frames && figure.frames.length > 0 ? `, ${figure.frames.length} frames` : "";
  return `[figure${title ? `: ${title}` : ""} — ${traces}${frames}, ${size.width}×${size.height}]`;
}

/** The figure's title (layout.title as text or {text}), or "". */
export function figureTitle(figure: PlotlyFigure): string {
  const title = figure.layout?.title;
  if (typeof title === "string") return title;
  if (title && typeof title === "object" && typeof (title as { text?: unknown }).text === "string") {
    return (title as { text: string }).text;
  }
  return "";
}
