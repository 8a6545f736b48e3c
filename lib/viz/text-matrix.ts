/**
 * Matrices as aligned text, for printing worked numbers in a cell's output (and in the plain-text view of a notebook).
 */
export interface FormatMatrixOptions {
  /** Digits after the point. Default: 0 when every value is whole, else 2. */
  decimals?: number;
}

/** Rows of right-aligned numbers, one line per row. NaN prints as "·" (not computed yet). */
export function formatMatrix(matrix: number[][], options: FormatMatrixOptions = {}): string {
  const whole = matrix.every((row) => row.every((v) => !Number.isFinite(v) || Number.isInteger(v)));
  const digits = options.decimals ?? (whole ? 0 : 2);
  const cells = matrix.map((row) => row.map((v) => (Number.isNaN(v) ? "·" : v.toFixed(digits))));
  const width = Math.max(1, ...cells.flat().map((c) => c.length));
  return cells.map((row) => row.map((c) => c.padStart(width)).join(" ")).join("\n");
}

/** A vector on one line, in brackets. */
export function formatVector(vector: number[], options: FormatMatrixOptions = {}): string {
  return `[${formatMatrix([vector], options).trim().split(/\s+/).join(", ")}]`;
}
