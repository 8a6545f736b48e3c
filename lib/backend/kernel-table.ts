/**
 * The one table from a tfjs kernel (op) to the implementations that may run it under the wasm backend, fastest
 * first, and the one dispatcher that picks among them. A candidate runs when its implementation is enabled on the
 * active path and `applies(inputs, attributes)` says yes; should it throw, what it allocated is freed, one warning
 * says so, and the next candidate that applies answers instead: a faster kernel may be slower to fail, never wrong.
 *
 * `recordKernelChoices(step, table)` (explainKernels in ./wasm-training.ts) runs a step and says, for every op it ran, which implementation ran and why the ones before
 * it were skipped; CNN_KERNEL_TRACE=1 (read when the path is selected) prints the same as it happens, once per op,
 * shapes and choice.
 */
import * as tf from "@tensorflow/tfjs";
import { courseSettings } from "../env/settings";
import { asWasmBackend, type WasmBackendInternals, type WasmKernelFunc } from "./wasm-internals";

/** Where a kernel comes from, as the folders of lib/backend are sorted. */
export type Implementation =
  | "onednn" // onednn/: the native addon, on views of the wasm heap
  | "simd" // simd/: the course's SIMD wasm kernels (own threads, or in the heap)
  | "composed" // stock/composed-*: chains of the backend's own (XNNPACK) kernels
  | "typescript" // stock/js-kernels: plain loops over the heap
  | "stock"; // tfjs-backend-wasm's own kernel

/** A kernel's inputs by name (an optional input, such as a bias, is simply absent). */
export type KernelInputs = { [name: string]: tf.TensorInfo };

export interface KernelCandidate {
  implementation: Implementation;
  /** What it is, in a few words ("oneDNN convolution"). */
  name: string;
  /** true when this candidate takes these operands, else the reason it does not. */
  applies(inputs: KernelInputs, attributes: tf.NamedAttrMap): true | string;
  /** The kernel's output, or its outputs in order (the course's relu-and-bias gradients have two). */
  run(backend: WasmBackendInternals, inputs: KernelInputs, attributes: tf.NamedAttrMap): tf.TensorInfo | tf.TensorInfo[];
}

export interface KernelTableRow {
  op: string;
  /** Fastest first; the last must apply to everything the op can be given (or the op throws, as stock would). */
  candidates: KernelCandidate[];
}

/** What one dispatch chose. */
export interface KernelChoice {
  op: string;
  /** Input shapes by input name ("x [64,28,28,1]"). */
  inputs: string;
  /** The same, as data, and the kernel's attributes (both empty for kernels outside the table). */
  shapes: Record<string, number[]>;
  attributes: tf.NamedAttrMap;
  implementation: Implementation | "stock (not in the table)";
  name: string;
  /** Why each candidate before the chosen one did not run. */
  skipped: string[];
}

/** Implementations switched off on the active path, with the reason (set by wasm-training.ts). */
const disabled = new Map<Implementation, string>();
/** CNN_KERNEL_TRACE, as read when the path was selected (not per call: reading the environment is not free). */
let traceKernels = false;

export function setDisabledImplementations(reasons: ReadonlyMap<Implementation, string>): void {
  disabled.clear();
  for (const [implementation, reason] of reasons) disabled.set(implementation, reason);
  traceKernels = courseSettings().kernelTrace;
}

let recorder: KernelChoice[] | null = null;
const traced = new Set<string>();
const warned = new Set<string>();

function describeInputs(inputs: KernelInputs): string {
  return Object.entries(inputs)
    .filter(([, info]) => info !== undefined && info !== null)
    .map(([name, info]) => `${name} [${info.shape.join(",")}]`)
    .join(", ");
}

/** Records (explainKernels) and prints (CNN_KERNEL_TRACE) a choice; builds nothing when neither is asked for. */
function note(op: string, inputs: KernelInputs, attributes: tf.NamedAttrMap, candidate: KernelCandidate, skipped: string[]): void {
  const trace = traceKernels;
  if (recorder === null && !trace) return;
  const choice: KernelChoice = {
    op,
    inputs: describeInputs(inputs),
    shapes: Object.fromEntries(Object.entries(inputs).filter(([, info]) => info != null).map(([name, info]) => [name, info.shape])),
    attributes,
    implementation: candidate.implementation,
    name: candidate.name,
    skipped,
  };
  recorder?.push(choice);
  if (!trace) return;
  const key = `${choice.op}|${choice.inputs}|${choice.name}`;
  if (traced.has(key)) return;
  traced.add(key);
  const reasons = choice.skipped.length > 0 ? ` (skipped: ${choice.skipped.join("; ")})` : "";
  console.error(`[kernel] ${choice.op} ${choice.inputs} → ${choice.name}${reasons}`);
}

