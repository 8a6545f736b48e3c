/**
 * Checkpoints: after every epoch, the model's weights, the optimizer's state (RMSprop's moving averages, Adam's
 * moments, the iteration count) and the epoch count, under `runs/checkpoints/<run-key>/`. Restoring them into the same
 * architecture lets `fitWithLedger` continue at the next epoch exactly where an interrupted run stopped.
 *
 * Layout: `weights-epoch<N>.bin` (model weights, then optimizer weights) and `checkpoint.json`, written last and
 * atomically, naming the weights file; so a crash while saving leaves the previous checkpoint intact.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { courseEnv } from "../env";
import { safeName, writeJsonAtomically, type EpochRecord } from "./ledger";
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

/** Save the model's and optimizer's state after `meta.epoch` epochs. */
export async function saveCheckpoint(
  model: tf.LayersModel,
  dir: string,
  meta: Omit<CheckpointMeta, "format" | "weightsFile" | "modelWeights" | "optimizerWeights" | "savedAt">,
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const modelTensors = model.getWeights().map((tensor, i) => ({ name: `${MODEL_PREFIX}${i}`, tensor }));
  const optimizerTensors = (await optimizerOf(model).getWeights()).map((named, i) => ({
    name: `${OPTIMIZER_PREFIX}${i}`,
    tensor: named.tensor,
  }));
  const encoded = await tf.io.encodeWeights([...modelTensors, ...optimizerTensors]);
  // The iteration count comes back as a fresh scalar; model weights are the model's own tensors (not ours to free).
  optimizerTensors.forEach((named, i) => { if (i === 0) named.tensor.dispose(); });
  const weightsFile = `weights-epoch${meta.epoch}.bin`;
  fs.writeFileSync(path.join(dir, weightsFile), Buffer.from(joinWeightData(encoded.data)));
  const full: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    ...meta,
    weightsFile,
    modelWeights: encoded.specs.slice(0, modelTensors.length),
    optimizerWeights: encoded.specs.slice(modelTensors.length),
    savedAt: new Date().toISOString(),
  };
  writeJsonAtomically(path.join(dir, CHECKPOINT_FILE), full);
  for (const name of fs.readdirSync(dir)) {
    if (/^weights-epoch\d+\.bin$/.test(name) && name !== weightsFile) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** The checkpoint in `dir`, or null when there is none; a damaged one is reported through `warn` and ignored. */
export function readCheckpoint(dir: string, warn: (message: string) => void = (m) => console.warn(m)): CheckpointMeta | null {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return null;
  try {
    const meta = JSON.parse(fs.readFileSync(file, "utf8")) as CheckpointMeta;
    if (meta.format !== CHECKPOINT_FORMAT || typeof meta.epoch !== "number" || !Array.isArray(meta.modelWeights)) {
      throw new Error("not a checkpoint of this format");
    }
    if (!fs.existsSync(path.join(dir, meta.weightsFile))) throw new Error(`its weights file ${meta.weightsFile} is missing`);
    return meta;
  } catch (error) {
    warn(`Warning: ignoring damaged checkpoint ${file}: ${(error as Error).message}`);
    return null;
  }
}

/** Load a checkpoint's weights into `model` and its optimizer (the model must be built and compiled the same way). */
export async function restoreCheckpoint(model: tf.LayersModel, dir: string, meta: CheckpointMeta): Promise<void> {
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
    await optimizerOf(model).setWeights(meta.optimizerWeights.map((spec) => ({ name: spec.name, tensor: tensors[spec.name] })));
  } finally {
    // setWeights copies into variables, so the decoded tensors can go.
    Object.values(tensors).forEach((tensor) => tensor.dispose());
  }
}
