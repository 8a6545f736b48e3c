/**
 * 2-D convolution as a CNN layer computes it (strictly, cross-correlation: the kernel is not flipped): put the
 * kernel on a window of the image, multiply the overlapping numbers pairwise, add the products up; that sum is one
 * cell of the feature map. Slide the window by `stride` and repeat.
 *
 * Padding follows tfjs/Keras: "valid" uses only whole windows inside the image (output = floor((n - k) / s) + 1);
 * "same" adds zeros so the output has ceil(n / s) cells per side, the extra zero (if the total is odd) going to the
 * bottom/right.
 */
import { checkFinite, checkMatrix, checkVolume, filled, type Matrix, type Volume } from "./arrays";
import { zeroPad, type PaddingAmounts } from "./pad";

export type PaddingMode = "valid" | "same";

export interface Conv2dOptions {
  /** Step between windows, in pixels. Default 1. */
  stride?: number;
  /** Default "valid". */
  padding?: PaddingMode;
}

/** One output cell's computation, spelled out. */
export interface WindowComputation {
  /** Top-left pixel of the window in the (padded) image. */
  row: number;
  col: number;
  window: Matrix;
  products: Matrix;
  sum: number;
}

function checkStride(stride: number): void {
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`stride must be a whole number ≥ 1, not ${stride}`);
}

/** The zeros tfjs's "same" adds along one side of length `size` for a kernel of `kernelSize` and `stride`. */
export function samePadding(size: number, kernelSize: number, stride: number): [before: number, after: number] {
  const outSize = Math.ceil(size / stride);
  const total = Math.max((outSize - 1) * stride + kernelSize - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** The padding "same" needs for this image and kernel (all zeros for "valid"). */
export function paddingFor(imageShape: [number, number], kernelShape: [number, number], stride: number, mode: PaddingMode): PaddingAmounts {
  if (mode === "valid") return { top: 0, bottom: 0, left: 0, right: 0 };
  if (mode !== "same") throw new Error(`padding must be "valid" or "same", not "${mode}"`);
  const [top, bottom] = samePadding(imageShape[0], kernelShape[0], stride);
  const [left, right] = samePadding(imageShape[1], kernelShape[1], stride);
  return { top, bottom, left, right };
}

/** Multiply the kernel with the window whose top-left pixel is (row, col), and add up. */
export function convolveWindow(image: Matrix, kernel: Matrix, row: number, col: number): WindowComputation {
  const window = kernel.map((kernelRow, i) => kernelRow.map((_, j) => image[row + i][col + j]));
  const products = kernel.map((kernelRow, i) => kernelRow.map((weight, j) => weight * window[i][j]));
  const sum = products.flat().reduce((total, p) => total + p, 0);
  return { row, col, window, products, sum };
}

/** Every window's computation, in reading order (row by row), with the padding already applied to `image`. */
export function convolutionWindows(image: Matrix, kernel: Matrix, options: Conv2dOptions = {}): WindowComputation[][] {
  const stride = options.stride ?? 1;
  checkStride(stride);
  const [imageRows, imageCols] = checkMatrix(image, "image");
  const [kernelRows, kernelCols] = checkMatrix(kernel, "kernel");
  const pad = paddingFor([imageRows, imageCols], [kernelRows, kernelCols], stride, options.padding ?? "valid");
  const padded = zeroPad(image, pad);
  const [rows, cols] = [padded.length, padded[0].length];
  if (kernelRows > rows || kernelCols > cols) {
    throw new Error(`kernel (${kernelRows}×${kernelCols}) is larger than the image (${rows}×${cols}); pad the image or use a smaller kernel`);
  }
  const outRows = Math.floor((rows - kernelRows) / stride) + 1;
  const outCols = Math.floor((cols - kernelCols) / stride) + 1;
  return Array.from({ length: outRows }, (_, r) =>
    Array.from({ length: outCols }, (_, c) => convolveWindow(padded, kernel, r * stride, c * stride)),
  );
}

/** Convolve a one-channel image with one kernel: the feature map. */
export function conv2d(image: Matrix, kernel: Matrix, options: Conv2dOptions = {}): Matrix {
  return convolutionWindows(image, kernel, options).map((row) => row.map((w) => w.sum));
}

/**
 * The multi-channel layer: `input` is [row][col][inChannel], `filters` is [kRow][kCol][inChannel][outChannel]
 * (tfjs's filter layout); each output channel sums, over the input channels, that channel's 2-D convolution.
 */
export function conv2dVolume(input: Volume, filters: number[][][][], options: Conv2dOptions = {}): Volume {
  const [, , depth] = checkVolume(input, "input");
  if (!Array.isArray(filters) || filters.length === 0 || !Array.isArray(filters[0]) || filters[0].length === 0) {
    throw new Error("filters must be a non-empty [kRow][kCol][inChannel][outChannel] array");
  }
  const [kernelRows, kernelCols] = [filters.length, filters[0].length];
  const outChannels = filters[0][0]?.[0]?.length ?? 0;
  for (let i = 0; i < kernelRows; i++) {
    if (!Array.isArray(filters[i]) || filters[i].length !== kernelCols) {
      throw new Error(`filters are ragged: kernel row ${i} has ${filters[i]?.length} columns, expected ${kernelCols}`);
    }
    for (let j = 0; j < kernelCols; j++) {
      const taps = filters[i][j];
      if (!Array.isArray(taps) || taps.length !== depth) {
        throw new Error(`filters[${i}][${j}] has ${taps?.length} input channels but the input has depth ${depth}`);
      }
      taps.forEach((perOutput, k) => {
        if (!Array.isArray(perOutput) || perOutput.length !== outChannels || outChannels === 0) {
          throw new Error(`filters[${i}][${j}][${k}] must hold ${outChannels || "≥ 1"} output-channel weights`);
        }
        perOutput.forEach((w, o) => checkFinite(w, `filters[${i}][${j}][${k}][${o}]`));
      });
    }
  }
  const channel = (v: Volume, k: number): Matrix => v.map((row) => row.map((pixel) => pixel[k]));
  const kernelOf = (inC: number, outC: number): Matrix => filters.map((row) => row.map((taps) => taps[inC][outC]));
  const maps = Array.from({ length: outChannels }, (_, outC) => {
    let total: Matrix | null = null;
    for (let inC = 0; inC < depth; inC++) {
      const map = conv2d(channel(input, inC), kernelOf(inC, outC), options);
      total = total === null ? map : total.map((row, r) => row.map((v, c) => v + map[r][c]));
    }
    return total ?? filled(0, 0);
  });
  // Back to [row][col][channel].
  return maps[0].map((row, r) => row.map((_, c) => maps.map((map) => map[r][c])));
}

/** The kernel turned by 180°: last row first, each row reversed. */
export function flipKernel(kernel: Matrix): Matrix {
  checkMatrix(kernel, "kernel");
  return kernel.slice().reverse().map((row) => row.slice().reverse());
}

/**
 * Convolution as mathematicians define it: the kernel is flipped before it slides. What deep-learning libraries call
 * "convolution" (`conv2d` above, `tf.conv2d`) skips the flip, which is cross-correlation; for a learned kernel the
 * difference does not matter, since the network would simply learn the flipped weights.
 */
export function trueConvolution(image: Matrix, kernel: Matrix, options: Conv2dOptions = {}): Matrix {
  return conv2d(image, flipKernel(kernel), options);
}
