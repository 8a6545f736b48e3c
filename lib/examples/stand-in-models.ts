/**
 * The trained models later chapters look inside (chapter 9): read from where chapters 5 and 8 saved them, or, when
 * those chapters have not been run in this profile, a quick stand-in trained on the spot and clearly labelled as
 * such. A stand-in is never saved: runs/ only ever holds the real chapters' models.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { displayPath } from "../env";
import { MODEL_JSON_FILE, loadModel } from "../train/model-io";
import { buildMnistConvnet } from "../models/mnist-convnet";
import { buildCatsDogsConvnet } from "../models/cats-dogs-convnet";
import { RMSprop } from "../train/rmsprop";
import { imageFolderDataset } from "../data/image-folder";
import type { MnistSplit } from "../data/mnist";

export interface ModelForInspection {
  model: tf.LayersModel;
  /** "saved": the chapter's own trained model; "stand-in": trained just now, briefly. */
  source: "saved" | "stand-in";
  /** One sentence saying which model this is (printed by the notebook). */
  note: string;
}

/** The model saved in `dir` (a `model.json` + weights folder), or null when there is none. */
export async function loadModelIfSaved(dir: string): Promise<tf.LayersModel | null> {
  if (!fs.existsSync(path.join(dir, MODEL_JSON_FILE))) return null;
  return loadModel(dir);
}


export interface StandInMnistOptions {
  epochs: number;
  batchSize?: number;
  /** Where chapter 5 saves its model; printed in the note. */
  savedDir: string;
  projectRoot?: string;
}

/** Chapter 5's model from `savedDir`, or chapter 5's architecture trained briefly on `train`. */
export async function mnistConvnetForInspection(train: MnistSplit, options: StandInMnistOptions): Promise<ModelForInspection> {
  const saved = await loadModelIfSaved(options.savedDir);
  const where = displayPath(options.savedDir, options.projectRoot);
  if (saved !== null) return { model: saved, source: "saved", note: `chapter 5's trained convnet, read from ${where}` };
  const model = buildMnistConvnet();
  model.compile({ optimizer: new RMSprop(), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  await model.fit(train.images, train.labels, { epochs: options.epochs, batchSize: options.batchSize ?? 64, verbose: 0 });
  return {
    model,
    source: "stand-in",
    note: `no model in ${where} (run chapter 5 to save one there): a STAND-IN with chapter 5's layers, trained here for ` +
      `${options.epochs} epoch(s) on ${train.images.shape[0]} images. Its kernels are rougher than chapter 5's.`,
  };
}

export interface StandInCatsDogsOptions {
  epochs: number;
  batchesPerEpoch: number;
  maxPerClass?: number;
  /** Where chapter 8 saves its model; printed in the note. */
  savedDir: string;
  /** Where chapter 6 saves its model: the next best trained model when chapter 8's is not there yet. */
  fallbackDir?: string;
  projectRoot?: string;
}

/** Chapter 8's model from `savedDir`, or chapter 8's architecture trained briefly on the images in `trainDir`. */
export async function catsDogsConvnetForInspection(trainDir: string, options: StandInCatsDogsOptions): Promise<ModelForInspection> {
  const saved = await loadModelIfSaved(options.savedDir);
  const where = displayPath(options.savedDir, options.projectRoot);
  if (saved !== null) return { model: saved, source: "saved", note: `chapter 8's trained convnet (dropout + augmentation), read from ${where}` };
  const fallback = options.fallbackDir === undefined ? null : await loadModelIfSaved(options.fallbackDir);
  if (fallback !== null) {
    return {
      model: fallback,
      source: "saved",
      note: `chapter 6's trained convnet (no dropout, no augmentation: it overfits), read from ` +
        `${displayPath(options.fallbackDir as string, options.projectRoot)} — chapter 8's model is not in ${where} yet`,
    };
  }
  const model = buildCatsDogsConvnet({ dropout: 0.5 });
  model.compile({ optimizer: new RMSprop({ learningRate: 1e-4 }), loss: "binaryCrossentropy", metrics: ["acc"] });
  const data = await imageFolderDataset(trainDir, {
    targetSize: [150, 150], batchSize: 20, classMode: "binary", rescale: 1 / 255, maxPerClass: options.maxPerClass, verbose: false,
  });
  await model.fitDataset(data, { epochs: options.epochs, batchesPerEpoch: options.batchesPerEpoch, verbose: 0 });
  return {
    model,
    source: "stand-in",
    note: `no model in ${where} (run chapter 8 to save one there): a STAND-IN with chapter 8's layers, trained here for ` +
      `${options.epochs} epoch(s) of ${options.batchesPerEpoch} batches. It has barely learned, so its heatmaps and ` +
      "patterns show the method, not what a trained convnet sees.",
  };
}
