/**
 * The IDX format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist): a big-endian header, then unsigned bytes.
 *   images: magic 2051, count, rows, columns, then count × rows × columns pixels (0 = background, 255 = ink);
 *   labels: magic 2049, count, then count labels 0–9.
 * Files may be gzipped. Every check names the file and says what is wrong.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

export const IMAGES_MAGIC = 2051;
export const LABELS_MAGIC = 2049;
export const IMAGE_HEADER_BYTES = 16;
export const LABEL_HEADER_BYTES = 8;
const GZIP_SIGNATURE = [0x1f, 0x8b];

export interface IdxImages {
  count: number;
  rows: number;
  columns: number;
  /** count × rows × columns bytes, image after image, row-major. */
  pixels: Uint8Array;
}

export interface IdxLabels {
  count: number;
  labels: Uint8Array;
}

/** Bytes as stored, unzipped when they carry gzip's signature. */
export function gunzipIfNeeded(bytes: Uint8Array, name: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== GZIP_SIGNATURE[0] || bytes[1] !== GZIP_SIGNATURE[1]) return bytes;
  try {
    return new Uint8Array(zlib.gunzipSync(bytes));
  } catch (error) {
    throw new Error(`${name}: not a readable gzip file (${(error as Error).message}); it may be truncated`);
  }
}

function header(bytes: Uint8Array, name: string, headerBytes: number): DataView {
  if (bytes.length < headerBytes) {
    throw new Error(`${name}: truncated, only ${bytes.length} bytes, shorter than the ${headerBytes}-byte IDX header`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkMagic(name: string, found: number, expected: number): void {
  if (found === expected) return;
  const what = found === IMAGES_MAGIC ? " (an images file)" : found === LABELS_MAGIC ? " (a labels file)" : "";
  const kind = expected === IMAGES_MAGIC ? "images" : "labels";
  throw new Error(`${name}: magic number ${found}${what}, expected ${expected} for an IDX ${kind} file`);
}

function checkLength(name: string, actual: number, expected: number, described: string): void {
  if (actual < expected) throw new Error(`${name}: truncated, the header announces ${described} (${expected} bytes of data) but only ${actual} are there`);
  if (actual > expected) throw new Error(`${name}: ${actual - expected} bytes more than the header's ${described}; not an IDX file of this shape`);
}

/** Parse an IDX images file (already unzipped). */
export function parseIdxImages(bytes: Uint8Array, name: string): IdxImages {
  const view = header(bytes, name, IMAGE_HEADER_BYTES);
  checkMagic(name, view.getUint32(0), IMAGES_MAGIC);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const columns = view.getUint32(12);
  if (rows === 0 || columns === 0) throw new Error(`${name}: images of ${rows}×${columns} pixels make no sense`);
  checkLength(name, bytes.length - IMAGE_HEADER_BYTES, count * rows * columns, `${count} images of ${rows}×${columns}`);
  return { count, rows, columns, pixels: bytes.subarray(IMAGE_HEADER_BYTES) };
}

/** Parse an IDX labels file (already unzipped); labels must lie in 0..classCount-1. */
export function parseIdxLabels(bytes: Uint8Array, name: string, classCount = 10): IdxLabels {
  const view = header(bytes, name, LABEL_HEADER_BYTES);
  checkMagic(name, view.getUint32(0), LABELS_MAGIC);
  const count = view.getUint32(4);
  checkLength(name, bytes.length - LABEL_HEADER_BYTES, count, `${count} labels`);
  const labels = bytes.subarray(LABEL_HEADER_BYTES);
  const bad = labels.findIndex((label) => label >= classCount);
  if (bad >= 0) throw new Error(`${name}: label ${labels[bad]} at index ${bad} is outside 0..${classCount - 1}`);
  return { count, labels };
}

/** Images and labels must describe the same examples. */
export function checkSameCount(images: IdxImages, labels: IdxLabels, imagesName: string, labelsName: string): void {
  if (images.count !== labels.count) {
    throw new Error(`${imagesName} holds ${images.count} images but ${labelsName} holds ${labels.count} labels; they do not belong together`);
  }
}

function readBytes(file: string): Uint8Array {
  const name = path.basename(file);
  return gunzipIfNeeded(new Uint8Array(fs.readFileSync(file)), name);
}

/** Read (and unzip) an IDX images file. */
export function readIdxImages(file: string): IdxImages {
  return parseIdxImages(readBytes(file), path.basename(file));
}

/** Read (and unzip) an IDX labels file. */
export function readIdxLabels(file: string, classCount = 10): IdxLabels {
  return parseIdxLabels(readBytes(file), path.basename(file), classCount);
}
