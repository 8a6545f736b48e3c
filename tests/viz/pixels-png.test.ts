import { expect } from "chai";
import sharp from "sharp";
import { imageGridPng, matrixToPng, pixelsToPng, toBytes } from "../../lib/viz/pixels-png";

/** Decode a PNG: the channels stored in the file, and the first channel's values (grey level for grey images). */
async function decode(png: Uint8Array) {
  const { channels } = await sharp(Buffer.from(png)).metadata();
  const { data, info } = await sharp(Buffer.from(png)).raw().toBuffer({ resolveWithObject: true });
  const first = data.filter((_, i) => i % info.channels === 0);
  return { data: info.channels === 1 || channels !== 1 ? data : first, width: info.width, height: info.height, channels };
}

describe("lib/viz pixels-png (sharp)", () => {
  it("maps values to 0–255 over the image's range or a given one", () => {
    expect([...toBytes([2, 3, 4])]).to.deep.equal([0, 128, 255]);
    expect([...toBytes([0, 0.5, 1, 2], [0, 1])]).to.deep.equal([0, 128, 255, 255]);
    expect([...toBytes([5, 5])]).to.deep.equal([128, 128]); // constant: mid-grey, no division by zero
  });

  it("enlarges with nearest neighbour, so each value stays a crisp square", async () => {
    const png = await matrixToPng([[0, 1], [1, 0]], { scale: 3 });
    const { data, width, height, channels } = await decode(png);
    expect([width, height, channels]).to.deep.equal([6, 6, 1]);
    const at = (x: number, y: number) => data[y * width + x];
    expect([at(0, 0), at(2, 2), at(3, 0), at(5, 2), at(0, 3), at(5, 5)]).to.deep.equal([0, 0, 255, 255, 255, 0]);
  });

  it("defaults to the largest whole-number scale that fits 280 px", async () => {
    const { width, height } = await decode(await pixelsToPng({ pixels: new Float32Array(28 * 28), width: 28, height: 28 }));
    expect([width, height]).to.deep.equal([280, 280]);
  });

  it("encodes RGB with channels interleaved", async () => {
    const png = await pixelsToPng({ pixels: [1, 0, 0, 0, 0, 1], width: 2, height: 1, channels: 3 }, { range: [0, 1], scale: 1 });
    const { data, channels } = await decode(png);
    expect(channels).to.equal(3);
    expect([...data]).to.deep.equal([255, 0, 0, 0, 0, 255]);
  });

  it("tiles a grid with white gaps, each image scaled on its own", async () => {
    const png = await imageGridPng(
      [
        { pixels: [0, 1], width: 2, height: 1 },
        { pixels: [10, 20], width: 2, height: 1 },
        { pixels: [3, 3], width: 2, height: 1 },
      ],
      { columns: 2, scale: 2, gap: 1 },
    );
    const { data, width, height } = await decode(png);
    expect([width, height]).to.deep.equal([2 * 4 + 1, 2 * 2 + 1]);
    const at = (x: number, y: number) => data[y * width + x];
    expect([at(0, 0), at(3, 0), at(4, 0), at(5, 0), at(8, 0)]).to.deep.equal([0, 255, 255, 0, 255]);
    expect(at(0, 2)).to.equal(255); // gap row
    expect(at(0, 3)).to.equal(128); // third image (constant) in the second row
    expect(at(5, 3)).to.equal(255); // empty grid cell stays white
  });

  it("stores photo-like colour grids in 256 colours: a fraction of the bytes, every pixel close to the original", async () => {
    // A smooth colour picture with noise, like a photograph or a heatmap over one.
    const size = 96;
    const pixels = Array.from({ length: size * size * 3 }, (_, i) => {
      const [x, y, c] = [Math.floor(i / 3) % size, Math.floor(i / 3 / size), i % 3];
      return Math.min(1, Math.max(0, 0.5 + 0.4 * Math.sin((x + 2 * c) / 9) * Math.cos(y / 13) + 0.08 * Math.sin(i * 12.9898)));
    });
    const image = { pixels, width: size, height: size, channels: 3 as const };
    const trueColour = await imageGridPng([image, image], { range: [0, 1], scale: 2 });
    const photo = await imageGridPng([image, image], { range: [0, 1], scale: 2, photo: true });
    const PNG_COLOUR_TYPE_BYTE = 25; // in the IHDR chunk; 3 = indexed colours (a palette)
    expect(photo[PNG_COLOUR_TYPE_BYTE], "a palette PNG").to.equal(3);
    expect(trueColour[PNG_COLOUR_TYPE_BYTE], "true colour").to.equal(2);
    expect(photo.byteLength).to.be.below(0.6 * trueColour.byteLength);
    const [a, b] = [await sharp(Buffer.from(trueColour)).raw().toBuffer(), await sharp(Buffer.from(photo)).raw().toBuffer()];
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst, "largest channel difference (of 255)").to.be.below(40);
    // Grey grids are left alone: one channel, no palette.
    const grey = await imageGridPng([{ pixels: [0, 1, 2, 3], width: 2, height: 2 }], { photo: true });
    expect((await sharp(Buffer.from(grey)).metadata()).channels).to.equal(1);
  });

  it("explains bad input", async () => {
    let message = "";
    await pixelsToPng({ pixels: [1, 2, 3], width: 2, height: 2 }).catch((e: Error) => (message = e.message));
    expect(message).to.equal("expected 4 values for 2×2×1, got 3");
    await matrixToPng([[1, 2], [3]]).catch((e: Error) => (message = e.message));
    expect(message).to.contain("rows have different lengths");
  });
});
