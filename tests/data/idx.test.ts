import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { checkSameCount, parseIdxImages, parseIdxLabels, readIdxImages, readIdxLabels, IMAGES_MAGIC, LABELS_MAGIC } from "../../lib/data/idx";

/** An IDX images file: magic, count, rows, columns (big-endian), then the pixels. */
function imagesFile(count: number, rows: number, columns: number, options: { magic?: number; dataBytes?: number } = {}): Uint8Array {
  const dataBytes = options.dataBytes ?? count * rows * columns;
  const bytes = new Uint8Array(16 + dataBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, options.magic ?? IMAGES_MAGIC);
  view.setUint32(4, count);
  view.setUint32(8, rows);
  view.setUint32(12, columns);
  for (let i = 0; i < dataBytes; i++) bytes[16 + i] = (i * 37) % 256;
  return bytes;
}

function labelsFile(labels: number[], options: { magic?: number; count?: number } = {}): Uint8Array {
  const bytes = new Uint8Array(8 + labels.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, options.magic ?? LABELS_MAGIC);
  view.setUint32(4, options.count ?? labels.length);
  bytes.set(labels, 8);
  return bytes;
}

describe("lib/data: the IDX format", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "idx-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads a good images file: count, size and the pixels in order", () => {
    const bytes = imagesFile(3, 4, 5);
    const images = parseIdxImages(bytes, "good-images");
    expect([images.count, images.rows, images.columns]).to.deep.equal([3, 4, 5]);
    expect(images.pixels.length).to.equal(60);
    expect(images.pixels[59]).to.equal((59 * 37) % 256);
  });

  it("reads a good labels file", () => {
    expect(Array.from(parseIdxLabels(labelsFile([7, 2, 1, 0]), "good-labels").labels)).to.deep.equal([7, 2, 1, 0]);
  });

  it("unzips gzipped files, as the datasets ship", () => {
    const file = path.join(dir, "t-images-idx3-ubyte.gz");
    fs.writeFileSync(file, zlib.gzipSync(imagesFile(2, 28, 28)));
    const labels = path.join(dir, "t-labels-idx1-ubyte.gz");
    fs.writeFileSync(labels, zlib.gzipSync(labelsFile([5, 9])));
    expect(readIdxImages(file).count).to.equal(2);
    expect(Array.from(readIdxLabels(labels).labels)).to.deep.equal([5, 9]);
  });

  it("rejects a wrong magic number, saying what the file looks like", () => {
    expect(() => parseIdxImages(imagesFile(1, 2, 2, { magic: LABELS_MAGIC }), "x-images")).to.throw(
      "x-images: magic number 2049 (a labels file), expected 2051 for an IDX images file",
    );
    expect(() => parseIdxLabels(labelsFile([1], { magic: 1234 }), "x-labels")).to.throw(/x-labels: magic number 1234, expected 2049/);
  });

  it("rejects truncated data and a truncated header, naming the file", () => {
    expect(() => parseIdxImages(imagesFile(10, 28, 28, { dataBytes: 28 * 28 * 9 }), "short-images")).to.throw(
      /short-images: truncated, the header announces 10 images of 28×28 \(7840 bytes of data\) but only 7056 are there/,
    );
    expect(() => parseIdxLabels(new Uint8Array([0, 0, 8]), "tiny-labels")).to.throw(/tiny-labels: truncated, only 3 bytes/);
    expect(() => parseIdxLabels(labelsFile([1, 2], { count: 5 }), "few-labels")).to.throw(/few-labels: truncated/);
  });

  it("rejects a truncated gzip stream", () => {
    const zipped = zlib.gzipSync(imagesFile(4, 28, 28));
    const file = path.join(dir, "cut-images-idx3-ubyte.gz");
    fs.writeFileSync(file, zipped.subarray(0, zipped.length >> 1));
    expect(() => readIdxImages(file)).to.throw(/cut-images-idx3-ubyte\.gz: not a readable gzip file/);
  });

  it("rejects extra bytes and impossible sizes", () => {
    expect(() => parseIdxImages(imagesFile(1, 2, 2, { dataBytes: 6 }), "long-images")).to.throw(/long-images: 2 bytes more/);
    expect(() => parseIdxImages(imagesFile(1, 0, 2), "flat-images")).to.throw(/flat-images: images of 0×2/);
  });

  it("rejects labels outside the classes", () => {
    expect(() => parseIdxLabels(labelsFile([1, 12]), "odd-labels")).to.throw(/odd-labels: label 12 at index 1 is outside 0..9/);
  });

  it("rejects images and labels that do not belong together", () => {
    const images = parseIdxImages(imagesFile(3, 2, 2), "a-images");
    const labels = parseIdxLabels(labelsFile([1, 2]), "a-labels");
    expect(() => checkSameCount(images, labels, "a-images", "a-labels")).to.throw(
      "a-images holds 3 images but a-labels holds 2 labels; they do not belong together",
    );
  });
});
