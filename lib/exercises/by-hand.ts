/**
 * The checkable questions of chapters 1–4 (and the shape arithmetic of later chapters). Each checker computes the
 * right answer with the course's reference ops, then hands it to `checkAnswer` with the advice that fits the
 * common mistakes.
 */
import type { Matrix } from "../ops/arrays";
import { conv2d, convolveWindow, type PaddingMode } from "../ops/conv2d";
import { zeroPad } from "../ops/pad";
import { averagePool, maxPool } from "../ops/pool";
import { relu } from "../ops/activations";
import { convOutputSize, conv2dParameterCount, denseParameterCount, receptiveField, type WindowLayer } from "../ops/geometry";
import { checkAnswer, type CheckResult, type Misconception } from "./check";

/** Options every checker passes through (tests switch printing off). */
export interface CheckerOptions {
  print?: boolean;
}

export interface OutputSizeQuestion {
  inputSize: number;
  kernelSize: number;
  stride?: number;
  /** "valid", "same", or a number of zeros on each side. Default "valid". */
  padding?: PaddingMode | number;
}

/** The side of the map the reference conv2d really produces (not just the formula): convolve a blank image. */
export function measuredOutputSize(q: OutputSizeQuestion): number {
  const stride = q.stride ?? 1;
  const padding = q.padding ?? "valid";
  const blank: Matrix = Array.from({ length: q.inputSize }, () => new Array<number>(q.inputSize).fill(0));
  const kernel: Matrix = Array.from({ length: q.kernelSize }, () => new Array<number>(q.kernelSize).fill(1));
  const map = typeof padding === "number"
    ? conv2d(padding > 0 ? zeroPad(blank, padding) : blank, kernel, { stride })
    : conv2d(blank, kernel, { stride, padding });
  return map.length;
}

/** "What side does the output have?" */
export function checkOutputSize(q: OutputSizeQuestion, answer: number | undefined, options: CheckerOptions = {}): CheckResult {
  const stride = q.stride ?? 1;
  const padding = q.padding ?? "valid";
  const expected = measuredOutputSize(q);
  const formula = convOutputSize(q.inputSize, q.kernelSize, stride, padding);
  if (formula !== expected) throw new Error(`internal: the formula gives ${formula} but conv2d gives ${expected}`);
  const p = padding === "valid" ? 0 : padding === "same" ? null : padding;
  const n = q.inputSize, k = q.kernelSize;
  const misconceptions: Misconception[] = [];
  if (p === 0) misconceptions.push({ answer: Math.ceil(n / stride), reconsider: `that is what "same" padding gives; "valid" adds no zeros and drops windows that do not fit.` });
  if (stride > 1) {
    misconceptions.push({ answer: convOutputSize(n, k, 1, padding), reconsider: `that is the size with stride 1. With stride ${stride} the window jumps ${stride} pixels, so divide the room it has by ${stride}.` });
    if (p !== null) misconceptions.push({ answer: Math.ceil((n + 2 * p - k) / stride) + 1, reconsider: "the window must fit entirely: round the division down (⌊ ⌋), not up." });
  }
  if (p !== null) {
    misconceptions.push({ answer: Math.floor((n + 2 * p - k) / stride), reconsider: "you counted the steps, not the positions: the window's first position counts too (+ 1)." });
    misconceptions.push({ answer: n, reconsider: "without enough padding the window cannot centre on the border pixels, so the map shrinks." });
  } else {
    misconceptions.push({ answer: n, reconsider: `"same" keeps the size only with stride 1; with stride ${stride} it gives ⌈n / ${stride}⌉.` });
    misconceptions.push({ answer: convOutputSize(n, k, stride, "valid"), reconsider: `that is "valid"; "same" pads so that no window is lost: ⌈n / s⌉.` });
  }
  const padText = p === null ? `"same": ⌈${n} / ${stride}⌉` : `⌊(${n} + 2·${p} − ${k}) / ${stride}⌋ + 1`;
  return checkAnswer(answer, expected, {
    question: `output side for a ${n}×${n} input, ${k}×${k} window, stride ${stride}, padding ${typeof padding === "number" ? padding : `"${padding}"`}`,
    explain: `${padText} = ${expected}.`,
    hint: "use ⌊(n + 2p − k) / s⌋ + 1: count where the window's top-left corner can sit.",
    misconceptions,
    print: options.print,
  });
}

