/**
 * Annotated heatmaps: a matrix drawn cell by cell with its numbers written in, coloured by value, with an optional
 * highlighted window (the 3×3 region a kernel is looking at) and highlighted cells (the winner of each pooling
 * window). Row 0 is at the top, as in an image. Also a row of such heatmaps side by side, sharing one figure.
 */
import type { PlotlyFigure } from "./figure";
import { showFigure } from "./display";

/** A rectangle of cells: top-left cell and size, in rows and columns. */
export interface CellWindow {
  row: number;
  col: number;
  rows: number;
  cols: number;
}

export interface HeatmapPanel {
  /** Rows of numbers; NaN cells are left blank (a feature map not yet filled in). */
  matrix: number[][];
  title?: string;
  /** A window to outline (the kernel's current position). */
  window?: CellWindow;
  /** Blocks to outline thinly (e.g. every 2×2 pooling window). */
  blocks?: CellWindow[];
  /** Single cells to outline (e.g. the max of each pooling window). */
  cells?: Array<{ row: number; col: number }>;
  /** Digits after the point in the cell labels. Default: 0 for whole numbers, else 2. */
  decimals?: number;
  /** Plotly colour scale name or stops. Default: white→dark blue, or blue–white–red centred on 0 when values are negative. */
  colorscale?: string | Array<[number, string]>;
  /** Fix the colour range (so frames of a step-through share colours). */
  zmin?: number;
  zmax?: number;
  /** Write the numbers in the cells. Default: true when there are at most 400 cells. */
  showValues?: boolean;
}

export interface HeatmapFigureOptions {
  title?: string;
  width?: number;
  height?: number;
  /** Show a colour bar (single heatmaps only). Default true for one panel. */
  colorbar?: boolean;
}

/** Light for small values, dark blue for large (ColorBrewer "Blues" ends). */
const POSITIVE_SCALE: Array<[number, string]> = [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]];
/** Blue for negative, white at zero, red for positive (used with zmid 0). */
const SIGNED_SCALE: Array<[number, string]> = [[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]];
const WINDOW_COLOR = "#d62728";
const CELL_COLOR = "#ff7f0e";
const BLOCK_COLOR = "#555555";
const WINDOW_LINE_WIDTH = 4;
const BLOCK_LINE_WIDTH = 2;
const CELL_LINE_WIDTH = 3;
const MAX_LABELLED_CELLS = 400;
const MAX_EVERY_TICK = 20;
const LARGE_TICK_STEP = 5;
const PANEL_GAP = 0.06;
const ROW_GAP_PX = 60;
const PANEL_WIDTH_PX = 260;
const FIGURE_MARGIN = { l: 30, r: 30, t: 70, b: 30 };

function checkMatrix(matrix: number[][], what: string): void {
  if (matrix.length === 0 || matrix[0].length === 0) throw new Error(`${what}: the matrix is empty`);
  const cols = matrix[0].length;
  matrix.forEach((row, i) => {
    if (row.length !== cols) throw new Error(`${what}: row ${i} has ${row.length} values, row 0 has ${cols}`);
  });
}

/** Cell labels: whole numbers as they are, others with `decimals` digits; blank for NaN. */
export function cellLabels(matrix: number[][], decimals?: number): string[][] {
  const whole = matrix.every((row) => row.every((v) => !Number.isFinite(v) || Number.isInteger(v)));
  const digits = decimals ?? (whole ? 0 : 2);
  return matrix.map((row) => row.map((v) => (Number.isFinite(v) ? v.toFixed(digits) : "")));
}

function finiteValues(matrix: number[][]): number[] {
  return matrix.flat().filter((v) => Number.isFinite(v));
}

