/**
 * A training run's identity, computed from the objects that run: the model's architecture and layer configs
 * (dropout rate, initialisers, regularisers), the optimizer's class and config, loss and metrics, what the training
 * and validation data are (folder, image size, batch size, augmentation, images, or the tensors' checksum), steps,
 * epochs, seed, profile and precision. Nothing is typed twice: change any of these and it is a new run; only an
 * identical run resumes from a checkpoint.
 *
 * Two views of the same facts: `hash` (what checkpoints are keyed by) and `settings` (a flat, readable summary the
 * ledger stores and the comparison figures use to say what differs between runs).
 */
import * as crypto from "node:crypto";
import * as tf from "@tensorflow/tfjs";

/** Bump when what goes into the hash changes, so old checkpoints are never mistaken for new runs. */
export const RUN_IDENTITY_VERSION = 1;

export type SettingValue = string | number | boolean | null;

export interface RunIdentity {
  /** 16 hex digits of SHA-256 over everything that defines the run. */
  hash: string;
  /** A flat summary: model, optimizer, learning rate, dropout, l2, augmentation, image size, batch, … */
  settings: Record<string, SettingValue>;
  /** The full description the hash was computed from (stored in the ledger for inspection). */
  description: Record<string, unknown>;
}

export interface RunIdentityInputs {
  model: tf.LayersModel;
  /** A description of the training data (see `describeData`). */
  data: Record<string, unknown>;
  validation: Record<string, unknown> | null;
  epochs: number;
  batchesPerEpoch: number | null;
  validationBatches: number | null;
  validationSplit: number | null;
  shuffle: boolean | null;
  seed: number;
  profile: string;
  precision: string;
  /** Anything else the caller wants to count as part of the run (e.g. an experiment's name). */
  extra: Record<string, unknown>;
}

/** JSON with keys sorted, so equal objects always give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Drop every `name` (tfjs numbers layers per process: `conv2d_Conv2D7`) and version stamps, keep the rest. */
function withoutNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNames);
  if (value !== null && typeof value === "object") {
    const kept: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
      if (key === "name" || key === "keras_version" || key === "backend") continue;
      kept[key] = withoutNames(entry);
    }
    return kept;
  }
  return value;
}

interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

/** The architecture, layer by layer, without the per-process names. */
export function describeModel(model: tf.LayersModel): unknown {
  return withoutNames(model.toJSON(null, false));
}

function modelLayers(model: tf.LayersModel): LayerJson[] {
  const json = model.toJSON(null, false) as unknown as { config: { layers?: LayerJson[] } };
  return json.config.layers ?? [];
}

interface OptimizerDescription {
  className: string;
  config: Record<string, unknown>;
}

export function describeOptimizer(optimizer: tf.Optimizer | undefined): OptimizerDescription | null {
  if (!optimizer) return null;
  return { className: optimizer.getClassName(), config: optimizer.getConfig() as Record<string, unknown> };
}

function describeLoss(model: tf.LayersModel): unknown {
  const loss = (model as unknown as { loss?: unknown }).loss;
  const name = (entry: unknown) => (typeof entry === "function" ? entry.name || "function" : entry);
  return Array.isArray(loss) ? loss.map(name) : name(loss ?? null);
}

/** SHA-256 of a tensor's values: in-memory training data is identified by what it holds. */
export function tensorChecksum(tensor: tf.Tensor): string {
  const values = tensor.dataSync();
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return crypto.createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

/** A description of training or validation data of any kind `fitWithLedger` takes. */
export function describeData(data: unknown): Record<string, unknown> {
  if (data instanceof tf.Tensor) return { kind: "tensor", shape: data.shape, dtype: data.dtype, checksum: tensorChecksum(data) };
  if (Array.isArray(data)) return { kind: "tensors", parts: data.map(describeData) };
  if (data !== null && typeof data === "object") {
    const describable = data as { describe?: () => Record<string, unknown>; x?: unknown; y?: unknown };
    if (typeof describable.describe === "function") return describable.describe();
    if ("x" in describable && "y" in describable) return { kind: "xy", x: describeData(describable.x), y: describeData(describable.y) };
    return { kind: (data as object).constructor?.name ?? "object" };
  }
  if (typeof data === "function") {
    const describable = data as { describe?: () => Record<string, unknown> };
    if (typeof describable.describe === "function") return describable.describe();
    // A generator function: its source stands for what it yields.
    return { kind: "generator", source: crypto.createHash("sha256").update(String(data)).digest("hex").slice(0, 16) };
  }
  return { kind: typeof data };
}

/** The first Dropout rate, the L2 factor of the kernels, the input image size: what the legends name. */
function modelSettings(model: tf.LayersModel): Record<string, SettingValue> {
  const layers = modelLayers(model);
  const dropout = layers.find((layer) => layer.class_name === "Dropout")?.config.rate;
  const regularizer = layers
    .map((layer) => layer.config.kernel_regularizer as { config?: { l2?: number } } | null | undefined)
    .find((entry) => entry != null);
  const inputShape = model.inputs[0]?.shape ?? [];
  return {
    model: model.name,
    parameters: model.countParams(),
    "image size": inputShape.length === 4 ? `${inputShape[1]}×${inputShape[2]}` : null,
    dropout: typeof dropout === "number" ? dropout : null,
    l2: typeof regularizer?.config?.l2 === "number" ? regularizer.config.l2 : null,
  };
}

function dataSettings(data: Record<string, unknown>): Record<string, SettingValue> {
  if (data.kind !== "imageFolder") {
    return { "train data": data.kind === "xy" ? "tensors" : String(data.kind) };
  }
  const augment = data.augment as Record<string, unknown> | null;
  const classes = (data.classNames as string[]).length;
  return {
    "train images": data.samples as number,
    "images per class": Math.round((data.samples as number) / classes),
    batch: data.batchSize as number,
    augmentation: augment === null ? false : true,
  };
}

/** Compute a run's identity. */
export function runIdentity(inputs: RunIdentityInputs): RunIdentity {
  const { model } = inputs;
  const optimizer = describeOptimizer(model.optimizer);
  const description: Record<string, unknown> = {
    version: RUN_IDENTITY_VERSION,
    model: describeModel(model),
    optimizer,
    loss: describeLoss(model),
    metrics: model.metricsNames ?? null,
    data: inputs.data,
    validation: inputs.validation,
    epochs: inputs.epochs,
    batchesPerEpoch: inputs.batchesPerEpoch,
    validationBatches: inputs.validationBatches,
    validationSplit: inputs.validationSplit,
    shuffle: inputs.shuffle,
    seed: inputs.seed,
    profile: inputs.profile,
    precision: inputs.precision,
    extra: inputs.extra,
  };
  const hash = crypto.createHash("sha256").update(stableJson(description)).digest("hex").slice(0, 16);
  const optimizerConfig = optimizer?.config ?? {};
  const learningRate = optimizerConfig.learningRate ?? optimizerConfig.learning_rate;
  const settings: Record<string, SettingValue> = {
    ...modelSettings(model),
    optimizer: optimizer?.className ?? null,
    "learning rate": typeof learningRate === "number" ? learningRate : null,
    ...dataSettings(inputs.data),
    "steps per epoch": inputs.batchesPerEpoch,
    epochs: inputs.epochs,
    seed: inputs.seed,
    profile: inputs.profile,
    precision: inputs.precision,
    ...Object.fromEntries(
      Object.entries(inputs.extra).map(([key, value]) => [key, value === null || typeof value !== "object" ? (value as SettingValue) : stableJson(value)]),
    ),
  };
  return { hash, settings, description };
}
