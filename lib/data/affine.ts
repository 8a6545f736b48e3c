/**
 * The matrix maths behind data augmentation: Keras' rotation, shift, shear, zoom and flips composed into ONE affine
 * matrix per image, then written as the 8-number projective transform that `tf.image.transform` takes.
 *
 * Like Keras (and scipy's `affine_transform`), the matrix maps each OUTPUT pixel to the INPUT position it is read
 * from. Coordinates are (row, column) with (0, 0) the centre of the top-left pixel; the transforms turn about the
 * image's centre ((h − 1) / 2, (w − 1) / 2).
 */

/** A 3×3 matrix in homogeneous 2-D coordinates, row-major. */
export type Matrix3 = [[number, number, number], [number, number, number], [number, number, number]];

/** One concrete transform, with Keras' meanings (`ImageDataGenerator.get_random_transform` names in brackets). */
export interface AffineParameters {
  /** Rotation in degrees [theta]. 90 turns the picture a quarter turn clockwise on screen. */
  rotation: number;
  /** Shift in pixels along the rows [tx]: +n reads from n rows further down, so the picture moves n rows up. */
  shiftRows: number;
  /** Shift in pixels along the columns [ty]: +n reads from n columns to the right, so the picture moves left. */
  shiftCols: number;
  /** Shear angle in degrees [shear]. */
  shear: number;
  /** Zoom factor along the rows [zx]: < 1 zooms in (reads a smaller area), > 1 zooms out. */
  zoomRows: number;
  /** Zoom factor along the columns [zy]. */
  zoomCols: number;
  /** Mirror left–right after the transform [flip_horizontal]. */
  flipHorizontal: boolean;
  /** Mirror top–bottom after the transform [flip_vertical]. */
  flipVertical: boolean;
}

export const IDENTITY_PARAMETERS: Readonly<AffineParameters> = Object.freeze({
  rotation: 0,
  shiftRows: 0,
  shiftCols: 0,
  shear: 0,
  zoomRows: 1,
  zoomCols: 1,
  flipHorizontal: false,
  flipVertical: false,
});

const DEGREES_TO_RADIANS = Math.PI / 180;

export function identityMatrix(): Matrix3 {
  return [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
}

export function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const product = identityMatrix();
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      product[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
    }
  }
  return product;
}

/** Apply a matrix to a (row, column) point. */
export function applyToPoint(matrix: Matrix3, [row, col]: [number, number]): [number, number] {
  return [
    matrix[0][0] * row + matrix[0][1] * col + matrix[0][2],
    matrix[1][0] * row + matrix[1][1] * col + matrix[1][2],
  ];
}

/**
 * The sampling matrix for an image of `height` × `width`: output (row, col) → input (row, col).
 * Keras' order: rotation · shift · shear · zoom, about the centre; the flips come last in Keras (on the result), so
 * here they are the right-most factor: out(r, c) = transformed(r, w − 1 − c).
 */
export function samplingMatrix(parameters: AffineParameters, height: number, width: number): Matrix3 {
  const theta = parameters.rotation * DEGREES_TO_RADIANS;
  const shear = parameters.shear * DEGREES_TO_RADIANS;
  const rotation: Matrix3 = [
    [Math.cos(theta), -Math.sin(theta), 0],
    [Math.sin(theta), Math.cos(theta), 0],
    [0, 0, 1],
  ];
  const shift: Matrix3 = [
    [1, 0, parameters.shiftRows],
    [0, 1, parameters.shiftCols],
    [0, 0, 1],
  ];
  const shearing: Matrix3 = [
    [1, -Math.sin(shear), 0],
    [0, Math.cos(shear), 0],
    [0, 0, 1],
  ];
  const zoom: Matrix3 = [
    [parameters.zoomRows, 0, 0],
    [0, parameters.zoomCols, 0],
    [0, 0, 1],
  ];
  const centreRow = (height - 1) / 2;
  const centreCol = (width - 1) / 2;
  const toCentre: Matrix3 = [
    [1, 0, -centreRow],
    [0, 1, -centreCol],
    [0, 0, 1],
  ];
  const fromCentre: Matrix3 = [
    [1, 0, centreRow],
    [0, 1, centreCol],
    [0, 0, 1],
  ];
  const flip: Matrix3 = [
    [parameters.flipVertical ? -1 : 1, 0, parameters.flipVertical ? height - 1 : 0],
    [0, parameters.flipHorizontal ? -1 : 1, parameters.flipHorizontal ? width - 1 : 0],
    [0, 0, 1],
  ];
  const aboutCentre = [rotation, shift, shearing, zoom].reduce(multiply);
  return [fromCentre, aboutCentre, toCentre, flip].reduce(multiply);
}

