/**
 * Max pooling: cut a feature map into windows (2×2 by default, not overlapping) and keep each window's largest
 * value. We also return where each maximum was (the "winner"), to show which cell survived.
 */
import { checkMatrix, type Matrix } from "./arrays";

export interface MaxPoolOptions {
  /** Window side. Default 2. */
  size?: number;
  /** Step between windows. Default: the window side (no overlap), as in Keras' MaxPooling2D. */
  stride?: number;
}

export interface PooledMap {
  values: Matrix;
  /** For each output cell, the input cell that held the maximum (the first one in reading order on a tie). */
  argmax: Array<Array<{ row: number; col: number }>>;
}

/** Max-pool a 2-D map ("valid": windows that do not fit at the right/bottom edge are dropped, as in tfjs). */
export function maxPool(map: Matrix, options: MaxPoolOptions = {}): PooledMap {
  const size = options.size ?? 2;
  const stride = options.stride ?? size;
  if (!Number.isInteger(size) || size < 1) throw new Error(`pool size must be a whole number ≥ 1, not ${size}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`pool stride must be a whole number ≥ 1, not ${stride}`);
  const [rows, cols] = checkMatrix(map, "feature map");
  if (size > rows || size > cols) throw new Error(`pool window (${size}×${size}) is larger than the map (${rows}×${cols})`);
  const outRows = Math.floor((rows - size) / stride) + 1;
  const outCols = Math.floor((cols - size) / stride) + 1;
  const values: Matrix = [];
  const argmax: PooledMap["argmax"] = [];
  for (let r = 0; r < outRows; r++) {
    values.push([]);
    argmax.push([]);
    for (let c = 0; c < outCols; c++) {
      let best = { row: r * stride, col: c * stride };
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          const cell = { row: r * stride + i, col: c * stride + j };
          if (map[cell.row][cell.col] > map[best.row][best.col]) best = cell;
        }
      }
      values[r].push(map[best.row][best.col]);
      argmax[r].push(best);
    }
  }
  return { values, argmax };
}

/**
 * Average pooling: the same windows as `maxPool`, each replaced by the mean of its values. Every cell contributes,
 * so a strong response is diluted by the quiet cells around it (Keras' AveragePooling2D).
 */
export function averagePool(map: Matrix, options: MaxPoolOptions = {}): Matrix {
  const size = options.size ?? 2;
  const stride = options.stride ?? size;
  // maxPool validates the sizes and finds the windows; only the value kept differs.
  const { argmax } = maxPool(map, { size, stride });
  return argmax.map((row, r) => row.map((_, c) => {
    let total = 0;
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) total += map[r * stride + i][c * stride + j];
    return total / (size * size);
  }));
}
