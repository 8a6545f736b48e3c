/**
 * Helpers for the backend tests: run the same computation on the cpu backend (the reference) and on a wasm training
 * path, and measure how far apart the results are.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { availableWasmTrainingPaths, selectWasmTrainingPath, type WasmTrainingPath } from "../../lib/backend/wasm-training";

export interface Result {
  shape: number[];
  values: Float32Array;
}

/** Set the backend and, for wasm, register the kernels of `path`. */
export async function useBackend(backend: "cpu" | WasmTrainingPath): Promise<void> {
  if (backend === "cpu") {
    await tf.setBackend("cpu");
    return;
  }
  await tf.setBackend("wasm");
  selectWasmTrainingPath(backend);
}

export function wasmPaths(): WasmTrainingPath[] {
  return availableWasmTrainingPaths();
}

/** Runs `compute` on the backend and returns its result as plain values (every tensor it made is freed). */
export async function resultOn(backend: "cpu" | WasmTrainingPath, compute: () => tf.Tensor): Promise<Result> {
  await useBackend(backend);
  const out = tf.tidy(compute);
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  return { shape, values: Float32Array.from(values) };
}

/**
 * Runs `compute` on the cpu backend and on `path` and expects the same shape and a scaled difference below
 * `tolerance` (or, with tolerance 0, none at all).
 */
export async function expectSameAsCpu(path: WasmTrainingPath, compute: () => tf.Tensor, tolerance: number, label?: string): Promise<void> {
  const reference = await resultOn("cpu", compute);
  const candidate = await resultOn(path, compute);
  expect(candidate.shape, label).to.deep.equal(reference.shape);
  const difference = scaledMaxDifference(reference, candidate);
  if (tolerance === 0) expect(difference, label).to.equal(0);
  else expect(difference, label).to.be.below(tolerance);
}

/** Largest |a − b| divided by max(1, largest |a|): an error relative to the result's scale. */
export function scaledMaxDifference(reference: Result, candidate: Result): number {
  if (reference.values.length !== candidate.values.length) return Number.POSITIVE_INFINITY;
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < reference.values.length; i++) {
    scale = Math.max(scale, Math.abs(reference.values[i]));
    const difference = Math.abs(reference.values[i] - candidate.values[i]);
    worst = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : Math.max(worst, difference);
  }
  return worst / scale;
}

/** Seeded values in [-1, 1), identical on every backend (generated in JS by tfjs-core). */
export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, "float32", seed);
}

/** Small integers (many ties), identical on every backend. */
export function seededIntegers(shape: number[], seed: number, levels: number): tf.Tensor {
  return tf.floor(tf.randomUniform(shape, 0, levels, "float32", seed));
}

export function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * Mocha hooks that put the backend (and the wasm path) back as they were, so these tests do not change what other
 * test files run on.
 */
export function restoreBackendAfter(): void {
  let saved: string | null = null;
  before(() => {
    saved = tf.getBackend() ?? null;
  });
  after(async () => {
    if (saved === null) return;
    await tf.setBackend(saved);
    if (saved === "wasm") selectWasmTrainingPath();
  });
}
