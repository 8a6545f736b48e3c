/**
 * Conv2D and FusedConv2D for the pure wasm path: the course's SIMD kernels on all cores where they apply (NHWC,
 * output channels a multiple of 8, bias and relu or no activation), XNNPACK's single-threaded kernel elsewhere.
 */
import * as tf from "@tensorflow/tfjs";
import { asWasmBackend } from "./wasm-internals";
import { runStock } from "./stock-kernels";
import { simdConv2D } from "./simd-convolutions";
import { simdKernelsEnabled } from "../simd/kernel-threads";

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

export function conv2DKernel(args: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, filter } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DAttrs;
  const out = simdKernelsEnabled() ? simdConv2D(backend, x, filter, null, attrs) : null;
  return out ?? runStock("Conv2D", backend, args.inputs, args.attrs);
}

export function fusedConv2DKernel(args: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, filter, bias, preluActivationWeights } = args.inputs as unknown as {
    x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo;
  };
  const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
  const out =
    simdKernelsEnabled() && preluActivationWeights === undefined ? simdConv2D(backend, x, filter, bias ?? null, attrs) : null;
  return out ?? runStock("FusedConv2D", backend, args.inputs, args.attrs);
}