/** "What number does the window at (row, col) produce?" */
export function checkWindowSum(image: Matrix, kernel: Matrix, row: number, col: number, answer: number | undefined, options: CheckerOptions & { activation?: "linear" | "relu" } = {}): CheckResult {
  const cell = convolveWindow(image, kernel, row, col);
  const expected = options.activation === "relu" ? relu([cell.sum])[0] : cell.sum;
  const misconceptions: Misconception[] = [];
  if (options.activation === "relu") misconceptions.push({ answer: cell.sum, reconsider: "that is the sum before the activation; ReLU turns a negative sum into 0." });
  const flipped = convolveWindow(image, kernel.slice().reverse().map((r) => r.slice().reverse()), row, col).sum;
  misconceptions.push({ answer: flipped, reconsider: "you turned the kernel round (true convolution); CNN layers lay it on the window as it is." });
  return checkAnswer(answer, expected, {
    question: `output cell (${row},${col})${options.activation === "relu" ? " after ReLU" : ""}`,
    explain: `window × kernel, added up: ${cell.products.flat().join(" + ")} = ${cell.sum}${options.activation === "relu" ? ` → ReLU → ${expected}` : ""}.`,
    hint: `take the ${kernel.length}×${kernel[0].length} window whose top-left pixel is (${row},${col}), multiply each pixel by the weight on top of it and add the products.`,
    misconceptions,
    print: options.print,
  });
}

/** "Write down the whole feature map." */
export function checkFeatureMap(image: Matrix, kernel: Matrix, conv: { stride?: number; padding?: PaddingMode }, answer: Matrix | undefined, options: CheckerOptions = {}): CheckResult {
  const expected = conv2d(image, kernel, conv);
  return checkAnswer(answer, expected, {
    question: `feature map (stride ${conv.stride ?? 1}, padding "${conv.padding ?? "valid"}")`,
    explain: `${expected.length}×${expected[0].length}, one sum per window position.`,
    hint: "compare your map cell by cell with convolveWindow(image, kernel, row·stride, col·stride).sum.",
    print: options.print,
  });
}

export interface PoolingQuestion {
  kind: "max" | "average";
  size?: number;
  stride?: number;
}

/** "What does pooling make of this map?" */
export function checkPooling(map: Matrix, q: PoolingQuestion, answer: Matrix | undefined, options: CheckerOptions = {}): CheckResult {
  const settings = { size: q.size ?? 2, stride: q.stride };
  const maxed = maxPool(map, settings).values;
  const averaged = averagePool(map, settings);
  const expected = q.kind === "max" ? maxed : averaged;
  return checkAnswer(answer, expected, {
    question: `${settings.size}×${settings.size} ${q.kind} pooling`,
    explain: q.kind === "max" ? "each block keeps its largest value." : "each block becomes the mean of its values.",
    hint: `cut the map into ${settings.size}×${settings.size} blocks (stride ${settings.stride ?? settings.size}) and keep each block's ${q.kind === "max" ? "largest value" : "mean"}.`,
    misconceptions: [{ answer: q.kind === "max" ? averaged : maxed, reconsider: `that is ${q.kind === "max" ? "average" : "max"} pooling.` }],
    tolerance: 0.01,
    print: options.print,
  });
}

export interface ConvLayerQuestion {
  kernelSize: number;
  inChannels: number;
  filters: number;
}