/**
 * The 8-number projective transform `[a0, a1, a2, b0, b1, b2, c0, c1]` that `tf.image.transform` takes: it maps the
 * output point (x, y) = (column, row) to the input point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k),
 * k = c0 x + c1 y + 1. Our matrix works in (row, column), so its two axes are swapped here.
 */
export function toProjectiveTransform(matrix: Matrix3): ProjectiveTransform {
  const [[rr, rc, r0], [cr, cc, c0]] = matrix;
  return [cc, cr, c0, rc, rr, r0, 0, 0];
}

/** True when the parameters leave every pixel where it is (so the transform can be skipped). */
export function isIdentity(parameters: AffineParameters): boolean {
  return (
    parameters.rotation === 0 &&
    parameters.shiftRows === 0 &&
    parameters.shiftCols === 0 &&
    parameters.shear === 0 &&
    parameters.zoomRows === 1 &&
    parameters.zoomCols === 1 &&
    !parameters.flipHorizontal &&
    !parameters.flipVertical
  );
}

/** The eight numbers `tf.image.transform` takes (see toProjectiveTransform). */
export type ProjectiveTransform = [number, number, number, number, number, number, number, number];

/**
 * `tf.image.transform` for the augmentation's case — an affine transform (c0 = c1 = 0), bilinear interpolation,
 * 'nearest' fill — on plain arrays: one image [height, width, channels] from `source` into `target`. The same
 * numbers as tfjs' kernels (the tests compare them), about 3× faster than the wasm kernel, and no tensors: the
 * image-folder pipeline uses it while it assembles a batch.
 */
export function transformPixels(
  source: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  transform: ProjectiveTransform,
  target: Float32Array,
  targetOffset = 0,
): void {
  const [a0, a1, a2, b0, b1, b2, c0, c1] = transform;
  if (c0 !== 0 || c1 !== 0) throw new Error("transformPixels handles affine transforms only (c0 = c1 = 0)");
  let out = targetOffset;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // 'nearest' fill: a point outside the image reads the closest edge pixel.
      const inX = Math.min(Math.max(a0 * x + a1 * y + a2, 0), width - 1);
      const inY = Math.min(Math.max(b0 * x + b1 * y + b2, 0), height - 1);
      const x0 = Math.floor(inX);
      const y0 = Math.floor(inY);
      const x1 = x0 + 1 < width ? x0 + 1 : x0;
      const y1 = y0 + 1 < height ? y0 + 1 : y0;
      const fx = inX - x0;
      const fy = inY - y0;
      const topLeft = (y0 * width + x0) * channels;
      const topRight = (y0 * width + x1) * channels;
      const bottomLeft = (y1 * width + x0) * channels;
      const bottomRight = (y1 * width + x1) * channels;
      for (let k = 0; k < channels; k++) {
        const top = source[topLeft + k] + fx * (source[topRight + k] - source[topLeft + k]);
        const bottom = source[bottomLeft + k] + fx * (source[bottomRight + k] - source[bottomLeft + k]);
        target[out++] = top + fy * (bottom - top);
      }
    }
  }
}
