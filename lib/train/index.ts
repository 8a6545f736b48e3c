/**
 * lib/train — training with a record.
 *
 * `await fitWithLedger(model, data, options)` trains a compiled model like Keras' `fit`:
 *   - `data` is `{ x, y }` tensors (`batchSize`, `validationSplit`, `shuffle` apply), a `tf.data.Dataset` of
 *     `{ xs, ys }` batches, or a generator function returning a fresh iterator of such batches each epoch
 *     (give `batchesPerEpoch` / `validationBatches` when it does not end by itself, as Keras' steps_per_epoch).
 *   - `options`: `epochs` (required), `validationData` (`[x, y]`, a dataset or a generator), `notebook` (ledger
 *     folder, e.g. "06-cats-vs-dogs"), `modelName`, `runName` (the run key; default `<notebook>-<modelName>`),
 *     `config` (hyper-parameters, augmentation… recorded in the ledger; seed and profile are added),
 *     `checkpoints` (default true), `resume` (default true), `progress`, `callbacks`.
 *   - It shows a progress line per epoch (updated in place in Jupyter and in a terminal): step/steps, loss,
 *     accuracy, img/s, ETA. It returns `{ history, epochs, secondsPerEpoch, resumedAtEpoch, run, runFile }`;
 *     `history` uses Keras' names (`loss`, `accuracy`, `val_loss`, `val_accuracy`) and covers resumed epochs too.
 * The ledger: each call writes a new `runs/<notebook>/<timestamp>-<model>.json` (notebook, model, config, backend
 *   path and versions, per-epoch metrics and wall time, status running/complete/interrupted). `listRuns()` reads
 *   them back; damaged files are warned about by name and skipped.
 * Checkpoints: after each epoch, weights + optimizer state + epoch count go to `runs/checkpoints/<run key>/`.
 *   Running the same cell again (same run key, same configuration) restores them and continues at the next epoch;
 *   a different configuration starts over; `resume: false` starts over and replaces the checkpoint.
 * `compareRuns({ notebook?, names?, filter?, references? })` overlays every distinct run (and the book's) per metric,
 *   labelled by what differs; `showRunsTable` tabulates them; `describeOverfitting(history)` reads one run's curves.
 * `new RMSprop({ learningRate })`: Keras' RMSprop (ε outside the root), which tfjs' `tf.train.rmsprop` is not.
 * `saveModel(model, dir)` / `loadModel(dir)` write and read `model.json` + `weights.bin` on any backend.
 */
export { fitWithLedger, kerasMetricName } from "./fit";
export type { FitWithLedgerOptions, FitResult, TrainingData, ValidationData, Batch, BatchGenerator } from "./fit";
export { listRuns, readRun, runLabel } from "./ledger";
export type { RunRecord, EpochRecord, RunStatus, StoredRun, DamagedRun, ListRunsOptions } from "./ledger";
export { checkpointDir, readCheckpoint, restoreCheckpoint, saveCheckpoint } from "./checkpoint";
export type { CheckpointMeta } from "./checkpoint";
export { compareRuns, compareRunsFigures, selectRuns, differingSettings, runDifferenceLabel, runsTableRows, formatRunsTable, showRunsTable } from "./compare-runs";
export type { CompareRunsOptions, RunsTableRow } from "./compare-runs";
export { describeOverfitting, overfittingSummary, overfittingVerdict, OVERFITTING_GAP, CLOSE_FIT_GAP } from "./overfitting";
export type { OverfittingSummary, AtEpoch, DescribeOverfittingOptions } from "./overfitting";
export { BOOK_MNIST_CONVNET, BOOK_CATS_DOGS_CONVNET, BOOK_CATS_DOGS_DROPOUT_AUGMENTED } from "./book-runs";
export type { BookRun } from "./book-runs";
export { saveModel, loadModel, fileSystemHandler } from "./model-io";
export { formatProgress, formatDuration } from "./progress";
export { RMSprop, KERAS_RMSPROP_DEFAULTS } from "./rmsprop";
export type { RMSpropOptions, RMSpropConfig } from "./rmsprop";
export { runIdentity, describeData, describeModel, RUN_IDENTITY_VERSION } from "./run-identity";
export type { RunIdentity, SettingValue } from "./run-identity";
export { trainCatsDogsExperiment, labExperiment } from "./cats-dogs-experiment";
export type { CatsDogsExperiment, ExperimentRunOptions } from "./cats-dogs-experiment";
