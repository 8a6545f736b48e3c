/**
 * Identity and same-dtype Cast that share the input's data (a reference count, as the cpu backend does) instead of
 * copying it. The engine clones every tensor it saves for the backward pass and the relu gradient casts float32 to
 * float32, so on the wasm backend's copying kernels a training step spent several percent in plain memcpy.
 */
import * as tf from "@tensorflow/tfjs";
import { asWasmBackend, type WasmKernelArgs } from "./wasm-internals";
import { runStock } from "./stock-kernels";

function share(args: WasmKernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function identityKernel(args: WasmKernelArgs): tf.TensorInfo {
  return share(args);
}

export function castKernel(args: WasmKernelArgs): tf.TensorInfo {
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (dtype === x.dtype) return share(args);
  return runStock("Cast", asWasmBackend(args.backend), args.inputs, args.attrs);
}
