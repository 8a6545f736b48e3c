/**
 * Faults injected into the files training leaves behind and reads back: a truncated or altered checkpoint, a disk
 * that fills up while one is written, five resumes into the same model object, ledger files without `startedAt`,
 * and image folders built from symbolic links (linked class folders and images, links to nothing, link loops).
 * The outcome wanted each time: a message naming the file, training that goes on (or starts fresh), nothing leaked.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { catsAndDogsDirs } from "../../lib/data/cats-dogs";
import { listImageFolder } from "../../lib/data/image-folder";
import { readEnvironment } from "../../lib/env";
import { CHECKPOINT_FILE, checkpointDir, readCheckpoint } from "../../lib/train/checkpoint";
import { fitWithLedger } from "../../lib/train/fit";
import { createRun, listRuns, runLabel, type RunRecord } from "../../lib/train/ledger";
import { tempDir } from "./helpers";
import { tinyData, tinyModel, TINY_SAMPLES } from "../train/tiny-training";

/** The local data mirror beside the project (CI and this workplace), as the notebooks use it. */
const SHARED_DATA = path.resolve(__dirname, "../..", process.env.CNN_DATA_MIRROR ?? "../shared/data");


describe("faults: checkpoints, the ledger and image folders", function () {
  this.timeout(120_000);
  let dir: string;
  const messages: string[] = [];
  const quiet = { progress: false as const, log: (m: string) => void messages.push(m), shuffle: false, batchSize: 16, notebook: "faults" };
  before(async () => {
    await tf.setBackend("cpu");
  });
  beforeEach(() => {
    dir = tempDir("training");
    messages.length = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const damage of ["truncated", "altered"] as const) {
    it(`reports ${damage === "truncated" ? "a truncated" : "an altered"} checkpoint weights file by path and trains from the start instead of crashing`, async () => {
      const data = tinyData();
      const first = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 2, runName: damage, runsDir: dir });
      const ckpt = checkpointDir(first.identity.hash, dir);
      const weights = path.join(ckpt, "weights-epoch2.bin");
      const bytes = fs.readFileSync(weights);
      if (damage === "truncated") fs.writeFileSync(weights, bytes.subarray(0, bytes.length - 3));
      else fs.writeFileSync(weights, Buffer.from(bytes.map((byte, i) => (i === 17 ? byte ^ 0xff : byte))));

      messages.length = 0;
      // The identical run again: it would resume (nothing left to train) from a sound checkpoint.
      const result = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 2, runName: damage, runsDir: dir });
      expect(result.resumedAtEpoch).to.equal(0, "a damaged checkpoint is not resumed");
      expect(result.history.loss).to.have.length(2);
      const warning = messages.find((m) => m.includes("ignoring damaged checkpoint")) ?? "";
      expect(warning).to.include(path.join(ckpt, CHECKPOINT_FILE)).and.include(weights);
      expect(warning).to.include(damage === "truncated" ? `holds ${bytes.length - 3} bytes` : "SHA-256");
      expect(readCheckpoint(ckpt, () => undefined)?.epoch).to.equal(2, "the fresh run checkpoints again");
      tf.dispose([data.x, data.y]);
    });
  }

  it("goes on training when the disk fills up during a checkpoint write, keeping the previous checkpoint and no partial file", async () => {
    const data = tinyData();
    // The module object itself (the import above is a read-only view of it): what checkpoint.ts calls through.
    const fsModule = require("node:fs") as { writeFileSync: typeof fs.writeFileSync };
    const realWrite = fsModule.writeFileSync;
    const warnings: string[] = [];
    const realWarn = console.warn;
    // From epoch 2 on every checkpoint write fails the way a full disk does.
    fsModule.writeFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      if (typeof file === "string" && /weights-epoch[2-9]\.bin/.test(file)) {
        realWrite(file, "partial"); // what a full disk leaves: the start of the file
        throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: "ENOSPC" });
      }
      return (realWrite as (...args: unknown[]) => void)(file, ...rest);
    }) as typeof fs.writeFileSync;
    console.warn = (...parts: unknown[]) => void warnings.push(parts.join(" "));
    messages.length = 0;
    let result;
    try {
      result = await fitWithLedger(tinyModel(), data, { ...quiet, epochs: 3, runName: "full-disk", runsDir: dir });
    } finally {
      fsModule.writeFileSync = realWrite;
      console.warn = realWarn;
    }
    expect(result.history.loss).to.have.length(3, "training went on");
    const ckpt = checkpointDir(result.identity.hash, dir);
    // The warning goes to the run's log (the notebook's output), not only to the console.
    expect([...messages, ...warnings].join("\n")).to.include(`could not save the checkpoint after epoch 2 in ${ckpt}`).and.include("ENOSPC");
    expect(readCheckpoint(ckpt, () => undefined)?.epoch).to.equal(1, "the last good checkpoint is intact");
    expect(fs.readdirSync(ckpt).sort()).to.deep.equal([CHECKPOINT_FILE, "weights-epoch1.bin"], "no partial or temporary file left");
    tf.dispose([data.x, data.y]);
  });

  it("keeps tf.memory().numTensors flat across five resumes into the same model object", async () => {
    const data = tinyData();
    const model = tinyModel();
    await fitWithLedger(model, data, { ...quiet, epochs: 2, runName: "resumes", runsDir: dir });
    const counts: number[] = [];
    // The same cell run five more times: each run restores the (complete) checkpoint into the same model object.
    for (let rerun = 0; rerun < 5; rerun++) {
      const result = await fitWithLedger(model, data, { ...quiet, epochs: 2, runName: "resumes", runsDir: dir });
      expect(result.resumedAtEpoch).to.equal(2);
      counts.push(tf.memory().numTensors);
    }
    console.log(`      (tensors after each resume: ${counts.join(", ")})`);
    expect(new Set(counts).size).to.equal(1, `tensor count grew: ${counts.join(", ")}`);
    model.dispose();
    tf.dispose([data.x, data.y]);
  });

  it("lists a ledger file without startedAt (time from its name, warning naming it) and names one it cannot date", () => {
    const record: RunRecord = {
      format: 1, notebook: "faults", runName: null, model: { name: "m", parameters: 1 }, config: {}, backend: null,
      status: "complete", startedAt: "2026-11-27T23:45:12.345Z", endedAt: null, initialEpoch: 0, epochs: 1, resumedFrom: null, history: [],
    };
    const dated = createRun(record, dir, new Date("2026-11-27T23:45:12.345Z"));
    const { startedAt: _dropped, ...withoutStart } = record;
    fs.writeFileSync(dated, JSON.stringify(withoutStart));
    const undated = path.join(path.dirname(dated), "copied-by-hand.json");
    fs.writeFileSync(undated, JSON.stringify(withoutStart));

    const warnings: string[] = [];
    const { runs, damaged } = listRuns({ runsDir: dir, warn: (m) => warnings.push(m) });
    expect(runs.map((run) => run.file)).to.deep.equal([dated]);
    expect(runs[0].record.startedAt).to.equal("2026-11-27T23:45:12.345Z");
    expect(runLabel(runs[0])).to.equal("m 2026-11-27 23:45");
    expect(warnings.join("\n")).to.include(dated).and.include("no valid startedAt");
    expect(damaged).to.have.length(1);
    expect(damaged[0].file).to.equal(undated);
    expect(damaged[0].reason).to.include(undated).and.include("no startedAt");
  });

  it("follows symbolic links in an image folder: linked class folders and images count, links to nothing and loops are named", async () => {
    const image = (file: string, red: number) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      return sharp({ create: { width: 4, height: 4, channels: 3, background: { r: red, g: 0, b: 0 } } }).png().toFile(file);
    };
    await image(path.join(dir, "real", "cats", "cat.0.png"), 200);
    await image(path.join(dir, "real", "cats", "cat.1.png"), 201);
    await image(path.join(dir, "real", "dogs", "dog.0.png"), 40);
    const folder = path.join(dir, "linked");
    fs.mkdirSync(path.join(folder, "dogs"), { recursive: true });
    fs.symlinkSync(path.join(dir, "real", "cats"), path.join(folder, "cats")); // a linked class folder
    fs.symlinkSync(path.join(dir, "real", "dogs", "dog.0.png"), path.join(folder, "dogs", "dog.0.png")); // a linked image
    fs.symlinkSync(path.join(dir, "nowhere.png"), path.join(folder, "dogs", "gone.png")); // a link to nothing
    fs.symlinkSync(folder, path.join(folder, "dogs", "loop")); // a loop back to the root

    const listing = await listImageFolder(folder);
    expect(listing.classNames).to.deep.equal(["cats", "dogs"]);
    expect(listing.files.map((file) => path.relative(folder, file))).to.deep.equal(["cats/cat.0.png", "cats/cat.1.png", "dogs/dog.0.png"]);
    expect(listing.labels).to.deep.equal([0, 0, 1]);
    const bad = listing.badFiles.map((file) => `${path.relative(folder, file.path)}: ${file.reason}`);
    expect(bad).to.deep.equal(["dogs/gone.png: a symbolic link to nothing", `dogs/loop: a link back to a folder already read (${fs.realpathSync(folder)}); not read again`]);
  });

  it("accepts a cats-vs-dogs mirror made of symbolic links and reads its images", async function () {
    const source = path.join(SHARED_DATA, "cats_and_dogs_small");
    if (!fs.existsSync(source)) this.skip();
    const mirror = path.join(dir, "mirror", "cats_and_dogs_small");
    for (const split of ["train", "validation", "test"]) {
      fs.mkdirSync(path.join(mirror, split), { recursive: true });
      for (const folder of ["cats", "dogs"]) fs.symlinkSync(path.join(source, split, folder), path.join(mirror, split, folder));
    }
    const dirs = catsAndDogsDirs(readEnvironment({ CNN_DATA_MIRROR: path.join(dir, "mirror"), CNN_DATA_DIR: path.join(dir, "data") }));
    expect(dirs.base).to.equal(mirror);
    const listing = await listImageFolder(dirs.train, { maxPerClass: 3 });
    expect(listing.classNames).to.deep.equal(["cats", "dogs"]);
    expect(listing.files).to.have.length(6);
    expect(listing.badFiles).to.deep.equal([]);
  });
});
