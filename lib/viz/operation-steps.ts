/**
 * The steps of the by-hand operations, ready for step-through figures: a kernel visiting every window of an image
 * (convolution) and a pooling window visiting every block of a feature map. The numbers come from the reference ops.
 */
import type { Matrix } from "../ops/arrays";
import { convolutionWindows, paddingFor, type Conv2dOptions } from "../ops/conv2d";
import { zeroPad } from "../ops/pad";
import { maxPool, type MaxPoolOptions } from "../ops/pool";
import type { Step } from "./step-through";

/** A copy of `full` with NaN (drawn blank) everywhere except the cells already computed. */
function partial(full: Matrix, computedCount: number): Matrix {
  const cols = full[0].length;
  return full.map((row, r) => row.map((v, c) => (r * cols + c < computedCount ? v : NaN)));
}

/**
 * One step per output cell: the (padded) image with the window outlined, the kernel, the products, and the feature
 * map filled in up to this cell.
 */
export function convolutionSteps(image: Matrix, kernel: Matrix, options: Conv2dOptions = {}): Step[] {
  const windows = convolutionWindows(image, kernel, options);
  const pad = paddingFor([image.length, image[0].length], [kernel.length, kernel[0].length], options.stride ?? 1, options.padding ?? "valid");
  const padded = zeroPad(image, pad);
  const featureMap = windows.map((row) => row.map((w) => w.sum));
  const cols = featureMap[0].length;
  return windows.flat().map((w, index) => {
    const [r, c] = [Math.floor(index / cols), index % cols];
    return {
      label: `(${r},${c})`,
      summary: `(${r},${c}) → ${w.sum}`,
      caption: `output (${r},${c}) = ${w.products.flat().join(" + ")} = ${w.sum}`,
      panels: [
        { matrix: padded, title: pad.top + pad.left > 0 ? "padded image" : "image", window: { row: w.row, col: w.col, rows: kernel.length, cols: kernel[0].length } },
        { matrix: kernel, title: "kernel" },
        { matrix: w.products, title: "window × kernel" },
        { matrix: partial(featureMap, index + 1), title: "feature map", cells: [{ row: r, col: c }] },
      ],
    };
  });
}

/** One step per pooled cell: the map with the window and its winning cell outlined, and the pooled map so far. */
export function poolingSteps(map: Matrix, options: MaxPoolOptions = {}): Step[] {
  const size = options.size ?? 2;
  const stride = options.stride ?? size;
  const pooled = maxPool(map, options);
  const cols = pooled.values[0].length;
  return pooled.argmax.flat().map((winner, index) => {
    const [r, c] = [Math.floor(index / cols), index % cols];
    const window = { row: r * stride, col: c * stride, rows: size, cols: size };
    const block = map.slice(window.row, window.row + size).map((row) => row.slice(window.col, window.col + size));
    return {
      label: `(${r},${c})`,
      summary: `(${r},${c}) → ${pooled.values[r][c]}`,
      caption: `pooled (${r},${c}) = max(${block.flat().join(", ")}) = ${pooled.values[r][c]}`,
      panels: [
        { matrix: map, title: "feature map", window, cells: [winner] },
        { matrix: partial(pooled.values, index + 1), title: "pooled map", cells: [{ row: r, col: c }] },
      ],
    };
  });
}
