/**
 * Checkpoints: after every epoch, the model's weights, the optimizer's state (RMSprop's moving averages, Adam's
 * moments, the iteration count) and the epoch count, under `runs/checkpoints/<run-key>/`. Restoring them into the same
 * architecture lets `fitWithLedger` continue at the next epoch exactly where an interrupted run stopped.
 *
 * Layout: `weights-epoch<N>.bin` (model weights, then optimizer weights) and `checkpoint.json`, written last and
 * atomically, naming the weights file with its size and SHA-256; so a crash (or a full disk) while saving leaves the
 * previous checkpoint intact, and a damaged weights file is noticed before tfjs decodes it: it is reported with its
 * path and the run starts fresh instead of crashing.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { courseEnv } from "../env";
import { safeName, type EpochRecord } from "./ledger";
import { joinWeightData } from "./model-io";

export const CHECKPOINT_FILE = "checkpoint.json";
const CHECKPOINT_FORMAT = 1;
const MODEL_PREFIX = "model/";
const OPTIMIZER_PREFIX = "optimizer/";

export interface CheckpointMeta {
  format: number;
  runName: string;
  /** Epochs completed. */
  epoch: number;
  /** The run identity's hash (lib/train/run-identity.ts): a checkpoint of another run is never resumed. */
  fingerprint: string;
  /** The ledger file of the run that wrote this checkpoint. */
  runFile: string;
  history: EpochRecord[];
  weightsFile: string;
  /** Size and SHA-256 of the weights file (absent in checkpoints written before they were recorded). */
  weightsBytes?: number;
  weightsSha256?: string;
  modelWeights: tf.io.WeightsManifestEntry[];
  optimizerWeights: tf.io.WeightsManifestEntry[];
  savedAt: string;
}

/** `runs/checkpoints/<run-key>/`. */
export function checkpointDir(runKey: string, runsDir: string = courseEnv().runsDir): string {
  return path.join(runsDir, "checkpoints", safeName(runKey));
}

function optimizerOf(model: tf.LayersModel): tf.Optimizer {
  if (!model.optimizer) throw new Error("checkpoints need a compiled model (call model.compile first)");
  return model.optimizer;
}

/** Write through a temporary file and rename; on failure (a full disk) the temporary file is removed, the target kept. */
function writeFileAtomically(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

type SavedFields = "format" | "weightsFile" | "weightsBytes" | "weightsSha256" | "modelWeights" | "optimizerWeights" | "savedAt";

/**
 * Save the model's and optimizer's state after `meta.epoch` epochs. Returns false when it could not be written (a full
 * disk, a read-only folder): that is reported through `warn` naming the folder, the previous checkpoint is kept, and
 * training can go on — a checkpoint is a safety net, not a reason to stop.
 */
export async function saveCheckpoint(
  model: tf.LayersModel,
  dir: string,
  meta: Omit<CheckpointMeta, SavedFields>,
  warn: (message: string) => void = (m) => console.warn(m),
): Promise<boolean> {
  const modelTensors = model.getWeights().map((tensor, i) => ({ name: `${MODEL_PREFIX}${i}`, tensor }));
  const optimizerTensors = (await optimizerOf(model).getWeights()).map((named, i) => ({
    name: `${OPTIMIZER_PREFIX}${i}`,
    tensor: named.tensor,
  }));
  const encoded = await tf.io.encodeWeights([...modelTensors, ...optimizerTensors]);
  // The iteration count comes back as a fresh scalar; model weights are the model's own tensors (not ours to free).
  optimizerTensors.forEach((named, i) => { if (i === 0) named.tensor.dispose(); });
  const weightsFile = `weights-epoch${meta.epoch}.bin`;
  const bytes = Buffer.from(joinWeightData(encoded.data));
  const full: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    ...meta,
    weightsFile,
    weightsBytes: bytes.byteLength,
    weightsSha256: crypto.createHash("sha256").update(bytes).digest("hex"),
    modelWeights: encoded.specs.slice(0, modelTensors.length),
    optimizerWeights: encoded.specs.slice(modelTensors.length),
    savedAt: new Date().toISOString(),
  };
  try {
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomically(path.join(dir, weightsFile), bytes);
    writeFileAtomically(path.join(dir, CHECKPOINT_FILE), `${JSON.stringify(full, null, 2)}\n`);
  } catch (error) {
    warn(`Warning: could not save the checkpoint after epoch ${meta.epoch} in ${dir}: ${(error as Error).message}. ` +
      "Training goes on; the previous checkpoint (if any) is kept.");
    return false;
  }
  for (const name of fs.readdirSync(dir)) {
    if (/^weights-epoch\d+\.bin$/.test(name) && name !== weightsFile) fs.rmSync(path.join(dir, name), { force: true });
  }
  return true;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2, complex64: 8 };

