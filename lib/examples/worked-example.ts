/**
 * The numbers the by-hand chapters (1–4) work through, kept here so tests pin every printed value: a 6×6 picture
 * of a "7", the kernels slid over it, and the seeded weights of the small fully connected layers in chapter 4.
 */
import type { Matrix } from "../ops/arrays";
import { seededRandom } from "../env/random";

/**
 * A 6×6 "7": 1 = ink, 0 = paper. The horizontal stroke runs along the top edge (row 0); the vertical stroke goes
 * down column 4.
 */
export const SEVEN_IMAGE: Matrix = [
  [1, 1, 1, 1, 1, 1],
  [0, 0, 0, 0, 1, 0],
  [0, 0, 0, 0, 1, 0],
  [0, 0, 0, 0, 1, 0],
  [0, 0, 0, 0, 1, 0],
  [0, 0, 0, 0, 1, 0],
];

/**
 * A "plus" kernel: it adds up the centre pixel and its four neighbours, so it responds most where a stroke passes
 * through the middle of the window, whichever way the stroke runs.
 */
export const STROKE_KERNEL: Matrix = [
  [0, 1, 0],
  [1, 1, 1],
  [0, 1, 0],
];

/** A second kernel for chapter 4: it responds to horizontal strokes only (the middle row of the window). */
export const HORIZONTAL_KERNEL: Matrix = [
  [0, 0, 0],
  [1, 1, 1],
  [0, 0, 0],
];

/** The seed of chapter 4's weights: fixed here (not CNN_SEED) because the chapter prints and the tests pin them. */
export const EXAMPLE_SEED = 7;
/** Hidden units of chapter 4's fully connected layer. */
export const EXAMPLE_HIDDEN_UNITS = 4;
/** Digits 0–9 for the softmax output. */
export const DIGIT_CLASSES = 10;
/** Weights are drawn from [-WEIGHT_RANGE, WEIGHT_RANGE] and rounded to 2 decimals, so a reader can redo the sums. */
const WEIGHT_RANGE = 0.5;
const WEIGHT_DECIMALS = 100;

/** A rows × cols matrix of seeded weights in [-0.5, 0.5], 2 decimals. */
export function seededWeights(rows: number, cols: number, random: () => number): Matrix {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => Math.round((random() * 2 - 1) * WEIGHT_RANGE * WEIGHT_DECIMALS) / WEIGHT_DECIMALS),
  );
}

export interface ExampleDenseWeights {
  /** inputs × hidden (Keras kernel layout) and the hidden biases. */
  hidden: { weights: Matrix; bias: number[] };
  /** hidden × 1: the "is this a 7?" output, read through a sigmoid. */
  isSeven: { weights: Matrix; bias: number[] };
  /** hidden × 10: one score per digit, read through a softmax. */
  digits: { weights: Matrix; bias: number[] };
}

/** Chapter 4's layers, drawn in a fixed order from one seeded stream; biases start at zero, as in Keras. */
export function exampleDenseWeights(inputs: number, seed: number = EXAMPLE_SEED): ExampleDenseWeights {
  const random = seededRandom(seed);
  const zeros = (n: number) => new Array<number>(n).fill(0);
  return {
    hidden: { weights: seededWeights(inputs, EXAMPLE_HIDDEN_UNITS, random), bias: zeros(EXAMPLE_HIDDEN_UNITS) },
    isSeven: { weights: seededWeights(EXAMPLE_HIDDEN_UNITS, 1, random), bias: zeros(1) },
    digits: { weights: seededWeights(EXAMPLE_HIDDEN_UNITS, DIGIT_CLASSES, random), bias: zeros(DIGIT_CLASSES) },
  };
}

/**
 * A learned-looking kernel with negative weights: +2 down the middle column, −1 on either side. It answers "a
 * vertical stroke runs exactly through the centre" with a large positive number and "a stroke runs beside the
 * centre" with a negative one, which is what ReLU then clears away.
 */
export const VERTICAL_LINE_KERNEL: Matrix = [
  [-1, 2, -1],
  [-1, 2, -1],
  [-1, 2, -1],
];

/**
 * The "7" in colour, as [row][col][channel] with channels red, green, blue: the top stroke is red, the vertical
 * stroke blue, and the corner where they meet (row 0, column 4) is magenta (red and blue). Green is empty.
 */
export const RGB_SEVEN_IMAGE: number[][][] = SEVEN_IMAGE.map((row, r) =>
  row.map((ink, c) => [r === 0 ? ink : 0, 0, c === 4 ? ink : 0]),
);

/**
 * Two 3×3×3 filters in tfjs's [kRow][kCol][inChannel][outChannel] layout. Filter 0 looks for horizontal strokes in
 * the red channel and vertical strokes in the blue one (so it finds the whole "7"); filter 1 only for vertical
 * strokes in the blue channel. Green's weights are zero in both.
 */
export const RGB_FILTERS: number[][][][] = [0, 1, 2].map((i) =>
  [0, 1, 2].map((j) => [
    [HORIZONTAL_KERNEL[i][j], 0],
    [0, 0],
    [j === 1 ? 1 : 0, j === 1 ? 1 : 0],
  ]),
);

/**
 * The shape of the "7"'s corner: a top row and a right column. Not symmetric, so turning it by 180° (what true
 * convolution does) gives a different kernel, an "L".
 */
export const CORNER_KERNEL: Matrix = [
  [1, 1, 1],
  [0, 0, 1],
  [0, 0, 1],
];
