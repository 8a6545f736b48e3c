/**
 * cnn-notebooks: the helpers the course's notebooks import. Everything a notebook needs comes from here, grouped by
 * the room that holds it (see DESIGN.md): env, backend, ops, examples, data, models, train, viz.
 */
import * as tf from "@tensorflow/tfjs";

/** TensorFlow.js itself, so notebooks and the helpers share one instance. */
export { tf };

// env: profile, data locations, seeds, the setup chapter's doctor
export { courseEnv, byProfile, readEnvironment, displayPath } from "./env";
export type { CourseEnvironment, Profile } from "./env";
export { runDoctor, formatDoctorReport } from "./env/doctor";
export type { DoctorCheck, CheckStatus } from "./env/doctor";
export { seededRandom } from "./env/random";
export type { RandomSource } from "./env/random";

// backend: the fastest TensorFlow.js backend that loads, and its one-line report
export { setupBackend, currentBackend, explainKernels, formatKernelChoices, setPrecisionPolicy, currentPrecision } from "./backend";
export type { BackendReport, BackendName, BackendPath, KernelChoice, PrecisionPolicy, PrecisionReport } from "./backend";

// ops: reference operations on plain arrays, written to be read (chapters 1–4)
export * as ops from "./ops";
export {
  conv2d, conv2dVolume, convolveWindow, zeroPad, maxPool, averagePool, flatten, stackChannels, dense, relu, reluMap, sigmoid,
  softmax, flipKernel, trueConvolution, convOutputSize, conv2dParameterCount, denseParameterCount, receptiveField, receptiveFields,
} from "./ops";
export type { Matrix, Volume, WindowComputation, PooledMap, PaddingMode, WindowLayer, ReceptiveFieldStep } from "./ops";
export {
  SEVEN_IMAGE, STROKE_KERNEL, HORIZONTAL_KERNEL, VERTICAL_LINE_KERNEL, CORNER_KERNEL, RGB_SEVEN_IMAGE, RGB_FILTERS, EXAMPLE_SEED, exampleDenseWeights,
} from "./examples/worked-example";
export { learnKernel } from "./examples/learn-kernel";
export { loadModelIfSaved, mnistConvnetForInspection, catsDogsConvnetForInspection } from "./examples/stand-in-models";
export type { ModelForInspection, StandInMnistOptions, StandInCatsDogsOptions } from "./examples/stand-in-models";
export type { LearnKernelOptions, LearnedKernel, KernelSnapshot } from "./examples/learn-kernel";

// exercises: the learner's answer checked in the cell (✓ or what to reconsider)
export * from "./exercises";

// data: downloads with checksums, MNIST, image folders, augmentation
export { ensureDatasetFile, sha256File } from "./data/download";
export type { DatasetFileRequest, EnsureFileOptions } from "./data/download";
export { MNIST, FASHION_MNIST, MNIST_BASE_URL, FASHION_MNIST_BASE_URL } from "./data/checksums";
export { readIdxImages, readIdxLabels } from "./data/idx";
export { loadMnist, MNIST_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES } from "./data/mnist";
export type { MnistData, MnistSplit, LoadMnistOptions } from "./data/mnist";
export { imageFolderDataset, ImageFolderDataset, loadImage, decodeImage, listImageFolder } from "./data/image-folder";
export type { ImageFolderOptions, ImageFolderElement, KerasBatch, ClassMode, BadFilePolicy, BadFile } from "./data/image-folder";
export { catsAndDogsDirs, CATS_DOGS_SPLITS } from "./data/cats-dogs";
export type { CatsDogsDirs } from "./data/cats-dogs";
export { augmentImage, augmentBatch, applyAffine, randomAffineParameters, COURSE_AUGMENTATION, BOOK_KERAS_2_0_AUGMENTATION } from "./data/augment";
export type { AugmentOptions, FillMode } from "./data/augment";
export type { AffineParameters } from "./data/affine";

// models: the course's networks, exactly the original's layers (uncompiled)
export { buildMnistConvnet, MNIST_IMAGE_SHAPE, MNIST_CLASS_COUNT } from "./models/mnist-convnet";
export { buildDenseBaseline } from "./models/dense-baseline";
export { buildCatsDogsConvnet, CATS_DOGS_IMAGE_SHAPE, CATS_DOGS_IMAGE_SIZE } from "./models/cats-dogs-convnet";
export type { CatsDogsConvnetOptions } from "./models/cats-dogs-convnet";

// train: fit with progress, the run ledger, checkpoints and resume, saving models, comparing runs
export * from "./train";

// viz: figures and the one display helper (Plotly HTML + PNG)
export { showFigure, showPng, figureBundle, pngSize } from "./viz/display";
export type { ShowFigureOptions, ShowPngOptions } from "./viz/display";
export type { PlotlyFigure, FigureSize } from "./viz/figure";
export { closePngRenderer } from "./viz/plotly-png";
export { installPlotlyAsset } from "./viz/plotly-asset";
export { pixelsToPng, matrixToPng, imageGridPng } from "./viz/pixels-png";
export type { PixelImage, PixelPngOptions, ImageGridOptions } from "./viz/pixels-png";
export { heatmapFigure, heatmapRowFigure, heatmapGridFigure, showHeatmap, showHeatmapRow } from "./viz/heatmap";
export type { HeatmapPanel, CellWindow, HeatmapFigureOptions, HeatmapGridOptions } from "./viz/heatmap";
export { stepThroughFigure, stepGridFigure } from "./viz/step-through";
export type { Step, StepThroughOptions, StepGridOptions } from "./viz/step-through";
export { convolutionSteps, poolingSteps } from "./viz/operation-steps";
export { formatMatrix, formatVector } from "./viz/text-matrix";
export { showImages, imagesPng, tensorsToPixelImages } from "./viz/image-grid";
export type { ShowImagesOptions } from "./viz/image-grid";
export { historyFigure, curvesFigure } from "./viz/training-curves";
export type { CurveSeries, MetricHistory } from "./viz/training-curves";
export { trainingValidationFigure } from "./viz/training-plot";
export type { TrainingPlotOptions } from "./viz/training-plot";
export { confusionMatrix, confusionMatrixFigure } from "./viz/confusion-matrix";
export { captionedImageGridFigure } from "./viz/digit-grid";
export { channelImages, kernelImages, layerActivations } from "./viz/feature-maps";
export { channelMatrices, kernelMatrices, rankChannelsByResponse, kernelResponseSteps } from "./viz/kernel-responses";
export { kernelLearningSteps, lossCurveFigure } from "./viz/learning-steps";
export { gradCam, heatmapOverlay, heatColour, lastConvLayerName } from "./viz/grad-cam";
export type { GradCamOptions, GradCamResult } from "./viz/grad-cam";
export { filterPattern, deprocessPattern } from "./viz/filter-patterns";
export type { FilterPatternOptions, FilterPattern } from "./viz/filter-patterns";
