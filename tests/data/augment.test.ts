/**
 * Augmentation on small synthetic images, where every pixel's expected place can be worked out by hand.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { applyToPoint, IDENTITY_PARAMETERS, samplingMatrix, transformPixels, type AffineParameters, type ProjectiveTransform } from "../../lib/data/affine";
import {
  applyAffine,
  augmentBatch,
  augmentPixels,
  augmentImage,
  BOOK_KERAS_2_0_AUGMENTATION,
  COURSE_AUGMENTATION,
  randomAffineParameters,
  zoomInterval,
} from "../../lib/data/augment";
import { seededRandom } from "../../lib/env/random";

const EXACT = 1e-5;

/** A one-channel image [h, w, 1] from rows of numbers. */
function image(rows: number[][]): tf.Tensor3D {
  return tf.tensor3d(rows.flat(), [rows.length, rows[0].length, 1]);
}

function rowsOf(tensor: tf.Tensor3D): number[][] {
  const [height, width] = tensor.shape;
  const values = tensor.dataSync();
  return Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => values[r * width + c]));
}

/** An image whose every pixel holds a distinct value: 10·row + col. */
function numbered(height: number, width: number): number[][] {
  return Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => 10 * r + c));
}

function expectClose(actual: number[][], expected: number[][], tolerance = EXACT): void {
  expect(actual.length).to.equal(expected.length);
  actual.forEach((row, r) => row.forEach((value, c) => {
    expect(value, `pixel (${r}, ${c})`).to.be.closeTo(expected[r][c], tolerance);
  }));
}

function withParameters(changes: Partial<AffineParameters>): AffineParameters {
  return { ...IDENTITY_PARAMETERS, ...changes };
}

