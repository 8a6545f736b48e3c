/**
 * Grad-CAM (Selvaraju et al., 2017; Chollet's section 5.4.3): which parts of a picture made the model choose a
 * class. Take the last convolution layer's feature maps, ask how much the class score would rise if each map rose
 * (the gradient, averaged over the map), weigh the maps by that, add them up and keep the positive part. The result
 * is a coarse heatmap, one cell per position of that layer, laid over the picture.
 */
import * as tf from "@tensorflow/tfjs";
import type { PixelImage } from "./pixels-png";

export interface GradCamOptions {
  /** The convolution layer to explain. Default: the model's last Conv2D layer. */
  layerName?: string;
  /**
   * The class to explain. Softmax outputs: its index. A single sigmoid output: 1 for the positive class (the
   * "dog" of the cats/dogs model), 0 for the negative one. Default: the class the model predicts.
   */
  classIndex?: number;
}

export interface GradCamResult {
  /** [rows][cols] of the chosen layer, scaled to 0..1 (all zeros when no position speaks for the class). */
  heatmap: number[][];
  layerName: string;
  classIndex: number;
  /** The model's output for the image: class probabilities, or [P(positive)] for a sigmoid output. */
  prediction: number[];
}

/** The name of the last Conv2D layer of `model`. */
export function lastConvLayerName(model: tf.LayersModel): string {
  const convs = model.layers.filter((layer) => layer.getClassName() === "Conv2D");
  if (convs.length === 0) throw new Error("Grad-CAM needs a model with at least one Conv2D layer");
  return convs[convs.length - 1].name;
}

function asBatch(image: tf.Tensor3D | tf.Tensor4D): tf.Tensor4D {
  if (image.rank === 3) return image.expandDims(0) as tf.Tensor4D;
  if (image.shape[0] !== 1) throw new Error(`Grad-CAM explains one image at a time, not a batch of ${image.shape[0]}`);
  return image as tf.Tensor4D;
}

/**
 * The Grad-CAM heatmap of `image` ([h, w, c] or a batch of one) for a linear stack of layers (a Sequential model,
 * as all of the course's models are): the layers after `layerName` are applied to its output one by one, so the
 * gradient of the class score with respect to those feature maps can be taken.
 */
export function gradCam(model: tf.LayersModel, image: tf.Tensor3D | tf.Tensor4D, options: GradCamOptions = {}): GradCamResult {
  const layerName = options.layerName ?? lastConvLayerName(model);
  const index = model.layers.findIndex((layer) => layer.name === layerName);
  if (index < 0) throw new Error(`the model has no layer "${layerName}"`);
  const head = model.layers.slice(index + 1);
  const base = tf.model({ inputs: model.inputs, outputs: model.layers[index].output as tf.SymbolicTensor });
  return tf.tidy(() => {
    const input = asBatch(image);
    const prediction = Array.from((model.predict(input) as tf.Tensor).dataSync());
    const sigmoidOutput = prediction.length === 1;
    const classIndex = options.classIndex ?? (sigmoidOutput ? (prediction[0] >= 0.5 ? 1 : 0) : prediction.indexOf(Math.max(...prediction)));
    const classes = sigmoidOutput ? 2 : prediction.length;
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) {
      throw new Error(`classIndex must be one of 0..${classes - 1}, not ${classIndex}`);
    }
    const features = base.predict(input) as tf.Tensor4D;
    // For a sigmoid, the score of the negative class is 1 − p: its gradient points the other way.
    const score = (maps: tf.Tensor): tf.Scalar => {
      const out = head.reduce((x, layer) => layer.apply(x) as tf.Tensor, maps);
      if (sigmoidOutput) return (classIndex === 1 ? out.sum() : tf.sub(1, out).sum()) as tf.Scalar;
      return out.gather([classIndex], 1).sum() as tf.Scalar;
    };
    const gradients = tf.grad(score)(features);
    const weights = gradients.mean([1, 2], true); // one weight per feature map: [1, 1, 1, channels]
    const cam = features.mul(weights).sum(-1).squeeze([0]).relu() as tf.Tensor2D;
    const largest = cam.max().dataSync()[0];
    const scaled = largest > 0 ? cam.div(largest) : cam;
    return { heatmap: scaled.arraySync() as number[][], layerName, classIndex, prediction };
  });
}

/** A blue → cyan → yellow → red colour for t in 0..1 (the "jet"-like ramp heatmaps are usually drawn in). */
export function heatColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  const stops: Array<[number, [number, number, number]]> = [
    [0, [0, 0, 0.5]], [0.25, [0, 0.4, 1]], [0.5, [0.1, 0.9, 0.9]], [0.75, [1, 0.85, 0]], [1, [0.85, 0, 0]],
  ];
  for (let i = 1; i < stops.length; i++) {
    const [t1, c1] = stops[i];
    const [t0, c0] = stops[i - 1];
    if (x <= t1) {
      const f = (x - t0) / (t1 - t0);
      return [0, 1, 2].map((k) => c0[k] + f * (c1[k] - c0[k])) as [number, number, number];
    }
  }
  return stops[stops.length - 1][1];
}

/**
 * The heatmap stretched (bilinearly) to the picture's size, coloured and laid over it: `opacity` of heat, the rest
 * picture. `image` is [h, w, 3] (or [h, w, 1]) with values in 0..1; the result is an RGB PixelImage in 0..1.
 */
export function heatmapOverlay(image: tf.Tensor3D, heatmap: number[][], opacity = 0.45): PixelImage {
  if (!(opacity >= 0 && opacity <= 1)) throw new Error(`opacity must be between 0 and 1, not ${opacity}`);
  const [height, width, channels] = image.shape;
  const heat = tf.tidy(() =>
    tf.image.resizeBilinear(tf.tensor2d(heatmap).expandDims(-1) as tf.Tensor3D, [height, width], true).dataSync());
  const picture = image.dataSync();
  const pixels = new Float32Array(height * width * 3);
  for (let i = 0; i < height * width; i++) {
    const colour = heatColour(heat[i]);
    for (let c = 0; c < 3; c++) {
      const value = picture[i * channels + (channels === 3 ? c : 0)];
      pixels[i * 3 + c] = (1 - opacity) * value + opacity * colour[c];
    }
  }
  return { pixels, width, height, channels: 3 };
}
