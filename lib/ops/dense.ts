/**
 * A fully connected (dense) layer: every output unit is a weighted sum of EVERY input, plus a bias. With n inputs
 * and m units the weights form an n × m matrix (Keras' kernel layout: weights[input][unit]).
 */
import { checkMatrix, checkVector, type Matrix } from "./arrays";
import { relu, sigmoid, softmax } from "./activations";

export type DenseActivation = "linear" | "relu" | "sigmoid" | "softmax";

const ACTIVATIONS: Record<DenseActivation, (x: number[]) => number[]> = {
  linear: (x) => x,
  relu,
  sigmoid,
  softmax,
};

/** outputs[j] = activation(Σ_i inputs[i] · weights[i][j] + bias[j]). */
export function dense(inputs: number[], weights: Matrix, bias: number[], activation: DenseActivation = "linear"): number[] {
  const n = checkVector(inputs, "dense inputs");
  const [rows, units] = checkMatrix(weights, "dense weights");
  if (rows !== n) throw new Error(`dense weights have ${rows} rows (one per input) but there are ${n} inputs`);
  if (checkVector(bias, "dense bias") !== units) throw new Error(`dense bias has ${bias.length} values, the weights have ${units} units`);
  if (!(activation in ACTIVATIONS)) throw new Error(`unknown activation "${activation}"`);
  const sums = bias.map((b, j) => inputs.reduce((total, x, i) => total + x * weights[i][j], b));
  return ACTIVATIONS[activation](sums);
}
