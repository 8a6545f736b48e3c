/** The reference ops on plain arrays (no tfjs): read them to see what a CNN layer computes. */
export type { Matrix, Volume } from "./arrays";
export { zeroPad } from "./pad";
export type { PaddingAmounts } from "./pad";
export { conv2d, conv2dVolume, convolveWindow, convolutionWindows, samePadding, paddingFor, flipKernel, trueConvolution } from "./conv2d";
export type { Conv2dOptions, PaddingMode, WindowComputation } from "./conv2d";
export { maxPool, averagePool } from "./pool";
export type { MaxPoolOptions, PooledMap } from "./pool";
export { flatten, stackChannels } from "./flatten";
export { dense } from "./dense";
export type { DenseActivation } from "./dense";
export { relu, reluMap, sigmoid, softmax } from "./activations";
export { convOutputSize, conv2dParameterCount, denseParameterCount, receptiveField, receptiveFields } from "./geometry";
export type { WindowLayer, ReceptiveFieldStep } from "./geometry";
