/**
 * Names of the kernels the course defines itself (tfjs has no such ops). The wasm kernel table (training-table.ts)
 * registers them; code that calls them first asks `tf.getKernel(name, backend)` and otherwise uses tfjs' ops.
 */

/**
 * The course's own kernel for a relu layer's gradient and its bias gradient, from the relu's output: outputs
 * [dy · step(y), Σ over every axis but the last of it], in one pass where the addon runs it (tfjs runs a Step, a
 * Multiply, then a Sum that reads the product again). Registered under the wasm backend by the kernel table;
 * elsewhere the gradient uses tfjs' ops.
 */
export const RELU_BIAS_GRADIENT_KERNEL = "CnnReluBiasGradient";

/**
 * The same for a relu layer followed by a max pool, taken from the pool's gradient: inputs as tfjs' MaxPoolGrad (dy,
 * input = the relu's output, output = the pool's), outputs [maxPoolGrad(dy) · step(input), its sum over every axis but
 * the last]. Where the addon runs it, one pass for the course's 2×2 pools, the pool's own gradient never stored.
 */
export const MAX_POOL_RELU_BIAS_GRADIENT_KERNEL = "CnnMaxPoolReluBiasGradient";

/**
 * Keras' RMSprop (lib/train/rmsprop.ts, no momentum, not centered) in two passes instead of nine kernels: the new mean
 * square, then the new weights. Registered under the wasm backend by the kernel table; elsewhere the optimizer uses
 * tfjs' ops. Same float32 operations in the same order, so the same numbers.
 */
export const RMSPROP_MEAN_SQUARE_KERNEL = "CnnRmspropMeanSquare";
export const RMSPROP_STEP_KERNEL = "CnnRmspropStep";