/** The heatmap trace for one panel, drawn on axes `x{suffix}`/`y{suffix}`. */
export function heatmapTrace(panel: HeatmapPanel, axisSuffix = ""): Record<string, unknown> {
  checkMatrix(panel.matrix, "heatmap");
  const values = finiteValues(panel.matrix);
  const signed = values.some((v) => v < 0);
  const cells = panel.matrix.length * panel.matrix[0].length;
  const trace: Record<string, unknown> = {
    type: "heatmap",
    z: panel.matrix.map((row) => row.map((v) => (Number.isFinite(v) ? v : null))),
    xaxis: `x${axisSuffix}`,
    yaxis: `y${axisSuffix}`,
    colorscale: panel.colorscale ?? (signed ? SIGNED_SCALE : POSITIVE_SCALE),
    // Thin white lines between cells, except on large matrices where they would swamp the cells.
    xgap: cells <= MAX_LABELLED_CELLS ? 1 : 0,
    ygap: cells <= MAX_LABELLED_CELLS ? 1 : 0,
    hovertemplate: "row %{y}, col %{x}: %{z}<extra></extra>",
  };
  if (panel.zmin !== undefined) trace.zmin = panel.zmin;
  if (panel.zmax !== undefined) trace.zmax = panel.zmax;
  if (panel.zmin === undefined && panel.zmax === undefined && signed) trace.zmid = 0;
  if (panel.showValues ?? cells <= MAX_LABELLED_CELLS) {
    trace.text = cellLabels(panel.matrix, panel.decimals);
    trace.texttemplate = "%{text}";
    trace.textfont = { size: cells <= 64 ? 16 : 11 };
  }
  return trace;
}

/** Outlines for the panel's window and highlighted cells, on axes `x{suffix}`/`y{suffix}`. */
export function highlightShapes(panel: HeatmapPanel, axisSuffix = ""): Array<Record<string, unknown>> {
  const rect = (row: number, col: number, rows: number, cols: number, color: string, width: number) => ({
    type: "rect",
    xref: `x${axisSuffix}`,
    yref: `y${axisSuffix}`,
    x0: col - 0.5,
    x1: col + cols - 0.5,
    y0: row - 0.5,
    y1: row + rows - 0.5,
    line: { color, width },
  });
  const shapes = (panel.blocks ?? []).map((b) => rect(b.row, b.col, b.rows, b.cols, BLOCK_COLOR, BLOCK_LINE_WIDTH));
  shapes.push(...(panel.cells ?? []).map((cell) => rect(cell.row, cell.col, 1, 1, CELL_COLOR, CELL_LINE_WIDTH)));
  if (panel.window) {
    const w = panel.window;
    shapes.push(rect(w.row, w.col, w.rows, w.cols, WINDOW_COLOR, WINDOW_LINE_WIDTH));
  }
  return shapes;
}

function axisPair(panel: HeatmapPanel, xDomain: [number, number], yDomain: [number, number], index: number): Record<string, unknown> {
  const suffix = axisSuffix(index);
  const [rows, cols] = [panel.matrix.length, panel.matrix[0].length];
  // Every index up to 20 rows or columns; every 5th beyond (28 labels would overlap).
  const ticks = (n: number) => ({
    tickmode: "array",
    tickvals: [...Array(n).keys()].filter((i) => n <= MAX_EVERY_TICK || i % LARGE_TICK_STEP === 0),
    showgrid: false,
    zeroline: false,
  });
  return {
    [`xaxis${suffix}`]: {
      ...ticks(cols),
      domain: xDomain,
      anchor: `y${suffix}`,
      side: "top",
      range: [-0.5, cols - 0.5],
      constrain: "domain",
    },
    [`yaxis${suffix}`]: {
      ...ticks(rows),
      domain: yDomain,
      anchor: `x${suffix}`,
      range: [rows - 0.5, -0.5], // reversed: row 0 at the top, as in an image
      scaleanchor: `x${suffix}`,
      constrain: "domain",
    },
  };
}

/** Plotly names subplot axes x, x2, x3, …: the suffix of panel `index`. */
export function axisSuffix(index: number): string {
  return index === 0 ? "" : String(index + 1);
}

