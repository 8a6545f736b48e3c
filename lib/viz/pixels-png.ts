/**
 * Pixel arrays → PNG with sharp, for pictures that are pixels rather than charts: feature maps, digits, image grids.
 * Values are mapped linearly to 0–255 (by default from the array's own min..max, so a feature map uses the whole
 * grey range) and enlarged with nearest-neighbour so each pixel stays a crisp square.
 */
import sharp from "sharp";

export type PixelChannels = 1 | 3;

export interface PixelImage {
  /** Row-major values, `height * width * channels` of them (channels interleaved, as tf.Tensor.dataSync gives). */
  pixels: ArrayLike<number>;
  width: number;
  height: number;
  /** 1 = grayscale, 3 = RGB. Default 1. */
  channels?: PixelChannels;
}

export interface PixelPngOptions {
  /** The values shown as black and white: `[0, 1]`, `[0, 255]`, … Default "auto": the image's own min and max. */
  range?: [number, number] | "auto";
  /** Whole-number enlargement (nearest neighbour). Default: the largest that keeps the image within `maxSide`. */
  scale?: number;
  /** The longest side the default scale aims for, in pixels. Default 280 (a 28×28 digit at 10×). */
  maxSide?: number;
}

const DEFAULT_MAX_SIDE = 280;
const WHITE = 255;

function checkImage(image: PixelImage): Required<PixelImage> {
  const channels = image.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw new Error(`channels must be 1 or 3, not ${channels}`);
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1) {
    throw new Error(`image size must be positive whole numbers, not ${image.width}×${image.height}`);
  }
  const expected = image.width * image.height * channels;
  if (image.pixels.length !== expected) {
    throw new Error(`expected ${expected} values for ${image.height}×${image.width}×${channels}, got ${image.pixels.length}`);
  }
  return { pixels: image.pixels, width: image.width, height: image.height, channels };
}

/** Map values to bytes 0–255 over `range` (constant images become mid-grey rather than dividing by zero). */
export function toBytes(pixels: ArrayLike<number>, range: [number, number] | "auto" = "auto"): Uint8Array {
  let [low, high] = range === "auto" ? [Infinity, -Infinity] : range;
  if (range === "auto") {
    for (let i = 0; i < pixels.length; i++) {
      if (Number.isFinite(pixels[i])) {
        low = Math.min(low, pixels[i]);
        high = Math.max(high, pixels[i]);
      }
    }
  }
  const bytes = new Uint8Array(pixels.length);
  const span = high - low;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    const unit = !Number.isFinite(v) ? 0 : span > 0 ? (v - low) / span : 0.5;
    bytes[i] = Math.round(Math.min(1, Math.max(0, unit)) * WHITE);
  }
  return bytes;
}

function defaultScale(width: number, height: number, maxSide: number): number {
  return Math.max(1, Math.floor(maxSide / Math.max(width, height)));
}

/**
 * Photo-like colour images (pictures, heatmaps over them, gradient-ascent patterns) in 256 colours: they look the
 * same and take about a third of the bytes of true-colour PNG, which hardly compresses them.
 */
const PHOTO_PALETTE: sharp.PngOptions = { palette: true, quality: 90, effort: 10 };

/** Encode raw bytes as PNG, enlarged `scale` times with nearest neighbour (`photo`: colour in 256 colours). */
async function encodePng(bytes: Uint8Array, width: number, height: number, channels: PixelChannels, scale: number, photo = false): Promise<Uint8Array> {
  let pipeline = sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { raw: { width, height, channels } });
  if (scale !== 1) pipeline = pipeline.resize(width * scale, height * scale, { kernel: "nearest" });
  // Keep grayscale as one channel (sharp would otherwise write RGB): a third of the bytes.
  if (channels === 1) pipeline = pipeline.toColourspace("b-w");
  return new Uint8Array(await pipeline.png(photo && channels === 3 ? PHOTO_PALETTE : {}).toBuffer());
}

/** One grayscale or RGB array as a PNG. */
export async function pixelsToPng(image: PixelImage, options: PixelPngOptions = {}): Promise<Uint8Array> {
  const { pixels, width, height, channels } = checkImage(image);
  const scale = options.scale ?? defaultScale(width, height, options.maxSide ?? DEFAULT_MAX_SIDE);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`scale must be a whole number ≥ 1, not ${scale}`);
  return encodePng(toBytes(pixels, options.range ?? "auto"), width, height, channels, scale);
}

/** A 2-D array (rows of numbers) as a grayscale PNG. */
export async function matrixToPng(matrix: number[][], options: PixelPngOptions = {}): Promise<Uint8Array> {
  const height = matrix.length;
  const width = height > 0 ? matrix[0].length : 0;
  if (matrix.some((row) => row.length !== width)) throw new Error("matrixToPng: rows have different lengths");
  return pixelsToPng({ pixels: matrix.flat(), width, height, channels: 1 }, options);
}

export interface ImageGridOptions extends PixelPngOptions {
  /** Images per row. Default: all in one row, up to 8. */
  columns?: number;
  /** White space between images, in output pixels. Default 4. */
  gap?: number;
  /** Colour images that are photo-like: store them in 256 colours (about a third of the bytes). Default false. */
  photo?: boolean;
}

const DEFAULT_GRID_COLUMNS = 8;
const DEFAULT_GRID_GAP = 4;

/**
 * Several same-sized images tiled into one PNG (digits, augmented variants, a layer's feature maps). Each image is
 * scaled to bytes on its own unless `range` is given, so faint and strong feature maps are both visible.
 */
export async function imageGridPng(images: PixelImage[], options: ImageGridOptions = {}): Promise<Uint8Array> {
  if (images.length === 0) throw new Error("imageGridPng: no images");
  const checked = images.map(checkImage);
  const { width, height } = checked[0];
  if (checked.some((image) => image.width !== width || image.height !== height)) {
    throw new Error("imageGridPng: all images must have the same width and height");
  }
  const channels: PixelChannels = checked.some((image) => image.channels === 3) ? 3 : 1;
  const columns = Math.min(options.columns ?? DEFAULT_GRID_COLUMNS, checked.length);
  const rows = Math.ceil(checked.length / columns);
  const gap = options.gap ?? DEFAULT_GRID_GAP;
  const cellScale = options.scale ?? defaultScale(width * columns, height * rows, options.maxSide ?? 4 * DEFAULT_MAX_SIDE);
  const tileW = width * cellScale;
  const tileH = height * cellScale;
  const gridW = columns * tileW + (columns - 1) * gap;
  const gridH = rows * tileH + (rows - 1) * gap;
  const grid = new Uint8Array(gridW * gridH * channels).fill(WHITE);
  checked.forEach((image, index) => {
    const bytes = toBytes(image.pixels, options.range ?? "auto");
    const left = (index % columns) * (tileW + gap);
    const top = Math.floor(index / columns) * (tileH + gap);
    for (let y = 0; y < tileH; y++) {
      for (let x = 0; x < tileW; x++) {
        const source = (Math.floor(y / cellScale) * width + Math.floor(x / cellScale)) * image.channels;
        const target = ((top + y) * gridW + left + x) * channels;
        for (let c = 0; c < channels; c++) grid[target + c] = bytes[source + (image.channels === 3 ? c : 0)];
      }
    }
  });
  return encodePng(grid, gridW, gridH, channels, 1, options.photo ?? false);
}
