/**
 * Checkable questions about the course's tfjs models (chapters 5–9): a layer's output shape, its parameter count,
 * a unit's receptive field. The answers come from the model itself and from the shape arithmetic in lib/ops.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dParameterCount, convOutputSize, denseParameterCount, type WindowLayer } from "../ops/geometry";
import { checkAnswer, type CheckResult } from "./check";
import { checkReceptiveField, type CheckerOptions } from "./by-hand";

const WINDOW_LAYERS = new Set(["Conv2D", "MaxPooling2D", "AveragePooling2D"]);

interface WindowConfig {
  kernelSize?: number | number[];
  poolSize?: number | number[];
  strides?: number | number[] | null;
  filters?: number;
  units?: number;
  padding?: string;
}

function first(value: number | number[] | null | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  return Array.isArray(value) ? value[0] : value;
}

/** The windows of `model` up to and including `untilLayer` (all of them if omitted), for the receptive field. */
export function windowLayersOf(model: tf.LayersModel, untilLayer?: string): WindowLayer[] {
  const layers: WindowLayer[] = [];
  for (const layer of model.layers) {
    if (WINDOW_LAYERS.has(layer.getClassName())) {
      const config = layer.getConfig() as WindowConfig;
      const kernelSize = first(config.kernelSize ?? config.poolSize, 1);
      // Keras pools with stride = pool size when strides are not given.
      const stride = first(config.strides, layer.getClassName() === "Conv2D" ? 1 : kernelSize);
      layers.push({ name: layer.name, kernelSize, stride });
    }
    if (layer.name === untilLayer) return layers;
  }
  if (untilLayer !== undefined) throw new Error(`the model has no layer "${untilLayer}"`);
  return layers;
}

function layerOf(model: tf.LayersModel, name: string): tf.layers.Layer {
  try {
    return model.getLayer(name);
  } catch {
    throw new Error(`the model has no layer "${name}"; its layers are ${model.layers.map((l) => l.name).join(", ")}`);
  }
}

function inputShapeOf(layer: tf.layers.Layer): number[] {
  const shape = layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape;
  return (shape as Array<number | null>).slice(1).map((v) => v ?? 0);
}

/**
 * The parameter count of a Conv2D or Dense layer from its configuration (the arithmetic of chapter 1), checked
 * against tfjs's own count.
 */
export function layerParameterCount(model: tf.LayersModel, layerName: string): number {
  const layer = layerOf(model, layerName);
  const config = layer.getConfig() as WindowConfig;
  const input = inputShapeOf(layer);
  let count: number;
  if (layer.getClassName() === "Conv2D") count = conv2dParameterCount(first(config.kernelSize, 1), input[input.length - 1], config.filters ?? 0);
  else if (layer.getClassName() === "Dense") count = denseParameterCount(input[input.length - 1], config.units ?? 0);
  else count = 0;
  if (count !== layer.countParams()) throw new Error(`internal: ${layerName} has ${layer.countParams()} parameters by tfjs, ${count} by hand`);
  return count;
}

/** "How many parameters has layer `layerName`?" */
export function checkLayerParameters(model: tf.LayersModel, layerName: string, answer: number | undefined, options: CheckerOptions = {}): CheckResult {
  const layer = layerOf(model, layerName);
  const expected = layerParameterCount(model, layerName);
  const input = inputShapeOf(layer);
  const config = layer.getConfig() as WindowConfig;
  const kind = layer.getClassName();
  const explain = kind === "Conv2D"
    ? `${config.filters} filters × (${first(config.kernelSize, 1)}·${first(config.kernelSize, 1)}·${input[input.length - 1]} weights + 1 bias) = ${expected.toLocaleString("en-US")}.`
    : kind === "Dense"
      ? `${input[input.length - 1].toLocaleString("en-US")} inputs × ${config.units} units + ${config.units} biases = ${expected.toLocaleString("en-US")}.`
      : `${kind} has no weights to learn.`;
  return checkAnswer(answer, expected, {
    question: `parameters of ${layerName} (${kind})`,
    explain,
    hint: kind === "Conv2D"
      ? "a filter spans every input channel: k·k·channels weights, plus one bias, times the number of filters."
      : kind === "Dense" ? "one weight per (input, unit) pair, plus one bias per unit." : "pooling, flattening and dropout learn nothing.",
    misconceptions: kind === "Conv2D"
      ? [{ answer: expected - (config.filters ?? 0), reconsider: "every filter also learns one bias." }]
      : kind === "Dense" ? [{ answer: expected - (config.units ?? 0), reconsider: "every unit also learns one bias." }] : [],
    print: options.print,
  });
}

/** "What shape does layer `layerName` output (without the batch dimension)?" */
export function checkLayerOutputShape(model: tf.LayersModel, layerName: string, answer: number[] | undefined, options: CheckerOptions = {}): CheckResult {
  const layer = layerOf(model, layerName);
  const expected = (layer.outputShape as Array<number | null>).slice(1).map((v) => v ?? 0);
  const input = inputShapeOf(layer);
  const config = layer.getConfig() as WindowConfig;
  const misconceptions = [];
  if (layer.getClassName() === "Conv2D" && input.length === 3) {
    const k = first(config.kernelSize, 1);
    misconceptions.push({ answer: [convOutputSize(input[0], k, 1, "same"), convOutputSize(input[1], k, 1, "same"), expected[2]], reconsider: `the layer uses padding "${config.padding}": a ${k}×${k} window loses ${k - 1} rows and columns.` });
    misconceptions.push({ answer: [expected[0], expected[1], input[2]], reconsider: "the number of channels out is the number of filters, not the channels in." });
  }
  return checkAnswer(answer, expected, {
    question: `output shape of ${layerName} (${layer.getClassName()})`,
    explain: `[${expected.join(", ")}] (model.summary() shows it with the batch size first, as null).`,
    hint: `its input is [${input.join(", ")}]; work out each side with ⌊(n + 2p − k) / s⌋ + 1 and the channels from the filters.`,
    misconceptions,
    print: options.print,
  });
}

/** "How many input pixels across does one unit of layer `layerName` see?" */
export function checkModelReceptiveField(model: tf.LayersModel, layerName: string, answer: number | undefined, options: CheckerOptions = {}): CheckResult {
  return checkReceptiveField(windowLayersOf(model, layerName), answer, { ...options, unitOf: layerName });
}
