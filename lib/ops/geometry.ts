/**
 * The arithmetic of a convnet's shapes, without running it: how big a layer's output is, how many numbers a layer
 * learns, and how much of the input one unit can see (its receptive field). Chapters 1–5 state these numbers; the
 * exercises check a learner's answers against them.
 */
import type { PaddingMode } from "./conv2d";

function checkWhole(value: number, what: string, least: number): void {
  if (!Number.isInteger(value) || value < least) throw new Error(`${what} must be a whole number ≥ ${least}, not ${value}`);
}

/**
 * Output side of a convolution or pooling window: ⌊(n + 2p − k) / s⌋ + 1, with p zeros on each side. "same" is
 * tfjs/Keras' rule, ⌈n / s⌉ (it pads whatever that takes); "valid" is p = 0.
 */
export function convOutputSize(inputSize: number, kernelSize: number, stride = 1, padding: PaddingMode | number = "valid"): number {
  checkWhole(inputSize, "input size", 1);
  checkWhole(kernelSize, "kernel size", 1);
  checkWhole(stride, "stride", 1);
  if (padding === "same") return Math.ceil(inputSize / stride);
  const p = padding === "valid" ? 0 : padding;
  checkWhole(p, "padding", 0);
  if (inputSize + 2 * p < kernelSize) {
    throw new Error(`a ${kernelSize}-wide window does not fit in ${inputSize} pixels with ${p} zeros on each side`);
  }
  return Math.floor((inputSize + 2 * p - kernelSize) / stride) + 1;
}

/** Weights of a Conv2D layer: each filter is k × k × inChannels weights plus one bias. */
export function conv2dParameterCount(kernelSize: number, inChannels: number, filters: number, useBias = true): number {
  checkWhole(kernelSize, "kernel size", 1);
  checkWhole(inChannels, "input channels", 1);
  checkWhole(filters, "filters", 1);
  return filters * (kernelSize * kernelSize * inChannels + (useBias ? 1 : 0));
}

/** Weights of a Dense layer: one weight per (input, unit) pair plus one bias per unit. */
export function denseParameterCount(inputs: number, units: number, useBias = true): number {
  checkWhole(inputs, "inputs", 1);
  checkWhole(units, "units", 1);
  return inputs * units + (useBias ? units : 0);
}

/** One layer as the receptive-field arithmetic sees it: a window of `kernelSize` moved by `stride`. */
export interface WindowLayer {
  name?: string;
  kernelSize: number;
  stride: number;
}

export interface ReceptiveFieldStep {
  name: string;
  /** Side of the square of input pixels one unit of this layer depends on. */
  receptiveField: number;
  /** How many input pixels apart two neighbouring units of this layer are. */
  jump: number;
}

/**
 * Receptive field after each layer. A window of k units, each `jump` input pixels apart, widens the field by
 * (k − 1) · jump; a stride multiplies the jump. Padding moves the field, it does not change its size.
 */
export function receptiveFields(layers: WindowLayer[]): ReceptiveFieldStep[] {
  let receptiveField = 1;
  let jump = 1;
  return layers.map((layer, i) => {
    checkWhole(layer.kernelSize, `layer ${i}: kernel size`, 1);
    checkWhole(layer.stride, `layer ${i}: stride`, 1);
    receptiveField += (layer.kernelSize - 1) * jump;
    jump *= layer.stride;
    return { name: layer.name ?? `layer ${i}`, receptiveField, jump };
  });
}

/** Side of the input square one unit of the last layer sees (1 for no layers: a pixel sees itself). */
export function receptiveField(layers: WindowLayer[]): number {
  const steps = receptiveFields(layers);
  return steps.length === 0 ? 1 : steps[steps.length - 1].receptiveField;
}
