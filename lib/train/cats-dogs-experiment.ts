/**
 * One cats-vs-dogs training run from a handful of settings — the chapter 8 experiments (the 2×2 grid of cures, the
 * seed band) in one call each. It builds the book's convnet, compiles it with Keras' RMSprop, reads the folders and
 * trains with `fitWithLedger`, so each run is recorded, checkpointed and resumed like any other.
 */
import { COURSE_AUGMENTATION } from "../data/augment";
import { catsAndDogsDirs } from "../data/cats-dogs";
import { imageFolderDataset } from "../data/image-folder";
import { courseEnv, byProfile } from "../env";
import { buildCatsDogsConvnet } from "../models/cats-dogs-convnet";
import { fitWithLedger, type FitResult } from "./fit";
import { RMSprop } from "./rmsprop";

export interface CatsDogsExperiment {
  /** Dropout rate after Flatten; omitted: no Dropout layer. */
  dropout?: number;
  /** Chapter 7's random transforms on the training pictures. */
  augmentation?: boolean;
  /** Weight decay: Keras' `kernel_regularizer=l2(factor)` on every kernel. */
  l2?: number;
  imageSize: number;
  batchSize: number;
  epochs: number;
  stepsPerEpoch: number;
  validationSteps: number;
  /** Use only the first N pictures of each class (default: all). */
  maxPerClass?: number;
  learningRate: number;
  /** One seed for the initial weights, the shuffles, the augmentation draws and the dropout masks. */
  seed: number;
}

/**
 * The lab-sized experiment: the book's layers and chapter 8's schedule (batches of 32, 100 steps, 50 validation
 * steps) on 64 × 64 pictures for 30 epochs — each run a few minutes on a 2-core CPU, yet still showing overfitting
 * and its cures. In the smoke profile it shrinks to a few batches, so tests run every cell.
 */
export function labExperiment(): CatsDogsExperiment {
  return {
    imageSize: 64,
    batchSize: 32,
    epochs: byProfile({ smoke: 2, full: 30 }),
    stepsPerEpoch: byProfile({ smoke: 3, full: 100 }),
    validationSteps: byProfile({ smoke: 2, full: 50 }),
    maxPerClass: byProfile<number | undefined>({ smoke: 30, full: undefined }),
    learningRate: 1e-4,
    seed: courseEnv().seed,
  };
}

export interface ExperimentRunOptions {
  /** The ledger folder (the chapter's notebook name). */
  notebook: string;
  /** The run's name in the ledger; runs sharing it are compared as one experiment. */
  runName: string;
  /** Show the progress line (default true). */
  progress?: boolean;
}

/** Train (or resume, or read back when the ledger already has it complete) one experiment run. */
export async function trainCatsDogsExperiment(experiment: CatsDogsExperiment, options: ExperimentRunOptions): Promise<FitResult> {
  const dirs = catsAndDogsDirs();
  const targetSize: [number, number] = [experiment.imageSize, experiment.imageSize];
  const model = buildCatsDogsConvnet({ imageSize: experiment.imageSize, dropout: experiment.dropout, l2: experiment.l2, seed: experiment.seed });
  model.compile({ optimizer: new RMSprop({ learningRate: experiment.learningRate }), loss: "binaryCrossentropy", metrics: ["acc"] });
  const common = { targetSize, batchSize: experiment.batchSize, classMode: "binary" as const, rescale: 1 / 255, seed: experiment.seed, verbose: false };
  const train = await imageFolderDataset(dirs.train, {
    ...common,
    augment: experiment.augmentation ? COURSE_AUGMENTATION : undefined,
    maxPerClass: experiment.maxPerClass,
  });
  const validation = await imageFolderDataset(dirs.validation, { ...common, maxPerClass: experiment.maxPerClass });
  try {
    return await fitWithLedger(model, train, {
      epochs: experiment.epochs,
      batchesPerEpoch: experiment.stepsPerEpoch,
      validationData: validation,
      validationBatches: experiment.validationSteps,
      notebook: options.notebook,
      runName: options.runName,
      seed: experiment.seed,
      progress: options.progress,
      // An experiment is compared by its curves and its model is dropped afterwards: a complete run in the ledger
      // (say, the committed full-profile grid on a fresh clone, which has no checkpoints) is read back, not retrained.
      readBackCompleteRun: true,
    });
  } finally {
    // The optimizer was passed in, so the model does not own it: free both.
    model.optimizer.dispose();
    model.dispose();
  }
}
