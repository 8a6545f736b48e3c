/**
 * Activation functions, applied to a list of numbers.
 */
import { checkVector } from "./arrays";

/** max(0, x): negative evidence becomes zero. */
export function relu(x: number[]): number[] {
  checkVector(x, "relu input");
  return x.map((v) => Math.max(0, v));
}

/** 1 / (1 + e^-x): squashes each number into (0, 1), read as a probability ("is this a 7?"). */
export function sigmoid(x: number[]): number[] {
  checkVector(x, "sigmoid input");
  return x.map((v) => 1 / (1 + Math.exp(-v)));
}

/**
 * e^x_i / Σ e^x_j: turns scores into probabilities that add up to 1 (one per class). Subtracting the largest score
 * first changes nothing mathematically and keeps e^x from overflowing.
 */
export function softmax(x: number[]): number[] {
  checkVector(x, "softmax input");
  const largest = Math.max(...x);
  const exps = x.map((v) => Math.exp(v - largest));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** ReLU on every cell of a feature map. */
export function reluMap(map: number[][]): number[][] {
  return map.map((row) => relu(row));
}
