/** Exercises: check a learner's answer in the cell, against answers the course computes itself. */
export { checkAnswer, sameAnswer, CheckResult } from "./check";
export type { Answer, CheckOptions, Misconception } from "./check";
export {
  checkOutputSize, checkWindowSum, checkFeatureMap, checkPooling, checkConvParameters, checkDenseParameters, checkFlattenLength,
  checkReceptiveField, measuredOutputSize,
} from "./by-hand";
export type { OutputSizeQuestion, PoolingQuestion, ConvLayerQuestion, CheckerOptions } from "./by-hand";
export { windowLayersOf, layerParameterCount, checkLayerParameters, checkLayerOutputShape, checkModelReceptiveField } from "./models";
