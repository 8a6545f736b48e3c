/**
 * `fitWithLedger`: `model.fit` / `model.fitDataset` with a progress line, a run in the ledger, a checkpoint after
 * every epoch, and resumption from the last checkpoint when the identical run is trained again (the run's identity
 * comes from the model, optimizer, data and schedule themselves: lib/train/run-identity.ts).
 */
import * as fs from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { currentBackend } from "../backend";
import { courseEnv, displayPath } from "../env";
import { courseSettings } from "../env/settings";
import { mixSeeds, seededRandom } from "../env/random";
import { checkpointDir, readCheckpoint, restoreCheckpoint, saveCheckpoint } from "./checkpoint";
import { describeData, runIdentity, type RunIdentity } from "./run-identity";
import { createRun, listRuns, updateRun, type EpochRecord, type RunRecord, LEDGER_FORMAT_VERSION } from "./ledger";
import type { LiveLineTarget } from "./live-line";
import { TrainingLog } from "./progress";

/** One batch as `model.fitDataset` takes it. */
export type Batch = {
  xs: tf.Tensor | tf.Tensor[];
  ys: tf.Tensor | tf.Tensor[];
};

/** A function returning a fresh iterator of batches each epoch (e.g. an image-folder generator). */
export type BatchGenerator = () => Iterator<Batch> | AsyncIterator<Batch>;

/** In-memory tensors (Keras `fit(x, y)`), a `tf.data.Dataset` of batches, or a batch generator. */
export type TrainingData = { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] } | tf.data.Dataset<Batch> | BatchGenerator;

export type ValidationData = [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]] | tf.data.Dataset<Batch> | BatchGenerator;

export interface FitWithLedgerOptions {
  epochs: number;
  /** Batch size for in-memory tensors (datasets and generators batch themselves). Keras' default: 32. */
  batchSize?: number;
  validationData?: ValidationData;
  /** Fraction of in-memory training data held out for validation (Keras' `validation_split`). */
  validationSplit?: number;
  /** Steps per epoch for a dataset or generator (Keras' `steps_per_epoch`); needed when it does not end by itself. */
  batchesPerEpoch?: number;
  /** Validation steps for a validation dataset or generator (Keras' `validation_steps`). */
  validationBatches?: number;
  shuffle?: boolean;
  /** The ledger folder (`runs/<profile>/<notebook>/`); by default CNN_NOTEBOOK, else "scratch". */
  notebook?: string;
  /** The model's name in the ledger; by default `model.name`. */
  modelName?: string;
  /** The run's name in legends and checkpoint folders; by default `<notebook>-<modelName>`. */
  runName?: string;
  /**
   * Labels for this run beyond what the objects say (e.g. `{ experiment: "grid" }`): recorded, and part of the run's
   * identity. Model, optimizer, data, epochs, seed and profile are read from the objects, never from here.
   */
  labels?: Record<string, unknown>;
  /** Seed of every random draw tfjs makes during training (shuffles, dropout masks); default: the course seed. */
  seed?: number;
  /** Save a checkpoint after each epoch (default true). */
  checkpoints?: boolean;
  /** Continue from the identical run's last checkpoint when there is one (default true). */
  resume?: boolean;
  /**
   * When no checkpoint holds this run, read back the identical complete run from the notebook's ledger instead of
   * training it again (default false). For runs compared by their curves whose trained weights are not used
   * afterwards — the model is left untrained — such as a clone whose committed ledger has no checkpoints.
   */
  readBackCompleteRun?: boolean;
  /** Show the progress line (default true), or force where it is drawn. */
  progress?: boolean | LiveLineTarget;
  /** More callbacks, passed to tfjs as they are. */
  callbacks?: tf.CustomCallbackArgs;
  /** The ledger's root (default `courseEnv().runsDir`; tests use a temporary folder). */
  runsDir?: string;
  /** Where messages (resume notes, warnings) go; default console.log. */
  log?: (message: string) => void;
}

export interface FitResult {
  /** Per-metric values for every epoch trained so far, including epochs restored from a checkpoint. */
  history: Record<string, number[]>;
  /** The run's identity: its hash and the settings legends compare. */
  identity: RunIdentity;
  /** The 1-based epoch number of each history entry. */
  epochs: number[];
  /** Epochs restored from a checkpoint before this run trained (0 when it started fresh). */
  resumedAtEpoch: number;
  /** Mean wall time of the epochs this run trained, in seconds (NaN if it trained none). */
  secondsPerEpoch: number;
  run: RunRecord;
  runFile: string;
}

