/**
 * The plain-array shapes the reference ops work on, and the checks that turn bad input into a clear message.
 * Images are row-major like tfjs: a Matrix is [row][col]; a Volume is [row][col][channel] (height, width, depth).
 */
export type Matrix = number[][];
export type Volume = number[][][];

/** Throw unless `value` is a finite number. */
export function checkFinite(value: number, what: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`${what} is ${value}, not a finite number`);
}

/** Throw unless `m` is a non-empty rectangle of finite numbers; returns [rows, cols]. */
export function checkMatrix(m: Matrix, name: string): [number, number] {
  if (!Array.isArray(m) || m.length === 0) throw new Error(`${name} must be a non-empty array of rows`);
  if (!Array.isArray(m[0]) || m[0].length === 0) throw new Error(`${name}: row 0 must be a non-empty array`);
  const cols = m[0].length;
  m.forEach((row, r) => {
    if (!Array.isArray(row)) throw new Error(`${name}: row ${r} is not an array`);
    if (row.length !== cols) throw new Error(`${name} is ragged: row ${r} has ${row.length} values, row 0 has ${cols}`);
    row.forEach((v, c) => checkFinite(v, `${name}[${r}][${c}]`));
  });
  return [m.length, cols];
}

/** Throw unless `v` is a non-empty rectangular [row][col][channel] box of finite numbers; returns [rows, cols, depth]. */
export function checkVolume(v: Volume, name: string): [number, number, number] {
  if (!Array.isArray(v) || v.length === 0 || !Array.isArray(v[0]) || v[0].length === 0) {
    throw new Error(`${name} must be a non-empty [row][col][channel] array`);
  }
  const cols = v[0].length;
  const depth = Array.isArray(v[0][0]) ? v[0][0].length : 0;
  if (depth === 0) throw new Error(`${name} must have at least one channel per pixel ([row][col][channel])`);
  v.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${name} is ragged: row ${r} has ${Array.isArray(row) ? row.length : "no"} columns, row 0 has ${cols}`);
    }
    row.forEach((pixel, c) => {
      if (!Array.isArray(pixel) || pixel.length !== depth) {
        throw new Error(`${name}[${r}][${c}] has ${Array.isArray(pixel) ? pixel.length : "no"} channels, expected ${depth}`);
      }
      pixel.forEach((value, k) => checkFinite(value, `${name}[${r}][${c}][${k}]`));
    });
  });
  return [v.length, cols, depth];
}

/** Throw unless `x` is a non-empty list of finite numbers. */
export function checkVector(x: number[], name: string): number {
  if (!Array.isArray(x) || x.length === 0) throw new Error(`${name} must be a non-empty array of numbers`);
  x.forEach((v, i) => checkFinite(v, `${name}[${i}]`));
  return x.length;
}

/** A rows × cols matrix filled with `value`. */
export function filled(rows: number, cols: number, value = 0): Matrix {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(value));
}
