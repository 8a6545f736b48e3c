/**
 * Learning a kernel instead of choosing it: start from random 3×3 weights and let gradient descent (tf.js
 * `optimizer.minimize`) move them until the feature map they make matches a target map. With the chapter 1 kernel's
 * own map as the target, the weights walk back to that kernel: the bridge from "a kernel we chose" to "kernels the
 * network learns".
 */
import * as tf from "@tensorflow/tfjs";
import type { Matrix } from "../ops/arrays";
import { checkMatrix } from "../ops/arrays";
import type { PaddingMode } from "../ops/conv2d";
import { seededRandom } from "../env/random";

export interface LearnKernelOptions {
  /** Side of the square kernel. Default 3. */
  kernelSize?: number;
  /** Gradient-descent steps. Default 200. */
  steps?: number;
  /** Plain SGD's step size. Default 1 (stable here: the "7" gives a well-conditioned least-squares problem). */
  learningRate?: number;
  /** Seed of the random starting weights (uniform in [-0.5, 0.5]). Default 1. */
  seed?: number;
  /** Keep the kernel every this many steps (and at the first and last). Default 10. */
  snapshotEvery?: number;
  /** Padding of the convolution. Default "same": every weight then meets every pixel pattern it needs. */
  padding?: PaddingMode;
}

export interface KernelSnapshot {
  step: number;
  kernel: Matrix;
  /** Mean squared difference between this kernel's feature map and the target, before this step's update. */
  loss: number;
}

export interface LearnedKernel {
  kernel: Matrix;
  finalLoss: number;
  snapshots: KernelSnapshot[];
}

function toMatrix(values: ArrayLike<number>, side: number): Matrix {
  return Array.from({ length: side }, (_, r) => Array.from({ length: side }, (_, c) => values[r * side + c]));
}

/** Fit a kernel so that conv2d(image, kernel) ≈ target (mean squared error, plain gradient descent). */
export function learnKernel(image: Matrix, target: Matrix, options: LearnKernelOptions = {}): LearnedKernel {
  const side = options.kernelSize ?? 3;
  const steps = options.steps ?? 200;
  const learningRate = options.learningRate ?? 1;
  const every = options.snapshotEvery ?? 10;
  const padding = options.padding ?? "same";
  const [rows, cols] = checkMatrix(image, "image");
  const [targetRows, targetCols] = checkMatrix(target, "target");
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a whole number ≥ 1, not ${steps}`);
  if (!Number.isInteger(every) || every < 1) throw new Error(`snapshotEvery must be a whole number ≥ 1, not ${every}`);

  const random = seededRandom(options.seed ?? 1);
  const start = Array.from({ length: side * side }, () => random() - 0.5);
  const kernel = tf.variable(tf.tensor4d(start, [side, side, 1, 1]), true, undefined, "float32");
  const input = tf.tensor4d(image.flat(), [1, rows, cols, 1]);
  const wanted = tf.tensor4d(target.flat(), [1, targetRows, targetCols, 1]);
  const optimizer = tf.train.sgd(learningRate);
  const loss = () => tf.losses.meanSquaredError(wanted, tf.conv2d(input, kernel, 1, padding)) as tf.Scalar;

  const snapshots: KernelSnapshot[] = [];
  try {
    const outShape = tf.tidy(() => tf.conv2d(input, kernel, 1, padding).shape);
    if (outShape[1] !== targetRows || outShape[2] !== targetCols) {
      throw new Error(`the target is ${targetRows}×${targetCols} but the kernel makes a ${outShape[1]}×${outShape[2]} map (padding "${padding}")`);
    }
    for (let step = 0; step <= steps; step++) {
      const weights = kernel.dataSync();
      const current = tf.tidy(() => loss().dataSync()[0]);
      if (step % every === 0 || step === steps) snapshots.push({ step, kernel: toMatrix(weights, side), loss: current });
      if (step === steps) break;
      tf.tidy(() => { optimizer.minimize(loss, false, [kernel]); });
    }
    return { kernel: snapshots[snapshots.length - 1].kernel, finalLoss: snapshots[snapshots.length - 1].loss, snapshots };
  } finally {
    tf.dispose([kernel, input, wanted]);
    optimizer.dispose();
  }
}
