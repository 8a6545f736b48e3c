/**
 * Add on the wasm+onednn path: a layer's bias broadcast over every row (x[..., C] + b[C]) — which layers do after each
 * convolution while gradients are recorded (tfjs un-fuses conv+bias+relu then) — runs in the addon's threaded loop,
 * about twice as fast as the stock kernel; every other Add goes to the stock kernel. (A JS loop was slower than the
 * stock kernel, so the pure wasm path keeps the stock Add.)
 */
import * as tf from "@tensorflow/tfjs";
import { asWasmBackend, type WasmBackendInternals, type WasmKernelArgs } from "./wasm-internals";
import { runStock } from "./stock-kernels";

type BiasAdd = (backend: WasmBackendInternals, x: tf.TensorInfo, bias: tf.TensorInfo, out: tf.TensorInfo, channels: number) => void;

/** The (tensor, bias) pair when the Add is a bias broadcast over rows, else null. */
export function biasAddOperands(a: tf.TensorInfo, b: tf.TensorInfo): { x: tf.TensorInfo; bias: tf.TensorInfo } | null {
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  for (const [x, bias] of [[a, b], [b, a]]) {
    const channels = x.shape[x.shape.length - 1];
    if (x.shape.length >= 2 && bias.shape.length === 1 && bias.shape[0] === channels) return { x, bias };
  }
  return null;
}

export function makeAddKernel(addBias: BiasAdd) {
  return (args: WasmKernelArgs): tf.TensorInfo => {
    const backend = asWasmBackend(args.backend);
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const operands = biasAddOperands(a, b);
    if (operands === null) return runStock("Add", backend, args.inputs, args.attrs);
    const out = backend.makeOutput(operands.x.shape, "float32");
    addBias(backend, operands.x, operands.bias, out, operands.bias.shape[0]);
    return out;
  };
}

