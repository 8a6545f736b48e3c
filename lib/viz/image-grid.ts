/**
 * Show image tensors side by side (a batch from an image folder, augmented variants of one picture) as one PNG,
 * built with the shared pixel → PNG helper and shown with showPng.
 */
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { showPng } from "./display";
import { imageGridPng, type PixelImage } from "./pixels-png";

export interface ShowImagesOptions {
  /** Images per row (default: all in one row, up to 8). */
  columns?: number;
  /** The values shown as black and white; [0, 1] for rescaled images, [0, 255] for raw pixels. Default [0, 1]. */
  range?: [number, number];
  /** Whole-number enlargement of each image (default 1: a 150×150 image stays 150 px). */
  scale?: number;
  /** What the picture shows, for text/plain. */
  alt?: string;
}

/** Tensors [h, w, 3] (or one batch [n, h, w, 3]) → the pixel images the grid helper takes. */
export function tensorsToPixelImages(images: tf.Tensor3D[] | tf.Tensor4D): PixelImage[] {
  const list = Array.isArray(images) ? images : (tf.unstack(images) as tf.Tensor3D[]);
  const pixels = list.map((image) => {
    const [height, width, channels] = image.shape;
    if (channels !== 1 && channels !== 3) throw new Error(`showImages: images need 1 or 3 channels, not ${channels}`);
    return { pixels: image.dataSync(), width, height, channels } as PixelImage;
  });
  if (!Array.isArray(images)) tf.dispose(list);
  return pixels;
}

/** Photos compress badly as true-colour PNG (≈ 0.5 MB for eight 150×150 pictures); 256 colours look the same at a third. */
const PHOTO_PNG: sharp.PngOptions = { palette: true, quality: 90, effort: 10 };

/** Image tensors in a grid, as one PNG (compact, for photos). */
export async function imagesPng(images: tf.Tensor3D[] | tf.Tensor4D, options: Omit<ShowImagesOptions, "alt"> = {}): Promise<Uint8Array> {
  const grid = await imageGridPng(tensorsToPixelImages(images), {
    columns: options.columns,
    range: options.range ?? [0, 1],
    scale: options.scale ?? 1,
  });
  return new Uint8Array(await sharp(grid).png(PHOTO_PNG).toBuffer());
}

/** Show image tensors in a grid. Returns nothing, so a cell ending with it shows only the picture. */
export async function showImages(images: tf.Tensor3D[] | tf.Tensor4D, options: ShowImagesOptions = {}): Promise<void> {
  await showPng(await imagesPng(images, options), { alt: options.alt });
}