/** A backend whose makeOutput remembers what it allocated, so a candidate that throws leaves nothing behind. */
function trackingBackend(backend: WasmBackendInternals): { backend: WasmBackendInternals; allocated: tf.TensorInfo[] } {
  const allocated: tf.TensorInfo[] = [];
  const tracking = Object.create(backend) as WasmBackendInternals;
  tracking.makeOutput = (shape, dtype) => {
    const info = backend.makeOutput(shape, dtype);
    allocated.push(info);
    return info;
  };
  return { backend: tracking, allocated };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/** The kernel function registered for `row.op`: the first enabled candidate that applies, falling back on throw. */
export function dispatcher(row: KernelTableRow): WasmKernelFunc {
  return (args) => {
    const backend = asWasmBackend(args.backend);
    const attributes = args.attrs ?? {};
    const inputs = args.inputs as unknown as KernelInputs;
    const skipped: string[] = [];
    const eligible: KernelCandidate[] = [];
    for (const candidate of row.candidates) {
      const off = disabled.get(candidate.implementation);
      const verdict = off === undefined ? candidate.applies(inputs, attributes) : off;
      if (verdict === true) eligible.push(candidate);
      else if (eligible.length === 0) skipped.push(`${candidate.name}: ${verdict}`);
    }
    if (eligible.length === 0) throw new Error(`no ${row.op} kernel applies here (${skipped.join("; ")})`);
    for (let index = 0; index < eligible.length; index++) {
      const candidate = eligible[index];
      const last = index === eligible.length - 1;
      if (last) {
        note(row.op, inputs, attributes, candidate, skipped);
        return candidate.run(backend, inputs, attributes);
      }
      const tracked = trackingBackend(backend);
      try {
        const out = candidate.run(tracked.backend, inputs, attributes);
        note(row.op, inputs, attributes, candidate, skipped);
        return out;
      } catch (error) {
        for (const info of tracked.allocated) if (backend.dataIdMap.has(info.dataId)) backend.disposeData(info.dataId);
        const reason = firstLine(error);
        const key = `${row.op}|${candidate.name}`;
        if (!warned.has(key)) {
          warned.add(key);
          console.warn(`${candidate.name} failed for ${row.op} (${reason}); using ${eligible[index + 1].name}`);
        }
        skipped.push(`${candidate.name}: threw (${reason})`);
      }
    }
    throw new Error("unreachable: the last eligible candidate returns or throws");
  };
}

/**
 * Runs `step` (e.g. one `model.trainOnBatch`) and lists every kernel it ran, in order: for ops in the table, the
 * implementation chosen and why the faster ones were skipped; other ops run the backend's stock kernel.
 */
export async function recordKernelChoices(step: () => unknown | Promise<unknown>, table: readonly KernelTableRow[]): Promise<KernelChoice[]> {
  const ops = new Set(table.map((row) => row.op));
  const choices: KernelChoice[] = [];
  recorder = choices;
  let profile: Awaited<ReturnType<typeof tf.profile>>;
  try {
    profile = await tf.profile(async () => {
      await step();
    });
  } finally {
    recorder = null;
  }
  // The engine runs (and profiles) kernels in the order the dispatchers recorded them; nested calls never reach
  // the engine, so the n-th profiled run of an op is its n-th recorded choice.
  const queues = new Map<string, KernelChoice[]>();
  for (const choice of choices) {
    const queue = queues.get(choice.op) ?? [];
    queue.push(choice);
    queues.set(choice.op, queue);
  }
  return profile.kernels.map((kernel) => {
    const recorded = ops.has(kernel.name) ? queues.get(kernel.name)?.shift() : undefined;
    if (recorded !== undefined) return recorded;
    const inputs = kernel.inputShapes.map((shape: number[] | undefined) => `[${(shape ?? []).join(",")}]`).join(", ");
    return { op: kernel.name, inputs, shapes: {}, attributes: {}, implementation: "stock (not in the table)", name: "tfjs-backend-wasm", skipped: [] };
  });
}

/** The explanation as lines for a reader: one per distinct op, inputs and choice, with a count. */
export function formatKernelChoices(choices: readonly KernelChoice[]): string[] {
  const counts = new Map<string, { choice: KernelChoice; count: number }>();
  for (const choice of choices) {
    const key = `${choice.op}|${choice.inputs}|${choice.name}|${choice.skipped.join(";")}`;
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { choice, count: 1 });
    else entry.count++;
  }
  return [...counts.values()].map(({ choice, count }) => {
    const times = count > 1 ? ` ×${count}` : "";
    const skipped = choice.skipped.length > 0 ? ` — skipped ${choice.skipped.join("; ")}` : "";
    return `${choice.op}${times} ${choice.inputs} → ${choice.name}${skipped}`;
  });
}