export interface HeatmapGridOptions extends HeatmapFigureOptions {
  /** Panels per row. Default: all in one row. */
  columns?: number;
  /** Font size of the numbers in the cells. Default: 16 for small matrices, 11 otherwise. */
  fontSize?: number;
}

/** Heatmaps laid out in a grid (one row by default), each with its own colours, in one figure. */
export function heatmapGridFigure(panels: HeatmapPanel[], options: HeatmapGridOptions = {}): PlotlyFigure {
  if (panels.length === 0) throw new Error("heatmap figure: no panels");
  const n = panels.length;
  const columns = Math.min(options.columns ?? n, n);
  const rows = Math.ceil(n / columns);
  const panelWidth = (1 - PANEL_GAP * (columns - 1)) / columns;
  const titled = panels.some((p) => p.title);
  const margin = { ...FIGURE_MARGIN, b: titled ? 50 : FIGURE_MARGIN.b };
  const width = options.width ?? Math.max(420, Math.min(900, columns * PANEL_WIDTH_PX + 60));
  const height = options.height ?? (n === 1 ? 450 : rows === 1 ? 340 : Math.min(1000, rows * 230 + 80));
  // Between grid rows: room for the lower panel's column numbers and the upper panel's caption.
  const rowGap = rows > 1 ? Math.min(0.3, ROW_GAP_PX / (height - margin.t - margin.b)) : 0;
  const panelHeight = (1 - rowGap * (rows - 1)) / rows;
  const layout: Record<string, unknown> = { margin, width, height, plot_bgcolor: "white" };
  if (options.title) layout.title = { text: options.title, x: 0.5 };
  const annotations: Array<Record<string, unknown>> = [];
  const shapes: Array<Record<string, unknown>> = [];
  const data = panels.map((panel, i) => {
    const left = (i % columns) * (panelWidth + PANEL_GAP);
    const top = 1 - Math.floor(i / columns) * (panelHeight + rowGap);
    const xDomain: [number, number] = [left, Math.min(1, left + panelWidth)];
    const yDomain: [number, number] = [Math.max(0, top - panelHeight), top];
    Object.assign(layout, axisPair(panel, xDomain, yDomain, i));
    const suffix = axisSuffix(i);
    shapes.push(...highlightShapes(panel, suffix));
    if (panel.title) {
      annotations.push({
        text: panel.title,
        xref: "paper",
        yref: "paper",
        x: (xDomain[0] + xDomain[1]) / 2,
        y: yDomain[0],
        // Centred under the panel ("auto" would left/right-align captions near the figure's edges).
        xanchor: "center",
        yanchor: "top",
        showarrow: false,
        font: { size: rows > 1 ? 12 : 14 },
      });
    }
    const trace = heatmapTrace(panel, suffix);
    if (options.fontSize !== undefined && trace.textfont) trace.textfont = { size: options.fontSize };
    trace.showscale = options.colorbar ?? n === 1;
    return trace;
  });
  layout.annotations = annotations;
  layout.shapes = shapes;
  return { data, layout };
}

/** Several heatmaps side by side in one figure (each keeps its own colours). */
export function heatmapRowFigure(panels: HeatmapPanel[], options: HeatmapFigureOptions = {}): PlotlyFigure {
  return heatmapGridFigure(panels, options);
}

/** One annotated heatmap. */
export function heatmapFigure(panel: HeatmapPanel, options: HeatmapFigureOptions = {}): PlotlyFigure {
  // The panel's title becomes the figure's title rather than a caption under it.
  return heatmapRowFigure([{ ...panel, title: undefined }], { title: options.title ?? panel.title, ...options });
}

/** Draw one annotated heatmap in the notebook. */
export async function showHeatmap(panel: HeatmapPanel, options: HeatmapFigureOptions = {}): Promise<void> {
  await showFigure(heatmapFigure(panel, options));
}

/** Draw several heatmaps side by side in the notebook. */
export async function showHeatmapRow(panels: HeatmapPanel[], options: HeatmapFigureOptions = {}): Promise<void> {
  await showFigure(heatmapRowFigure(panels, options));
}