/** "How many parameters has this convolution layer?" */
export function checkConvParameters(q: ConvLayerQuestion, answer: number | undefined, options: CheckerOptions = {}): CheckResult {
  const { kernelSize: k, inChannels: c, filters: f } = q;
  const expected = conv2dParameterCount(k, c, f);
  return checkAnswer(answer, expected, {
    question: `parameters of Conv2D(${f} filters, ${k}×${k}) on ${c} input channel${c === 1 ? "" : "s"}`,
    explain: `${f} × (${k}·${k}·${c} weights + 1 bias) = ${expected.toLocaleString("en-US")}.`,
    hint: "each filter has one weight per (row, column, input channel) of its window, plus one bias.",
    misconceptions: [
      { answer: conv2dParameterCount(k, c, f, false), reconsider: "every filter also learns one bias." },
      { answer: conv2dParameterCount(k, 1, f), reconsider: `a filter spans all ${c} input channels: it has ${k}·${k}·${c} weights, not ${k}·${k}.` },
      { answer: k * k * c + 1, reconsider: `that is one filter; the layer has ${f}.` },
    ],
    print: options.print,
  });
}

/** "How many parameters has this dense layer?" */
export function checkDenseParameters(q: { inputs: number; units: number }, answer: number | undefined, options: CheckerOptions = {}): CheckResult {
  const expected = denseParameterCount(q.inputs, q.units);
  return checkAnswer(answer, expected, {
    question: `parameters of Dense(${q.units}) on ${q.inputs.toLocaleString("en-US")} inputs`,
    explain: `${q.inputs.toLocaleString("en-US")} × ${q.units} weights + ${q.units} biases = ${expected.toLocaleString("en-US")}.`,
    hint: "one weight for every (input, unit) pair, plus one bias per unit.",
    misconceptions: [{ answer: denseParameterCount(q.inputs, q.units, false), reconsider: "every unit also learns one bias." }],
    print: options.print,
  });
}

/** "How long is the vector after Flatten?" */
export function checkFlattenLength(shape: [number, number, number], answer: number | undefined, options: CheckerOptions = {}): CheckResult {
  const [h, w, c] = shape;
  const expected = h * w * c;
  return checkAnswer(answer, expected, {
    question: `length after flattening a ${h}×${w}×${c} stack`,
    explain: `${h} × ${w} × ${c} = ${expected.toLocaleString("en-US")}: flattening keeps every number.`,
    hint: "flattening keeps every number of every map: rows × columns × channels.",
    misconceptions: [{ answer: h * w, reconsider: `there are ${c} maps (channels), each with ${h}×${w} numbers.` }],
    print: options.print,
  });
}

/** "How many input pixels across does one unit of the last layer see?" */
export function checkReceptiveField(layers: WindowLayer[], answer: number | undefined, options: CheckerOptions & { unitOf?: string } = {}): CheckResult {
  const expected = receptiveField(layers);
  const ignoringStrides = receptiveField(layers.map((l) => ({ ...l, stride: 1 })));
  const path = layers.map((l) => l.name ?? `${l.kernelSize}×${l.kernelSize}/${l.stride}`).join(" → ");
  return checkAnswer(answer, expected, {
    question: options.unitOf === undefined ? `receptive field after ${path}` : `receptive field of one unit of ${options.unitOf}`,
    explain: `each layer widens it by (k − 1) × the product of the strides before it: ${expected}×${expected} input pixels.`,
    hint: "start at 1; each window of k adds (k − 1) × jump, and each stride multiplies the jump.",
    misconceptions: [
      { answer: ignoringStrides, reconsider: "after a pooling (stride 2) neighbouring units are 2 pixels apart, so later windows reach further." },
      { answer: layers.reduce((s, l) => s + l.kernelSize, 0), reconsider: "windows overlap: adding the sizes counts shared pixels twice. Each layer adds (k − 1) × jump." },
    ],
    print: options.print,
  });
}