/** tfjs logs `acc`; the course uses Keras' current names (`accuracy`, `val_accuracy`). */
export function kerasMetricName(name: string): string {
  if (name === "acc") return "accuracy";
  if (name === "val_acc") return "val_accuracy";
  return name;
}

function numericLogs(logs: tf.Logs | undefined): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(logs ?? {})) {
    if (name === "batch" || name === "size" || typeof value !== "number") continue;
    metrics[kerasMetricName(name)] = value;
  }
  return metrics;
}

function isTensorData(data: TrainingData): data is { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] } {
  return typeof data === "object" && "x" in data && "y" in data;
}

function asDataset(data: tf.data.Dataset<Batch> | BatchGenerator): tf.data.Dataset<Batch> {
  if (typeof data === "function") {
    return tf.data.generator(data as unknown as () => Iterator<tf.TensorContainer>) as unknown as tf.data.Dataset<Batch>;
  }
  return data;
}

function firstTensor(value: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(value) ? value[0] : value;
}

/** Training batches per epoch, when it can be known before training. */
function stepsPerEpoch(data: TrainingData, options: FitWithLedgerOptions): number | null {
  if (isTensorData(data)) {
    const samples = firstTensor(data.x).shape[0];
    const trainSamples = options.validationSplit ? Math.floor(samples * (1 - options.validationSplit)) : samples;
    return Math.ceil(trainSamples / (options.batchSize ?? 32));
  }
  if (options.batchesPerEpoch !== undefined) return options.batchesPerEpoch;
  if (typeof data !== "function" && Number.isFinite(data.size) && data.size > 0) return data.size;
  return null;
}

/** Separates the training draws (shuffles, dropout) from the other streams seeded by the same course seed. */
const RANDOM_STREAM = 0x46495421;

/** The precision policy training runs in: "mixed_bfloat16" when the backend reports it, else Keras' "float32". */
function activePrecision(): string {
  const report = currentBackend() as { precision?: string } | null;
  return report?.precision === "mixed_bfloat16" ? "mixed_bfloat16" : "float32";
}

function defaultNotebook(): string {
  return courseSettings().notebook ?? "scratch";
}

function parameterCount(model: tf.LayersModel): number {
  return model.countParams();
}

/**
 * Train `model` (compiled) on `data` for `options.epochs` epochs, Keras-style, and keep the record: progress line,
 * ledger run, per-epoch checkpoint. Training the same run key again resumes after the last finished epoch.
 */