describe("data/augment", () => {
  // The reference kernel here is tfjs' cpu one; other specs in this process may use another backend.
  let previousBackend = "";
  before(async () => {
    previousBackend = tf.getBackend() ?? "";
    await tf.setBackend("cpu");
  });
  after(async () => {
    if (previousBackend !== "" && previousBackend !== "cpu") await tf.setBackend(previousBackend);
  });

  it("leaves the image unchanged when no parameter asks for a change", () => {
    const input = image(numbered(5, 7));
    const viaOptions = augmentImage(input, {}, 1);
    const viaZeroRanges = augmentImage(
      input,
      { rotationRange: 0, widthShiftRange: 0, heightShiftRange: 0, shearRange: 0, zoomRange: 0, horizontalFlip: false },
      2,
    );
    expectClose(rowsOf(viaOptions), numbered(5, 7), 0);
    expectClose(rowsOf(viaZeroRanges), numbered(5, 7), 0);
    tf.dispose([input, viaOptions, viaZeroRanges]);
  });

  it("moves a square by a whole-pixel shift to where it should land", () => {
    const size = 9;
    const square = (top: number, left: number) =>
      Array.from({ length: size }, (_, r) =>
        Array.from({ length: size }, (_, c) => (r >= top && r < top + 3 && c >= left && c < left + 3 ? 1 : 0)),
      );
    const input = image(square(3, 3));
    // Keras' convention: a positive shift reads from further right/down, so the picture moves left/up.
    const shifted = applyAffine(input, withParameters({ shiftCols: 2, shiftRows: -1 }), { fillMode: "constant" });
    expectClose(rowsOf(shifted), square(4, 1));
    tf.dispose([input, shifted]);
  });

  it("mirrors left–right with a horizontal flip", () => {
    const rows = numbered(4, 6);
    const input = image(rows);
    const flipped = applyAffine(input, withParameters({ flipHorizontal: true }));
    expectClose(rowsOf(flipped), rows.map((row) => [...row].reverse()));
    tf.dispose([input, flipped]);
  });

  it("turns a marked pixel a quarter turn clockwise for a rotation of 90°", () => {
    const rows = Array.from({ length: 5 }, () => Array(5).fill(0));
    rows[0][2] = 1; // top middle
    rows[1][3] = 2;
    const input = image(rows);
    const turned = rowsOf(applyAffine(input, withParameters({ rotation: 90 })));
    expect(turned[2][4]).to.be.closeTo(1, EXACT); // → right middle
    expect(turned[3][3]).to.be.closeTo(2, EXACT);
    // The whole picture: out(r, c) = in(w − 1 − c, r) for a square.
    const full = image(numbered(5, 5));
    const expected = numbered(5, 5).map((row, r) => row.map((_, c) => 10 * (4 - c) + r));
    expectClose(rowsOf(applyAffine(full, withParameters({ rotation: 90 }))), expected);
    tf.dispose([input, full]);
  });

  it("repeats the edge pixels where 'nearest' fill reaches outside the image", () => {
    const rows = numbered(3, 6);
    const input = image(rows);
    const shifted = applyAffine(input, withParameters({ shiftCols: 3 }), { fillMode: "nearest" });
    expectClose(rowsOf(shifted), rows.map((row) => row.map((_, c) => row[Math.min(c + 3, 5)])));
    const constant = applyAffine(input, withParameters({ shiftCols: 3 }), { fillMode: "constant", cval: -1 });
    expectClose(rowsOf(constant), rows.map((row) => row.map((_, c) => (c + 3 <= 5 ? row[c + 3] : -1))));
    tf.dispose([input, shifted, constant]);
  });

  it("zooms about the centre with Keras' meaning (factor 2 reads twice as far out)", () => {
    const matrix = samplingMatrix(withParameters({ zoomCols: 2 }), 9, 9);
    expect(applyToPoint(matrix, [4, 4])).to.deep.equal([4, 4]);
    expect(applyToPoint(matrix, [4, 5])).to.deep.equal([4, 6]);
    expect(zoomInterval(0.2)).to.deep.equal([0.8, 1.2]);
    expect(zoomInterval([0.5, 1])).to.deep.equal([0.5, 1]);
  });

  it("composes rotation, shift, shear, zoom and flip into one transform (one resampling)", () => {
    const parameters = withParameters({ rotation: 30, shiftRows: 1.5, shiftCols: -2, shear: 10, zoomRows: 0.9, zoomCols: 1.1, flipHorizontal: true });
    const matrix = samplingMatrix(parameters, 11, 13);
    // Checked against the factors applied one by one to a point (Keras: R·T·S·Z about the centre, then the flip).
    const [r0, c0] = [2, 3];
    const flippedCol = 12 - c0;
    const [dr, dc] = [r0 - 5, flippedCol - 6];
    const zoomed = [dr * 0.9, dc * 1.1];
    const sheared = [zoomed[0] - Math.sin((10 * Math.PI) / 180) * zoomed[1], Math.cos((10 * Math.PI) / 180) * zoomed[1]];
    const moved = [sheared[0] + 1.5, sheared[1] - 2];
    const t = (30 * Math.PI) / 180;
    const expected = [Math.cos(t) * moved[0] - Math.sin(t) * moved[1] + 5, Math.sin(t) * moved[0] + Math.cos(t) * moved[1] + 6];
    const actual = applyToPoint(matrix, [r0, c0]);
    expect(actual[0]).to.be.closeTo(expected[0], 1e-9);
    expect(actual[1]).to.be.closeTo(expected[1], 1e-9);
  });

  it("draws the course's transforms within Keras' ranges, deterministically per seed", () => {
    const random = seededRandom(3);
    const draws = Array.from({ length: 400 }, () => randomAffineParameters(COURSE_AUGMENTATION, 150, 150, random));
    for (const p of draws) {
      expect(Math.abs(p.rotation)).to.be.at.most(40);
      expect(Math.abs(p.shiftRows)).to.be.at.most(30);
      expect(Math.abs(p.shiftCols)).to.be.at.most(30);
      expect(Math.abs(p.shear)).to.be.at.most(0.2);
      for (const zoom of [p.zoomRows, p.zoomCols]) expect(zoom).to.be.within(0.8, 1.2);
      expect(p.flipVertical).to.equal(false);
    }
    const flips = draws.filter((p) => p.flipHorizontal).length;
    expect(flips).to.be.within(150, 250);
    // The ranges are used, not just bounded: some draws come near each end.
    expect(Math.max(...draws.map((p) => p.rotation))).to.be.above(35);
    expect(Math.min(...draws.map((p) => p.rotation))).to.be.below(-35);
    expect(randomAffineParameters(COURSE_AUGMENTATION, 150, 150, seededRandom(9))).to.deep.equal(
      randomAffineParameters(COURSE_AUGMENTATION, 150, 150, seededRandom(9)),
    );
    // A shift range of 1 or more is in pixels, as in Keras.
    const inPixels = randomAffineParameters({ widthShiftRange: 4 }, 150, 150, seededRandom(1));
    expect(Math.abs(inPixels.shiftCols)).to.be.at.most(4);
  });

  it("reads the book's settings as Keras 2.0.8 did: a 0.2-radian shear, nearest-neighbour resampling", () => {
    const draws = Array.from({ length: 400 }, (_, i) => randomAffineParameters(BOOK_KERAS_2_0_AUGMENTATION, 150, 150, seededRandom(i)));
    const widest = Math.max(...draws.map((p) => Math.abs(p.shear)));
    // 0.2 rad = 11.46°: draws reach near it, never past it.
    expect(widest).to.be.within(10.5, 11.46);
    expect(BOOK_KERAS_2_0_AUGMENTATION.interpolation).to.equal("nearest");
    // Everything else is the course's (today's Keras) setting.
    const { shearRange: _bookShear, interpolation: _interpolation, ...bookRest } = BOOK_KERAS_2_0_AUGMENTATION;
    const { shearRange: _courseShear, ...courseRest } = COURSE_AUGMENTATION;
    expect(bookRest).to.deep.equal(courseRest);
    // Nearest resampling only ever copies input values: a half-pixel shift of 0/1 stripes stays 0/1.
    const stripes = image([[0, 1, 0, 1], [0, 1, 0, 1], [0, 1, 0, 1], [0, 1, 0, 1]]);
    const shifted = augmentImage(stripes, { widthShiftRange: 0.5, interpolation: "nearest" }, seededRandom(4));
    for (const value of (shifted.dataSync() as Float32Array)) expect([0, 1]).to.include(value);
    tf.dispose([stripes, shifted]);
  });

  it("gives the same picture for the same seed and a different one for another seed", () => {
    const input = image(numbered(12, 12));
    const first = rowsOf(augmentImage(input, COURSE_AUGMENTATION, 7));
    const again = rowsOf(augmentImage(input, COURSE_AUGMENTATION, 7));
    const other = rowsOf(augmentImage(input, COURSE_AUGMENTATION, 8));
    expectClose(again, first, 0);
    expect(other.flat()).to.not.deep.equal(first.flat());
    tf.dispose(input);
  });

  it("augments every image of a batch with its own transform", () => {
    const pictures = [numbered(8, 8), numbered(8, 8).map((row) => row.map((v) => 100 - v)), numbered(8, 8).map((row) => row.map((v) => v * 2))];
    const batch = tf.stack(pictures.map(image)) as tf.Tensor4D;
    const seeds = [11, 12, 13];
    const augmented = augmentBatch(batch, COURSE_AUGMENTATION, seeds);
    const separately = tf.unstack(augmented);
    pictures.forEach((rows, index) => {
      const alone = augmentImage(image(rows), COURSE_AUGMENTATION, seeds[index]);
      expectClose(rowsOf(separately[index] as tf.Tensor3D), rowsOf(alone));
    });
    tf.dispose([batch, augmented, ...separately]);
  });

  it("resamples plain pixels exactly as tf.image.transform does (bilinear, 'nearest' fill)", () => {
    const [height, width, channels] = [11, 13, 3];
    const random = seededRandom(5);
    const pixels = Float32Array.from({ length: height * width * channels }, () => Math.round(random() * 255));
    const input = tf.tensor4d(pixels, [1, height, width, channels]);
    const transforms: ProjectiveTransform[] = [
      [1, 0, 0, 0, 1, 0, 0, 0],
      [0.8, 0.3, -2.5, -0.2, 1.1, 3.7, 0, 0],
      [1, 0, 40, 0, 1, -40, 0, 0], // entirely outside: every pixel repeats an edge
      [-1, 0, 12, 0, 1, 0, 0, 0],
    ];
    for (const transform of transforms) {
      const expected = tf.image.transform(input, tf.tensor2d([transform]), "bilinear", "nearest").dataSync();
      const actual = new Float32Array(pixels.length);
      transformPixels(pixels, height, width, channels, transform, actual);
      actual.forEach((value, i) => expect(value, `value ${i} for ${transform}`).to.be.closeTo(expected[i], 1e-3));
    }
  });

  it("augments plain pixels into the same pictures as augmentBatch", () => {
    const random = seededRandom(8);
    const shape: [number, number, number] = [12, 10, 3];
    const images = [0, 1, 2].map(() => Uint8Array.from({ length: 12 * 10 * 3 }, () => Math.floor(random() * 256)));
    const seeds = [31, 32, 33];
    const target = new Float32Array(3 * 12 * 10 * 3);
    augmentPixels(images, shape, COURSE_AUGMENTATION, seeds, target);
    const batch = tf.tensor4d(Float32Array.from(images.flatMap((image) => Array.from(image))), [3, ...shape]);
    const expected = augmentBatch(batch, COURSE_AUGMENTATION, seeds).dataSync();
    target.forEach((value, i) => expect(value, `value ${i}`).to.be.closeTo(expected[i], 1e-3));
    expect(target.some((value, i) => Math.abs(value - batch.dataSync()[i]) > 1)).to.equal(true); // it did transform
    batch.dispose();
  });

  it("gives the same pictures from one batched call on wasm as image by image on cpu", async () => {
    await import("@tensorflow/tfjs-backend-wasm");
    const pictures = [numbered(9, 7), numbered(9, 7).map((row) => row.map((v) => 90 - v)), numbered(9, 7).map((row) => row.map((v) => (v * 7) % 50))];
    const seeds = [21, 22, 23];
    const onCpu = pictures.map((rows, index) => rowsOf(augmentImage(image(rows), COURSE_AUGMENTATION, seeds[index])));
    expect(await tf.setBackend("wasm")).to.equal(true);
    try {
      const batch = tf.stack(pictures.map(image)) as tf.Tensor4D;
      const augmented = tf.unstack(augmentBatch(batch, COURSE_AUGMENTATION, seeds)) as tf.Tensor3D[];
      augmented.forEach((picture, index) => expectClose(rowsOf(picture), onCpu[index], 1e-3));
      tf.dispose([batch, ...augmented]);
    } finally {
      await tf.setBackend("cpu");
    }
  });
});
