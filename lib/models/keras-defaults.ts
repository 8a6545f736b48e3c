/**
 * Keras' layer defaults where TensorFlow.js' differ, so the course's models start where the book's do.
 *
 * tfjs' Conv2D and Dense draw kernels from `glorotNormal` (a truncated normal whose spread is ~12 % below the
 * Glorot target, as it is not corrected for the truncation); Keras draws them from `glorot_uniform`. Biases start
 * at zero in both. Each layer gets its own seed derived from the model's, so a run's seed fixes its initial weights.
 */
import * as tf from "@tensorflow/tfjs";
import { mixSeeds } from "../env/random";

/** Separates the initialisers' seeds from the data pipeline's, drawn from the same course seed. */
const INITIALIZER_STREAM = 0x494e4954;

/** Keras' `kernel_initializer='glorot_uniform'`, seeded per layer. */
export function kerasKernelInitializer(seed: number, layerIndex: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: mixSeeds(seed, INITIALIZER_STREAM, layerIndex) });
}

/** Keras' `kernel_regularizer=l2(factor)` (weight decay), or nothing. */
export function kernelRegularizer(l2: number | undefined): { kernelRegularizer?: ReturnType<typeof tf.regularizers.l2> } {
  if (l2 === undefined) return {};
  if (!(l2 > 0)) throw new Error(`l2 (weight decay) must be a positive factor, not ${l2}`);
  return { kernelRegularizer: tf.regularizers.l2({ l2 }) };
}