export async function fitWithLedger(model: tf.LayersModel, data: TrainingData, options: FitWithLedgerOptions): Promise<FitResult> {
  const env = courseEnv();
  const log = options.log ?? ((message: string) => console.log(message));
  const runsDir = options.runsDir ?? env.runsDir;
  const notebook = options.notebook ?? defaultNotebook();
  const modelName = options.modelName ?? model.name;
  const runName = options.runName ?? `${notebook}-${modelName}`;
  const useCheckpoints = options.checkpoints ?? true;
  const progressTarget = options.progress === false ? null : options.progress === true || options.progress === undefined ? undefined : options.progress;

  const seed = options.seed ?? env.seed;
  const identity = runIdentity({
    model,
    data: isTensorData(data)
      ? { ...describeData(data), batchSize: options.batchSize ?? 32 }
      : describeData(data),
    validation: options.validationData === undefined ? null : describeData(options.validationData),
    epochs: options.epochs,
    batchesPerEpoch: options.batchesPerEpoch ?? null,
    validationBatches: options.validationBatches ?? null,
    validationSplit: options.validationSplit ?? null,
    shuffle: isTensorData(data) ? (options.shuffle ?? true) : null,
    seed,
    profile: env.profile,
    precision: activePrecision(),
    extra: options.labels ?? {},
  });
  const config = identity.settings;

  // Each identity has its own checkpoint folder, whatever the run is called: changing anything starts a new run,
  // changing it back resumes the old one, and the same run started from two cells is trained once.
  const ckptDir = checkpointDir(identity.hash, runsDir);
  let initialEpoch = 0;
  let carried: EpochRecord[] = [];
  let resumedFrom: string | null = null;
  if (useCheckpoints && (options.resume ?? true)) {
    const meta = readCheckpoint(ckptDir, log);
    if (meta !== null && meta.fingerprint !== identity.hash) {
      log(`Checkpoint ${displayPath(ckptDir, env.projectRoot)} belongs to another run; training "${runName}" from the start.`);
    } else if (meta !== null) {
      await restoreCheckpoint(model, ckptDir, meta);
      initialEpoch = Math.min(meta.epoch, options.epochs);
      carried = meta.history.filter((entry) => entry.epoch <= initialEpoch);
      resumedFrom = meta.runFile;
      markInterrupted(meta.runFile);
      log(
        meta.epoch >= options.epochs
          ? `Run "${runName}" (${identity.hash.slice(0, 8)}) already trained ${meta.epoch}/${options.epochs} epochs: weights and optimizer state restored; nothing left to train (resume: false starts over).`
          : `Resuming run "${runName}" (${identity.hash.slice(0, 8)}) at epoch ${meta.epoch + 1}/${options.epochs}: epochs 1–${meta.epoch} restored from its checkpoint.`,
      );
    }
  } else if (useCheckpoints && fs.existsSync(ckptDir)) {
    fs.rmSync(ckptDir, { recursive: true, force: true });
  }

  // Showing a finished run again (re-running its cell) adds nothing to the ledger: its own complete record answers.
  let finished = initialEpoch >= options.epochs && resumedFrom !== null ? completedRun(resumedFrom, identity.hash, notebook, runName) : null;
  if (finished === null && resumedFrom === null && options.readBackCompleteRun && (options.resume ?? true)) {
    const stored = ledgerCompleteRun(runsDir, identity.hash, notebook, runName);
    if (stored !== null) {
      log(`Run "${runName}" (${identity.hash.slice(0, 8)}) is complete in the ledger (${displayPath(stored.file, env.projectRoot)}): read back, not trained again.`);
      finished = stored.record;
      resumedFrom = stored.file;
      initialEpoch = stored.record.history.length;
    }
  }
  if (finished !== null) {
    const shown = progressTarget === null ? null : new TrainingLog(options.epochs, stepsPerEpoch(data, options), progressTarget);
    for (const entry of finished.history) shown?.restoredEpoch(entry);
    shown?.close();
    return fitResult(finished, identity, initialEpoch, [], resumedFrom!);
  }

  // The report of setupBackend describes the run only while its backend is still the active one.
  const reported = currentBackend();
  const backend = reported !== null && reported.backend === tf.getBackend() ? reported : null;
  const record: RunRecord = {
    format: LEDGER_FORMAT_VERSION,
    notebook,
    runName: useCheckpoints ? runName : null,
    model: { name: modelName, parameters: parameterCount(model) },
    config,
    identity: { hash: identity.hash, description: identity.description },
    backend: backend === null ? { name: tf.getBackend(), path: tf.getBackend(), threads: 1, versions: { tfjs: tf.version_core } } : {
      name: backend.backend,
      path: backend.path,
      threads: backend.threads,
      versions: { ...backend.versions },
    },
    status: "running",
    startedAt: new Date().toISOString(),
    endedAt: null,
    initialEpoch,
    epochs: options.epochs,
    resumedFrom,
    history: [...carried],
  };
  const runFile = createRun(record, runsDir);

  const steps = stepsPerEpoch(data, options);
  // One output for the whole fit: the finished epochs as a table, the running one as a live line under it.
  const progress = progressTarget === null ? null : new TrainingLog(options.epochs, steps, progressTarget);
  for (const entry of carried) progress?.restoredEpoch(entry);
  let epochStartedAt = 0;
  let stepsThisEpoch = 0;
  let imagesThisEpoch = 0;
  let interrupted = false;
  const thisRunSeconds: number[] = [];

  // tslab answers an interrupt by abandoning the cell's promise, which would leave training running in the
  // background; stopping at the next batch keeps the kernel, the ledger and the checkpoint consistent.
  const onInterrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    model.stopTraining = true;
  };
  process.on("SIGINT", onInterrupt);
  // tfjs draws shuffles and dropout masks from Math.random, which cannot be seeded: while this run trains, each
  // epoch's draws come from a generator seeded by (seed, epoch), so the seed governs everything the run draws.
  const unseededRandom = Math.random;

  const ledgerCallback: tf.CustomCallbackArgs = {
    onEpochBegin: async (epoch: number) => {
      Math.random = seededRandom(mixSeeds(seed, RANDOM_STREAM, epoch));
      epochStartedAt = performance.now();
      stepsThisEpoch = 0;
      imagesThisEpoch = 0;
      progress?.epochBegin(epoch + 1);
    },
    onBatchEnd: async (_batch: number, logs?: tf.Logs) => {
      stepsThisEpoch += 1;
      const size = typeof logs?.size === "number" ? logs.size : 0;
      imagesThisEpoch += size;
      progress?.batchEnd(size, numericLogs(logs));
    },
    onEpochEnd: async (epoch: number, logs?: tf.Logs) => {
      // tfjs still calls onEpochEnd for an epoch cut short by stopTraining: that epoch is not recorded.
      if (interrupted) return;
      const seconds = (performance.now() - epochStartedAt) / 1000;
      const metrics = numericLogs(logs);
      progress?.epochEnd(metrics);
      thisRunSeconds.push(seconds);
      record.history.push({ epoch: epoch + 1, metrics, seconds, imagesPerSecond: seconds > 0 ? imagesThisEpoch / seconds : 0 });
      updateRun(runFile, record);
      if (useCheckpoints) {
        await saveCheckpoint(model, ckptDir, { runName, epoch: epoch + 1, fingerprint: identity.hash, runFile, history: record.history }, log);
      }
    },
  };
  const callbacks = [ledgerCallback, ...(options.callbacks ? [options.callbacks] : [])];

  try {
    if (initialEpoch < options.epochs) {
      if (isTensorData(data)) {
        await model.fit(data.x, data.y, {
          epochs: options.epochs,
          initialEpoch,
          batchSize: options.batchSize ?? 32,
          validationData: options.validationData as [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]] | undefined,
          validationSplit: options.validationSplit,
          shuffle: options.shuffle ?? true,
          verbose: 0,
          callbacks,
        });
      } else {
        const validation = options.validationData;
        await model.fitDataset(asDataset(data), {
          epochs: options.epochs,
          initialEpoch,
          batchesPerEpoch: options.batchesPerEpoch,
          validationData:
            validation === undefined ? undefined : Array.isArray(validation) ? validation : asDataset(validation),
          validationBatches: options.validationBatches,
          verbose: 0,
          callbacks,
        });
      }
    }
  } catch (error) {
    finish(record, runFile, "interrupted", (error as Error).message);
    throw error;
  } finally {
    progress?.close();
    process.removeListener("SIGINT", onInterrupt);
    Math.random = unseededRandom;
  }
  if (interrupted) {
    finish(record, runFile, "interrupted", "interrupted by the user");
    throw new Error(
      `Training "${runName}" was interrupted after epoch ${record.history.length}; run the cell again to resume from the checkpoint.`,
    );
  }
  finish(record, runFile, "complete");
  return fitResult(record, identity, initialEpoch, thisRunSeconds, runFile);
}