/** Bytes a manifest's weights take in the file; throws on an entry that is not a weight description. */
function manifestBytes(entries: unknown): number {
  if (!Array.isArray(entries)) throw new Error("its weight list is missing");
  let total = 0;
  for (const entry of entries as Array<Partial<tf.io.WeightsManifestEntry>>) {
    if (typeof entry?.name !== "string" || !Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error("a weight entry without name or shape");
    }
    const perValue = DTYPE_BYTES[entry.quantization?.dtype ?? String(entry.dtype)];
    if (perValue === undefined) throw new Error(`weight ${entry.name} has an unknown dtype ${String(entry.dtype)}`);
    total += entry.shape.reduce((a, b) => a * b, 1) * perValue;
  }
  return total;
}

/** Why the weights file does not match the checkpoint's description, or null when it does. */
function weightsProblem(dir: string, meta: CheckpointMeta): string | null {
  const file = path.join(dir, meta.weightsFile);
  if (!fs.existsSync(file)) return `its weights file ${file} is missing`;
  const bytes = fs.readFileSync(file);
  const expected = manifestBytes(meta.modelWeights) + manifestBytes(meta.optimizerWeights);
  if (bytes.byteLength !== expected || (meta.weightsBytes !== undefined && bytes.byteLength !== meta.weightsBytes)) {
    return `${file} holds ${bytes.byteLength} bytes, its checkpoint describes ${meta.weightsBytes ?? expected} (truncated or replaced)`;
  }
  if (meta.weightsSha256 !== undefined && crypto.createHash("sha256").update(bytes).digest("hex") !== meta.weightsSha256) {
    return `${file} does not match the SHA-256 recorded when it was saved (the file is damaged)`;
  }
  return null;
}

/** The checkpoint in `dir`, or null when there is none; a damaged one is reported through `warn` and ignored. */
export function readCheckpoint(dir: string, warn: (message: string) => void = (m) => console.warn(m)): CheckpointMeta | null {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return null;
  try {
    const meta = JSON.parse(fs.readFileSync(file, "utf8")) as CheckpointMeta;
    if (meta === null || meta.format !== CHECKPOINT_FORMAT || typeof meta.epoch !== "number" || !Array.isArray(meta.modelWeights)) {
      throw new Error("not a checkpoint of this format");
    }
    if (typeof meta.weightsFile !== "string" || path.basename(meta.weightsFile) !== meta.weightsFile) throw new Error("it names no weights file");
    if (!Array.isArray(meta.history)) throw new Error("it has no history");
    const problem = weightsProblem(dir, meta);
    if (problem !== null) throw new Error(problem);
    return meta;
  } catch (error) {
    warn(`Warning: ignoring damaged checkpoint ${file}: ${(error as Error).message}; the run starts from the beginning.`);
    return null;
  }
}

/** Load a checkpoint's weights into `model` and its optimizer (the model must be built and compiled the same way). */
export async function restoreCheckpoint(model: tf.LayersModel, dir: string, meta: CheckpointMeta): Promise<void> {
  const problem = weightsProblem(dir, meta);
  if (problem !== null) throw new Error(`cannot restore checkpoint ${path.join(dir, CHECKPOINT_FILE)}: ${problem}`);
  const bytes = fs.readFileSync(path.join(dir, meta.weightsFile));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buffer, [...meta.modelWeights, ...meta.optimizerWeights]);
  try {
    const modelWeights = meta.modelWeights.map((spec) => tensors[spec.name]);
    if (modelWeights.length !== model.weights.length) {
      throw new Error(`checkpoint ${dir} holds ${modelWeights.length} weight tensors, the model has ${model.weights.length}`);
    }
    model.weights.forEach((variable, i) => {
      if (!tf.util.arraysEqual(variable.shape as number[], modelWeights[i].shape)) {
        throw new Error(`checkpoint ${dir}: weight ${i} (${variable.name}) has shape [${modelWeights[i].shape}], the model's is [${variable.shape}]`);
      }
    });
    model.setWeights(modelWeights);
    await replaceOptimizerState(optimizerOf(model), meta.optimizerWeights.map((spec) => ({ name: spec.name, tensor: tensors[spec.name] })));
  } finally {
    // setWeights copies into variables, so the decoded tensors can go.
    Object.values(tensors).forEach((tensor) => tensor.dispose());
  }
}

/**
 * `optimizer.setWeights`, then dispose the state it replaced: tfjs' optimizers make new variables for the restored
 * accumulators and drop the old ones without disposing them (two tensors per weight for RMSprop, per resume).
 */
async function replaceOptimizerState(optimizer: tf.Optimizer, weights: Parameters<tf.Optimizer["setWeights"]>[0]): Promise<void> {
  // getWeights() returns the optimizer's own variables, after a fresh scalar holding the iteration count.
  const before = await optimizer.getWeights();
  before[0]?.tensor.dispose();
  await optimizer.setWeights(weights);
  const after = await optimizer.getWeights();
  after[0]?.tensor.dispose();
  const kept = new Set(after.slice(1).map((named) => named.tensor.id));
  for (const named of before.slice(1)) if (!kept.has(named.tensor.id) && !named.tensor.isDisposed) named.tensor.dispose();
}
