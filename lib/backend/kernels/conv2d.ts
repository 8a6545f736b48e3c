/**
 * Conv2D and FusedConv2D for the pure wasm path: the course's SIMD kernels on all cores where they apply (NHWC,
 * output channels a multiple of 8, bias and relu or no activation), XNNPACK's single-threaded kernel elsewhere.
 */
import * as tf from "@tensorflow/tfjs";
import { asWasmBackend, type WasmKernelArgs } from "./wasm-internals";
import { runStock } from "./stock-kernels";
import { simdConv2D } from "./simd-convolutions";
import { whenSimdKernels } from "../simd/kernel-threads";

export function conv2DKernel(args: WasmKernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, filter } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DAttrs;
  return whenSimdKernels(() => simdConv2D(backend, x, filter, null, attrs)) ?? runStock("Conv2D", backend, args.inputs, args.attrs);
}

export function fusedConv2DKernel(args: WasmKernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, filter, bias, preluActivationWeights } = args.inputs as unknown as {
    x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo;
  };
  const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
  const simd = () => (preluActivationWeights === undefined ? simdConv2D(backend, x, filter, bias ?? null, attrs) : null);
  return whenSimdKernels(simd) ?? runStock("FusedConv2D", backend, args.inputs, args.attrs);
}