function fitResult(record: RunRecord, identity: RunIdentity, initialEpoch: number, thisRunSeconds: number[], runFile: string): FitResult {
  const history: Record<string, number[]> = {};
  for (const entry of record.history) {
    for (const [name, value] of Object.entries(entry.metrics)) (history[name] ??= []).push(value);
  }
  return {
    history,
    identity,
    epochs: record.history.map((entry) => entry.epoch),
    resumedAtEpoch: initialEpoch,
    secondsPerEpoch: thisRunSeconds.length > 0 ? thisRunSeconds.reduce((a, b) => a + b, 0) / thisRunSeconds.length : NaN,
    run: record,
    runFile,
  };
}

/** The newest complete record of this run in the notebook's ledger, if any. */
function ledgerCompleteRun(runsDir: string, hash: string, notebook: string, runName: string): { file: string; record: RunRecord } | null {
  const candidates = listRuns({ runsDir, notebook, warn: () => undefined }).runs.filter(({ record }) => isCompleteRunOf(record, hash, notebook, runName));
  return candidates.at(-1) ?? null;
}

/** A record of this very run (same identity, notebook and name) that trained every epoch. */
function isCompleteRunOf(record: RunRecord, hash: string, notebook: string, runName: string): boolean {
  const same = record.identity?.hash === hash && record.notebook === notebook && record.runName === runName;
  return same && record.status === "complete" && record.history.length === record.epochs;
}

/** The ledger's complete record of this very run (same identity, notebook and name), when its file is intact. */
function completedRun(runFile: string, hash: string, notebook: string, runName: string): RunRecord | null {
  try {
    const previous = JSON.parse(fs.readFileSync(runFile, "utf8")) as RunRecord;
    return isCompleteRunOf(previous, hash, notebook, runName) ? previous : null;
  } catch {
    return null;
  }
}

function finish(record: RunRecord, runFile: string, status: RunRecord["status"], error?: string): void {
  record.status = status;
  record.endedAt = new Date().toISOString();
  if (error !== undefined) record.error = error;
  updateRun(runFile, record);
}

/** A run left "running" (its process died) is marked interrupted once a later run resumes from its checkpoint. */
function markInterrupted(runFile: string): void {
  try {
    const previous = JSON.parse(fs.readFileSync(runFile, "utf8")) as RunRecord;
    if (previous.status === "running") {
      previous.status = "interrupted";
      previous.error = previous.error ?? "the process stopped during training";
      updateRun(runFile, previous);
    }
  } catch {
    // The earlier run's file is gone or damaged; the ledger reports damaged files when it is read.
  }
}
